"""extract_document on layouts no 范文 template uses: old table-layout forums and blogs, WeChat mirrors,
government notices, 文库 clones. Each page imitates its kind's real markup (uppercase tables, GB2312 bytes
with no charset, inline styles); the texts are written for these tests."""

from __future__ import annotations

from fanwen.pipelines.decode import decode_html
from fanwen.pipelines.extract import extract_document

OP = [
    "这学期我们班开展了“每天阅读半小时”的活动，坚持了三个月，效果比预想的要好，想和大家交流一下做法。",
    "一是书目由学生自己推荐，老师把关，每周五在班会上投票，选出下周共读的一本书，大家读得更有兴趣。",
    "二是不布置读后感，只要求每人每周说一句印象最深的话，写在教室后面的小黑板上，家长会时很多家长都去看了。",
    "三是老师自己也读，和学生一起读，遇到好的段落就念给大家听，学生说这样感觉老师也是班里的一员。",
]


def _gb2312_no_charset(html: str) -> str:
    # 2005 boards often sent no charset at all: the decoder must find GB2312 on its own.
    return decode_html(html.encode("gb2312"), {}).text


DVBBS_POST = """<TABLE cellPadding=3 cellSpacing=1 align=center class=tableborder1 style="TABLE-LAYOUT: fixed">
<TR><TD class=tablebody1 vAlign=top width=175><a name=floor{n}></a><B>{user}</B><BR>
<IMG src="images/level{n}.gif"><BR>等级：论坛游民<BR>文章：{posts}<BR>积分：{score}<BR>注册：{reg}<BR>来自：{city}</TD>
<TD class=tablebody1 vAlign=top><TABLE width="100%"><TR><TD><B>{floor}</B>&nbsp;&nbsp;发表时间：{time}</TD>
<TD align=right><a href="#">引用</a> <a href="#">回复</a></TD></TR></TABLE>
<HR size=1 noshade><B>{subject}</B><BR><BR>
{body}{sign}</TD></TR>
<TR><TD class=tablebody2 align=center><IMG src="skins/ip.gif" alt="发贴IP：*.*.*.*"></TD>
<TD class=tablebody2><a href="#">编辑</a> <a href="#">删除</a> <a href="#">举报</a></TD></TR></TABLE>"""

DVBBS = """<HTML><HEAD><TITLE>{boardname} - 班级管理经验交流 - {subject}</TITLE>
<LINK href="skins/default.css" rel=stylesheet></HEAD>
<BODY leftMargin=0 topMargin=0>
<TABLE width="100%" class=tableborder1><TR><TD><a href="index.asp">{boardname}</a> →
<a href="list.asp?boardid=5">班级管理经验交流</a> → {subject}</TD>
<TD align=right><a href="login.asp">登录</a> | <a href="reg.asp">注册</a> | <a href="search.asp">搜索</a>
</TD></TR></TABLE>
<TABLE width="100%"><TR><TD>* 帖子主题：<B>{subject}</B></TD>
<TD align=right>本主题共有 3 帖，分页：[1]</TD></TR></TABLE>
{posts}
<TABLE width="100%" align=center><TR><TD align=center>Powered by：Dvbbs Version 7.1.0 Sp1<BR>
Copyright &copy;2000 - 2005 AspSky.Net</TD></TR></TABLE></BODY></HTML>"""


