<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gbk" />
<title>搜索结果_金笔范文网</title>
<meta name="keywords" content="范文,工作总结,心得体会,讲话稿" />
<link href="/templets/default/style/dedecms.css" rel="stylesheet" media="screen" type="text/css" />
<script language="javascript" type="text/javascript" src="/include/dedeajax2.js"></script>
</head>
<body class="articleview">
<div class="header_top"><div class="w960 center"><span class="time">欢迎光临金笔范文网！</span><div class="toplinks"><a href="/member/login.php">会员登录</a> | <a href="/member/reg_new.php">免费注册</a> | <a href="/plus/heightsearch.php">高级搜索</a></div></div></div>
<div class="header"><div class="top w960 center"><div class="title"><h1><a href="/">金笔范文网</a></h1></div>
<div class="banner"><script src='/plus/ad_js.php?aid=1' language='javascript'></script></div></div>
<div class="module blue mT10 wrapper w963"><div id="navMenu"><ul>
<li><a href='/'><span>首页</span></a></li>
<li><a href='/fanwen/'><span>范文大全</span></a></li>
<li><a href='/fanwen/gongzuozongjie/'><span>工作总结</span></a></li>
<li><a href='/fanwen/xindetihui/'><span>心得体会</span></a></li>
<li><a href='/fanwen/jianghuagao/'><span>讲话稿</span></a></li>
<li><a href='/news/'><span>公文资讯</span></a></li>
<li><a href='/bbs/'><span>文秘论坛</span></a></li>
<li><a href='/tags/xindetihui.html'><span>热门标签</span></a></li>
</ul></div>
<div class="search"><form name="formsearch" action="/plus/search.php"><input type="hidden" name="kwtype" value="0" /><input name="q" type="text" class="search-keyword" value="在这里搜索..." /><button type="submit" class="search-submit">搜索</button></form></div></div></div>
<div class="w960 center clear mt1"><div class="resultbar">搜索 <span class="redkw">工作总结</span> 的结果，共找到 <strong>4</strong> 条记录，用时 0.012 秒</div>
<div class="resultlist"><ul>
<li><a href='/fanwen/gongzuozongjie/20231.html' class='title'>2023年社区党支部<font color=red>工作总结</font></a><span class='info'><small>日期：</small>2023-12-26</span><p class='intro'>2023年，在街道党工委的坚强领导下，社区党支部坚持以党建引领基层治理，紧紧围绕“服务居民、凝聚人心”这一主线，扎实推进各项工作，较好地完成了年初确定的目标任务...</p></li>
<li><a href='/fanwen/gongzuozongjie/20245.html' class='title'>2024年上半年财务科<font color=red>工作总结</font></a><span class='info'><small>日期：</small>2024-07-08</span><p class='intro'>今年上半年，财务科在局党组的正确领导和分管领导的直接指导下，认真履行会计核算、预算管理和资金监管职能，各项工作平稳有序推进。在预算执行方面，我们按照“先有预算、...</p></li>
<li><a href='/fanwen/gongzuozongjie/20262.html' class='title'>小学班主任学期<font color=red>工作总结</font></a><span class='info'><small>日期：</small>2024-01-19</span><p class='intro'>转眼间，一个学期又结束了。这学期我担任三年级二班的班主任，全班共有学生四十五人。回顾这一学期，有辛苦也有收获，现将主要工作总结如下。一、培养良好的行为习惯。三年...</p></li>
<li><a href='/fanwen/gongzuozongjie/20277.html' class='title'>乡镇2023年安全生产<font color=red>工作总结</font></a><span class='info'><small>日期：</small>2023-12-15</span><p class='intro'>2023年，我镇坚持“安全第一、预防为主、综合治理”的方针，牢固树立安全发展理念，全镇未发生较大以上安全生产事故，安全生产形势总体平稳。一、压紧压实安全责任。镇...</p></li>
</ul></div>
<div class="dede_pages"><ul class="pagelist"><li class="thisclass">1</li><li><span class="pageinfo">共 <strong>1</strong>页<strong>4</strong>条记录</span></li></ul></div></div>
<div class="footer w960 center mt1 clear"><div class="footer_left"></div><div class="footer_body">
<p class="powered">Powered by <a href="http://www.dedecms.com" title="织梦内容管理系统(DedeCMS)--国内最专业的PHP网站管理系统，轻松建站的首选利器。" target="_blank"><strong>DedeCMS_V57_GBK_SP2</strong></a> &copy; 2004-2024 <a href="http://www.desdev.cn/" target="_blank">DesDev</a> Inc.<br /><div class="copyright">Copyright &copy; 2011-2024 金笔范文网 版权所有 本站部分文章来自网络，如有侵权请联系删除&nbsp;&nbsp;<a href="https://beian.miit.gov.cn/">浙ICP备12034567号-2</a></div></p>
</div><div class="footer_right"></div></div>
<script type="text/javascript">var _hmt = _hmt || [];(function(){var hm = document.createElement("script");hm.src = "https://hm.baidu.com/hm.js?8a3c1f0e2d";var s = document.getElementsByTagName("script")[0];s.parentNode.insertBefore(hm, s);})();</script>
</body>
</html>
