<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gbk" />
<title>会员登录_金笔范文网</title>
<meta name="keywords" content="范文,工作总结,心得体会,讲话稿" />
<link href="/templets/default/style/dedecms.css" rel="stylesheet" media="screen" type="text/css" />
<script language="javascript" type="text/javascript" src="/include/dedeajax2.js"></script>
</head>
<body>
<div class="login-wrap" style="width:400px;margin:80px auto">
<h2>会员登录</h2>
<form name="userlogin" action="/member/index_do.php" method="POST">
<input type="hidden" name="fmdo" value="login" /><input type="hidden" name="dopost" value="login" />
<p><label>用户名：</label><input type="text" name="userid" class="text" /></p>
<p><label>密&nbsp;&nbsp;码：</label><input type="password" name="pwd" class="text" /></p>
<p><label>验证码：</label><input type="text" name="vdcode" size="6" /><img src="/include/vdimgck.php" align="absmiddle" alt="看不清？点击更换" /></p>
<p><input type="checkbox" name="keeptime" value="604800" />一周内自动登录</p>
<p><button type="submit">登录</button> <a href="/member/resetpassword.php">忘记密码？</a> <a href="/member/reg_new.php">注册新会员</a></p>
</form>
<p class="tip">登录后可下载Word文档、查看全文并发表评论。</p>
</div>
</body>
</html>
