"""A full disk stops the crawl with one clear line and leaves what was archived intact."""

import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path

import pytest
from conftest import DEMO, FAST, fanwen

pytestmark = pytest.mark.slow


@pytest.fixture
def small_disk():
    """A 1 MB tmpfs: the archive of the demo site needs several times that."""
    mount = Path("/tmp") / f"fanwen-full-{uuid.uuid4().hex[:8]}"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        mount.rmdir()
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)
    shutil.rmtree(mount, ignore_errors=True)


def test_full_disk_stops_the_crawl_and_keeps_the_archive(site_server, small_disk):
    server = site_server(DEMO)
    db = small_disk / "fanwen.db"
    result = fanwen("crawl", "--start-url", server.url, "--db", str(db), "--quiet", *FAST,
                    "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
    assert result.returncode == 1, result.stderr[-2000:]
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "is full" in errors[0] and "intact" in errors[0], result.stderr[-2000:]
    assert "Traceback" not in result.stderr

    conn = sqlite3.connect(db)
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    stored = conn.execute("select count(*) from articles").fetchone()[0]
    assert stored > 0
    # Every stored article is whole: its raw pages are there too (one transaction per document).
    orphans = conn.execute("select count(*) from articles a where not exists "
                           "(select 1 from pages p where p.article_url = a.url)").fetchone()[0]
    assert orphans == 0
    assert len(server.requests) < 117  # it stopped instead of crawling on without storing