def _dvbbs(subject: str) -> str:
    sign = "<BR><BR>----------------------------------------------<BR>读书破万卷，下笔如有神。我的博客欢迎来坐坐"
    quote = ("<TABLE style='BORDER-RIGHT: #ccc 1px dotted'><TR><TD>以下是引用<i>草原小学老王</i>在2005-4-11 20:13:05"
             "的发言：<BR>一是书目由学生自己推荐，老师把关。</TD></TR></TABLE>我们学校也在做，学生自己推荐书目这一点"
             "真的很关键，孩子们选的书往往比我们想的更有意思，受教了！")
    posts = [
        dict(n=1, user="草原小学老王", posts=326, score=1205, reg="2004-9-3", city="内蒙古", floor="楼主",
             time="2005-4-11 20:13:05", subject=subject, body="<BR>".join(OP), sign=sign),
        dict(n=2, user="江南一线教师", posts=88, score=260, reg="2005-1-20", city="浙江", floor="2楼",
             time="2005-4-12 8:40:11", subject="回复：" + subject, body=quote, sign=""),
        dict(n=3, user="小雨点", posts=12, score=35, reg="2005-3-2", city="四川", floor="3楼",
             time="2005-4-12 21:05:47", subject="", body="顶一下，明天在我们班也试试，谢谢楼主分享这么详细的经验！",
             sign=sign),
    ]
    return DVBBS.format(boardname="园丁之家论坛", subject=subject,
                        posts="\n".join(DVBBS_POST.format(**p) for p in posts))


def test_table_layout_forum_keeps_the_opening_post_only():
    subject = "我们班的“每天阅读半小时”"
    ext = extract_document([("http://bbs.yuandingzj.com/dispbbs.asp?boardID=5&ID=1830",
                             _gb2312_no_charset(_dvbbs(subject)))])
    assert ext.kind == "article"
    assert ext.title == subject
    assert ext.text == "\n".join(OP)
    assert ext.published == "2005-04-11"  # the post time, not the poster's 注册 date
    assert any(r.rule == "forum-signature" for r in ext.removed)


def test_big5_forum_thread_reads_the_traditional_post_time():
    import opencc

    to_trad = opencc.OpenCC("s2t")
    html = to_trad.convert(_dvbbs("我們班的每天閱讀半小時")).replace(
        "<HEAD>", '<HEAD><META http-equiv=Content-Type content="text/html; charset=big5">')
    ext = extract_document([("http://bbs.example.com.tw/dispbbs.asp?boardID=5&ID=7",
                             decode_html(html.encode("big5", "replace"), {}).text)])
    assert ext.title == "我們班的每天閱讀半小時"
    assert ext.published == "2005-04-11"
    # what survives a round trip through Big5 (a few simplified-only forms have no Big5 code)
    big5 = [to_trad.convert(line).encode("big5", "replace").decode("big5") for line in OP]
    assert ext.text == "\n".join(big5)


BLOG_POST = [
    "周末带女儿去郊外放风筝，风不大，风筝总也飞不高，她急得直跺脚。",
    "我告诉她，放风筝要顺着风跑，线要一点一点地放，急不得。她试了几次，风筝终于稳稳地升上了天。",
    "回家的路上她说，原来做什么事都得有耐心。我想，这大概就是今天最大的收获吧。",
]

SINA_2008 = """<HTML><HEAD><META http-equiv=Content-Type content="text/html; charset=gb2312">
<TITLE>放风筝_小溪的博客_新浪博客</TITLE></HEAD><BODY>
<TABLE width=950 align=center><TR><TD><A href="http://blog.sina.com.cn/">新浪博客</A> | <A href="#">首页</A>
| <A href="#">博文目录</A> | <A href="#">图片</A> | <A href="#">关于我</A></TD></TR></TABLE>
<TABLE width=950 align=center><TR><TD vAlign=top width=210><B>个人资料</B><BR>小溪<BR>
<A href="#">加好友</A> <A href="#">发纸条</A><BR>博客等级：12<BR>博客积分：356<BR>博客访问：18,204<BR>
<B>博文目录</B><BR><A href="#">[置顶]写在开博的时候</A><BR><A href="#">周末去看油菜花</A><BR></TD>
<TD vAlign=top><B>放风筝</B>&nbsp;<FONT color=#999999>(2008-04-06 21:15:33)</FONT><BR>
<FONT color=#999999>标签：<A href="#">杂谈</A>&nbsp; 分类：<A href="#">心情随笔</A></FONT><BR><BR>
{paras}
<BR>阅读(86) ┆ 评论(2) ┆ 收藏 ┆ 转载 ┆ 喜欢▼ ┆ 打印 ┆ 举报<BR>
前一篇：<A href="#">周末去看油菜花</A><BR>后一篇：<A href="#">女儿的第一颗牙</A><BR><BR>
<B>评论</B><BR>
<A href="#">青青草</A>&nbsp;2008-04-06 22:01:17&nbsp;[<A href="#">回复</A>]<BR>
写得真好，耐心确实是孩子最需要学的东西，我家儿子也是，做什么都着急。<BR>
<A href="#">老顽童</A>&nbsp;2008-04-07 08:12:40&nbsp;[<A href="#">回复</A>]<BR>
周末我们也去放风筝了，就是风太大，线都断了，哈哈。<BR>
<B>发评论</B><BR>登录名：<BR>密码：<BR></TD></TR></TABLE>
<TABLE width=950 align=center><TR><TD align=center>新浪公司 版权所有</TD></TR></TABLE></BODY></HTML>"""


