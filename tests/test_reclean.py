"""`fanwen reclean`: after a rules change, stored raw pages are re-cleaned in place, without the network."""

import json
import sqlite3

import pytest
from conftest import FAST, ROOT, fanwen

pytestmark = pytest.mark.slow

CONFIG = '''
name = "mysite"
title = "测试站"
start_urls = ["{url}"]
allowed_hosts = ["{host}"]
article_urls = ['/news/\\d+\\.html$']
[source]
checked = "2026-11-26"
verified = false
'''
RULE = '''
[[rules]]
id = "mysite-drop-thanks"
category = "meta"
kind = "regex"
pattern = '^谢谢大家!?$'
why = "a test rule added after the crawl"
examples = ["谢谢大家!"]
keeps = ["我要谢谢大家的支持，这次活动非常成功。"]
'''


def crawled(site_server, tmp_path):
    """The huaboedu fixture site crawled with CONFIG into a.db, its server stopped (reclean must not need
    the site); (its base URL, the config file, the database)."""
    server = site_server("huaboedu")
    sites = tmp_path / "sites"
    sites.mkdir()
    config = sites / "mysite.toml"
    config.write_text(CONFIG.format(url=server.url, host=server.url.split("/")[2]), encoding="utf-8")
    db = tmp_path / "a.db"
    result = fanwen("crawl", "mysite", "--sites-dir", str(sites), "--db", str(db), *FAST)
    assert result.returncode in (0, 3), result.stderr[-2000:]
    server.stop()
    return server.url, config, db


def test_reclean_applies_new_rules_to_stored_pages(site_server, tmp_path):
    base, config, db = crawled(site_server, tmp_path)
    sites = config.parent

    conn = sqlite3.connect(db)
    url = base.rstrip("/") + "/news/762.html"
    before = conn.execute("select text, content_hash, last_seen from articles where url = ?", [url]).fetchone()
    assert before[0].splitlines()[-1] == "谢谢大家!"
    total = conn.execute("select count(*) from articles").fetchone()[0]

    result = fanwen("reclean", "--db", str(db), "--sites-dir", str(sites))
    assert result.returncode == 0 and f"{total} unchanged" in result.stdout, result.stdout + result.stderr

    config.write_text(config.read_text(encoding="utf-8") + RULE, encoding="utf-8")
    result = fanwen("reclean", "--db", str(db), "--sites-dir", str(sites), "--site", "mysite")
    assert result.returncode == 0, result.stderr
    after = conn.execute("select text, content_hash, last_seen from articles where url = ?", [url]).fetchone()
    assert "谢谢大家!" not in after[0].splitlines()
    assert after[0].splitlines() == before[0].splitlines()[:-1]
    assert after[1] != before[1] and after[2] == before[2]  # a re-clean is not a visit
    assert "updated" in result.stdout
    removed = conn.execute("select rule from removals where article_url = ? and text like '谢谢大家%'", [url])
    assert removed.fetchone()[0] == "mysite-drop-thanks"
    assert conn.execute("select count(*) from articles").fetchone()[0] == total


def test_reclean_brings_a_changed_author_in_when_the_text_is_the_same(site_server, tmp_path):
    _, config, db = crawled(site_server, tmp_path)
    sites = config.parent
    conn = sqlite3.connect(db)
    before = dict(conn.execute("select url, text from articles").fetchall())
    assert before and not conn.execute("select count(*) from articles where author = '华博范文网'").fetchone()[0]

    # The site's config now names an author (its source line): no text changes, every author does.
    text = config.read_text(encoding="utf-8").replace("[source]", '[selectors]\nauthor = ".art-info .src"\n[source]')
    config.write_text(text, encoding="utf-8")
    result = fanwen("reclean", "--db", str(db), "--sites-dir", str(sites))
    assert result.returncode == 0 and f"{len(before)} updated" in result.stdout, result.stdout + result.stderr
    assert dict(conn.execute("select url, text from articles").fetchall()) == before
    assert {row[0] for row in conn.execute("select author from articles")} == {"华博范文网"}
    result = fanwen("reclean", "--db", str(db), "--sites-dir", str(sites))
    assert f"{len(before)} unchanged" in result.stdout, result.stdout + result.stderr


def test_reclean_of_missing_database_is_one_line_error(tmp_path):
    result = fanwen("reclean", "--db", str(tmp_path / "none.db"))
    assert result.returncode == 1 and result.stderr.startswith("Error: database")


def test_reclean_rejected_revisits_pages_an_older_extractor_rejected(tmp_path):
    """A page rejected with a reason keeps its raw copy, so a better extractor can overturn the verdict."""
    from fanwen.pipelines.records import Document, Extraction, Fetched
    from fanwen.pipelines.store import open_db, store_document

    pages = ROOT / "tests" / "pages"
    db_path = tmp_path / "a.db"
    db = open_db(str(db_path))
    stored = {}
    for name, verdict in (("6dgww-1", "list"), ("dede-4", "list"), ("wenku-4", "empty")):
        gold = json.loads((pages / f"{name}.json").read_text(encoding="utf-8"))
        body = (pages / f"{name}.html").read_bytes()
        fetched = Fetched(url=gold["url"], status=200, headers={}, body=body, encoding=gold["encoding"],
                          fetched_at="2025-01-01T00:00:00")
        doc = Document(url=gold["url"], site="old", parts=[fetched])
        doc.extraction = Extraction(kind=verdict, reason="the main block is a list of linked titles")
        store_document(db, doc, None)
        stored[name] = gold
    db.conn.close()

    result = fanwen("reclean", "--db", str(db_path), "--rejected")
    assert result.returncode == 0, result.stderr
    assert "rejected pages: 1 now articles, 2 still rejected" in result.stdout
    conn = sqlite3.connect(db_path)
    essay = stored["6dgww-1"]
    title, text = conn.execute("select title, text from articles where url = ?", [essay["url"]]).fetchone()
    assert title == essay["title"] and text == essay["text"]
    kinds = dict(conn.execute("select url, kind from pages where part = 1").fetchall())
    assert kinds[essay["url"]] == "article"
    assert kinds[stored["dede-4"]["url"]] == "list" and kinds[stored["wenku-4"]["url"]] == "captcha"
    reason = conn.execute("select reason from pages where url = ?", [stored["wenku-4"]["url"]]).fetchone()[0]
    assert "captcha" in reason  # today's reason replaces the old one
