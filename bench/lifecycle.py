"""Lifecycle benchmark: migrating a 0.1.0 archive, backup, WARC export, prune and takedowns at scale.

Usage: .venv/bin/python bench/lifecycle.py [--articles N]   (or FANWEN_BENCH_ARTICLES=N)
Builds bench/out/lifecycle-<N>/v0.db once: the committed 0.1.0 archive (tests/archives/fanwen-0.1.0.db,
schema version 0) grown to N articles, each with a raw page of a generated GBK essay (bench/sitegen.py),
plus LISTS list pages. Then, on a fresh copy each time, it times: the migration that `open_db` performs
(backup copy + steps), `fanwen backup`'s copy (VACUUM INTO + integrity_check), the WARC export of every raw
page, pruning VERSIONS versions of every list page to FANWEN_PRUNE_KEEP_VERSIONS, and a takedown of 1% of
the articles, its undo, and a purge. Prints a table, then one JSON line (also appended to
bench/out/lifecycle.jsonl).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import sys
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.sitegen import article_html, list_html  # noqa: E402
from fanwen.browse.search_index import register_search_functions  # noqa: E402
from fanwen.browse.warc import write_warc  # noqa: E402
from fanwen.crawler.settings import FANWEN_PRUNE_KEEP_VERSIONS  # noqa: E402
from fanwen.pipelines import takedown  # noqa: E402
from fanwen.pipelines.backup import backup_database  # noqa: E402
from fanwen.pipelines.retention import prune_page_versions  # noqa: E402
from fanwen.pipelines.store import open_db  # noqa: E402

ARTICLES = int(os.environ.get("FANWEN_BENCH_ARTICLES", "20000"))
LISTS = 500  # list pages, each re-fetched VERSIONS times with a different body
VERSIONS = 10
ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).parent / "out"
HOST = "https://www.bench.example.cn"


def build(path: Path, n: int) -> None:
    """The 0.1.0 archive plus n articles with raw pages and LISTS list pages, still at schema version 0."""
    shutil.copy(ROOT / "tests" / "archives" / "fanwen-0.1.0.db", path)
    conn = sqlite3.connect(path)
    register_search_functions(conn)
    rng = random.Random(7)
    stamp = "2026-01-01T00:00:00Z"
    with conn:
        for i in range(n):
            html = article_html(i, rng, n).encode("gb18030")
            url = f"{HOST}/fanwen/{i}.html"
            text = html.decode("gb18030")[:1500]
            conn.execute("insert into articles (url, site, title, text, char_count, content_hash, first_seen, "
                         "last_seen, fetched_at) values (?, 'bench', ?, ?, ?, ?, ?, ?, ?)",
                         [url, f"范文{i}", text, len(text), str(i), stamp, stamp, stamp])
            conn.execute("insert into pages (url, article_url, part, site, status, kind, encoding, headers, body, "
                         "size, fetched_at) values (?, ?, 1, 'bench', 200, 'article', 'gb18030', ?, ?, ?, ?)",
                         [url, url, json.dumps({"Content-Type": "text/html"}), zlib.compress(html, 6), len(html),
                          stamp])
        for p in range(LISTS):
            html = list_html(p + 1, list(range(p * 20, p * 20 + 20)), LISTS).encode("gb18030")
            conn.execute("insert into pages (url, part, site, status, kind, headers, body, size, fetched_at) "
                         "values (?, 1, 'bench', 200, 'list', '{}', ?, ?, ?)",
                         [f"{HOST}/list/{p}.html", zlib.compress(html, 6), len(html), stamp])
    conn.execute("vacuum")
    conn.close()


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=ARTICLES)
    args = parser.parse_args()
    work = OUT / f"lifecycle-{args.articles}"
    work.mkdir(parents=True, exist_ok=True)
    base = work / "v0.db"
    if not base.exists():
        build(base, args.articles)
    for stale in work.glob("run*"):
        stale.unlink()
    live = work / "run.db"
    shutil.copy(base, live)
    size = live.stat().st_size
    r = {"articles": args.articles, "db_mb": round(size / 1e6, 1)}

    db, r["migrate_s"] = timed(lambda: open_db(live))
    r["migrate_s"] = round(r["migrate_s"], 2)
    backup, r["backup_s"] = timed(lambda: backup_database(db.conn, work / "run-backup.db"))
    r["backup_mb_s"] = round(backup.size / 1e6 / r["backup_s"], 1)
    r["backup_s"] = round(r["backup_s"], 2)

    count, seconds = timed(lambda: write_warc(live, str(work / "run.warc.gz")))
    r["warc_records"], r["warc_records_s"] = count, round(count / seconds)
    r["warc_mb"] = round((work / "run.warc.gz").stat().st_size / 1e6, 1)

    # Every list page fetched VERSIONS times with a changed body: the versions a nightly crawl would leave.
    lists = [r[0] for r in db.conn.execute("select url from pages where kind = 'list'")]
    with db.conn:
        for v in range(1, VERSIONS):
            db.conn.executemany(
                "insert into page_versions (url, part, site, status, kind, headers, body, size, fetched_at,"
                " replaced_at) values (?, 1, 'bench', 200, 'list', '{}', ?, 0, ?, ?)",
                [(url, zlib.compress(list_html(p + v, list(range(p * 20 + v, p * 20 + 20 + v)), LISTS)
                                     .encode("gb18030"), 6), f"2026-01-{v + 1:02d}T00:00:00Z",
                  f"2026-01-{v + 2:02d}T00:00:00Z") for p, url in enumerate(lists)])
    pruned, seconds = timed(lambda: prune_page_versions(db.conn, FANWEN_PRUNE_KEEP_VERSIONS))
    r["prune_versions"], r["prune_kb_reclaimed"], r["prune_s"] = pruned.versions, pruned.reclaimed // 1000, \
        round(seconds, 2)

    pattern = f"{HOST}/fanwen/1??.html"  # articles 100-199
    result, seconds = timed(lambda: takedown.take_down(db.conn, pattern, "bench", "bench"))
    r["takedown_articles"], r["takedown_s"] = result.articles, round(seconds, 3)
    _, r["undo_s"] = timed(lambda: takedown.undo(db.conn, pattern, "bench"))
    takedown.take_down(db.conn, pattern, "bench", "bench")
    _, r["purge_s"] = timed(lambda: takedown.purge(db.conn, pattern, "bench"))
    r["undo_s"], r["purge_s"] = round(r["undo_s"], 3), round(r["purge_s"], 2)
    db.close()

    for key, value in r.items():
        print(f"{key:<20} {value}")
    line = json.dumps({"bench": "lifecycle", "date": time.strftime("%Y-%m-%d"), **r})
    print(line)
    with open(OUT / "lifecycle.jsonl", "a", encoding="utf-8") as out:
        out.write(line + "\n")
    for stale in work.glob("run*"):
        stale.unlink()


if __name__ == "__main__":
    main()