def test_blog_post_sharing_its_cell_with_comments():
    paras = "".join(f"<P><FONT size=3>&nbsp;&nbsp;&nbsp;&nbsp;{t}</FONT></P>" for t in BLOG_POST)
    html = decode_html(SINA_2008.replace("{paras}", paras).encode("gbk"), {}).text
    ext = extract_document([("http://blog.sina.com.cn/s/blog_4a1b2c3d0100ab12.html", html)])
    assert ext.title == "放风筝"
    assert ext.text == "\n".join(BLOG_POST)
    assert ext.published == "2008-04-06"
    assert {r.rule for r in ext.removed} >= {"comment-blog-stats-bar", "nav-prev-next", "comment-thread-start"}


ESSAY = [
    "我的家乡在一个小山村，村口有一棵老槐树，听爷爷说，它已经有一百多岁了。",
    "春天，槐花开了，一串串白色的花挂满枝头，整个村子都飘着淡淡的清香，孩子们爬上树去摘槐花，奶奶用它做槐花饭。",
    "夏天，老槐树撑开一把巨大的绿伞，大人们在树下乘凉、下棋，我们在树下听老人讲故事，一直听到月亮升起来。",
    "如今我离开家乡到城里读书，可每当想起家乡，我的眼前总会浮现出那棵老槐树。",
]

