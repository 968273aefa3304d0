"""The single-crawl lock: a second crawl on the same database exits at once with status 4 and one line
(fanwen crawl and scrapy crawl alike); a lock left by a killed run never blocks the next one."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FAST, ROOT, SITES, fanwen

from fanwen.crawler.lock import acquire_crawl_lock, lock_path, release_crawl_lock
from fanwen.errors import StoreLocked

HOLD = ("import sys, time; from fanwen.crawler.lock import acquire_crawl_lock; "
        "acquire_crawl_lock(sys.argv[1], 'fanwen crawl ruiwen'); print('held', flush=True); time.sleep(60)")


def hold_lock(db: Path) -> subprocess.Popen:
    """Another process holding the crawl lock, as a running crawl would."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(db)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_lock_is_exclusive_between_processes_and_names_the_holder(tmp_path):
    db = tmp_path / "a.db"
    holder = hold_lock(db)
    try:
        with pytest.raises(StoreLocked) as info:
            acquire_crawl_lock(db, "fanwen crawl diyifanwen")
        message = str(info.value)
        assert f"pid {holder.pid}" in message and "fanwen crawl ruiwen" in message and "\n" not in message
        assert StoreLocked.exit_code == 4
    finally:
        holder.kill()
        holder.wait()
    acquire_crawl_lock(db, "fanwen crawl diyifanwen")  # the dead holder's lock went with it
    release_crawl_lock(db)


def test_lock_is_reentrant_within_one_process(tmp_path):
    db = tmp_path / "a.db"
    acquire_crawl_lock(db, "spider one")
    acquire_crawl_lock(db, "spider two")
    release_crawl_lock(db)
    probe = subprocess.run([sys.executable, "-c", HOLD.replace("time.sleep(60)", "pass"), str(db)],
                           capture_output=True, text=True, cwd=ROOT)
    assert probe.returncode != 0 and "StoreLocked" in probe.stderr  # still held by the second user
    release_crawl_lock(db)
    probe = subprocess.run([sys.executable, "-c", HOLD.replace("time.sleep(60)", "pass"), str(db)],
                           capture_output=True, text=True, cwd=ROOT)
    assert probe.returncode == 0


@pytest.mark.slow
def test_second_fanwen_crawl_exits_4_with_one_line_and_touches_nothing(site_server, tmp_path):
    server = site_server(SITES / "diyifanwen")
    db = tmp_path / "a.db"
    holder = hold_lock(db)
    try:
        result = fanwen("crawl", "--start-url", server.url, "--db", str(db), *FAST)
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 4
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: another crawl is writing to {db}")
    assert server.requests == []
    assert sqlite3.connect(db).execute("select count(*) from crawls").fetchone()[0] == 0


@pytest.mark.slow
def test_second_scrapy_crawl_exits_4_and_is_recorded_as_locked(site_server, tmp_path):
    server = site_server(SITES / "diyifanwen")
    db = tmp_path / "a.db"
    holder = hold_lock(db)
    try:
        result = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "generic", "-a", f"start_url={server.url}",
                                 "-s", f"FANWEN_DB={db}", *FAST, "-s", "LOG_LEVEL=ERROR"],
                                cwd=ROOT, capture_output=True, text=True, timeout=120)
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 4, result.stderr[-2000:]
    errors = [line for line in result.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1 and "another crawl is writing to" in errors[0]
    assert server.requests == []
    row = sqlite3.connect(db).execute("select finish_reason, exit_status, pages from crawls").fetchone()
    assert row == ("locked", 4, 0)


@pytest.mark.slow
def test_a_killed_crawl_leaves_no_blocking_lock_and_its_row_is_closed(site_server, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(SITES / "diyifanwen", site)
    with (site / "_site.toml").open("a", encoding="utf-8") as f:
        f.write('\n[paths."/fanwen/"]\ndescription = "slow, so the crawl is still running when killed"\n'
                "delay_ms = 20000\n")
    server = site_server(site)
    db = tmp_path / "a.db"
    victim = subprocess.Popen([sys.executable, "-m", "fanwen.cli", "crawl", "--start-url", server.url,
                               "--db", str(db), *FAST], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not any(path == "/fanwen/gongzuozongjie/" for _, path, _ in server.requests):
            assert time.monotonic() < deadline and victim.poll() is None
            time.sleep(0.1)
        assert str(victim.pid) in lock_path(db).read_text(encoding="utf-8")
    finally:
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait()
    healthy = site_server(SITES / "diyifanwen")
    result = fanwen("crawl", "--start-url", healthy.url, "--db", str(db), *FAST)
    assert result.returncode in (0, 3), result.stderr[-2000:]
    rows = sqlite3.connect(db).execute("select finish_reason, exit_status from crawls order by id").fetchall()
    assert rows[0] == ("abandoned", 1) and rows[1][0] == "finished"
