"""Scrapyd, for real: start a Scrapyd on 127.0.0.1 (with the project's runner, docs/scheduling.md), deploy the
project with scrapyd-deploy (an egg built from the sources, as a user would), schedule a crawl of a local
fixture site through schedule.json, and find the articles in the database; a job started while another
crawl holds the database's lock is refused."""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT, SITES

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
if not (BIN / "scrapyd").exists() or not (BIN / "scrapyd-deploy").exists():
    pytest.skip("scrapyd / scrapyd-client are not installed (pip install -e '.[dev]')", allow_module_level=True)

PROJECT_FILES = ["pyproject.toml", "setup.py", "README.md", "fanwen", "crawler", "pipelines", "browse", "data"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(base: str, endpoint: str, data: list[tuple[str, str]] | None = None) -> dict:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(base + endpoint, data=body, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture
def scrapyd(tmp_path: Path):
    port = free_port()
    home = tmp_path / "scrapyd"
    home.mkdir()
    (home / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\neggs_dir = {home / 'eggs'}\n"
        f"logs_dir = {home / 'logs'}\ndbs_dir = {home / 'dbs'}\nitems_dir =\nmax_proc = 2\npoll_interval = 0.2\n"
        "runner = fanwen.crawler.scrapyd_runner\n",
        encoding="utf-8")
    proc = subprocess.Popen([str(BIN / "scrapyd")], cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 30
    while True:
        try:
            api(base, "daemonstatus.json")
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"scrapyd did not start: {proc.stderr.read().decode()[-2000:]}")
            time.sleep(0.2)
    yield base, home
    proc.terminate()
    proc.wait(timeout=10)


def deploy(base: str, tmp_path: Path) -> None:
    """scrapyd-deploy from a copy of the sources (it writes setup.py and build/ next to scrapy.cfg)."""
    project = tmp_path / "project"
    project.mkdir()
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("__pycache__", "*.db"))
        else:
            shutil.copy(source, project / name)
    cfg = (ROOT / "scrapy.cfg").read_text(encoding="utf-8").replace("http://localhost:6800/", base)
    (project / "scrapy.cfg").write_text(cfg, encoding="utf-8")
    result = subprocess.run([str(BIN / "scrapyd-deploy"), "-p", "fanwen", "--version", "1"], cwd=project,
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0 and '"status": "ok"' in result.stdout, result.stdout + result.stderr


def wait_finished(base: str, job: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = api(base, "listjobs.json?project=fanwen")
        if any(j["id"] == job for j in jobs["finished"]):
            return
        time.sleep(0.3)
    pytest.fail(f"job {job} did not finish: {jobs}")


def schedule(base: str, db: Path, start_url: str, *settings: str) -> str:
    data = [("project", "fanwen"), ("spider", "generic"), ("start_url", start_url),
            ("setting", f"FANWEN_DB={db}"), ("setting", "DOWNLOAD_DELAY=0"), ("setting", "AUTOTHROTTLE_ENABLED=False")]
    data += [("setting", s) for s in settings]
    answer = api(base, "schedule.json", data)
    assert answer["status"] == "ok", answer
    return answer["jobid"]


def test_scrapyd_deploy_schedule_and_no_overlap(scrapyd, site_server, tmp_path):
    base, home = scrapyd
    deploy(base, tmp_path)
    assert "generic" in api(base, "listspiders.json?project=fanwen")["spiders"]
    server = site_server(SITES / "diyifanwen")
    db = tmp_path / "archive.db"

    job = schedule(base, db, server.url)
    wait_finished(base, job)
    conn = sqlite3.connect(db)
    expected = json.loads((SITES / "diyifanwen" / "_expected.json").read_text(encoding="utf-8"))
    urls = {u for (u,) in conn.execute("select url from articles")}
    assert {server.url.rstrip("/") + a["path"] for a in expected["articles"]} <= urls
    assert conn.execute("select command, exit_status from crawls").fetchall() == [
        (conn.execute("select command from crawls").fetchone()[0], 0)]

    # A job started while another crawl holds the database's lock is refused, and recorded as such.
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time;"
                               " from fanwen.crawler.lock import acquire_crawl_lock;"
                               " acquire_crawl_lock(sys.argv[1], 'fanwen crawl'); print('held', flush=True);"
                               " time.sleep(60)", str(db)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert holder.stdout.readline().strip() == "held"
        refused = schedule(base, db, server.url)
        wait_finished(base, refused)
    finally:
        holder.kill()
        holder.wait()
    assert conn.execute("select finish_reason, exit_status from crawls order by id desc").fetchone() == ("locked", 4)
    log = next((home / "logs" / "fanwen" / "generic").glob(f"{refused}.log")).read_text(encoding="utf-8")
    assert "another crawl is writing to" in log
