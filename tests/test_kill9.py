"""kill -9 in the middle of a crawl, a re-clean and an export, then the same command again: the archive ends
complete, `PRAGMA integrity_check` is ok, nothing is doubled, the killed crawl is marked in `crawls`, and a
killed export leaves no partial file. The commands run as real child processes killed with SIGKILL."""

from __future__ import annotations

import csv
import dataclasses
import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import DEMO, FAST, ROOT, fanwen, processes
from test_crawl import check_archive

from fanwen.faultsite import essay_html
from fanwen.pipelines.records import Document, Extraction, Fetched
from fanwen.pipelines.store import open_db, save_pages, upsert_article
from fanwen.siteserver import serve_site

pytestmark = pytest.mark.slow

OLD_TEXT = "旧的正文，等待重新清洗。"


def processes_naming(text: str) -> list[int]:
    """Pids of the processes whose command line contains `text`."""
    return processes(lambda entry: text in (entry / "cmdline").read_bytes().decode(errors="replace"))


def run_until(args: list[str], ready: Callable[[], bool], limit: float = 60) -> subprocess.Popen:
    """Start the CLI, wait until `ready()` says it is in the middle of its work, then SIGKILL it."""
    proc = subprocess.Popen([sys.executable, "-m", "fanwen.cli", *args], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + limit
    try:
        while not ready():
            assert proc.poll() is None, "the command finished before it could be killed"
            assert time.monotonic() < deadline, "the command never got going"
            time.sleep(0.02)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    return proc


def query(db: Path, sql: str) -> list[tuple]:
    if not db.exists():
        return []
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
    try:
        return conn.execute(sql).fetchall()
    except sqlite3.OperationalError:  # tables not created yet
        return []
    finally:
        conn.close()


def assert_sound(db: Path) -> None:
    assert query(db, "pragma integrity_check") == [("ok",)]
    parts = "article_url, ordinal"
    for table, key in (("pages", "url"), ("removals", parts), ("article_parts", parts)):
        assert query(db, f"select {key}, count(*) from {table} group by {key} having count(*) > 1") == [], table


def test_kill_9_during_a_crawl_then_the_same_command_completes_the_archive(tmp_path):
    root = tmp_path / "site"
    shutil.copytree(DEMO, root)
    spec = json.loads((root / "_expected.json").read_text(encoding="utf-8"))
    db = tmp_path / "a.db"
    with serve_site(root) as server:
        # Slow enough to be caught half-way: 150 ms a page, two at a time.
        server.manifest = dataclasses.replace(server.manifest, delay_ms=150)
        args = ["crawl", "--start-url", server.url, "--db", str(db), "--quiet", *FAST,
                "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2"]
        run_until(args, lambda: query(db, "select count(*) from articles") >= [(3,)])
        stored = query(db, "select count(*) from articles")[0][0]
        assert 3 <= stored < len(spec["articles"])
        assert query(db, "select finished from crawls") == [(None,)]  # the killed run never closed its row
        server.manifest = dataclasses.replace(server.manifest, delay_ms=0)
        again = fanwen(*args)
    assert again.returncode in (0, 3), again.stderr[-2000:]
    check_archive(db, server.url, spec)  # every article once, nothing that is not one
    assert_sound(db)
    assert query(db, "select finish_reason, exit_status from crawls order by id") == [("abandoned", 1),
                                                                                       ("finished", again.returncode)]
    assert query(db, "select skipped from crawls where id = 2")[0][0] > 0  # known articles not fetched again
    assert query(db, "select count(*) from revisions") == [(0,)]


def archive_to_reclean(db: Path, count: int) -> None:
    """Articles whose stored text is stale: `reclean` must re-derive each from its raw page."""
    conn = open_db(db)
    with conn.atomic():
        for i in range(count):
            url = f"http://127.0.0.1:8000/fanwen/{i}.html"
            doc = Document(url, "demo", [Fetched(url, 200, {"Content-Type": "text/html; charset=utf-8"},
                                                 essay_html(i).encode("utf-8"), "utf-8", "2026-11-30T00:00:00Z")])
            save_pages(conn, doc, "article", None)
            upsert_article(conn, doc, Extraction(kind="article", title="旧标题", text=OLD_TEXT), None)
    conn.close()


def test_kill_9_during_reclean_then_the_same_command_finishes_it(tmp_path):
    db = tmp_path / "a.db"
    total = 400
    archive_to_reclean(db, total)
    args = ["reclean", "--db", str(db)]
    done = f"select count(*) from articles where text != '{OLD_TEXT}'"
    run_until(args, lambda: query(db, done)[0][0] >= 10)
    halfway = query(db, done)[0][0]
    assert 10 <= halfway < total
    # Its worker processes (forked: the same command line) leave once their parent is gone.
    deadline = time.monotonic() + 15
    while (left := processes_naming(str(db))) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left, f"reclean workers outlived the killed reclean: {left}"
    again = fanwen(*args)
    assert again.returncode == 0, again.stderr
    assert query(db, done) == [(total,)] and query(db, "select count(*) from articles") == [(total,)]
    assert query(db, "select count(*) from articles where title = '旧标题'") == [(0,)]
    # It went on from where the killed run stopped (reclean resumes), or at worst re-did it unchanged.
    assert "resumed after" in again.stdout or f"{halfway} unchanged" in again.stdout, again.stdout
    assert_sound(db)


def test_kill_9_during_an_export_leaves_no_partial_file(tmp_path):
    db = tmp_path / "a.db"
    rows = 1500
    text = "这是一篇用来导出的范文。" * 800  # 9,600 characters: the export takes a while to write
    conn = open_db(db)
    with conn.atomic():
        conn.conn.executemany("insert into articles (url, site, title, text) values (?, 'demo', ?, ?)",
                              [(f"http://h/{i}.html", f"第{i}篇", text) for i in range(rows)])
    conn.close()
    out = tmp_path / "out" / "范文.csv"
    out.parent.mkdir()
    args = ["export", "--db", str(db), "-o", str(out)]

    def writing() -> bool:
        return any(p.stat().st_size > 1_000_000 for p in out.parent.glob("*.part"))

    run_until(args, writing)
    assert not out.exists()  # the target appears only complete
    again = fanwen(*args)
    assert again.returncode == 0, again.stderr
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # the killed export's temp file is gone too
    with out.open(encoding="utf-8-sig", newline="") as f:
        assert sum(1 for _ in csv.DictReader(f)) == rows
