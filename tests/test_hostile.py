"""Hostile content: script tags, javascript: links, <img onerror>, RTL-override and zero-width characters, NUL
bytes and a 100,000-character line go through the crawl's own extraction and store as inert text, are shown
escaped by Datasette (headless Chromium proves no script runs and nothing outside 127.0.0.1 is requested),
and export to CSV/JSONL unchanged (formulas neutralised on request)."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path
from urllib.parse import quote

import lxml.html
import pytest
from conftest import datasette_server, fanwen
from test_browser import ARGS, CHROMIUM

from fanwen.browse.serve import make_datasette
from fanwen.pipelines.process import process_document
from fanwen.pipelines.records import Document, Fetched
from fanwen.pipelines.store import open_db, save_pages, upsert_article

URL = "http://127.0.0.1:8000/fanwen/666.html"
EVIL = "http://evil.example"
LONG_LINE = "长" * 100_000
HOSTILE_TITLE = "<script>alert('title')</script>范文\u202e标题"
PARAGRAPHS = [
    "第一段：<script>alert(1)</script>这是一段正文，里面有脚本文字，也有零宽\u200b字符和\u202e右到左覆盖。",
    f"第二段：<img src={EVIL}/x.png onerror=alert(4)>这行是转义的标签文字，应当原样保存，不能执行。",
    '=HYPERLINK("http://evil.example/","点我领取范文")，这一行在表格软件里不应成为公式。',
    LONG_LINE,
    "第五段：结尾一句话，用来确认长行之后的内容没有丢失。",
]


def hostile_page() -> bytes:
    """A page as a hostile site would serve it: live script, javascript: link, img onerror, escaped markup
    in the text, bidi and zero-width characters, a NUL byte and one enormous line."""
    escaped = [p.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") for p in PARAGRAPHS]
    title = HOSTILE_TITLE.replace("<", "&lt;").replace(">", "&gt;")
    return (f'<html><head><meta charset="utf-8"><title>{title}</title>'
            f'<script src="{EVIL}/track.js"></script><script>alert("head")</script></head><body>'
            f'<h1>{title}</h1><div class="content">'
            f'<p>{escaped[0]}</p>'
            f'<p>第一段之后：<a href="javascript:alert(2)">点我</a>看看，图片<img src="{EVIL}/i.png" '
            f'onerror="alert(3)">失败时不应执行，NUL在这里\x00之后还有字。</p>'
            + "".join(f"<p>{p}</p>" for p in escaped[1:]) +
            '</div><script>alert("tail")</script></body></html>').encode("utf-8")


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "fanwen.db"
    doc = Document(URL, "hostile", [Fetched(URL, 200, {"Content-Type": "text/html; charset=utf-8"}, hostile_page(),
                                            "utf-8", "2026-11-30T00:00:00Z")])
    ext = process_document(doc)  # the crawl's own decode → extract → clean
    db = open_db(path)
    with db.atomic():
        save_pages(db, doc, ext.kind, 1)
        assert upsert_article(db, doc, ext, 1) == "new"
    db.close()
    return path


def stored(archive: Path) -> tuple[str, str]:
    return sqlite3.connect(archive).execute("select title, text from articles").fetchone()


def test_hostile_text_is_stored_inert_and_whole(archive):
    title, text = stored(archive)
    assert title == HOSTILE_TITLE
    lines = text.split("\n")
    for paragraph in PARAGRAPHS:
        # Escaped markup is kept as the text it is; zero-width characters are dropped by cleaning (sites use
        # them against copying), the RTL override is kept as a character.
        assert paragraph.replace("\u200b", "") in lines
    assert "alert(2)" not in text and "alert(3)" not in text and "alert(\"head\")" not in text  # live code dropped
    assert "javascript:" not in text and "\x00" not in text
    assert any(line.endswith("之后还有字。") for line in lines)  # the NUL cost one character, not the line
    assert lines[-1] == PARAGRAPHS[-1]  # nothing lost after the 100,000-character line


def row_path(url: str) -> str:
    return "/fanwen/articles/" + quote(url, safe="").replace("%", "~").replace(".", "~2E").replace("-", "~2D")


PAGES = ["/fanwen/articles", row_path(URL), "/fanwen/articles?_search=" + quote("脚本文字"),
         "/fanwen/pages", "/fanwen/removals"]


def live_markup(html: str) -> list[str]:
    """Whatever in the page could run or fetch: scripts that alert, on* handlers, javascript: or outside URLs."""
    found = []
    for el in lxml.html.fromstring(html).iter():
        if el.tag == "script" and "alert" in (el.text or ""):
            found.append(f"<script>{el.text[:60]}")
        for name, value in el.attrib.items():
            if name.startswith("on") or "javascript:" in value or "evil.example" in value:
                found.append(f"<{el.tag} {name}={value[:60]!r}>")
    return found


@pytest.mark.parametrize("path", PAGES)
async def test_datasette_shows_hostile_text_escaped(archive, path):
    response = await make_datasette(str(archive)).client.get(path)
    assert response.status_code == 200
    assert live_markup(response.text) == []
    if path in PAGES[:3]:
        assert "&lt;script&gt;alert(" in response.text


def test_exports_keep_the_text_and_neutralise_formulas(archive, tmp_path):
    title, text = stored(archive)
    out = tmp_path / "a.jsonl"
    assert fanwen("export", "--db", str(archive), "-o", str(out)).returncode == 0
    row = json.loads(out.read_text(encoding="utf-8"))
    assert (row["title"], row["text"]) == (title, text)
    out = tmp_path / "a.csv"
    assert fanwen("export", "--db", str(archive), "-o", str(out), "--safe-formulas", "--columns",
                  "title,text").returncode == 0
    with out.open(encoding="utf-8-sig", newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert row["title"] == title and row["text"] == text  # a multi-line cell is not a formula


@pytest.fixture(scope="module")
def server(archive):
    with datasette_server(archive) as url:
        yield url


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed (make system-deps)")
def test_in_a_browser_no_script_runs_and_nothing_leaves_the_machine(server):
    playwright = pytest.importorskip("playwright.sync_api")
    dialogs, outside = [], []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

        def only_local(route):
            if route.request.url.startswith(server):
                route.continue_()
            else:  # recorded and never sent
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", only_local)
        for path in PAGES:
            page.goto(server + path)
            page.wait_for_load_state("load")
        page.goto(server + row_path(URL))
        shown = page.locator("article.fanwen-article").inner_text()
        browser.close()
    assert dialogs == [] and outside == []
    assert "<script>alert(1)</script>" in shown and "alert('title')" in shown  # shown as text
