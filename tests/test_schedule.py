"""Scheduling recipes: the printed crontab line and systemd units are valid and, when run, crawl once and
refuse to overlap (exit status 4)."""

from __future__ import annotations

import configparser
import shlex
import shutil
import sqlite3
import subprocess
import time

import pytest
from conftest import FAST, ROOT, SITES, fanwen

from fanwen.crawler.schedule import Job, cron_line, systemd_units
from fanwen.errors import UsageError


def test_cron_line_is_daily_at_the_given_time_and_guarded_by_flock(tmp_path):
    line = cron_line(Job(sites=("ruiwen",), start_urls=(), db=tmp_path / "a.db", at="02:05", workdir=tmp_path))
    fields = line.split(" ", 5)
    assert fields[:5] == ["5", "2", "*", "*", "*"]
    command = shlex.split(fields[5].split(" && ", 1)[1])
    assert command[1:5] == ["-n", "-E", "4", f"{tmp_path / 'a.db'}.schedule.lock"]
    assert command[6:] == ["crawl", "--quiet", "--db", str(tmp_path / "a.db"), "ruiwen"]


@pytest.mark.parametrize("bad", ["3:60", "24:00", "0317", "noon"])
def test_bad_time_is_a_usage_error(bad, tmp_path):
    with pytest.raises(UsageError, match="expected HH:MM"):
        Job(sites=("ruiwen",), start_urls=(), db=tmp_path / "a.db", at=bad)


def test_schedule_command_rejects_a_malformed_setting():
    result = fanwen("schedule", "ruiwen", "-s", "DOWNLOAD_DELAY")
    assert result.returncode == 2 and result.stderr.strip().endswith("expected NAME=VALUE")


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("flock") is None, reason="flock(1) (util-linux) is not installed")
def test_cron_command_crawls_and_a_second_one_exits_4(site_server, tmp_path):
    server = site_server(SITES / "diyifanwen")
    db = tmp_path / "a.db"
    result = fanwen("schedule", "--start-url", server.url, "--db", str(db), *FAST)
    assert result.returncode == 0, result.stderr
    line = result.stdout.strip()
    command = line.split(" ", 5)[5]  # what cron hands to /bin/sh
    run = subprocess.run(["/bin/sh", "-c", command], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout == ""  # --quiet: a healthy run prints nothing, so cron mails nothing
    conn = sqlite3.connect(db)
    assert conn.execute("select count(*) from articles").fetchone()[0] == 7
    # The previous run is "still going": it holds the schedule lock.
    with subprocess.Popen(["flock", f"{db}.schedule.lock", "sleep", "30"]) as holder:
        try:
            for _ in range(100):
                if subprocess.run(["flock", "-n", f"{db}.schedule.lock", "true"]).returncode:
                    break
                time.sleep(0.05)
            before = len(server.requests)
            overlap = subprocess.run(["/bin/sh", "-c", command], capture_output=True, text=True, timeout=60)
            assert overlap.returncode == 4
            assert len(server.requests) == before
        finally:
            holder.kill()
    assert conn.execute("select count(*) from crawls").fetchone()[0] == 1


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_units_verify(tmp_path):
    result = fanwen("schedule", "--systemd", "ruiwen", "--db", str(tmp_path / "a.db"), "--at", "04:30",
                    "--out", str(tmp_path / "units"))
    assert result.returncode == 0, result.stderr
    service, timer = tmp_path / "units" / "fanwen-crawl.service", tmp_path / "units" / "fanwen-crawl.timer"
    verify = subprocess.run(["systemd-analyze", "verify", str(service), str(timer)], capture_output=True,
                            text=True, cwd=ROOT)
    assert verify.returncode == 0, verify.stderr
    parsed = configparser.ConfigParser(interpolation=None)
    parsed.read(timer)
    assert parsed["Timer"]["OnCalendar"] == "*-*-* 04:30:00"
    parsed.read(service)
    exec_start = shlex.split(parsed["Service"]["ExecStart"])
    assert exec_start[-5:] == ["crawl", "--quiet", "--db", str(tmp_path / "a.db"), "ruiwen"]


def test_systemd_units_name_both_files(tmp_path):
    units = systemd_units(Job(sites=(), start_urls=("http://127.0.0.1:1/",), db=tmp_path / "a.db"), name="x")
    assert set(units) == {"x.service", "x.timer"}
    assert "Persistent=true" in units["x.timer"] and "Type=oneshot" in units["x.service"]
