"""Bad input gets a one-line error, a documented exit status, and loses nothing already archived."""

import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

from conftest import FAST, ROOT, fanwen

from fanwen.pipelines.records import Document, Extraction, Fetched
from fanwen.pipelines.store import open_db, upsert_article


def archive_with_one_article(path):
    db = open_db(path)
    doc = Document("http://h/a/1.html", "demo", [Fetched("http://h/a/1.html", 200, {}, b"<p>x</p>", "utf-8", "t")])
    upsert_article(db, doc, Extraction(kind="article", title="标题", text="正文第一段。"), 1)
    db.close()


def count(path) -> int:
    return sqlite3.connect(path).execute("select count(*) from articles").fetchone()[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Error:")]
    assert len(errors) == 1, stderr
    assert "Traceback" not in stderr
    return errors[0]


def test_unreachable_start_url(tmp_path):
    db = tmp_path / "a.db"
    archive_with_one_article(db)
    url = f"http://127.0.0.1:{free_port()}/"
    result = fanwen("crawl", "--start-url", url, "--db", str(db), "--quiet", *FAST, "-s", "RETRY_TIMES=0")
    assert result.returncode == 1
    line = one_error_line(result.stderr)
    assert "could not fetch the start page" in line and url in line
    assert count(db) == 1


def broken_sites_dir(tmp_path) -> Path:
    """A directory holding one site config whose article URL pattern is not a regex."""
    sites = tmp_path / "sites"
    sites.mkdir()
    (sites / "broken.toml").write_text('name = "broken"\ntitle = "x"\nstart_urls = ["http://h/"]\n'
                                       'allowed_hosts = ["h"]\narticle_urls = ["(unclosed"]\n[source]\n',
                                       encoding="utf-8")
    return sites


def test_malformed_site_config(tmp_path):
    db = tmp_path / "a.db"
    archive_with_one_article(db)
    sites = broken_sites_dir(tmp_path)
    result = fanwen("crawl", "broken", "--sites-dir", str(sites), "--db", str(db))
    assert result.returncode == 2
    line = one_error_line(result.stderr)
    assert "broken.toml" in line and "article_urls[0]" in line
    assert count(db) == 1


def test_unwritable_db(tmp_path):
    # A directory where the file should be: unusable even for root.
    target = tmp_path / "a.db"
    target.mkdir()
    result = fanwen("crawl", "--start-url", "http://127.0.0.1:9/", "--db", str(target))
    assert result.returncode == 1
    assert "cannot use database" in one_error_line(result.stderr)


def test_unknown_site_is_usage_error(tmp_path):
    result = fanwen("crawl", "no-such-site", "--db", str(tmp_path / "a.db"))
    assert result.returncode == 2 and "unknown site 'no-such-site'" in one_error_line(result.stderr)


def test_bad_setting_override(tmp_path):
    result = fanwen("crawl", "--start-url", "http://127.0.0.1:9/", "-s", "NOEQUALS", "--db", str(tmp_path / "a.db"))
    assert result.returncode == 2 and "NAME=VALUE" in one_error_line(result.stderr)


def test_every_command_has_help():
    for command in ["crawl", "extract", "serve", "export", "reclean", "demo", "sites"]:
        result = fanwen(command, "--help")
        assert result.returncode == 0 and "Usage: fanwen" in result.stdout, command


def scrapy_crawl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scrapy", "crawl", *args], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)


def test_scrapy_crawl_bad_input_is_one_line_before_scrapy_starts(tmp_path):
    db = tmp_path / "a.db"
    archive_with_one_article(db)
    sites = broken_sites_dir(tmp_path)
    directory = tmp_path / "dir.db"
    directory.mkdir()
    for args, status, words in (
        (["broken", "-s", f"FANWEN_SITES_DIRS={sites}", "-s", f"FANWEN_DB={db}"], 2, "broken.toml"),
        (["no-such-site", "-s", f"FANWEN_DB={db}"], 2, "unknown spider 'no-such-site'"),
        (["generic", "-a", "start_url=http://127.0.0.1:9/", "-s", f"FANWEN_DB={directory}"], 1,
         "cannot use database"),
    ):
        result = scrapy_crawl(*args)
        assert result.returncode == status, (args, result.stderr)
        assert result.stderr.strip() == one_error_line(result.stderr), args  # nothing from Scrapy's log
        assert words in result.stderr, (args, result.stderr)
    assert count(db) == 1
