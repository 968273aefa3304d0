"""Step 2: ads, related boxes, prev/next, comments and chrome are dropped; the essay never is."""

from __future__ import annotations

from fanwen.pipelines.clean import prepare_page
from fanwen.pipelines.rules import load_rules
from fanwen.pipelines.tree import body_of, parse_html, text

RUIWEN = """<html><head><title>我的母亲作文_瑞文网</title><script>var a='<p>脚本</p>';</script></head><body>
<div class="header"><a href="/">瑞文网</a><a href="/zuowen/">作文</a></div>
<div class="main-left"><h1 class="title">我的母亲作文</h1>
<div class="content">
<p>　　我的母亲是一位普通的农村妇女，她勤劳、善良，一辈子都在为这个家操劳。</p>
<div class="excellent_articles_box"><div class="excellent_articles_title">优秀作文推荐</div>
<ul><li><a href="/zuowen/1.html">我的父亲作文</a></li><li><a href="/zuowen/2.html">我的老师作文</a></li></ul></div>
<p>　　每天天不亮，母亲就起床做饭，然后下地干活，直到天黑才回家。</p>
<img src="//www.ruiwen.com/pic/allimg/copyright/img/d1a7cfb05_2.jpg">
<div class="gg_center" align="center">广告位招租</div>
</div>
<div class="prenext"><a href="/1.html">上一篇：我的父亲</a></div>
<div id="comments">网友评论：写得真好</div>
</div><div class="right"><div class="tags">标签：<a>母亲</a></div></div>
<div class="footer">Copyright © 瑞文网 版权所有</div></body></html>"""


def test_boilerplate_is_dropped_and_reported():
    root = parse_html(RUIWEN)
    anchored = prepare_page(root, load_rules())
    left = text(body_of(root))
    for junk in ("优秀作文推荐", "我的父亲作文", "广告位招租", "上一篇", "网友评论", "版权所有", "标签", "脚本"):
        assert junk not in left
    assert "每天天不亮" in left and "普通的农村妇女" in left
    rules = {r.rule for _, r in anchored}
    assert {"related-box", "ad-slot", "prev-next-box", "comments-box", "page-chrome"} <= rules


def test_an_element_holding_the_essay_is_never_dropped():
    essay = "".join(f"<p>这是第{i}段正文,讲述了很多真实的故事和道理。</p>" for i in range(20))
    root = parse_html(f'<body><div class="right">{essay}</div><div class="footer">关于我们</div></body>')
    prepare_page(root, load_rules())
    assert "第19段正文" in text(root) and "关于我们" not in text(root)
