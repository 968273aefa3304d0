"""`fanwen backup`: a consistent, verified copy of the live archive, also while a crawl is writing it."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time

from conftest import DEMO, FAST, ROOT, fanwen

from fanwen.pipelines.migrations import SCHEMA_VERSION


def check_copy(path) -> int:
    """The copy passes integrity_check and its search index is in step with its articles; returns articles."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        articles = conn.execute("select count(*) from articles").fetchone()[0]
        assert conn.execute("select count(*) from articles_fts_docsize").fetchone()[0] == articles
        pages = conn.execute("select count(*) from pages where kind = 'article'").fetchone()[0]
        assert pages >= articles
        return articles
    finally:
        conn.close()


def test_backup_during_a_crawl_is_consistent(site_server, tmp_path):
    site_root = tmp_path / "site"
    shutil.copytree(DEMO, site_root)
    manifest = site_root / "_site.toml"
    manifest.write_text("delay_ms = 150\n" + manifest.read_text(encoding="utf-8"), encoding="utf-8")
    site = site_server(site_root)
    db = tmp_path / "fanwen.db"
    crawl = subprocess.Popen([sys.executable, "-m", "fanwen.cli", "crawl", "--start-url", site.url, "--db", str(db),
                              "--quiet", *FAST, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2"],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    during = []
    try:
        n = 0
        while crawl.poll() is None:
            if not db.exists() or sqlite3.connect(db).execute(
                    "select count(*) from sqlite_master where name = 'articles'").fetchone()[0] == 0:
                time.sleep(0.05)
                continue
            n += 1
            copy = tmp_path / f"copy{n}.db"
            result = fanwen("backup", "--db", str(db), str(copy))
            assert result.returncode == 0, result.stderr
            assert result.stdout.startswith(f"backed up {db} to {copy}: ") and "integrity ok" in result.stdout
            if crawl.poll() is None:  # the crawl was still writing when the copy was finished
                during.append(check_copy(copy))
    finally:
        out, err = crawl.communicate(timeout=120)
    assert crawl.returncode in (0, 3), err
    assert len(during) >= 2, "no backup finished while the crawl was running"
    final = sqlite3.connect(db).execute("select count(*) from articles").fetchone()[0]
    assert during == sorted(during) and during[-1] <= final and final == 30


def test_backup_into_a_directory_and_refusals(tmp_path):
    db = tmp_path / "fanwen.db"
    shutil.copy(ROOT / "tests" / "archives" / "fanwen-0.1.0.db", db)
    out = tmp_path / "backups"
    out.mkdir()
    result = fanwen("backup", "--db", str(db), str(out))
    assert result.returncode == 0, result.stderr
    (copy,) = out.glob("fanwen-*.db")
    assert check_copy(copy) == 30
    assert f"30 articles, schema {SCHEMA_VERSION}" in result.stdout

    result = fanwen("backup", "--db", str(db), str(copy))
    assert result.returncode == 2 and result.stderr == f"Error: {copy} already exists: choose another name " \
                                                       "(a backup never overwrites a file)\n"
    result = fanwen("backup", "--db", str(tmp_path / "missing.db"), str(tmp_path / "x.db"))
    assert result.returncode == 1 and result.stderr.startswith("Error: database") and "does not exist" in result.stderr
    assert not (tmp_path / "x.db").exists() and not list(out.glob(".*partial"))
