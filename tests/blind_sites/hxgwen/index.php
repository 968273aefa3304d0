<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gbk" />
<meta http-equiv="X-UA-Compatible" content="IE=7" />
<title>会员登录 - 华夏公文网</title>
<meta name="keywords" content="会员登录">
<meta name="description" content="会员登录">
<link href="/statics/css/reset.css" rel="stylesheet" type="text/css" />
<link href="/statics/css/default_blue.css" rel="stylesheet" type="text/css" />
<script type="text/javascript" src="/statics/js/jquery.min.js"></script>
<script type="text/javascript" src="/statics/js/jquery.sgallery.js"></script>
<script type="text/javascript" src="/statics/js/search_common.js"></script>
</head>
<body>
<div class="body-top">
    <div class="content">
    <span id="cms_head_login"><a href="/index.php?m=member&amp;c=index&amp;a=login">登录</a> | <a href="/index.php?m=member&amp;c=index&amp;a=register">注册</a></span>
    <span class="rt"><a href="javascript:;" onclick="this.style.behavior='url(#default#homepage)';this.setHomePage('http://www.hxgwen.com/');">设为首页</a> | <a href="javascript:;" onclick="window.external.AddFavorite('http://www.hxgwen.com/','华夏公文网')">加入收藏</a> | <a href="/about/contact.html">联系我们</a></span>
    </div>
</div>
<div class="header">
	<div class="logo lf"><a href="/"><img src="/statics/images/v9/logo.jpg" alt="华夏公文网" /></a></div>
    <div class="search">
    	<div class="tab" id="search"><a href="javascript:;" onclick="setmodel(1, $(this));" class="on">文章</a><span> | </span><a href="javascript:;" onclick="setmodel(3, $(this));">下载</a></div>
        <div class="bd">
            <form action="/index.php" method="get" target="_blank">
				<input type="hidden" name="m" value="search"/><input type="hidden" name="c" value="index"/><input type="hidden" name="a" value="init"/>
				<input type="hidden" name="typeid" value="1" id="typeid"/><input type="hidden" name="siteid" value="1" id="siteid"/>
                <input type="text" class="text" name="q" id="q"/><input type="submit" value="搜 索" class="button" />
            </form>
        </div>
    </div>
    <div class="banner"><script language="javascript" src="/index.php?m=poster&amp;c=index&amp;a=show_poster&amp;id=1"></script></div>
    <div class="bk3"></div>
    <div class="nav-bar">
    	<map>
            <ul class="nav-site">
                <li><a href="/"><span>首页</span></a></li>
                <li class="line">|</li><li><a href="/list-6-1.html"><span>讲话稿</span></a></li>
                <li class="line">|</li><li><a href="/list-8-1.html"><span>工作总结</span></a></li>
                <li class="line">|</li><li><a href="/list-9-1.html"><span>心得体会</span></a></li>
                <li class="line">|</li><li><a href="/special/qiyi/"><span>七一专题</span></a></li>
            </ul>
        </map>
    </div>
    <div class="subnav">热门搜索：<a href="/tag/yingshanghuanjing.html">营商环境</a> <a href="/tag/anquanshengchan.html">安全生产</a> <a href="/tag/dangjian.html">党建</a></div>
</div>
<div class="main">
<div class="log-reg">
  <div class="col-left">
    <div class="reg-box">
      <h3>会员登录</h3>
      <form method="post" action="/index.php?m=member&amp;c=index&amp;a=login" id="myform" name="myform">
        <div class="point">请输入您的用户名和密码。还没有帐号？<a href="/index.php?m=member&amp;c=index&amp;a=register">立即注册</a></div>
        <ul>
          <li><label>用户名：</label><input type="text" id="username" name="username" size="22" class="input-text"></li>
          <li><label>密　码：</label><input type="password" id="password" name="password" size="22" class="input-text"></li>
          <li><label>验证码：</label><input type="text" id="code" name="code" size="8" class="input-text"> <img id="code_img" src="/api.php?op=checkcode&amp;code_len=4&amp;font_size=14&amp;width=110&amp;height=30" onclick="this.src=this.src+'&amp;'+Math.random()"></li>
          <li><input type="checkbox" name="cookietime" value="2592000" id="cookietime"> 记住我的登录状态 <a href="/index.php?m=member&amp;c=index&amp;a=public_forget_password">忘记密码？</a></li>
          <li><input type="submit" name="dosubmit" id="dosubmit" value="登 录" class="submit"></li>
        </ul>
      </form>
    </div>
  </div>
  <div class="col-auto"><div class="box"><h5>快捷登录</h5><a href="/index.php?m=member&amp;c=index&amp;a=public_qq_loginnew"><img src="/statics/images/member/qq_login.png" alt="用QQ帐号登录"/></a></div></div>
</div>
</div>
<div class="bk10"></div>
<div class="footer">
<p class="info">
<a href="/about/">关于我们</a> | <a href="/about/contact.html">联系我们</a> | <a href="/about/copyright.html">版权声明</a> | <a href="/index.php?m=link">友情链接</a> | <a href="/about/ad.html">广告服务</a><br />
Powered by <strong><a href="http://www.phpcms.cn" target="_blank">PHPCMS</a></strong> <em>V9</em> &copy; 2012-2019 <img src="/statics/images/copyright.gif"/> 华夏公文网 鲁ICP备12034567号<br />
本站部分文章来源于网络，版权归原作者所有，如有侵权请联系删除。
</p>
</div>
<script type="text/javascript">
document.oncontextmenu=function(){return false};document.onselectstart=function(){return false};
</script>
<script src="/api.php?op=count&amp;id=0&amp;modelid=1"></script>
</body>
</html>
