"""Paging through lists stops early once a list's pages link only to archived articles, and new articles at
the top of a list are still found. The site is generated: a 第一范文网-style category with 15 list pages of
4 essays each (newest first, pager window of ±2 plus 下一页/尾页), GBK bytes declared gb2312."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import FAST, fanwen

from fanwen.crawler.incremental import conditional_headers, list_key, page_number

pytestmark = pytest.mark.slow

PER_PAGE = 4
SENTENCES = [
    "今年以来，我们坚持以人民为中心的发展思想，扎实推进各项工作落地见效。",
    "全体干部职工要进一步统一思想、提高认识，切实增强责任感和紧迫感。",
    "要坚持问题导向，聚焦群众反映强烈的突出问题，拿出务实管用的举措。",
    "回顾过去一年的工作，既有成绩也有不足，需要我们认真总结经验教训。",
    "各部门要加强协调配合，形成工作合力，确保各项任务按时保质完成。",
]
ARTICLE = """<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title>{title}_第一范文网</title></head><body>
<div id="Top"><div class="TopBar"><a href="/">第一范文网</a> |
<a href="/fanwen/gongzuozongjie/">工作总结</a></div></div>
<div class="list_info"><p><a href="/">第一范文网</a> &gt;&gt;
<a href="/fanwen/gongzuozongjie/">工作总结</a> &gt;&gt; 正文</p></div>
<div id="ArtTitle"><h1>{title}</h1></div>
<div class="ArtInfo"><span>发布时间：2024-{month:02d}-{day:02d} 09:30</span> <span>来源：第一范文网</span></div>
<div id="ArtContent">{body}<span style="display:none">第一范文网原创，转载请注明</span></div>
<div class="PrevNext"><p>上一篇：<a href="/fanwen/gongzuozongjie/{prev}.html">上一篇范文</a></p></div>
<div id="Footer"><p>Copyright &copy; 2006-2024 第一范文网 All Rights Reserved.</p></div></body></html>"""
LISTING = """<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title>工作总结_第{page}页_第一范文网</title></head><body>
<div id="Top"><div class="TopBar"><a href="/">第一范文网</a> |
<a href="/fanwen/gongzuozongjie/">工作总结</a></div></div>
<div id="AListBox"><ul>{items}</ul></div>
<div id="CutPage">{pager}</div>
<div id="Footer"><p>Copyright &copy; 2006-2024 第一范文网 All Rights Reserved.</p></div></body></html>"""


def page_url(n: int) -> str:
    return "index.html" if n == 1 else f"index_{n}.html"


def write_site(root: Path, ids: list[int]) -> None:
    """Articles `ids` (newest first) in one category, paginated."""
    cat = root / "fanwen" / "gongzuozongjie"
    cat.mkdir(parents=True, exist_ok=True)
    for i in ids:
        body = "".join(f"<p>　　{SENTENCES[(i + k) % len(SENTENCES)]}{SENTENCES[(i * 3 + k) % len(SENTENCES)]}</p>"
                       for k in range(6))
        html = ARTICLE.format(title=f"{2000 + i}号单位年度工作总结", month=1 + i % 12, day=1 + i % 28, body=body,
                              prev=22360000 + max(i - 1, 0))
        (cat / f"{22360000 + i}.html").write_bytes(html.encode("gbk"))
    pages = (len(ids) + PER_PAGE - 1) // PER_PAGE
    for n in range(1, pages + 1):
        chunk = ids[(n - 1) * PER_PAGE:n * PER_PAGE]
        items = "".join(f'<li><span>2024-01-{1 + i % 28:02d}</span><a href="/fanwen/gongzuozongjie/{22360000 + i}'
                        f'.html" target="_blank">{2000 + i}号单位年度工作总结</a></li>' for i in chunk)
        window = [p for p in range(n - 2, n + 3) if 1 <= p <= pages]
        pager = " ".join(f"<b>{p}</b>" if p == n else f'<a href="{page_url(p)}">{p}</a>' for p in window)
        if n < pages:
            pager += f' <a href="{page_url(n + 1)}">下一页</a> <a href="{page_url(pages)}">尾页</a>'
        (cat / page_url(n)).write_bytes(LISTING.format(page=n, items=items, pager=pager).encode("gbk"))
    home = LISTING.format(page=1, items="", pager='<a href="/fanwen/gongzuozongjie/">工作总结</a>')
    (root / "index.html").write_bytes(home.encode("gbk"))
    (root / "_site.toml").write_text('charset = "gb2312"\n', encoding="utf-8")


def list_pages(requests: list) -> set[str]:
    return {p for _, p, _ in requests if "/index" in p or p.endswith("/gongzuozongjie/")}


@pytest.mark.parametrize("stop_after", [1, 2])
def test_paging_stops_after_known_pages_and_new_articles_are_found(site_server, tmp_path, stop_after):
    root = tmp_path / "site"
    write_site(root, list(range(60, 0, -1)))  # 15 list pages
    server = site_server(root)
    db = tmp_path / "a.db"
    setting = ["-s", f"FANWEN_STOP_AFTER_KNOWN_PAGES={stop_after}"]
    first = fanwen("crawl", "--start-url", server.url, "--db", str(db), *FAST, *setting)
    assert first.returncode == 0, first.stderr[-2000:]
    assert len(list_pages(server.requests)) == 15 + 1  # /fanwen/gongzuozongjie/ and index.html are both linked

    write_site(root, list(range(63, 0, -1)))  # three new essays push everything down a little
    before = len(server.requests)
    second = fanwen("crawl", "--start-url", server.url, "--db", str(db), *FAST, *setting)
    assert second.returncode == 0, second.stderr[-2000:]
    asked = server.requests[before:]
    paged = list_pages(asked)
    # Of 17 list URLs (16 pages, page 1 under two URLs), page 1 and then one page at a time were read until
    # `stop_after` pages held only archived essays. The new last page (尾页) is new to the archive, so it is
    # read (and, holding only archived essays, may be one of those pages); the articles' links back to
    # page 1 are no pages of the list and do not count.
    first = {"/fanwen/gongzuozongjie/", "/fanwen/gongzuozongjie/index_2.html", "/fanwen/gongzuozongjie/index_16.html"}
    assert first <= paged <= first | {f"/fanwen/gongzuozongjie/index_{n}.html" for n in range(3, 2 + stop_after)}
    conn = sqlite3.connect(db)
    assert conn.execute("select count(*) from articles").fetchone()[0] == 63
    article_requests = [p for _, p, _ in asked if p.startswith("/fanwen/gongzuozongjie/2236")]
    assert sorted(article_requests) == [f"/fanwen/gongzuozongjie/{22360000 + i}.html" for i in (61, 62, 63)]
    assert conn.execute("select count(*) from crawls where exit_status = 0").fetchone()[0] == 2


def test_list_key_groups_the_pages_of_one_list():
    same = ["http://h/fanwen/", "http://h/fanwen/index.html", "http://h/fanwen/index_2.html",
            "http://h/fanwen/index_15.htm", "http://h/fanwen/?page=3", "http://h/fanwen/list_7.html"]
    assert len({list_key(u) for u in same}) == 1
    assert list_key("http://h/list_12_3.html") == list_key("http://h/list_12_1.html") != list_key(
        "http://h/list_15_1.html")
    assert list_key("http://h/fanwen/") != list_key("http://h/zuowen/")
    # an article in the list's folder is no page of the list (its id is no page number)
    assert list_key("http://h/fanwen/22360061.html") != list_key("http://h/fanwen/index_2.html")
    assert list_key("http://h/s.php?q=a&page=2") != list_key("http://h/s.php?q=b&page=2")


def test_conditional_headers_come_from_stored_validators():
    stored = {"Etag": '"abc"', "Last-Modified": "Tue, 26 Nov 2024 06:00:00 GMT", "Content-Type": "text/html"}
    assert conditional_headers(stored) == {"If-None-Match": '"abc"',
                                           "If-Modified-Since": "Tue, 26 Nov 2024 06:00:00 GMT"}
    assert conditional_headers({"Content-Type": "text/html"}) == {}


def test_page_number_reads_the_parameter_or_the_file_name():
    assert page_number("http://h/fanwen/") == page_number("http://h/fanwen/index.html") == 1
    assert page_number("http://h/fanwen/index_16.html") == 16
    assert page_number("http://h/list_12_3.html") == 3
    assert page_number("http://h/s.php?q=a&page=7") == 7
