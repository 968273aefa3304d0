"""Extraction in worker processes (FANWEN_EXTRACT_WORKERS: 1 is the archive worker of pipelines/archiver.py,
which also stores; 2 a pool of pipelines/offload.py) against extraction in the crawl process: real crawls of
fixture sites over 127.0.0.1 into real SQLite archives. Every way must store the very same archive (articles,
rejected pages with their reasons, the removals audit, essay parts, near-duplicate groups, the crawl's
counters), and a crawl stopped half-way, gracefully or with kill -9, must leave a sound archive that the next
crawl completes, with no worker left behind."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import DEMO, FAST, ROOT, SITES, fanwen, processes
from test_crawl import check_archive
from test_kill9 import assert_sound, query

from fanwen.faultsite import add_faults
from fanwen.siteserver import serve_site

pytestmark = pytest.mark.slow

# The faulty site's slow page answers 1.5 s after this; the crawls keep the default DOWNLOAD_TIMEOUT (30 s), so
# that page is fetched in both runs: a timeout that a loaded machine fires late would make the runs differ.
SLOW_PAGE_TIMEOUT = 0.5


def workers(n: int) -> list[str]:
    return ["-s", f"FANWEN_EXTRACT_WORKERS={n}"]


def snapshot(db: Path, base: str) -> dict:
    """Everything a crawl stored that does not depend on when it ran (no timestamps, crawl ids or response
    headers, which carry the date), with the server's address taken out of the URLs."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    base = base.rstrip("/")

    def rows(sql: str) -> list[tuple]:
        return sorted(tuple(str(v).replace(base, "BASE") if isinstance(v, str) else v for v in tuple(r))
                      for r in conn.execute(sql))

    groups: dict[int, set[str]] = {}
    for url, group in conn.execute("select url, dup_group from articles where dup_group is not null"):
        groups.setdefault(group, set()).add(url.replace(base, "BASE"))
    bodies = [(url.replace(base, "BASE"), hashlib.sha256(body or b"").hexdigest())
              for url, body in conn.execute("select url, body from pages")]
    return {
        "articles": rows("select url, site, title, published, category, author, text, char_count, truncated, "
                         "page_count, content_hash, encoding, gone_at from articles"),
        "pages": rows("select url, article_url, part, site, status, kind, encoding, size, reason from pages"),
        "bodies": sorted(bodies),
        "removals": rows("select * from removals"),
        "article_parts": rows("select * from article_parts"),
        "gone_urls": rows("select url, status from gone_urls"),
        "sites": rows("select name, title, title_from from sites"),
        "near_duplicates": sorted(sorted(g) for g in groups.values() if len(g) > 1),
        "crawl": rows("select pages, articles_new, articles_updated, articles_unchanged, rejected, dead_links, "
                      "errors, garbage, finish_reason, exit_status from crawls"),
        "error_kinds": [sorted(json.loads(kinds or "{}").items()) for (kinds,) in conn.execute(
            "select error_kinds from crawls")],  # counted as they happened: the order is the crawl's
    }


def crawl(args: list[str], db: Path, n: int) -> subprocess.CompletedProcess:
    result = fanwen("crawl", *args, "--db", str(db), *FAST, *workers(n))
    assert result.returncode in (0, 3), result.stderr[-3000:]
    return result


@pytest.mark.parametrize("site", [None, "diyifanwen"], ids=["generic-demo", "site-config"])
def test_a_pool_stores_the_same_archive_as_in_process_extraction(site_server, tmp_path, site):
    root = SITES / site if site else DEMO
    spec = json.loads((root / "_expected.json").read_text(encoding="utf-8"))
    server = site_server(root)
    start = server.url.rstrip("/") + spec.get("start_path", "/")
    args = [site, "--start-url", start] if site else ["--start-url", start]
    here, pooled = tmp_path / "here.db", tmp_path / "pooled.db"
    crawl(args, here, 0)
    expected = snapshot(here, server.url)
    for n in (1, 2):
        pooled = tmp_path / f"pooled{n}.db"
        crawl(args, pooled, n)
        check_archive(pooled, server.url, spec)
        got = snapshot(pooled, server.url)
        assert got["removals"], "the audit of removals is part of the comparison"
        for table in expected:
            assert got[table] == expected[table], (n, table)


