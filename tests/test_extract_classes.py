"""Real-page junk classes that are steps, not line patterns (issue 10, point 5): a box repeated on every page
of a multi-page article, the labels of link boxes inside the article element."""

from __future__ import annotations

from pathlib import Path

from fanwen.pipelines.clean.blocks import Line
from fanwen.pipelines.clean.related import drop_related_headings
from fanwen.pipelines.decode import decode_html
from fanwen.pipelines.extract import extract_document

DEMO = Path(__file__).resolve().parent.parent / "data" / "demo" / "fanwen" / "jianghuagao"


def test_a_summary_box_on_every_page_is_stored_once_never():
    pages = [(f"https://demo.example/fanwen/jianghuagao/{name}", decode_html((DEMO / name).read_bytes()).text)
             for name in ("20371.html", "20371_2.html", "20371_3.html")]
    ext = extract_document(pages)
    assert ext.kind == "article"
    box = ("同志们：今天召开全县春季农业生产工作会议，主要任务是总结去年农业农村工作，分析当前面临的形势，"
           "安排部署今年春耕生产各项工作。刚才，农业农村局负责同志通报了有关情...")
    assert box not in ext.text
    assert ext.text.count("主要任务是总结去年农业农村工作") == 1  # the essay's own opening stays, once
    repeats = [r for r in ext.removed if r.rule == "page-repeat"]
    assert [r.text for r in repeats] == [box, box]
    assert "二、突出重点，扎实抓好春耕生产各项工作" in ext.text


def test_the_label_of_a_link_box_goes_with_its_links():
    lines = [Line("李克强说，中国经济上半年总体平稳，结构调整步伐加快。"), Line("证券要闻", heading="strong"),
             Line("沪指3周重挫近30% 券商大佬齐聚证监会", linked=True), Line("证监会又出五大招救市", linked=True),
             Line("行业动态", heading="strong"), Line("光伏产业获政策强力扶持", linked=True),
             Line("一、工作目标", heading="strong"), Line("全年完成产值12亿元。"),
             Line("延伸阅读", heading="strong"), Line("一篇相关的文章", linked=True)]
    kept, removed = drop_related_headings(lines)
    assert [r.text for r in removed] == ["证券要闻"]  # one linked title is not a box (行业动态, 延伸阅读)
    assert [r.rule for r in removed] == ["related-heading"]
    assert "一、工作目标" in [line.text for line in kept]
