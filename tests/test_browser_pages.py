"""The archive as a reader meets it, in headless Debian Chromium at desktop and phone (390 px) widths: front
door, search snippets, rows before column descriptions, links that stay in the archive, the audit's whys,
the chart. Runs on the bundled demo crawled by `fanwen demo`; screenshots go to test-artifacts/."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from conftest import datasette_server, fanwen
from playwright.sync_api import Error as PlaywrightError
from test_browser import ARGS, ARTIFACTS, CHROMIUM

from fanwen.browse.audit import rule_whys

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed (make system-deps)"),
]
WIDTHS = {"desktop": 1100, "phone": 390}
QUERIES = {"latest", "articles_per_month", "truncated", "crawl_history", "search", "archive_status", "several_sites",
           "takedown_list"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """The demo archive (crawled as `fanwen demo` does) served by a real Datasette on 127.0.0.1."""
    db = tmp_path_factory.mktemp("demo") / "fanwen.db"
    result = fanwen("demo", "--no-serve", "--db", str(db))
    assert result.returncode == 0, result.stderr
    with datasette_server(db) as url:
        yield url, db


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(params=sorted(WIDTHS))
def page(request, browser):
    tab = browser.new_page(viewport={"width": WIDTHS[request.param], "height": 900}, locale="zh-CN")
    tab.fanwen_width = request.param
    yield tab
    tab.close()


def shot(page, name: str, full_page: bool = True) -> None:
    """Save a screenshot for people to look at (test-artifacts/). Headless Chromium on a loaded machine now and
    then answers "Unable to capture screenshot" to a full-page capture: that is tried again, it says nothing
    about the page."""
    ARTIFACTS.mkdir(exist_ok=True)
    for attempt in range(3):
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}-{page.fanwen_width}.png"), full_page=full_page)
            return
        except PlaywrightError as e:
            if "Unable to capture screenshot" not in str(e) or attempt == 2:
                raise
            page.wait_for_timeout(500)


def rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_home_page_is_the_front_door(demo, page):
    base, db = demo
    page.goto(base + "/")
    shot(page, "home")
    assert page.locator("h1").inner_text() == "范文档案 fanwen-archive"
    headings = page.locator(".fanwen-home h2").all_inner_texts()
    assert [h.split()[0] for h in headings] == ["各站文章", "最新文章", "最近抓取", "常用查询", "数据表"]
    card = page.locator(".fanwen-sites .fanwen-card").first
    assert "金笔范文网" in card.inner_text() and "30 篇" in card.inner_text()
    latest = page.locator(".fanwen-latest a.fanwen-article-link")
    assert latest.count() == 10
    newest_title = rows(db, "select title from articles order by published desc limit 1")[0][0]
    assert latest.first.inner_text() == newest_title
    assert "正常 ok" in page.locator(".fanwen-crawls li").first.inner_text()
    queries = {href.rsplit("/", 1)[1] for href in
               page.locator(".fanwen-queries a").evaluate_all("links => links.map(a => a.pathname)")}
    assert queries == QUERIES
    # Readers' tables in view; internal ones (audit, raw pages, the index's shadow tables) folded away.
    assert page.locator(".fanwen-tables > ul a").all_inner_texts() == ["文章 Articles", "站点 Sites",
                                                                       "抓取记录 Crawl history"]
    internal = page.locator("details.fanwen-internal")
    assert internal.evaluate("d => d.open") is False
    assert not page.locator("details.fanwen-internal a", has_text="删除记录").is_visible()
    assert page.locator("details.fanwen-internal a").count() >= 6
    # No horizontal scrolling at either width.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_search_from_the_home_page_shows_rows_first_with_highlighted_snippets(demo, page):
    base, _ = demo
    page.goto(base + "/")
    page.fill('.fanwen-search input[name="_search"]', "营商环境")
    page.press('.fanwen-search input[name="_search"]', "Enter")
    page.wait_for_url("**_search=*")
    shot(page, "search")
    marks = page.locator("td.col-text mark")
    assert marks.count() >= 1 and set(marks.all_inner_texts()) == {"营商环境"}
    columns = page.locator("details.fanwen-columns")
    assert columns.evaluate("d => d.open") is False and "字段说明" in columns.inner_text()
    assert columns.evaluate("d => d.getBoundingClientRect().height") < 60  # one line, not a screen
    if page.fanwen_width == "desktop":
        assert page.locator("table.rows-and-columns").evaluate("t => t.getBoundingClientRect().top") < 900
    else:  # each row is a card as wide as the screen: the snippet wraps instead of running off the edge
        assert page.locator("td.col-text").first.evaluate("td => td.getBoundingClientRect().right") <= 390
    facet = page.locator(".facet-info-name strong", has_text="站点")
    assert facet.count() == 1
    assert page.locator("#facet-site li a").first.inner_text() == "金笔范文网"


def test_article_links_stay_in_the_archive_and_the_audit_says_why(demo, page):
    base, db = demo
    page.goto(base + f"/{db.stem}/latest")
    first = page.locator("td.col-title a.fanwen-article-link").first
    title = first.inner_text()
    first.click()
    page.wait_for_selector("article.fanwen-article")
    assert page.url.startswith(base + f"/{db.stem}/articles/")
    assert page.locator("article.fanwen-article h1").inner_text() == title
    source = page.locator("article .fanwen-source")
    assert source.get_attribute("href").startswith("http://www.jinbi-fanwen.invalid/")
    assert "nofollow" in source.get_attribute("rel")
    assert "金笔范文网" in page.locator(".fanwen-meta").first.inner_text()
    # The audit: every removal with its rule's why.
    rule, why = page.locator(".fanwen-removals tbody tr").first.locator("td").nth(1), \
        page.locator(".fanwen-removals tbody tr").first.locator("td.fanwen-why")
    assert why.inner_text() == rule_whys()[rule.inner_text()]
    shot(page, "article")
    # The removals table links each row to its article page, the source beside it.
    page.goto(base + f"/{db.stem}/removals")
    link = page.locator("td.col-article_url a.fanwen-article-link").first
    assert page.locator("td.col-article_url a.fanwen-source").first.get_attribute("href").startswith("http://")
    link.click()
    page.wait_for_selector("article.fanwen-article")
    assert page.locator("td.col-rule .fanwen-why").count() == 0  # back on an article page
    page.goto(base + f"/{db.stem}/removals")
    assert page.locator("td.col-rule .fanwen-why").first.inner_text() != ""


def test_chart_reads_right(demo, page):
    base, db = demo
    page.goto(base + f"/{db.stem}/articles_per_month")
    img = page.locator(".fanwen-chart img")
    img.wait_for()
    assert img.evaluate("i => i.complete && i.naturalWidth > 0")
    shot(page, "chart")
    svg = page.request.get(base + f"/{db.stem}/articles_per_month.svg").text()
    assert ">金笔范文网</text>" in svg and "demo</text>" not in svg  # legend by title, not key
    assert img.evaluate("i => i.getBoundingClientRect().right <= window.innerWidth")  # scales down on a phone


MANY = ("with recursive m(i) as (select 0 union all select i + 1 from m where i < 119), "
        "s(k) as (select 0 union all select k + 1 from s where k < 29) "
        "select printf('%04d-%02d', 2015 + i / 12, i % 12 + 1) as month, '第' || k || '号范文网' as site, "
        "1 + (i + k) % 3 as articles from m, s where i % 3 != 1")


def test_chart_of_120_months_and_30_sites_has_no_overlapping_text(demo, page):
    base, db = demo
    page.goto(base + f"/{db.stem}.svg?" + urlencode({"sql": MANY}))
    shot(page, "chart-120x30", full_page=False)  # an SVG document has no page to scroll
    boxes = page.evaluate("""() => Array.from(document.querySelectorAll('text')).map(t => {
        const b = t.getBBox(); return {cls: t.getAttribute('class'), text: t.textContent,
                                       x: b.x, y: b.y, right: b.x + b.width, bottom: b.y + b.height}; })""")
    for cls in ("x-label", "legend"):
        texts = sorted((b for b in boxes if b["cls"] == cls), key=lambda b: (round(b["y"]), b["x"]))
        assert texts, cls
        for a, b in zip(texts, texts[1:], strict=False):
            same_line = abs(a["y"] - b["y"]) < 1
            assert not same_line or a["right"] <= b["x"], (cls, a, b)  # drawn text never overlaps
    legend = {b["text"] for b in boxes if b["cls"] == "legend"}
    assert len(legend) == 30
    months = [b["text"] for b in boxes if b["cls"] == "x-label"]
    assert months[0] == "2015-01" and 6 <= len(months) <= 15
    ticks = [b["text"] for b in boxes if b["cls"] == "y-tick"]
    assert all(t.isdigit() for t in ticks)