def test_a_pool_on_a_faulty_site_archives_garbage_and_rejects_as_in_process(tmp_path):
    """Garbage bytes, login and captcha pages, HTTP errors and retries: the same pages, kinds and reasons."""
    root = tmp_path / "site"
    shutil.copytree(DEMO, root)
    spec = json.loads((root / "_expected.json").read_text(encoding="utf-8"))
    add_faults(root, [a["path"] for a in spec["articles"]], timeout_s=SLOW_PAGE_TIMEOUT, big_bytes=3 * 1024 * 1024)
    snapshots = []
    for n in (0, 1, 2):
        db = tmp_path / f"w{n}.db"
        with serve_site(root) as server:  # a fresh server: its first-hit failures happen again
            crawl(["--start-url", server.url, "-s", "FANWEN_BACKOFF_BASE=0.1"], db, n)
            snapshots.append(snapshot(db, server.url))
    here, *pooled = snapshots
    for n, got in enumerate(pooled, start=1):
        assert any(kind == "garbage" for *_, kind, _, _, _ in got["pages"])
        for table in here:
            assert got[table] == here[table], (n, table)


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (the extraction workers and multiprocessing's resource tracker)."""
    return processes(lambda entry: (entry / "stat").read_text().rsplit(")", 1)[1].split()[1] == str(pid))


def alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc")
@pytest.mark.parametrize("n", [1, 2], ids=["archive-worker", "pool"])
def test_kill_9_with_a_pool_leaves_a_sound_archive_and_no_worker_behind(tmp_path, n):
    root = tmp_path / "site"
    shutil.copytree(DEMO, root)
    spec = json.loads((root / "_expected.json").read_text(encoding="utf-8"))
    db = tmp_path / "a.db"
    with serve_site(root) as server:
        server.manifest = dataclasses.replace(server.manifest, delay_ms=150)
        args = ["crawl", "--start-url", server.url, "--db", str(db), "--quiet", *FAST,
                "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2", *workers(n)]
        proc = subprocess.Popen([sys.executable, "-m", "fanwen.cli", *args], cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while query(db, "select count(*) from articles") < [(3,)]:
            assert proc.poll() is None and time.monotonic() < deadline, "the crawl never got going"
            time.sleep(0.02)
        pool = children(proc.pid)  # the workers extracted those articles: they are running
        proc.kill()
        proc.wait()
        assert pool, "the crawl started no extraction workers"
        deadline = time.monotonic() + 10
        while any(alive(p) for p in pool) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [p for p in pool if alive(p)], "extraction workers outlived the killed crawl"
        assert_sound(db)
        stored = query(db, "select count(*) from articles")[0][0]
        assert 3 <= stored < len(spec["articles"])
        server.manifest = dataclasses.replace(server.manifest, delay_ms=0)
        again = fanwen(*args)
    assert again.returncode in (0, 3), again.stderr[-2000:]
    check_archive(db, server.url, spec)
    assert_sound(db)


@pytest.mark.parametrize("n", [1, 2], ids=["archive-worker", "pool"])
def test_ctrl_c_with_a_pool_finishes_the_documents_in_flight(tmp_path, n):
    """A graceful stop: Scrapy finishes what it fetched, the workers (which ignore SIGINT) answer it, and every
    page fetched as an article is stored with its text; the next crawl completes the archive."""
    root = tmp_path / "site"
    shutil.copytree(DEMO, root)
    spec = json.loads((root / "_expected.json").read_text(encoding="utf-8"))
    db = tmp_path / "a.db"
    with serve_site(root) as server:
        server.manifest = dataclasses.replace(server.manifest, delay_ms=150)
        args = ["crawl", "--start-url", server.url, "--db", str(db), "--quiet", *FAST,
                "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2", *workers(n)]
        proc = subprocess.Popen([sys.executable, "-m", "fanwen.cli", *args], cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True)
        deadline = time.monotonic() + 60
        while query(db, "select count(*) from articles") < [(3,)]:
            assert proc.poll() is None and time.monotonic() < deadline, "the crawl never got going"
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the crawl and its workers get it
        out, err = proc.communicate(timeout=60)
        assert "Traceback" not in err, err[-3000:]
        assert_sound(db)
        assert query(db, "select finish_reason from crawls") == [("shutdown",)]
        # Nothing half-stored: every article has its raw pages, every article page its article.
        assert query(db, "select count(*) from articles a where not exists "
                         "(select 1 from pages p where p.article_url = a.url)") == [(0,)]
        assert query(db, "select count(*) from pages p where p.kind = 'article' and not exists "
                         "(select 1 from articles a where a.url = p.article_url)") == [(0,)]
        server.manifest = dataclasses.replace(server.manifest, delay_ms=0)
        again = fanwen(*args)
    assert again.returncode in (0, 3), again.stderr[-2000:]
    check_archive(db, server.url, spec)
    assert_sound(db)


def archive_workers(crawl_pid: int) -> list[int]:
    """The crawl's archive worker processes (pipelines/archiver.py)."""
    return [p for p in children(crawl_pid)
            if b"fanwen.pipelines.archiver" in (Path("/proc") / str(p) / "cmdline").read_bytes()]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc")
def test_an_archive_worker_killed_mid_crawl_is_replaced_and_nothing_is_lost(tmp_path):
    """The documents the dead worker had not answered go to a new one: the crawl finishes the whole archive in
    one run, and counts each article once, as the archive holds it."""
    root = tmp_path / "site"
    shutil.copytree(DEMO, root)
    spec = json.loads((root / "_expected.json").read_text(encoding="utf-8"))
    db = tmp_path / "a.db"
    with serve_site(root) as server:
        server.manifest = dataclasses.replace(server.manifest, delay_ms=100)
        args = ["crawl", "--start-url", server.url, "--db", str(db), *FAST, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4",
                *workers(1)]
        proc = subprocess.Popen([sys.executable, "-m", "fanwen.cli", *args], cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while query(db, "select count(*) from articles") < [(3,)]:
            assert proc.poll() is None and time.monotonic() < deadline, "the crawl never got going"
            time.sleep(0.02)
        first = archive_workers(proc.pid)
        assert len(first) == 1, first
        os.kill(first[0], signal.SIGKILL)
        out, err = proc.communicate(timeout=120)
    assert proc.returncode in (0, 3), err[-3000:]
    assert "the archive worker died; starting a new one" in err
    assert "Traceback" not in err, err[-3000:]
    check_archive(db, server.url, spec)
    assert_sound(db)
    stored = query(db, "select count(*) from articles")[0][0]
    assert query(db, "select articles_new + articles_unchanged, exit_status from crawls") == [(stored, proc.returncode)]
    assert not [p for p in first if alive(p)]
