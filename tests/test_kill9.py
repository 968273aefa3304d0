"""kill -9 in the middle of a crawl, a re-clean and an export, then the same command again: the archive ends
complete, `PRAGMA integrity_check` is ok, nothing is doubled, the killed crawl is marked in `crawls`, and a
killed export leaves no partial file (nor a stopped one: SIGTERM, SIGINT). The commands run as real child processes
killed with real signals."""

from __future__ import annotations

import csv
import dataclasses
import fcntl
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
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


def run_until(args: list[str], ready: Callable[[], bool], limit: float = 60,
              sig: int = signal.SIGKILL) -> tuple[int, str]:
    """Start the CLI, wait until `ready()` says it is in the middle of its work, then send it `sig` (SIGKILL
    unless told); returns its exit status and what it wrote on stderr."""
    with tempfile.TemporaryFile() as stderr:
        # A suite started as a background job of a script inherits SIGINT ignored (the shell's rule for
        # background jobs), and Python keeps it so: the command must get Ctrl-C as a terminal gives it.
        proc = subprocess.Popen([sys.executable, "-m", "fanwen.cli", *args], cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=stderr, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        deadline = time.monotonic() + limit
        try:
            while not ready():
                assert proc.poll() is None, "the command finished before it could be stopped"
                assert time.monotonic() < deadline, "the command never got going"
                time.sleep(0.02)
        finally:
            proc.send_signal(sig)
            proc.wait(timeout=60)
        stderr.seek(0)
        said = stderr.read().decode("utf-8", errors="replace")
    if sig == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
    return proc.returncode, said


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


def archive_to_export(db: Path, rows: int = 1500) -> None:
    """An archive whose export takes a while to write (9,600 characters a row)."""
    text = "这是一篇用来导出的范文。" * 800
    conn = open_db(db)
    with conn.atomic():
        conn.conn.executemany("insert into articles (url, site, title, text) values (?, 'demo', ?, ?)",
                              [(f"http://h/{i}.html", f"第{i}篇", text) for i in range(rows)])
    conn.close()


def export_writing(out: Path) -> Callable[[], bool]:
    """True once an export to `out` has written a good part of its temp file."""
    return lambda: any(p.stat().st_size > 1_000_000 for p in out.parent.glob("*.part"))


def assert_complete_csv(out: Path, rows: int) -> None:
    with out.open(encoding="utf-8-sig", newline="") as f:
        assert sum(1 for _ in csv.DictReader(f)) == rows


def test_kill_9_during_an_export_leaves_no_partial_file(tmp_path):
    db = tmp_path / "a.db"
    archive_to_export(db)
    out = tmp_path / "out" / "范文.csv"
    out.parent.mkdir()
    args = ["export", "--db", str(db), "-o", str(out)]
    run_until(args, export_writing(out))
    assert not out.exists()  # the target appears only complete
    [stale] = out.parent.glob("*.part")
    # A restarted machine or a container gives pids out again: the dead export's pid may now be a live
    # process's (pid 1, this test's), even the next export's own. Such a temp file is dead all the same.
    for pid in (1, os.getpid()):
        shutil.copy(stale, out.parent / f".{out.name}.{pid}.stale.part")
    live = out.parent / f".{out.name}.{os.getpid()}.live.part"  # a running export's, which holds its lock
    held = os.open(live, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(held, fcntl.LOCK_EX)
        again = fanwen(*args)
        assert again.returncode == 0, again.stderr
        # The killed exports' temp files are gone, the running one's is not.
        assert sorted(p.name for p in out.parent.iterdir()) == sorted([out.name, live.name])
    finally:
        os.close(held)
    assert_complete_csv(out, 1500)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
@pytest.mark.parametrize("command", ["export", "warc"])
def test_a_stopped_export_removes_its_temp_file_and_leaves_the_target_as_it_was(tmp_path, sig, command):
    db = tmp_path / "a.db"
    archive_to_export(db)
    if command == "warc":  # raw pages to write: the same text stored as each article's page
        conn = open_db(db)
        body = ("<p>" + "这是一篇用来导出的范文。" * 800 + "</p>").encode("utf-8")
        with conn.atomic():
            for i in range(1500):
                url = f"http://h/{i}.html"
                save_pages(conn, Document(url, "demo", [Fetched(url, 200, {}, body, "utf-8", "2026-12-01T00:00:00Z")]),
                           "article", None)
        conn.close()
    out = tmp_path / "out" / ("范文.csv" if command == "export" else "pages.warc")  # not gzipped: it grows fast
    out.parent.mkdir()
    out.write_bytes(b"the previous export")
    status, stderr = run_until([command, "--db", str(db), "-o", str(out)], export_writing(out), sig=sig)
    assert status == 1, stderr
    assert stderr == f"Error: interrupted; {out} was left as it was\n"
    assert out.read_bytes() == b"the previous export"
    assert [p.name for p in out.parent.iterdir()] == [out.name]
