"""Incremental re-crawl benchmark: crawl a generated 10,000-article site, then crawl it again unchanged.

Prints the requests the site answered and the wall time of both runs; the target is a second run that
makes at most 2% of the first run's requests. Then adds a few new articles at the top of the list and
crawls a third time (the nightly case). The site comes from bench/sitegen.py (GBK pages with junk, list
pages with a pager window), served over loopback by fanwen.siteserver.

    .venv/bin/python bench/recrawl.py [--articles 10000] [--json results.jsonl]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sitegen import generate, list_html  # noqa: E402
from fanwen.siteserver import serve_site  # noqa: E402

ARTICLES = 10_000  # the acceptance size
PER_LIST = 20  # articles per list page, as bench/sitegen.py lays them out
NEW = 5  # articles added before the third run
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS=32",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=32"]


def crawl(server, db: Path) -> dict:
    """One `fanwen crawl` in a child process; requests counted on the server side."""
    before = len(server.requests)
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "fanwen.cli", "crawl", "--quiet", "--start-url", server.url,
                             "--db", str(db), *FAST], capture_output=True, text=True, cwd=ROOT)
    seconds = time.monotonic() - started
    if result.returncode not in (0, 3):
        raise SystemExit(f"crawl failed ({result.returncode}): {result.stderr[-2000:]}")
    return {"requests": len(server.requests) - before, "seconds": round(seconds, 2), "exit": result.returncode}


def archived(db: Path) -> int:
    """Articles in the archive."""
    return sqlite3.connect(db).execute("select count(*) from articles").fetchone()[0]


def add_articles(root: Path, total: int, new: int) -> None:
    """Publish `new` articles: copies of existing pages under new ids, listed on the first list page."""
    pages = (total + PER_LIST - 1) // PER_LIST
    ids = list(range(total, total + new))
    for i in ids:
        (root / "a" / f"{i}.html").write_bytes((root / "a" / f"{i - total}.html").read_bytes())
    first = ids + list(range(PER_LIST - new))
    (root / "list_1.html").write_bytes(list_html(1, first, pages).encode("gbk"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=ARTICLES)
    parser.add_argument("--json", type=Path, help="append one JSON line with the results")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fanwen-recrawl-") as tmp:
        root, db = Path(tmp) / "site", Path(tmp) / "fanwen.db"
        total_pages = generate(root, args.articles)
        with serve_site(root) as server:
            first = crawl(server, db)
            first["archived"] = archived(db)
            second = crawl(server, db)
            add_articles(root, args.articles, NEW)
            third = crawl(server, db)
        new_found = archived(db)
    ratio = second["requests"] / first["requests"]
    print(f"site: {args.articles} articles, {total_pages} pages")
    print(f"first crawl:     {first['requests']:>6} requests  {first['seconds']:>8.1f} s  "
          f"(articles in archive: {first['archived']})")
    print(f"identical again: {second['requests']:>6} requests  {second['seconds']:>8.1f} s  "
          f"({ratio:.2%} of the first; target <= 2%)")
    print(f"{NEW} new articles: {third['requests']:>6} requests  {third['seconds']:>8.1f} s  "
          f"(articles in archive: {new_found})")
    if args.json:
        with args.json.open("a", encoding="utf-8") as f:
            f.write(json.dumps({"bench": "recrawl", "articles": args.articles, "first": first, "second": second,
                                "third": third, "ratio": ratio, "archived": new_found}) + "\n")


if __name__ == "__main__":
    main()
