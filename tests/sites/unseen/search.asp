<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>搜索结果_知行文秘网</title>
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
<table width="960" border="0" align="center"><tr><td>在 <b>标题</b> 中搜索 <font color=red>工作计划</font> ，共找到 2 篇文章</td></tr>
<tr><td>·<a href="/html/jihua/201301/8390.htm">2013年度社区<font color=red>工作计划</font></a> <font color="#999">2013-01-07</font><br>2013年，社区居委会将紧紧围绕街道党工委、办事处的工作部署，以服务居民为宗旨，以构建和谐社区为目标，扎实做好以下几方面...</td></tr><tr><td>·<a href="/html/jihua/201402/8520.htm">2014年学校<font color=red>工作计划</font></a> <font color="#999">2014-02-17</font><br>一、指导思想以办人民满意的教育为宗旨，全面贯彻党的教育方针，坚持以人为本，深化课程改革，全面提高教育教学质量，努力办好让...</td></tr>
</table>
<table width="960" border="0" align="center" cellpadding="0" cellspacing="0" class="bottom">
<tr><td align="center" height="60"><a href="/about.htm">关于本站</a> | <a href="/ad.htm">广告服务</a> | <a href="/link.htm">友情链接</a><br>
Copyright &copy; 2008-2014 知行文秘网 All Rights Reserved. 备案号：苏ICP备08012345号</td></tr>
</table>
</body>
</html>
