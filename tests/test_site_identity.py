"""Site identity: the demo and generic crawls keep one site key and a title whatever port they run on;
`fanwen demo` refuses a busy port before crawling."""

from __future__ import annotations

import socket
import sqlite3

import pytest
from conftest import DEMO, FAST, fanwen

from fanwen.crawler.urls import site_key_of
from fanwen.pipelines.sitename import SiteNameVotes

pytestmark = pytest.mark.slow


def rows(db, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_demo_twice_keeps_30_articles_under_one_site(tmp_path):
    db = tmp_path / "demo.db"
    for run in (1, 2):
        result = fanwen("demo", "--no-serve", "--db", str(db))
        assert result.returncode == 0, result.stderr
        assert rows(db, "select site, count(*) from articles group by site") == [("demo", 30)], run
    assert rows(db, "select name, title, title_from from sites") == [("demo", "金笔范文网", "config")]
    # Two runs, two site-server ports, the same URLs: stored under the demo config's stable host.
    assert rows(db, "select count(*) from crawls") == [(2,)]
    assert {u.split("/")[2] for (u,) in rows(db, "select url from articles")} == {"www.jinbi-fanwen.invalid"}


def test_busy_port_is_one_line_and_exit_1_before_any_crawl(tmp_path):
    db = tmp_path / "demo.db"
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = fanwen("demo", "--db", str(db), "--port", str(port), timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: port {port} on 127.0.0.1 is in use; choose another with --port (make demo PORT={port + 1})"]
    assert result.stdout == "" and not db.exists()  # nothing crawled, no archive created


def test_serve_on_a_busy_port_is_one_line(tmp_path):
    db = tmp_path / "a.db"
    sqlite3.connect(db).execute("create table articles (url text)").connection.close()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = fanwen("serve", "--db", str(db), "--port", str(port), timeout=60)
    assert result.returncode == 1 and result.stderr.strip().startswith(f"Error: port {port} on 127.0.0.1 is in use")


def test_generic_crawl_site_key_is_the_host_and_title_the_pages_site_name(tmp_path, site_server):
    db = tmp_path / "a.db"
    server = site_server(DEMO)
    result = fanwen("crawl", "--start-url", server.url, "--db", str(db), "--quiet", *FAST)
    assert result.returncode == 0, result.stderr
    assert rows(db, "select distinct site from articles") == [("127.0.0.1",)]
    assert rows(db, "select name, title, title_from from sites") == [("127.0.0.1", "金笔范文网", "page")]


@pytest.mark.parametrize(("url", "key"), [
    ("http://127.0.0.1:35507/", "127.0.0.1"),
    ("https://www.diyifanwen.com/fanwen/", "diyifanwen.com"),
    ("https://WWW.Ruiwen.com:8443/a.html", "ruiwen.com"),
    ("https://m.huaboedu.com/news/1.html", "m.huaboedu.com"),
])
def test_site_key_ignores_port_and_www(url, key):
    assert site_key_of(url) == key


def test_site_name_votes():
    votes = SiteNameVotes()
    votes.add("<title>金笔范文网_工作总结_心得体会_免费范文大全</title>")
    votes.add("<title>2023年社区党支部工作总结_工作总结_金笔范文网</title>")
    votes.add("<title>公文写作交流 - 金笔文秘论坛 - Powered by Discuz!</title>")
    assert votes.best() == "金笔范文网"
    single = SiteNameVotes()
    single.add("<title>我的妈妈_作文</title>")
    assert single.best() is None  # one page cannot tell its title from the site's name
    declared = SiteNameVotes()
    declared.add('<head><meta property="og:site_name" content="瑞文网"><title>无题</title></head>')
    assert declared.best() == "瑞文网"
