"""Raw page retention: article pages keep every distinct version, list pages only the latest N, pruned after
each crawl and by `fanwen prune`, with the space reclaimed reported."""

from __future__ import annotations

import shutil
import sqlite3
import zlib

from conftest import DEMO, FAST, fanwen

LIST = "news/index.html"  # crawled as /news/
ARTICLE = "news/1203.html"
URLS = {LIST: "/news/", ARTICLE: "/news/1203.html"}


def versions(db, path: str) -> list[bytes]:
    """Every stored body of the page at `path`, oldest first (page_versions, then the current one in pages)."""
    conn = sqlite3.connect(db)
    try:
        old = conn.execute("select body from page_versions where url like ? order by fetched_at, id",
                           [f"%:%{URLS[path]}"]).fetchall()
        (current,) = conn.execute("select body from pages where url like ?", [f"%:%{URLS[path]}"]).fetchall()
        return [zlib.decompress(b) for (b,) in [*old, current]]
    finally:
        conn.close()


def test_lists_keep_latest_versions_articles_keep_all(site_server, tmp_path):
    site_root = tmp_path / "site"
    shutil.copytree(DEMO, site_root)
    site = site_server(site_root)
    db = tmp_path / "fanwen.db"
    bodies = {LIST: [], ARTICLE: []}
    for round_ in range(4):
        for path in bodies:
            page = site_root / path
            page.write_bytes(page.read_bytes().replace(b"</body>", f"<!-- round {round_} --></body>".encode()))
            bodies[path].append(page.read_bytes())
        result = fanwen("crawl", "--start-url", site.url, "--db", str(db), "--refresh", *FAST,
                        "-s", "FANWEN_PRUNE_KEEP_VERSIONS=2")
        assert result.returncode in (0, 3), result.stderr
    assert versions(db, ARTICLE) == bodies[ARTICLE]  # every distinct version
    assert versions(db, LIST) == bodies[LIST][-2:]  # only the latest two
    assert "pruned 1 old list-page versions" in result.stdout
    conn = sqlite3.connect(db)
    assert conn.execute("select pruned_versions from crawls order by id desc limit 1").fetchone()[0] > 0
    unchanged = conn.execute("select count(*) from page_versions where url like '%/news/1217.html'").fetchone()[0]
    conn.close()
    assert unchanged == 0  # a page fetched again with the same body is not a new version

    result = fanwen("prune", "--db", str(db), "--keep", "1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("pruned ") and "KB reclaimed in the file" in result.stdout
    assert not result.stdout.startswith("pruned 0 ")
    assert versions(db, LIST) == bodies[LIST][-1:]
    assert versions(db, ARTICLE) == bodies[ARTICLE]

    result = fanwen("prune", "--db", str(db), "--keep", "1", "--vacuum")
    assert result.returncode == 0 and result.stdout.startswith("pruned 0 old versions") and "file shrank by" in \
        result.stdout

    result = fanwen("prune", "--db", str(db), "--keep", "0")
    assert result.returncode == 2 and "--keep" in result.stderr
