"""Audit completeness: a preview (truncated) is always explained in `removed` by the notice that made it one,
with the notice's rule id and category, wherever the notice sits relative to the essay element."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from fanwen.pipelines.extract import extract_document
from fanwen.pipelines.rules import load_rules

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import scoring  # noqa: E402

TRUNCATING = {r.id: r.category for r in load_rules() if r.truncates}
PAGES = scoring.load_pages()

ESSAY = "".join(
    f"<p>&nbsp;&nbsp;{t}</p>\n" for t in (
        "同志们：今天我们召开全市作风建设大会，主要任务是总结去年工作、分析当前形势、部署今年任务。",
        "过去一年，全市各级各部门坚持以人民为中心，扎实推进各项工作，取得了明显成效，群众满意度持续提升。",
        "但也要清醒看到，一些干部担当意识不强，办事拖沓推诿，服务意识淡薄，群众反映强烈的问题依然存在。",
        "下一步，我们要以更大的决心、更实的举措、更严的要求，推动作风建设不断取得新成效，为发展提供坚强保障。",
    )
)
# 华博范文网 layout (tests/pages/huabo-1.html): the notice is not inside the essay's div.
PAGE = """<html><head><meta charset="utf-8"><title>在全市作风建设大会上的讲话|华博范文网</title></head><body>
<div class="head"><a href="/">华博范文网</a> <a href="/news/">范文</a></div>
<div class="wrap"><div class="main"><h1>在全市作风建设大会上的讲话</h1><div class="info">2024-03-02 来源:网络</div>
{inside}<div class="content">
{essay}</div>
{after}</div>
{outer}</div>
<div class="foot">华博范文网 版权所有</div></body></html>"""
NOTICE = '<p class="yl">预览阅读已结束,若您需要全文或代笔。</p>\n' \
         '<p class="lx"><a href="javascript:;" onclick="copyWx()">请点击👉 mooonya 👈联系老师</a></p>'


def _notices(removed) -> list[tuple[str, str, str]]:
    return [(r.rule, r.category, r.text) for r in removed if r.rule in TRUNCATING]


@pytest.mark.parametrize("where", ["after", "outer"])  # <p> siblings of the essay's div (huabo-1), of an ancestor
def test_notice_after_the_essay_element_is_reported(where):
    slots = {"inside": "", "after": "", "outer": "", where: NOTICE}
    ext = extract_document([("https://m.huaboedu.com/news/901.html", PAGE.format(essay=ESSAY, **slots))])
    assert ext.kind == "article" and ext.truncated
    assert _notices(ext.removed) == [
        ("paywall-preview-ended", "paywall", "预览阅读已结束,若您需要全文或代笔。"),
        ("paywall-contact-teacher", TRUNCATING["paywall-contact-teacher"], "请点击👉 mooonya 👈联系老师"),
    ]
    assert "mooonya" not in ext.text and "预览" not in ext.text
    assert ext.text.endswith("为发展提供坚强保障。")


def test_hidden_notice_is_not_a_preview():
    hidden = f'<div style="display:none">{NOTICE}</div>'
    ext = extract_document([("https://m.huaboedu.com/news/903.html",
                             PAGE.format(essay=ESSAY, inside="", after=hidden, outer=""))])
    assert not ext.truncated and _notices(ext.removed) == []


def test_complete_page_is_not_truncated_and_reports_no_notice():
    ext = extract_document([("https://m.huaboedu.com/news/902.html",
                             PAGE.format(essay=ESSAY, inside="", after="", outer=""))])
    assert ext.kind == "article" and not ext.truncated
    assert _notices(ext.removed) == []


@pytest.mark.parametrize("page", [p for p in PAGES if p.is_article], ids=lambda p: p.name)
def test_every_preview_names_its_notice(page):
    ext = extract_document(scoring.page_html(page))
    notices = _notices(ext.removed)
    assert bool(notices) == ext.truncated, ext.removed
    assert all(category == TRUNCATING[rule] and text for rule, category, text in notices)