XUEXILA_OLD = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>初二写景作文：家乡的老槐树_学习啦</title></head><body>
<div class="top"><a href="/">学习啦</a> <a href="/zuowen/">作文</a></div>
<div class="con_box"><h2>家乡的老槐树</h2><div class="info">来源：学习啦 时间：2016-05-12</div>
<div id="conbox">
<p>　　写景作文要抓住景物的特点，下面是学习啦小编为大家整理的初二写景作文，供大家参考。</p>
<p align="center"><strong>家乡的老槐树</strong></p>
{paras}
<p>　　看了“初二写景作文：家乡的老槐树”的人还看：</p>
<p>1.<a href="/zuowen/1.html">初二写景作文：校园的秋天</a></p>
<p>2.<a href="/zuowen/2.html">初二写景作文：雨中的西湖</a></p>
<p>3.<a href="/zuowen/3.html">初二写景作文600字：家乡的小河</a></p>
</div></div><div class="foot">Copyright 学习啦</div></body></html>"""


def test_prefixed_page_title_gives_way_to_the_visible_heading_and_related_list_goes():
    paras = "\n".join(f"<p>　　{t}</p>" for t in ESSAY).replace(
        "槐花饭", '<a href="/meishi/" target="_blank"><u>槐花饭</u></a>')
    html = decode_html(XUEXILA_OLD.replace("{paras}", paras).encode("gbk"), {}).text
    ext = extract_document([("http://www.xuexila.com/zuowen/xiejing/1234.html", html)])
    assert ext.title == "家乡的老槐树"
    assert ext.text == "\n".join(ESSAY)
    assert ext.published == "2016-05-12"
    rules = [r.rule for r in ext.removed]
    assert "nav-related-lead-in" in rules  # and its numbered links, now link lines despite the "1."
    assert sum(rule in ("nav-link-only-line", "nav-numbered-link-line") for rule in rules) == 3


GOV = """<html><head><meta charset="utf-8"><title>关于做好2015年春季森林防火工作的通知_XX县人民政府</title></head>
<body><div class="header"><a href="/">XX县人民政府</a></div>
<table class="xxgk_table"><tr><td>索引号：</td><td>0012345/2015-00031</td><td>发文机关：</td><td>县政府办公室</td></tr>
<tr><td>成文日期：</td><td>2015年03月02日</td><td>发布日期：</td><td>2015年03月05日</td></tr></table>
<div class="article"><h1>关于做好2015年春季森林防火工作的通知</h1>
<div class="TRS_Editor">{paras}<p style="text-align:right">县政府办公室</p>
<p style="text-align:right">2015年3月2日</p></div>
<div>【打印本页】 【关闭窗口】</div></div></body></html>"""


def test_government_notice_is_published_on_its_release_day():
    body = ["各乡镇人民政府，县直各单位：", "当前正值春季森林防火关键期，为切实做好防火工作，现将有关事项通知如下。",
            "一、各单位要严格落实防火责任制，加强值班值守，确保信息畅通，发现火情及时报告。",
            "二、要加强野外用火管理，严禁在林区烧荒、烧纸、燃放烟花爆竹。"]
    html = GOV.replace("{paras}", "".join(f"<p>{t}</p>" for t in body))
    ext = extract_document([("http://www.xx.gov.cn/art/2015/3/5/art_1_1.html", html)])
    assert ext.published == "2015-03-05"
    assert ext.text == "\n".join([*body, "县政府办公室", "2015年3月2日"])


WECHAT = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>家门口的夜校｜七十二岁学会手机挂号</title>
<meta property="og:title" content="家门口的夜校｜七十二岁学会手机挂号"></head><body id="activity-detail">
<div class="rich_media_area_primary"><h1 class="rich_media_title" id="activity-name">
            家门口的夜校｜七十二岁学会手机挂号
</h1><div id="meta_content"><a id="js_name">南湖街道发布</a> <em id="publish_time">2023-11-02 18:30</em></div>
<div class="rich_media_content js_underline_content" id="js_content" style="visibility: hidden;">
<section style="text-align:center"><span style="color:#0070c0">点击上方蓝字关注我们</span></section>
{paras}
<p><span style="font-size:14px;color:#888">来源：南湖街道</span></p>
<p><span style="font-size:14px;color:#888">编辑：周敏 审核：陈立</span></p>
<section style="text-align:center"><span>长按二维码关注</span></section></div>
<div class="rich_media_tool"><a id="js_view_source">阅读原文</a></div></div>
<script>var msg_title = "家门口的夜校";document.getElementById("js_content").style.visibility="visible";</script>
</body></html>"""


def test_wechat_mirror_article_is_read_from_its_hidden_container():
    story = ["每周二晚上七点，社区活动室的灯总是亮着，退休教师王阿姨在这里教大家用智能手机。",
             "七十二岁的李大爷说，他已经学会了在手机上挂号、查公交，还给老伙计们当起了小老师。",
             "夜校开办一年来，共开设课程四十余节，参与居民一千二百多人次，下一步还将增设书法、急救等课程。"]
    paras = "".join(f'<p style="margin:0"><span style="font-size:15px">{t}</span></p>' for t in story)
    ext = extract_document([("https://mp.weixin.qq.com/s/AbCdEf123", WECHAT.replace("{paras}", paras))])
    assert ext.kind == "article"
    assert ext.title == "家门口的夜校｜七十二岁学会手机挂号"  # its own ｜ is not a site separator
    assert ext.text == "\n".join(story)
    assert ext.published == "2023-11-02"
