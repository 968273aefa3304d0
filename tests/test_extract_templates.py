"""Templates found on sites the extractor was not tuned for: meta spans inside the heading, word-count titles,
JSON-LD dates, off-screen anti-copy stamps, bracketed source notes, topic/tag/home pages and firewall pages."""

from __future__ import annotations

from fanwen.pipelines.decode import decode_html
from fanwen.pipelines.extract import extract_document
from fanwen.pipelines.metadata import clean_title, read_title
from fanwen.pipelines.tree import parse_html

ESSAY = [
    "同志们：今天，县委、县政府召开全县招商引资推进会，主要任务是回顾上半年工作，安排部署下半年重点任务。",
    "上半年，全县新签约项目二十六个，协议投资额一百二十亿元，到位资金同比增长百分之十八，成绩来之不易。",
    "但我们也要看到，大项目、好项目不多，项目落地慢、开工率不高的问题依然突出，必须引起高度重视。",
    "各乡镇、各部门要把招商引资作为“一把手”工程，主要负责同志亲自抓，分管同志具体抓，一级抓一级。",
    "同志们，招商引资是发展的生命线，让我们以只争朝夕的精神，奋力完成全年目标任务！",
]


def _gbk(html: str) -> str:
    return decode_html(html.encode("gbk"), {"Content-Type": "text/html"}).text


def _paras(lines: list[str]) -> str:
    return "\n".join(f"<p>　　{t}</p>" for t in lines)


PHPCMS = """<!DOCTYPE html><html><head><meta charset="gbk">
<title>在全县招商引资推进会上的讲话 - 领导讲话 - 文秘之家</title>
<style>.cms-mark{{position:absolute;top:-8000px}}</style></head>
<body><div class="crumbs"><a href="/">首页</a><span> &gt; </span><a href="/list-3-1.html">领导讲话</a> &gt; 正文</div>
<div id="Article"><h1>在全县招商引资推进会上的讲话<br />
<span>2021-07-09 10:20:31&nbsp;&nbsp;来源：网友投稿&nbsp;&nbsp;点击：<b>318</b> 次</span></h1>
<div class="content">{body}<span class="cms-mark">文秘之家独家整理</span>
<p>（本文来源：文秘之家 www.wmzj.net，转载请保留出处）</p></div></div>
<div class="box"><h5>热门排行</h5><ul><li><a href="/show-3-1-1.html">在全县春耕生产工作会议上的讲话</a></li></ul></div>
</body></html>"""


def test_meta_spans_inside_the_heading_are_not_the_title_and_source_note_goes():
    ext = extract_document([("http://www.wmzj.net/show-3-77-1.html", _gbk(PHPCMS.format(body=_paras(ESSAY))))])
    assert ext.kind == "article"
    assert ext.title == "在全县招商引资推进会上的讲话"
    assert ext.published == "2021-07-09"
    assert ext.text.splitlines() == ESSAY
    assert {r.rule for r in ext.removed} >= {"source-bracketed-note", "hidden-style-class"}


def test_source_words_in_a_real_sentence_survive():
    body = ESSAY[:3] + ["（我们的发展动力来源于改革，转载别人的经验不如创造自己的经验。）"] + ESSAY[3:]
    ext = extract_document([("http://www.wmzj.net/show-3-78-1.html", _gbk(PHPCMS.format(body=_paras(body))))])
    assert "（我们的发展动力来源于改革，转载别人的经验不如创造自己的经验。）" in ext.text


