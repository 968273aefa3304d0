<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>会员登录_知行文秘网</title>
<meta name="keywords" content="公文,讲话稿,工作总结,心得体会">
<link href="/skin/css.css" rel="stylesheet" type="text/css">
<script language="javascript" src="/js/fontzoom.js"></script>
</head>
<body leftmargin="0" topmargin="0" marginwidth="0" marginheight="0">
<table width="960" border="0" align="center" cellpadding="0" cellspacing="0" class="top">
<tr><td width="220" height="70"><a href="/"><img src="/images/logo.gif" width="200" height="60" border="0" alt="知行文秘网"></a></td>
<td align="right"><a href="/">首页</a> | <a href="/html/jianghua/">领导讲话</a> | <a href="/html/zongjie/">工作总结</a> | <a href="/html/xindetihui/">心得体会</a> | <a href="/html/jihua/">工作计划</a> | <a href="/user/login.asp">会员登录</a></td></tr>
</table>
<table width="960" border="0" align="center" cellpadding="0" cellspacing="0"><tr><td height="28" class="search"><form action="/search.asp" method="get">站内搜索：<input name="keyword" size="20"> <select name="field"><option value="title">标题</option><option value="content">内容</option></select> <input type="submit" value="搜索"></form></td></tr></table>
<table width="400" border="0" align="center" cellpadding="6" style="margin-top:40px"><form action="/user/chklogin.asp" method="post">
<tr><td colspan="2" align="center"><b>会员登录</b></td></tr>
<tr><td align="right">用户名：</td><td><input name="username" size="20"></td></tr>
<tr><td align="right">密&nbsp;&nbsp;码：</td><td><input type="password" name="password" size="20"></td></tr>
<tr><td align="right">验证码：</td><td><input name="code" size="6"> <img src="/inc/code.asp"></td></tr>
<tr><td colspan="2" align="center"><input type="submit" value="登 录"> <a href="/user/reg.asp">注册新用户</a></td></tr>
</form></table>
<table width="960" border="0" align="center" cellpadding="0" cellspacing="0" class="bottom">
<tr><td align="center" height="60"><a href="/about.htm">关于本站</a> | <a href="/ad.htm">广告服务</a> | <a href="/link.htm">友情链接</a><br>
Copyright &copy; 2008-2014 知行文秘网 All Rights Reserved. 备案号：苏ICP备08012345号</td></tr>
</table>
</body>
</html>
