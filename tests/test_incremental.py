"""Incremental crawls of a copy of the 第一范文网 fixture site: an identical re-crawl asks for no archived
article and adds no rows; --refresh re-checks with conditional requests, keeps the old text of an edited
article in `revisions`, and marks a deleted one gone without deleting it; 404s are not asked again."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import FAST, SITES, fanwen

pytestmark = pytest.mark.slow

SITE = SITES / "diyifanwen"
EDITED = "/fanwen/hetongfanwen/22368120.html"
DELETED = "/fanwen/xindetihui2/22367042.html"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(SITE, root)
    return root


def article_paths() -> set[str]:
    spec = json.loads((SITE / "_expected.json").read_text(encoding="utf-8"))
    paths = {a["path"] for a in spec["articles"]}
    return paths | {"/fanwen/gongzuozongjie/22366315_2.html"}


def crawl(server, db: Path, *args: str):
    before = len(server.requests)
    result = fanwen("crawl", "--start-url", server.url, "--db", str(db), *FAST, *args)
    assert result.returncode == 0, result.stderr[-3000:]
    return result, server.requests[before:]


def table_counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    return {t: conn.execute(f"select count(*) from {t}").fetchone()[0]
            for t in ("articles", "pages", "removals", "article_parts", "revisions")}


def test_identical_recrawl_requests_no_archived_article_and_adds_no_rows(site_server, site, tmp_path):
    server = site_server(site)
    db = tmp_path / "a.db"
    _, first = crawl(server, db)
    assert article_paths() <= {path for _, path, _ in first}
    gone = {path for _, path, status in first if status == 404}
    assert gone  # the footer links (关于我们, 网站地图, …) are dead on this site
    counts = table_counts(db)
    fetched_at = dict(sqlite3.connect(db).execute("select url, fetched_at from articles"))

    _, second = crawl(server, db)
    asked = {path for _, path, _ in second}
    assert not asked & article_paths()
    assert not asked & gone
    assert "/" in asked and "/fanwen/gongzuozongjie/" in asked  # lists are re-read to find new essays
    assert table_counts(db) == counts
    assert dict(sqlite3.connect(db).execute("select url, fetched_at from articles")) == fetched_at
    runs = sqlite3.connect(db).execute(
        "select articles_new, articles_unchanged, skipped, exit_status, finished is not null from crawls order by id"
    ).fetchall()
    assert runs[0][0] == 7 and runs[1][:2] == (0, 0) and runs[1][2] > 0
    assert [r[3:] for r in runs] == [(0, 1), (0, 1)]


def test_a_new_article_is_found_and_only_it_is_fetched(site_server, site, tmp_path):
    server = site_server(site)
    db = tmp_path / "a.db"
    crawl(server, db)
    listing = site / "fanwen/hetongfanwen/index.html"
    new_path = "/fanwen/hetongfanwen/22368999.html"
    shutil.copy(site / EDITED.lstrip("/"), site / new_path.lstrip("/"))
    html = listing.read_bytes().decode("gbk")
    item = f'<li><span>2024-03-01</span><a href="{new_path}" title="新合同" target="_blank">新合同</a></li>\n'
    listing.write_bytes(html.replace("<ul>\n", "<ul>\n" + item, 1).encode("gbk"))
    _, second = crawl(server, db)
    asked = {path for _, path, _ in second}
    assert new_path in asked and not asked & article_paths()
    assert sqlite3.connect(db).execute("select count(*) from articles").fetchone()[0] == 8


def test_refresh_updates_an_edited_article_keeps_its_old_text_and_marks_a_deleted_one_gone(
        site_server, site, tmp_path):
    server = site_server(site)
    db = tmp_path / "a.db"
    crawl(server, db)
    conn = sqlite3.connect(db)
    old_text, = conn.execute("select text from articles where url = ?", [server.url.rstrip("/") + EDITED]).fetchone()
    assert "按季度支付" in old_text
    edited = site / EDITED.lstrip("/")
    edited.write_bytes(edited.read_bytes().decode("gbk").replace("按季度支付", "按月支付").encode("gbk"))
    stored_page, = conn.execute("select body from pages where url = ?", [server.url.rstrip("/") + DELETED]).fetchone()
    (site / DELETED.lstrip("/")).unlink()

    _, second = crawl(server, db, "--refresh")
    statuses = {path: status for _, path, status in second}
    assert statuses[EDITED] == 200 and statuses[DELETED] == 404
    assert sum(1 for s in statuses.values() if s == 304) >= 4  # unchanged articles: conditional, no body
    row = conn.execute("select text, gone_at from articles where url = ?", [server.url.rstrip("/") + EDITED]).fetchone()
    assert "按月支付" in row[0] and "按季度支付" not in row[0] and row[1] is None
    revisions = conn.execute("select url, text, replaced_at, crawl_id from revisions").fetchall()
    assert len(revisions) == 1
    assert revisions[0][0].endswith(EDITED) and revisions[0][1] == old_text and revisions[0][3] == 2
    gone = conn.execute("select text, gone_at from articles where url = ?",
                        [server.url.rstrip("/") + DELETED]).fetchone()
    assert gone[0] and gone[1]  # kept, and marked
    assert conn.execute("select body from pages where url = ?",
                        [server.url.rstrip("/") + DELETED]).fetchone()[0] == stored_page
    run = conn.execute("select articles_updated, not_modified, gone from crawls where id = 2").fetchone()
    assert run[0] == 1 and run[1] >= 4 and run[2] == 1

    # A third refresh does not ask for the gone article again within FANWEN_GONE_RECHECK_DAYS…
    _, third = crawl(server, db, "--refresh")
    assert DELETED not in {path for _, path, _ in third}
    assert conn.execute("select count(*) from revisions").fetchone()[0] == 1  # 304s write nothing
    # …but does once the period is over.
    _, fourth = crawl(server, db, "--refresh", "-s", "FANWEN_GONE_RECHECK_DAYS=0")
    assert DELETED in {path for _, path, _ in fourth}


def test_full_crawl_fetches_archived_articles_again(site_server, site, tmp_path):
    server = site_server(site)
    db = tmp_path / "a.db"
    crawl(server, db)
    _, second = crawl(server, db, "--full")
    assert article_paths() <= {path for _, path, _ in second}
    assert sqlite3.connect(db).execute("select articles_unchanged from crawls where id = 2").fetchone()[0] == 7


def test_refresh_and_full_exclude_each_other(tmp_path):
    result = fanwen("crawl", "--start-url", "http://127.0.0.1:9/", "--db", str(tmp_path / "a.db"), "--refresh",
                    "--full")
    assert result.returncode == 2 and "exclude each other" in result.stderr