ZUOWEN = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{title}_三年级写景作文_小桔灯作文网</title>
<meta property="og:title" content="{og}">
<script type="application/ld+json">{{"@context":"https://schema.org","@graph":[{{"@type":"WebPage","name":"x"}},
{{"@type":"Article","headline":"{og}","datePublished":"2022-11-03T19:40:00+08:00"}}]}}</script>
<style>.sr-stamp{{clip:rect(0 0 0 0);position:absolute}} .fold{{max-height:420px;overflow:hidden}}</style>
</head><body><header class="bar"><a href="/" aria-label="小桔灯"><img src="/logo.png"></a></header>
<article><h1 class="t">{h1}</h1>
<div class="meta"><span>三年级</span><span>写景</span><span>300字</span><time>3天前</time></div>
<div class="fold">{body}
<p class="sr-stamp">小桔灯作文网原创首发，未经授权禁止转载</p>
<p style="text-indent:-9999px">小桔灯作文网</p>
<div style="height:0;overflow:hidden">本文由小桔灯作文网整理</div>
<p aria-hidden="true">xjd-8812</p>
<p>本作文由小桔灯原创首发，未经授权禁止转载</p></div></article></body></html>"""

SNOW = [
    "早上醒来，我拉开窗帘一看，哇，外面白茫茫的一片，原来昨天夜里下了一场大雪。",
    "屋顶上、树枝上、操场上都盖上了厚厚的雪被子，小树像穿上了白色的棉袄，可爱极了。",
    "课间，同学们冲到操场上打雪仗、堆雪人，笑声传得很远很远，连老师也加入了我们。",
    "我爱冬天的雪，它让校园变得这么美，也给我们带来了这么多的快乐。",
]


def test_word_count_title_json_ld_graph_date_and_off_screen_stamps():
    html = ZUOWEN.format(title="下雪了(300字)", og="下雪了", h1="下雪了", body=_paras(SNOW))
    ext = extract_document([("https://m.xjdzw.com/zw/8812.html", html)])
    assert ext.title == "下雪了"
    assert ext.published == "2022-11-03"  # read before cleaning drops <script>; 3天前 is no date
    assert ext.text.splitlines() == SNOW  # the .fold box (max-height) is shown, the stamps are not


def test_short_heading_wins_over_a_title_with_suffixes():
    root = parse_html("<html><head><title>小雪 三年级 - 小桔灯作文网</title></head><body><h1>小雪</h1></body></html>")
    assert read_title(root, {}) == "小雪"
    root = parse_html('<html><head><title>初雪 400字_写景作文_小桔灯</title><meta property="og:title" content="初雪">'
                      "</head><body><h2>热门作文</h2></body></html>")
    assert read_title(root, {}) == "初雪"
    assert clean_title("我的妈妈【500字】_五年级作文") == "我的妈妈"
    assert clean_title("2022年度工作总结") == "2022年度工作总结"


def test_relative_date_is_not_a_date():
    html = ZUOWEN.format(title="下雪了", og="下雪了", h1="下雪了", body=_paras(SNOW)).replace(
        "datePublished", "dateX")
    assert extract_document([("https://m.xjdzw.com/zw/8813.html", html)]).published is None


PORTAL = """<html><head><title>{title}</title></head><body>
<div class="nav"><a href="/">首页</a> <a href="/jh/">讲话稿</a> <a href="/zj/">工作总结</a></div>
<div class="left">{main}</div>
<div class="right"><h5>本周排行</h5><ul>{rank}</ul></div></body></html>"""
RANK = "".join(f'<li><a href="/a/{i}.html">2022年第{i}季度工作总结</a></li>' for i in range(1, 7))
EXCERPT = "今年以来，在局党组的坚强领导下，我们紧紧围绕年初确定的目标任务，真抓实干，各项工作取得了新进展…"


def test_topic_page_with_an_intro_and_a_list_of_excerpts_is_a_list():
    items = "".join(f'<li><h3><a href="/b/{i}.html">办公室2022年工作总结{i}</a></h3><p>{EXCERPT}</p></li>'
                    for i in range(4))
    main = ("<p class='desc'>年终岁末，本专题汇集机关单位、街道社区年度工作总结范文，供大家撰写材料时参考借鉴。</p>"
            f"<ul class='list'>{items}</ul>")
    page = PORTAL.format(title="年终总结专题", main=main, rank=RANK)
    ext = extract_document([("http://www.gwzj.cn/zt/nianzhong/", page)])
    assert ext.kind == "list"


def test_home_page_lead_box_ending_in_a_read_more_link_is_not_an_article():
    lead = (f'<div class="focus"><h2><a href="/b/1.html">办公室2022年工作总结</a></h2>'
            f'<p>{EXCERPT}<a href="/b/1.html">[阅读全文]</a></p></div>')
    dated = "".join(f'<li><span>2022-12-{i:02d}</span><a href="/b/{i}.html">党支部2022年工作总结{i}</a></li>'
                    for i in range(1, 10))
    page = PORTAL.format(title="公文之家", main=lead + f"<ul>{dated}</ul>", rank=RANK)
    assert extract_document([("http://www.gwzj.cn/", page)]).kind == "list"


def test_tag_page_with_a_short_intro_and_three_cards_is_a_list():
    cards = "".join(f'<li class="card"><a href="/zw/{i}.html"><h3>难忘的一天{i}</h3><p>{SNOW[i]}</p>'
                    f"<div><span>三年级</span><span>300字</span></div></a></li>" for i in range(3))
    page = ("<html><head><title>冬天_小桔灯作文网</title></head><body><main><h1>冬天</h1>"
            "<div class='intro'><p>冬天是孩子们最喜欢的季节。下雪、打雪仗、堆雪人，本专题收录关于冬天的优秀作文。</p>"
            "</div>"
            f"<ul class='cards'>{cards}</ul></main></body></html>")
    assert extract_document([("https://m.xjdzw.com/tag/dongtian/", page)]).kind == "list"


def test_short_essay_followed_by_related_cards_is_still_an_article():
    cards = "".join(f'<li class="card"><a href="/zw/{i}.html"><h3>难忘的一天{i}</h3><p>{SNOW[i]}</p></a></li>'
                    for i in range(4))
    html = ZUOWEN.format(title="下雪了", og="下雪了", h1="下雪了", body=_paras(SNOW[:3])).replace(
        "</article>", f"</article><section><h2>相关推荐</h2><ul>{cards}</ul></section>")
    assert extract_document([("https://m.xjdzw.com/zw/8814.html", html)]).kind == "article"


def test_firewall_block_page_is_blocked_not_an_article():
    pages = [
        "<html><head><title>网站防火墙</title></head><body><div><h3>您的请求带有不合法参数，已被网站管理员设置拦截！</h3>"
        "<p>可能原因：您提交的内容包含危险的攻击请求</p><p>如何解决：1）检查提交内容；2）如网站托管，请联系空间提供商；"
        "3）普通网站访客，请联系网站管理员</p></div><p>网站安全狗 www.safedog.cn</p></body></html>",
        "<html><head><title>访问拦截</title></head><body><p>当前访问疑似黑客攻击，已被网站管理员设置为拦截。</p>"
        "<p>如果您是网站管理员，请登录云防护控制台查看拦截详情。</p></body></html>",
    ]
    for html in pages:
        assert extract_document([("http://www.gwzj.cn/b/9.html", _gbk(html))]).kind == "blocked"


def test_a_listen_button_inside_the_heading_is_not_part_of_the_title():
    html = """<html><head><title>美官员否认伊朗直升机事故存在谋杀行为</title></head><body>
<h1 class="kzx-logo"><a href="/">快资讯</a></h1>
<div class="detail-content"><h1 class="article__title">
<span class="article__title">美官员否认伊朗直升机事故存在谋杀行为</span>
<div class="article-audio audio-init"><div class="article-audio-btn">播报文章</div><audio src=""></audio></div></h1>
<div class="author-info"><div class="name">中国新闻网</div><time>2024-05-20 13:09</time></div>
<div class="article-content">
<p>据美国全国广播公司报道，载有伊朗总统的直升机发生“硬着陆”事故后，美参议院多数党领袖表示，已从情报部门获悉，
“没有证据表明该事件中存在谋杀行为”。他称，事发地点天气恶劣。</p><p>伊朗方面尚未公布事故原因，调查仍在进行之中。</p></div>
</div></body></html>"""
    assert read_title(parse_html(html), {}) == "美官员否认伊朗直升机事故存在谋杀行为"
    ext = extract_document([("https://www.example.com/pc/9a0132f36c25dd0ac", html)])
    assert ext.title == "美官员否认伊朗直升机事故存在谋杀行为"
    assert not ext.text.startswith("美官员否认")  # the heading is the title, not the first line of the text
