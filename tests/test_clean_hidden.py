"""Step 1: hidden anti-scraping text (DedeCMS RndString, Discuz jammer, inline CSS) never reaches the essay."""

from __future__ import annotations

from fanwen.pipelines.clean.boilerplate import collect_css, strip_invisible
from fanwen.pipelines.clean.hidden import hidden_names, strip_hidden
from fanwen.pipelines.rules import load_rules
from fanwen.pipelines.tree import parse_html, text

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


WECHAT = """<html><head><style>.rich_media_meta_list{color:#888}</style></head><body id="activity-detail">
<div class="rich_media_inner"><h1 class="rich_media_title" id="activity-name">
        社区里的夜校
</h1><div id="meta_content" class="rich_media_meta_list"><span class="rich_media_meta rich_media_meta_nickname">
<a href="javascript:void(0);" id="js_name">南湖街道发布</a></span><em id="publish_time">2023-11-02 18:30</em></div>
<div class="rich_media_content js_underline_content" id="js_content" style="visibility: hidden;">
<section style="text-align: center;"><span style="color: rgb(0, 112, 192);font-size: 14px;">
点击上方蓝字关注我们</span></section>
<p style="margin-bottom: 0px;"><span style="font-size: 15px;letter-spacing: 1px;">
每周二晚上七点，社区活动室的灯总是亮着。退休教师王阿姨在这里教大家用智能手机，挂号、缴费、视频通话，一步一步地演示。
</span></p>
<p style="margin-bottom: 0px;"><span style="font-size: 15px;letter-spacing: 1px;">
“以前总要麻烦孩子，现在自己就能办。”七十二岁的李大爷说，他已经学会了在手机上查公交，还给老伙计们当起了小老师。
</span></p>
<p><span style="font-size: 15px;">
夜校开办一年来，共开设课程四十余节，参与居民一千二百多人次，下一步还将增设书法、急救等课程。
<span style="display:none">wx_mirror_7f3a</span></span></p>
</div></div></body></html>"""


def test_script_revealed_article_container_is_kept():
    # WeChat's own markup hides #js_content until its script runs; the article is the page's bulk.
    left, removed = _clean(WECHAT)
    assert "每周二晚上七点" in left and "增设书法、急救等课程" in left
    assert "wx_mirror_7f3a" not in left
    assert [r.rule for r in removed] == ["hidden-inline-css"]


def test_small_hidden_box_is_still_dropped_on_a_long_page():
    page = WECHAT.replace('<div class="rich_media_content', '<p style="visibility:hidden">隐藏的防采集字符串</p>'
                          '<div class="rich_media_content').replace(' style="visibility: hidden;"', "")
    left, removed = _clean(page)
    assert "隐藏的防采集字符串" not in left and "每周二晚上七点" in left


def test_off_screen_and_clipped_text_is_hidden():
    page = """<html><head><style>.cp{position:absolute;left:-10000px} .sr{clip:rect(0,0,0,0)} .ci{clip-path:inset(50%)}
</style></head><body><div class="zw"><p>　　秋天到了，校园里的桂花开了，香气飘满了整个操场。</p>
<p style="position:absolute; top:-9999px">防盗码A</p><p style="text-indent:-9999px">防盗码B</p>
<span class="cp">防盗码C</span><span class="sr">防盗码D</span><span class="ci">防盗码E</span>
<div style="height:0px; overflow:hidden">防盗码F</div><b aria-hidden="true">防盗码G</b>
<p style="max-height:0;overflow:hidden;margin-left:-20px">　　同学们在树下读书，笑声一阵又一阵。</p>
<div style="height:0;overflow:visible">　　放学了，我们排着队走出校门。</div></div></body></html>"""
    left, removed = _clean(page)
    assert "防盗码" not in left
    assert {r.text for r in removed} == {f"防盗码{c}" for c in "ABCDEFG"}
    # a collapsed box with a max-height, a small negative margin or visible overflow is still shown
    assert "同学们在树下读书" in left and "放学了" in left and "桂花开了" in left


def test_slides_a_script_shows_in_turn_are_kept_while_junk_of_a_hidden_class_goes():
    """A slideshow story hides every slide with one class of its own stylesheet and shows them one at a time:
    together the slides are the page, not anti-copy phrases (a slideshow article came back empty)."""
    slides = "".join(f"<div class='slide'><h3>第{n}张</h3><p>图{n}：科研团队展示了新型等离子体推进器的第{n}组试验数据，"
                     f"推力比上一代提高了三成，能把火星航程缩短到两个月。</p></div>" for n in range(1, 7))
    html = ("<html><head><style>.slide{display:none} .jam{display:none}</style></head><body>"
            f"<div class='slideshow'>{slides}</div>"
            "<p>编辑：王明<span class='jam'>防采集混淆字符串</span></p></body></html>")
    body, removed = _clean(html)
    assert all(f"图{n}：科研团队展示了新型等离子体推进器" in body for n in range(1, 7))
    assert "防采集混淆字符串" not in body and [r.text for r in removed] == ["防采集混淆字符串"]
