"""End-to-end crawls: Scrapy in a child process against fixture sites served on 127.0.0.1, checked
against each site's `_expected.json` (every article exactly once, right title/date/truncated, text that
holds the essay's sentences and none of the page's junk, no non-article page stored)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from conftest import BLIND_ROOTS, DEMO, FAST, SITES, fanwen

pytestmark = pytest.mark.slow


def expected(root: Path) -> dict:
    return json.loads((root / "_expected.json").read_text(encoding="utf-8"))


def check_archive(db: Path, base: str, spec: dict) -> None:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = {r["url"]: r for r in conn.execute("select * from articles")}
    base = base.rstrip("/")
    problems = []
    for art in spec["articles"]:
        url = base + art["path"]
        row = rows.get(url)
        if row is None:
            problems.append(f"missing article {art['path']}")
            continue
        for key in ("title", "truncated", "page_count"):
            if key in art and row[key] != (int(art[key]) if isinstance(art[key], bool) else art[key]):
                problems.append(f"{art['path']}: {key} {row[key]!r} != {art[key]!r}")
        if art.get("published") and not (row["published"] or "").startswith(art["published"]):
            problems.append(f"{art['path']}: published {row['published']!r} != {art['published']!r}")
        for sentence in art.get("must_contain", []):
            if sentence not in row["text"]:
                problems.append(f"{art['path']}: lost {sentence[:40]!r}")
        for junk in art.get("must_not_contain", []):
            if junk in row["text"]:
                problems.append(f"{art['path']}: leaked {junk[:40]!r}")
    extra = set(rows) - {base + a["path"] for a in spec["articles"]}
    problems += [f"stored a non-article: {url}" for url in sorted(extra)]
    assert not problems, "\n".join(problems)
    assert conn.execute("select count(*) from articles").fetchone()[0] == len(spec["articles"])


def crawl(args: list[str], db: Path) -> None:
    result = fanwen("crawl", *args, "--db", str(db), *FAST)
    assert result.returncode in (0, 3), result.stderr[-3000:]


@pytest.mark.parametrize("root", [DEMO, SITES / "unseen", *BLIND_ROOTS], ids=lambda p: p.name)
def test_generic_crawl_of_a_site_it_has_never_seen(site_server, tmp_path, root):
    server = site_server(root)
    db = tmp_path / "a.db"
    crawl(["--start-url", server.url], db)
    check_archive(db, server.url, expected(root))

    before = sqlite3.connect(db).execute("select count(*) from articles").fetchone()[0]
    crawl(["--start-url", server.url], db)
    conn = sqlite3.connect(db)
    assert conn.execute("select count(*) from articles").fetchone()[0] == before
    assert conn.execute("select count(*) from crawls").fetchone()[0] == 2
    assert conn.execute("select count(*) from crawls where finished is not null").fetchone()[0] == 2


@pytest.mark.parametrize("site", ["diyifanwen", "ruiwen", "huaboedu"])
def test_shipped_site_config_on_a_fixture_built_to_its_structure(site_server, tmp_path, site):
    root = SITES / site
    server = site_server(root)
    spec = expected(root)
    start = server.url.rstrip("/") + spec.get("start_path", "/")
    db = tmp_path / "a.db"
    crawl([site, "--start-url", start], db)
    check_archive(db, server.url, spec)
    assert {r[0] for r in sqlite3.connect(db).execute("select distinct site from articles")} == {site}


def test_scrapy_crawl_archives_like_fanwen_crawl(site_server, tmp_path):
    import subprocess
    import sys

    from conftest import ROOT

    server = site_server(DEMO)
    db = tmp_path / "a.db"
    result = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "generic", "-a", f"start_url={server.url}",
                             "-s", f"FANWEN_DB={db}", *FAST, "-s", "LOG_LEVEL=WARNING"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    check_archive(db, server.url, expected(DEMO))
    row = sqlite3.connect(db).execute("select command, exit_status, pages from crawls").fetchone()
    assert row[0].startswith("scrapy crawl generic") and row[1] == 0 and row[2] > 30
