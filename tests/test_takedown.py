"""Takedowns: matching articles vanish from Datasette, search, exports and WARC, are never fetched again, come
back on --undo, and --purge deletes their text for good, leaving a tombstone."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
from conftest import DEMO, FAST, fanwen
from warcio.archiveiterator import ArchiveIterator

from fanwen.browse.search_index import search_sql
from fanwen.browse.serve import make_datasette
from fanwen.pipelines.backup import backup_database
from fanwen.siteserver import serve_site

ARTICLE = "news/1203.html"
SENTENCE = "企业开办时间压缩至一个工作日以内"  # in ARTICLE's text
PATTERN_PATH = "fanwen/jianghuagao/*"  # a multi-page article (20371, _2, _3), more articles, the list pages


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site") / "site"
    shutil.copytree(DEMO, root)
    with serve_site(root) as server:
        yield server


@pytest.fixture(scope="module")
def crawled(site, tmp_path_factory):
    db = tmp_path_factory.mktemp("crawled") / "fanwen.db"
    result = fanwen("crawl", "--start-url", site.url, "--db", str(db), *FAST)
    assert result.returncode in (0, 3), result.stderr
    return db


@pytest.fixture
def db(crawled, tmp_path):
    path = tmp_path / "fanwen.db"
    conn = sqlite3.connect(crawled)
    backup_database(conn, path)
    conn.close()
    return path


def query(path, sql, params=()):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def searchable(path, text) -> set[str]:
    from fanwen.pipelines.store import open_db

    handle = open_db(path)
    where, params = search_sql(text)
    try:
        return {r[0] for r in handle.execute(f"select url from articles where {where}", params)}
    finally:
        handle.close()


def everything(path, url) -> dict:
    tables = {"articles": "url", "pages": "article_url", "removals": "article_url", "revisions": "url"}
    return {t: query(path, f"select * from {t} where {col} = ? order by 1, 2", [url]) for t, col in tables.items()}


async def test_takedown_hides_everywhere_and_undo_restores(site, db, tmp_path):
    url = site.url + ARTICLE
    before = everything(db, url)
    assert before["articles"] and before["pages"] and before["removals"] and url in searchable(db, SENTENCE)

    result = fanwen("takedown", "--db", str(db), url, "--reason", "作者要求删除（邮件 2026-12-01）", "--by", "editor")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("takedown #1: 1 articles (")
    assert all(not rows for rows in everything(db, url).values())
    assert searchable(db, SENTENCE) == set()
    (takedown,) = query(db, "select pattern, reason, requested_by, created_at, articles, undone_at from takedowns")
    assert takedown[:3] == (url, "作者要求删除（邮件 2026-12-01）", "editor") and takedown[4] == 1 and not takedown[5]

    export = fanwen("export", "--db", str(db), "--format", "jsonl")
    urls = [json.loads(line)["url"] for line in export.stdout.splitlines()]
    assert url not in urls and len(urls) == query(db, "select count(*) from articles")[0][0] > 0
    assert fanwen("warc", "--db", str(db), "-o", str(tmp_path / "a.warc.gz")).returncode == 0
    with open(tmp_path / "a.warc.gz", "rb") as stream:
        warc_urls = {r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(stream)}
    assert url not in warc_urls and site.url + "news/1226.html" in warc_urls

    ds = make_datasette(str(db))
    table = (await ds.client.get("/fanwen/articles.json?_shape=array&_size=max")).json()
    assert url not in {r["url"] for r in table} and table
    assert (await ds.client.get("/fanwen/articles/" + url.replace("/", "~2F").replace(":", "~3A"))).status_code == 404
    found = (await ds.client.get("/fanwen/articles.json?_search=" + SENTENCE + "&_shape=array")).json()
    assert found == []
    download = await ds.client.get("/-/fanwen-export.csv")
    assert download.status_code == 200 and site.url + "news/1226.html" in download.text and url not in download.text
    # Any SQL, even on the withheld rows themselves, reads nothing of them.
    raw = (await ds.client.get("/fanwen.json?_shape=array&sql=select+url,+row+from+withheld")).json()
    assert raw and all(r == {"url": None, "row": None} for r in raw)
    listed = (await ds.client.get("/fanwen/takedown_list.json?_shape=array")).json()
    assert [(r["pattern"], r["state"], r["articles"]) for r in listed] == [(url, "active", 1)]
    status = (await ds.client.get("/fanwen/archive_status.json?_shape=array")).json()
    from fanwen.pipelines.migrations import SCHEMA_VERSION

    assert status[0] == {"item": "schema version", "value": str(SCHEMA_VERSION), "bytes": None}
    sizes = {r["item"]: r["bytes"] for r in status[1:]}
    assert sizes["articles"] > 0 and sizes["pages"] > 0 and "withheld" in sizes

    public = make_datasette(str(db), public=True)
    assert (await public.client.get("/fanwen/takedowns.json")).status_code == 403
    assert (await public.client.get("/fanwen/takedown_list.json")).status_code == 403
    assert (await public.client.get("/fanwen.json?sql=select+*+from+takedowns")).status_code == 403
    assert (await public.client.get("/fanwen/articles.json")).status_code == 200
    assert (await public.client.get("/fanwen/archive_status.json")).status_code == 200
    assert "takedown" not in (await public.client.get("/fanwen")).text.lower()

    listing = fanwen("takedown", "--db", str(db), "--list")
    assert listing.returncode == 0 and listing.stdout.startswith("#1\t") and "\tactive\n" in listing.stdout
    assert "作者要求删除" in listing.stdout and "\teditor\t" in listing.stdout

    result = fanwen("takedown", "--db", str(db), "--undo", url)
    assert result.returncode == 0 and result.stdout.startswith("lifted 1 takedown(s)") and "1 articles restored" \
        in result.stdout
    assert everything(db, url) == before and url in searchable(db, SENTENCE)
    assert query(db, "select count(*) from withheld") == [(0,)]
    assert query(db, "select undone_by is not null from takedowns") == [(1,)]


def test_taken_down_urls_are_not_fetched_again(site, db):
    pattern = site.url + PATTERN_PATH
    (matching,) = query(db, "select count(*) from articles where url glob ?", [pattern])[0]
    assert matching >= 2
    result = fanwen("takedown", "--db", str(db), pattern, "--reason", "版权方通知")
    assert result.returncode == 0 and f"#1: {matching} articles" in result.stdout, result.stdout + result.stderr
    seen = len(site.requests)
    result = fanwen("crawl", "--start-url", site.url, "--db", str(db), "--full", *FAST)
    assert result.returncode in (0, 3), result.stderr
    fetched = [path for _, path, _ in site.requests[seen:]]
    assert "/news/1203.html" in fetched  # a full crawl fetches every other article again
    assert not [p for p in fetched if p.startswith("/fanwen/jianghuagao/")]
    assert query(db, "select count(*) from articles where url glob ?", [pattern]) == [(0,)]


def test_purge_deletes_text_for_good_and_keeps_tombstones(site, db):
    pattern = site.url + PATTERN_PATH
    texts = [t for (t,) in query(db, "select text from articles where url glob ?", [pattern])]
    assert len(texts) >= 2
    result = fanwen("takedown", "--db", str(db), pattern, "--reason", "法院判决", "--purge")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1].startswith("purged ")
    tombstones = query(db, "select source_table, row from withheld")
    assert len(tombstones) == len(texts) and {t for t, _ in tombstones} == {"tombstone"}
    assert all(set(json.loads(row)) == {"url", "site", "first_seen", "last_seen", "content_hash"}
               for _, row in tombstones)
    # secure_delete zeroed the freed pages: not one essay's text is left anywhere in the file.
    raw = b"".join(p.read_bytes() for p in db.parent.glob("fanwen.db*"))
    for text in texts:
        longest = max(text.split("\n"), key=len)
        assert longest.encode() not in raw
    assert query(db, "select count(*) from articles") > [(0,)]

    result = fanwen("takedown", "--db", str(db), "--undo", pattern)
    assert result.returncode == 0 and "0 articles restored" in result.stdout
    assert query(db, "select count(*) from withheld where source_table = 'tombstone'") == [(len(texts),)]


@pytest.mark.parametrize("args, message", [
    (["http://x/1.html"], "Error: --reason is required: say why (it is recorded with the takedown)"),
    (["--undo", "http://x/1.html"], "Error: no active takedown of http://x/1.html (see `fanwen takedown --list`)"),
    (["--purge", "http://x/1.html"], "Error: no active takedown of http://x/1.html to purge (take it down first)"),
    ([], "Error: give the URL or pattern to take down (or --list)"),
    (["--list", "--undo"], "Error: give one of: URL-or-PATTERN --reason TEXT [--purge], --undo URL-or-PATTERN, "
                           "--purge URL-or-PATTERN, --list"),
])
def test_takedown_usage_errors(db, args, message):
    before = query(db, "select count(*) from articles")
    result = fanwen("takedown", "--db", str(db), *args)
    assert result.returncode == 2 and result.stderr == message + "\n"
    assert query(db, "select count(*) from articles") == before and query(db, "select count(*) from takedowns") \
        == [(0,)]
