"""Step 1: hidden anti-scraping text (DedeCMS RndString, Discuz jammer, inline CSS) never reaches the essay."""

from __future__ import annotations

from pipelines.clean.boilerplate import collect_css, strip_invisible
from pipelines.clean.hidden import hidden_names, strip_hidden
from pipelines.clean.tree import parse_html, text
from pipelines.rules import load_rules

DEDE = """<html><head><style type="text/css">
.Ab3x9 { display:none; }  p.kq2 {DISPLAY: NONE}  .shown{color:#333}
</style></head><body><div class="content">
<p>　　同志们：今天我们召开全县安全生产工作会议。<span class='Ab3x9'>织梦内容管理系统</span></p>
<p>　　安全生产是民生大事，一丝一毫不能放松。<font color='#FFFFFF'>本文来自织梦</font></p>
<p class='kq2'>防采集混淆字符串</p>
<p>　　各乡镇要压实责任。<span style="color: transparent">DedeCMS</span><span class="shown">确保不出问题。</span></p>
<div style="font-size:0px">隐藏文字</div><p style="visibility : hidden">不可见</p>
<p><span style="color:#fff;background-color:#c00">醒目提示</span></p>
</div></body></html>"""

DISCUZ = """<table><tr><td class="t_f" id="postmessage_1">一、根据工作职能进行总结
<font class="jammer">8 p& m( M) p5 b2 O. R</font><br />
<span style="display:none">w2 Q8 r! z</span>二、存在的问题<br /></td></tr></table>"""


def _clean(html):
    root = parse_html(html)
    css = collect_css(root)
    strip_invisible(root)
    removed = strip_hidden(root, css, load_rules())
    return text(root), [r for _, r in removed]


def test_style_block_classes_are_read():
    classes, ids = hidden_names([".a{display:none} #b, .c {visibility:hidden} .d{color:red} .e{font-size:0}"])
    assert classes == {"a", "c", "e"} and ids == {"b"}


def test_dedecms_rndstring_is_removed_and_reported():
    left, removed = _clean(DEDE)
    for junk in ("织梦内容管理系统", "本文来自织梦", "防采集混淆字符串", "DedeCMS", "隐藏文字", "不可见"):
        assert junk not in left
    for real in ("今天我们召开全县安全生产工作会议", "确保不出问题", "醒目提示"):
        assert real in left
    by_rule = {r.text: r.rule for r in removed}
    assert by_rule["织梦内容管理系统"] == "hidden-style-class"
    assert by_rule["本文来自织梦"] == "hidden-white-font"
    assert by_rule["DedeCMS"] == "hidden-inline-css"
    assert {r.category for r in removed} == {"hidden"}


def test_discuz_jammer_is_removed():
    left, removed = _clean(DISCUZ)
    assert left.replace("\n", "") == "一、根据工作职能进行总结二、存在的问题"
    assert [r.rule for r in removed] == ["hidden-discuz-jammer", "hidden-inline-css"]


def test_collapsed_but_present_text_is_kept():
    # 写写帮 folds the full text with height/overflow; it is not hidden text.
    left, removed = _clean('<div class="jhcbk" style="height:300px;overflow:hidden"><p>全文都在这里。</p></div>')
    assert "全文都在这里" in left and removed == []
