"""Worker mode and the single writer (README "Running on several machines"), against a real redis-server:
two `fanwen crawl --redis` workers share one crawl of a 500-article site, `fanwen ingest` stores it, a killed
writer loses and doubles nothing, and known articles are not fetched again."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import redis
from conftest import DEMO, FAST, ROOT, fanwen

from bench.sitegen import generate
from fanwen.crawler import redisbus
from fanwen.siteserver import serve_site

pytestmark = pytest.mark.slow

ARTICLES = 500
IDLE = ["--idle-timeout", "2"]


def start_worker(url: str, redis_url: str, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "fanwen.cli", "crawl", "--quiet", "--start-url", url,
                             "--redis", redis_url, *IDLE, *FAST, *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)


def finish(worker: subprocess.Popen) -> None:
    out, err = worker.communicate(timeout=240)
    assert worker.returncode == 0, err[-3000:]


def article_hits(server) -> Counter:
    return Counter(path for method, path, status in server.requests if path.startswith("/a/"))


def rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture(scope="module")
def big_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("site")
    pages = generate(root, ARTICLES)
    assert pages == ARTICLES + 26  # 25 list pages and the home page
    return root


def test_two_workers_share_the_crawl_and_one_writer_stores_every_article_once(big_site, redis_url, tmp_path):
    db = tmp_path / "a.db"
    with serve_site(big_site) as server:
        workers = [start_worker(server.url, redis_url) for _ in range(2)]
        for worker in workers:
            finish(worker)
        hits = article_hits(server)
        paths = Counter(path for _, path, _ in server.requests)
    assert len(hits) == ARTICLES and set(hits.values()) == {1}  # every article page fetched exactly once
    assert paths["/"] == 1 and paths["/robots.txt"] == 2  # seeded once; each worker reads robots.txt itself
    assert all(n == 1 for path, n in paths.items() if path != "/robots.txt")

    result = fanwen("ingest", "--redis", redis_url, "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert f"ingested {ARTICLES + 26} documents: {ARTICLES} new" in result.stdout
    assert rows(db, "select count(*), count(distinct url) from articles") == [(ARTICLES, ARTICLES)]
    assert rows(db, "select count(*), count(distinct url) from pages") == [(ARTICLES + 26, ARTICLES + 26)]
    runs = rows(db, "select pages, articles_new, finish_reason, exit_status from crawls where sites != ''")
    assert len(runs) == 2  # each worker run recorded from the statistics it sent
    assert sum(r[1] for r in runs) == ARTICLES
    for pages, new, reason, status in runs:
        assert pages >= 25 and new >= 20, runs  # both did a share of the work
        assert (reason, status) == ("finished", 0)
    assert rows(db, "select finish_reason, articles_new, pages from crawls where command like 'fanwen ingest%'") == [
        ("finished", ARTICLES, ARTICLES + 26)]
    client = redis.Redis.from_url(redis_url)
    assert client.llen(redisbus.ITEMS) == 0 and client.llen(redisbus.PROCESSING) == 0
    assert client.scard(redisbus.KNOWN) == ARTICLES
    assert not client.keys("fanwen:generic-*")  # the last worker out cleared the finished run's frontier


def test_a_writer_killed_mid_ingest_loses_and_doubles_nothing(big_site, redis_url, tmp_path):
    db = tmp_path / "a.db"
    with serve_site(big_site) as server:
        finish(start_worker(server.url, redis_url))
    writer = subprocess.Popen([sys.executable, "-m", "fanwen.cli", "ingest", "--redis", redis_url, "--db", str(db),
                               "--batch-size", "10"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stored = 0
    deadline = time.monotonic() + 120
    while stored < 50 and writer.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
        if db.exists():
            try:
                stored = rows(db, "select count(*) from articles")[0][0]
            except sqlite3.OperationalError:  # the schema is still being created
                pass
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    assert 0 < stored < ARTICLES, "the writer must be killed mid-ingest"
    client = redis.Redis.from_url(redis_url)
    assert client.llen(redisbus.ITEMS) + client.llen(redisbus.PROCESSING) > 0

    result = fanwen("ingest", "--redis", redis_url, "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert rows(db, "select count(*), count(distinct url) from articles") == [(ARTICLES, ARTICLES)]
    assert rows(db, "select count(*), count(distinct url) from pages") == [(ARTICLES + 26, ARTICLES + 26)]
    assert rows(db, "select count(*) from revisions") == [(0,)]
    assert rows(db, "select count(*) from (select article_url, ordinal from removals group by 1, 2 having count(*) > 1)"
                ) == [(0,)]
    worker_runs = rows(db, "select articles_new, pages, finish_reason from crawls where sites != ''")
    assert worker_runs == [(ARTICLES, ARTICLES + 26 + 1, "finished")]  # one row, not one per writer; + robots.txt
    writers = rows(db, "select finish_reason from crawls where command like 'fanwen ingest%' order by id")
    assert writers == [("abandoned",), ("finished",)]
    assert client.llen(redisbus.ITEMS) == 0 and client.llen(redisbus.PROCESSING) == 0


def test_archived_articles_are_not_fetched_again(redis_url, tmp_path):
    root, db = tmp_path / "site", tmp_path / "a.db"
    generate(root, 30, per_list=10)
    with serve_site(root) as server:
        finish(start_worker(server.url, redis_url))
        assert fanwen("ingest", "--redis", redis_url, "--db", str(db)).returncode == 0
        assert len(article_hits(server)) == 30
        before = len(server.requests)
        second = start_worker(server.url, redis_url)
        finish(second)
        again = server.requests[before:]
    assert again and not [path for _, path, _ in again if path.startswith("/a/")]  # lists re-read, articles not
    result = fanwen("ingest", "--redis", redis_url, "--db", str(db))
    assert "ingested 4 documents: 0 new" in result.stdout  # the 3 list pages and the home page only
    skipped = rows(db, "select skipped from crawls where sites != '' order by id")
    assert skipped[-1][0] >= 30


def test_unreadable_messages_are_set_aside_not_dropped(redis_url, tmp_path):
    client = redis.Redis.from_url(redis_url)
    client.lpush(redisbus.ITEMS, b"not a message")
    result = fanwen("ingest", "--redis", redis_url, "--db", str(tmp_path / "a.db"))
    assert result.returncode == 3
    assert "1 unreadable messages set aside in Redis (fanwen:items:rejected)" in result.stderr
    assert client.lrange(redisbus.REJECTED, 0, -1) == [b"not a message"]
    assert client.llen(redisbus.PROCESSING) == 0


@pytest.mark.parametrize(("args", "status", "message"), [
    (["ingest", "--redis", "http://127.0.0.1:1/"], 2, "Error: --redis 'http://127.0.0.1:1/': expected redis://"),
    (["ingest", "--redis", "redis://127.0.0.1:1/0"], 1, "Error: cannot reach Redis at redis://127.0.0.1:1/0"),
    (["crawl", "--start-url", "http://127.0.0.1:9/", "--redis", "redis://127.0.0.1:1/0"], 1,
     "Error: cannot reach Redis at redis://127.0.0.1:1/0"),
    (["crawl", "--start-url", "http://127.0.0.1:9/", "--redis", "redis://127.0.0.1:1/0", "--refresh"], 2,
     "Error: --refresh needs the archive"),
])
def test_bad_redis_arguments_are_one_line_errors(args, status, message, tmp_path):
    result = fanwen(*args, "--db", str(tmp_path / "a.db")) if args[0] == "ingest" else fanwen(*args)
    assert result.returncode == status
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1


def test_workers_honour_the_archives_takedowns(redis_url, tmp_path):
    root, db = tmp_path / "site", tmp_path / "a.db"
    generate(root, 20, per_list=10)
    with serve_site(root) as server:
        assert fanwen("ingest", "--redis", redis_url, "--db", str(db)).returncode == 0  # a new, empty archive
        taken = fanwen("takedown", f"{server.url}a/1?.html", "--reason", "作者要求删除", "--db", str(db))
        assert taken.returncode == 0, taken.stderr
        assert fanwen("ingest", "--redis", redis_url, "--db", str(db)).returncode == 0  # publishes the patterns
        finish(start_worker(server.url, redis_url))
        fetched = set(article_hits(server))
        # Taken down after a worker fetched it: the writer does not store it.
        assert fanwen("takedown", f"{server.url}a/2.html", "--reason", "侵权", "--db", str(db)).returncode == 0
    assert fetched == {f"/a/{i}.html" for i in range(10)}
    result = fanwen("ingest", "--redis", redis_url, "--db", str(db))
    assert result.returncode == 0 and "1 documents not stored: an active takedown matches them" in result.stderr
    assert rows(db, "select count(*) from articles where url glob '*/a/1?.html' or url glob '*/a/2.html'") == [(0,)]
    assert rows(db, "select count(*) from articles") == [(9,)]


def test_the_writer_records_each_sites_title_as_a_local_crawl_does(redis_url, tmp_path):
    # A configured site's worker brings its config's title; a generic one's title is the name its pages show.
    # The generic worker here is `scrapy crawl` with FANWEN_REDIS_URL: a worker too, touching no local archive.
    db, unused = tmp_path / "a.db", tmp_path / "not-written.db"
    sites = tmp_path / "sites"
    sites.mkdir()
    (sites / "mine.toml").write_text('name = "mine"\ntitle = "我的范文站"\nstart_urls = ["http://127.0.0.1/"]\n'
                                     'allowed_hosts = ["127.0.0.1"]\n[source]\nevidence = "test"\n', encoding="utf-8")
    with serve_site(DEMO) as configured, serve_site(DEMO) as server:  # two ports: two sets of article URLs
        finish(start_worker(configured.url, redis_url, "mine", "--sites-dir", str(sites)))
        generic = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "generic", "-a", f"start_url={server.url}",
             "-s", f"FANWEN_REDIS_URL={redis_url}", "-s", "FANWEN_REDIS_IDLE_TIMEOUT=2", "-s", f"FANWEN_DB={unused}",
             *FAST], capture_output=True, text=True, timeout=240, cwd=ROOT)
        assert generic.returncode == 0, generic.stderr[-3000:]
    assert not unused.exists()
    result = fanwen("ingest", "--redis", redis_url, "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert rows(db, "select site, count(*) from articles group by site") == [("127.0.0.1", 30), ("mine", 30)]
    assert rows(db, "select name, title, title_from from sites order by name") == [
        ("127.0.0.1", "金笔范文网", "page"), ("mine", "我的范文站", "config")]
