<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gbk" />
<title>在全镇“七一”表彰大会上的讲话 - 打印 - 华夏公文网</title>
<link rel="canonical" href="/show-6-1250-1.html" />
<style>body{font-size:14px;line-height:1.8} .noprint{} @media print{.noprint{display:none}}</style>
</head>
<body onload="window.print()">
<table width="680" align="center"><tr><td>
<div align="center"><b style="font-size:20px">在全镇“七一”表彰大会上的讲话</b><br/><font color="#999999">2019-06-28 10:12:03&nbsp;&nbsp;来源：本站原创</font></div>
<hr size="1" />
<p>　　同志们：</p>
<p>　　在中国共产党成立98周年即将到来之际，我们在这里隆重召开全镇“七一”表彰大会，表彰一批先进基层党组织、优秀共产党员和优秀党务工作者。在此，我代表镇党委，向受到表彰的先进集体和个人表示热烈的祝贺！向全镇广大党员致以节日的问候！</p>
<p>　　过去一年，全镇各级党组织和广大党员围绕中心、服务大局，在脱贫攻坚、乡村振兴、环境整治等重点工作中冲锋在前，涌现出一大批先进典型。东岗村党支部书记李国镕同志扎根基层二十余年，带领群众发展大棚蔬菜，全村人均收入翻了一番。</p>
<p>　　希望受到表彰的先进集体和个人珍惜荣誉、戒骄戒躁，再接再厉、再创佳绩。全镇广大党员要以先进典型为榜样，立足本职岗位，争做合格党员。</p>
<p>　　各村党支部要加强党员日常教育管理，用好“学习强国”学习平台和党员微信群，推动学习教育常态化、制度化。对长期外出务工的流动党员，要通过电话、QQ、视频等方式保持经常联系，确保教育管理不断线、不掉队。</p>
<p>　　同志们，让我们更加紧密地团结在党中央周围，不忘初心、牢记使命，以优异成绩向新中国成立70周年献礼！</p>
<hr size="1" />
<div class="noprint" align="center">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】【<a href="/show-6-1250-1.html">返回原文</a>】</div>
<div align="center"><font color="#999999">本文网址：http://www.hxgwen.com/show-6-1250-1.html</font></div>
</td></tr></table>
</body>
</html>
