"""`fanwen reclean` on every core: the same result as the serial path, progress, and resuming after kill -9.

The archive holds the fixture sites' real article pages stored raw under many URLs, with a stale text,
so every reclean really extracts and rewrites every article.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from conftest import fanwen
from test_search_corpus import index_entries, rebuilt_index_entries

from fanwen.pipelines.records import Document, Extraction, Fetched
from fanwen.pipelines.store import open_db, save_pages, upsert_article

pytestmark = pytest.mark.slow

SITES = Path(__file__).parent / "sites"
ARTICLES = 1200
STALE = "旧文本，等待重新清洗。"


def article_pages() -> list[tuple[str, bytes, str]]:
    """(site, raw bytes, charset) of every fixture article page (first pages only)."""
    out = []
    for site_dir in sorted(p for p in SITES.iterdir() if (p / "_site.toml").exists()):
        charset = tomllib.loads((site_dir / "_site.toml").read_text(encoding="utf-8")).get("charset", "utf-8")
        for page in sorted(site_dir.rglob("*.html")):
            if page.stem.isdigit():
                out.append((site_dir.name, page.read_bytes(), charset))
    return out


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("reclean") / "stale.db"
    pages = article_pages()
    assert len(pages) >= 10
    db = open_db(path)
    with db.atomic():
        for i in range(ARTICLES):
            site, body, charset = pages[i % len(pages)]
            url = f"https://www.{site}.com/fanwen/{i}.html"
            headers = {"Content-Type": f"text/html; charset={charset}"}
            doc = Document(url=url, site=site,
                           parts=[Fetched(url, 200, headers, body, charset, "2026-11-01T00:00:00Z")])
            save_pages(db, doc, "article", None)
            upsert_article(db, doc, Extraction(kind="article", title=f"旧标题{i}", text=STALE), None)
    db.close()
    return path


def copy_of(archive: Path, name: str) -> Path:
    target = archive.with_name(name)
    shutil.copyfile(archive, target)
    return target


def contents(path: Path) -> tuple[list, list]:
    conn = sqlite3.connect(path)
    try:
        articles = conn.execute("select url, title, published, category, text, content_hash, truncated, char_count,"
                                " dup_group from articles order by url").fetchall()
        removals = conn.execute("select * from removals order by article_url, ordinal").fetchall()
        return articles, removals
    finally:
        conn.close()


@pytest.fixture(scope="module")
def serial(archive) -> Path:
    path = copy_of(archive, "serial.db")
    result = fanwen("reclean", "--db", str(path), "--workers", "1", timeout=600)
    assert result.returncode == 0, result.stderr
    assert "1 worker" in result.stdout and f"{ARTICLES:,} articles in" in result.stdout
    return path


def test_parallel_reclean_writes_exactly_what_the_serial_one_writes(archive, serial):
    path = copy_of(archive, "parallel.db")
    result = fanwen("reclean", "--db", str(path), "--workers", "2", "--progress", timeout=600)
    assert result.returncode == 0, result.stderr
    assert "2 workers" in result.stdout and "updated" in result.stdout
    assert re.search(r"reclean: [0-9,]+ articles \([0-9,]+/s\)", result.stderr), result.stderr  # with a rate
    articles, removals = contents(path)
    assert (articles, removals) == contents(serial)
    assert all(STALE not in text for *_, text, _, _, _, _ in articles) and removals
    assert sum(group is not None for *_, group in articles) > ARTICLES / 2  # the fixture pages, copied
    # The pool workers made the index tokens the writer's triggers used: the index must be exactly what the
    # new texts give, and the serial run's.
    assert index_entries(path) == rebuilt_index_entries(path) == index_entries(serial)
    assert index_entries(path) != index_entries(archive)


def test_reclean_killed_with_sigkill_resumes_after_its_last_committed_batch(archive, serial):
    path = copy_of(archive, "killed.db")
    command = [str(Path(sys.executable).with_name("fanwen")), "reclean", "--db", str(path), "--workers", "2"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    done, deadline = 0, time.monotonic() + 300
    conn = sqlite3.connect(path, timeout=30)
    while time.monotonic() < deadline and proc.poll() is None:
        row = conn.execute("select done, last_rowid from reclean_runs").fetchone() if conn.execute(
            "select 1 from sqlite_master where name = 'reclean_runs'").fetchone() else None
        if row and row[0]:
            os.killpg(proc.pid, signal.SIGKILL)  # the writer and its workers, mid-run
            break
        time.sleep(0.01)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    done, last_rowid = conn.execute("select done, last_rowid from reclean_runs").fetchone()
    assert 0 < done < ARTICLES
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    # Committed with the progress row: every article up to last_rowid is clean, none after it yet.
    stale = [rowid for (rowid,) in conn.execute("select rowid from articles where text = ?", [STALE])]
    assert stale and min(stale) > last_rowid
    conn.close()

    result = fanwen("reclean", "--db", str(path), "--workers", "2", timeout=600)
    assert result.returncode == 0, result.stderr
    assert f"resumed after {done:,}" in result.stdout
    assert f"{ARTICLES - done:,} articles in" in result.stdout
    assert contents(path) == contents(serial)
    assert index_entries(path) == index_entries(serial)
    conn = sqlite3.connect(path)
    assert conn.execute("select count(*) from reclean_runs where finished is null").fetchone()[0] == 0
    conn.close()


def test_a_finished_run_is_not_resumed(serial):
    result = fanwen("reclean", "--db", str(serial), "--workers", "2", timeout=600)
    assert result.returncode == 0 and "resumed" not in result.stdout, result.stdout + result.stderr
    assert f"{ARTICLES} unchanged" in result.stdout


def test_a_reclean_that_changes_a_few_articles_writes_only_those(serial, tmp_path):
    # After a small rules change most articles come out as they are stored: they are counted unchanged and
    # not written at all, and the few that changed are rewritten, re-indexed and regrouped as a full run would.
    path = tmp_path / "few.db"
    shutil.copyfile(serial, path)
    db = open_db(path, create=False)
    stale = [url for (url,) in db.execute("select url from articles order by rowid limit 3 offset 500")]
    with db.atomic():
        for url in stale:
            db.execute("update articles set text = ?, content_hash = 'stale', dup_group = null where url = ?",
                       [STALE, url])
        # Which article rows the reclean writes (any column).
        db.execute("create table touched (url text)")
        db.execute("create trigger touched_au after update on articles begin"
                   " insert into touched values (new.url); end")
    db.close()
    result = fanwen("reclean", "--db", str(path), "--workers", "2", timeout=600)
    assert result.returncode == 0, result.stderr
    assert f"{ARTICLES - 3} unchanged, 3 updated" in result.stdout
    conn = sqlite3.connect(path)
    touched = {url for (url,) in conn.execute("select url from touched")}
    marks = ", ".join("?" * len(stale))
    # The stale articles and the members of their near-duplicate groups (regrouped), nothing else.
    regrouped = {url for (url,) in conn.execute(f"select url from articles where dup_group in (select dup_group"
                                                f" from articles where url in ({marks}))", stale)}
    assert set(stale) <= touched <= set(stale) | regrouped
    assert len(touched) < ARTICLES / 2
    conn.execute("drop trigger touched_au")
    conn.execute("drop table touched")
    conn.commit()
    conn.close()
    assert contents(path) == contents(serial)
    assert index_entries(path) == rebuilt_index_entries(path) == index_entries(serial)


def test_a_parallel_runs_last_batches_shrink_and_every_article_comes_once(archive):
    """The tapered end (pipelines/reclean.py: _batches): batches in rowid order, every article exactly once,
    full-size batches while many are left, then ever smaller ones down to TAPER_MIN."""
    from fanwen.pipelines.reclean import TAPER_MIN, _batches

    db = open_db(archive, create=False)
    try:
        rowids = [r for (r,) in db.execute("select rowid from articles order by rowid")]
        batches = list(_batches(db, None, 0, 100, taper=2))
        serial = list(_batches(db, None, 0, 100))
    finally:
        db.close()
    assert [t[0] for batch in batches for t in batch] == rowids
    sizes = [len(b) for b in batches]
    assert sizes[0] == 100 and sizes[-1] <= TAPER_MIN
    assert sizes == sorted(sizes, reverse=True)  # never larger again once shrinking
    assert all(len(b) == 100 for b in serial[:-1])  # a serial run is not tapered
