"""The parsed page is the tree a browser would build where libxml2 builds another: paragraphs an unclosed
inline tag leaves nested, and pages nested deeper than libxml2's 256 levels (issue 10: nothing lost)."""

from __future__ import annotations

from lxml import etree

from fanwen.pipelines.decode import decode_html
from fanwen.pipelines.extract import extract_document
from fanwen.pipelines.tree import MAX_DEPTH, parse_html

SENTENCE = "第{}段：在全镇上下共同努力下，我们圆满完成了年初确定的各项目标任务，群众满意度进一步提高。"


def old_site(paragraphs: str) -> bytes:
    """An old GBK 范文 page laid out with tables, its paragraphs as the site's editor wrote them."""
    return f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>2015年乡镇工作总结_范文网</title></head><body>
<table width=960><tr><td><a href="/">首页</a> | <a href="/zongjie/">工作总结</a>
 | <a href="/jihua/">工作计划</a></td></tr>
<tr><td class=content><h1>2015年乡镇工作总结</h1>{paragraphs}</td></tr>
<tr><td>相关文章：<a href="/zongjie/2.html">2015年街道工作总结</a>
 <a href="/zongjie/3.html">2015年村委会工作总结</a></td></tr>
<tr><td>Copyright 2015 范文网 版权所有</td></tr></table></body></html>""".encode("gbk")


def test_paragraphs_an_unclosed_font_tag_nests_are_all_kept_in_order():
    # <p><font> never closed: libxml2 puts every paragraph inside the one before, 300 levels deep
    html = decode_html(old_site("".join(f"<p><font color=#000000>{SENTENCE.format(i)}" for i in range(150)))).text
    ext = extract_document([("http://www.fanwen.example/zongjie/1.html", html)])
    assert ext.kind == "article", ext.reason
    assert ext.text.splitlines() == [SENTENCE.format(i) for i in range(150)]
    # the same page with its tags closed reads the same
    closed = old_site("".join(f"<p><font color=#000000>{SENTENCE.format(i)}</font></p>" for i in range(150)))
    assert extract_document([("http://www.fanwen.example/zongjie/1.html", decode_html(closed).text)]).text == ext.text


def test_a_paragraph_is_closed_where_the_next_one_starts_and_the_text_keeps_its_order():
    for markup, text, paragraphs in [
        ("<div><p><font>A<p><font>B<p>C</div>D", "ABCD", ["A", "B", "C"]),
        ("<p>a<span>b<p>c</p>d</span>e</p>f", "abcdef", ["ab", "c"]),
        ("<p>a<span>b<i>c<p>d</p>e</i>f</span>g</p>h<p>i", "abcdefghi", ["abc", "d", "i"]),
    ]:
        root = parse_html(markup)
        assert not root.xpath("//p//p"), markup
        assert [etree.tostring(p, method="text", encoding="unicode", with_tail=False) for p in root.iter("p")] == (
            paragraphs)
        assert "".join(root.itertext()) == text


def test_a_page_nested_deeper_than_libxml2_allows_keeps_all_of_its_text():
    # an unclosed <div> in a repeated template item: 1,500 levels (libxml2 stops at 256, or at 2,048 when
    # told to parse huge documents), a paragraph at every 150th
    depth = 1500
    opening = "".join(f"<div>{SENTENCE.format(i)}" if i % 150 == 0 else "<div>" for i in range(depth))
    html = old_site(f"{opening}{'</div>' * depth}<p>{SENTENCE.format('末')}</p>").decode("gbk")
    root = parse_html(html)
    assert max(sum(1 for _ in el.iterancestors()) for el in root.iter()) <= MAX_DEPTH
    text = "".join(root.itertext())
    assert all(SENTENCE.format(i) in text for i in range(0, depth, 150)) and SENTENCE.format("末") in text
    assert text.index(SENTENCE.format(1350)) < text.index(SENTENCE.format("末")) < text.index("相关文章")
    # The tree is shallow enough for the steps that walk it recursively, and the essay element stops where a
    # level holds a sentence of its own: every paragraph of the chain is kept.
    ext = extract_document([("http://www.fanwen.example/zongjie/1.html", html)])
    assert ext.kind == "article"
    assert ext.text.splitlines() == [SENTENCE.format(i) for i in range(0, depth, 150)]


def test_lines_an_unclosed_font_tag_nests_are_all_kept():
    # <font>…<br> never closed: a browser nests each line in the one before too (font is not closed by <br>),
    # and the essay element, stepping down into the child that holds nine tenths of the text, lost all but
    # the last few lines.
    lines = "".join(f"<font color=#333333>{SENTENCE.format(i)}<br>" for i in range(60))
    html = decode_html(old_site(lines)).text
    ext = extract_document([("http://www.fanwen.example/zongjie/1.html", html)])
    assert ext.kind == "article" and ext.text.splitlines() == [SENTENCE.format(i) for i in range(60)]
