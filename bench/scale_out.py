"""Scale-out benchmark: the same crawl by 1, 2 and 4 `fanwen crawl --redis` workers sharing one Redis.

Four generated sites (bench/sitegen.py, GBK pages with junk) on four loopback hosts, 127.0.0.2 … 127.0.0.5,
each answering every request after a delay that mimics a remote site. Every worker crawls all four with the
same politeness settings (below) in every round; only the number of workers changes. Pages/s is the pages
the sites answered divided by the time from starting the workers to the last answer (worker start-up
included, the idle wait before they exit not); the crawl rate divides by the time from the first answer to
the last (start-up excluded). Each round then runs `fanwen ingest` and checks that every
article was fetched once and archived once. Target: 4 workers >= 3x one worker.

Note that politeness settings apply per worker: N workers ask each host up to N times as often.

    .venv/bin/python bench/scale_out.py [--articles 500] [--delay-ms 200] [--json results.jsonl]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.redisserver import redis_server  # noqa: E402
from bench.sitegen import generate  # noqa: E402
from fanwen.siteserver import serve_site  # noqa: E402

HOSTS = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"]  # >= 4 hosts, as a user's list of sites
ARTICLES = 500  # per host: 4 x 526 = 2,104 pages
DELAY_MS = 200  # every response waits this long, like a remote site
WORKERS = (1, 2, 4)
IDLE_TIMEOUT = 3  # seconds; not counted in pages/s
# The same for every round: a polite crawl (one request per host every ~0.25 s, 2 at a time per host).
POLITENESS = ["-s", "DOWNLOAD_DELAY=0.25", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS=8",
              "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2", "-s", "ROBOTSTXT_OBEY=False"]


def run_round(workers: int, servers: list, workdir: Path, articles: int) -> dict:
    """One crawl of all hosts by `workers` workers on a fresh Redis, then one ingest; returns the figures."""
    db = workdir / f"round-{workers}.db"
    before = [len(s.requests) for s in servers]
    starts = [arg for s in servers for arg in ("--start-url", s.url)]
    with redis_server(workdir) as redis_url:
        started = time.monotonic()
        procs = [subprocess.Popen([sys.executable, "-m", "fanwen.cli", "crawl", "--quiet", *starts,
                                   "--redis", redis_url, "--idle-timeout", str(IDLE_TIMEOUT), *POLITENESS],
                                  cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                 for _ in range(workers)]
        first_answer, last_answer, answered = None, started, sum(before)
        while any(p.poll() is None for p in procs):
            time.sleep(0.1)
            now_answered = sum(len(s.requests) for s in servers)
            if now_answered != answered:
                answered, last_answer = now_answered, time.monotonic()
                first_answer = first_answer or last_answer
        wall = time.monotonic() - started
        for p in procs:
            if p.returncode != 0:
                raise SystemExit(f"a worker failed ({p.returncode}): {p.stderr.read()[-2000:]}")
        ingest = subprocess.run([sys.executable, "-m", "fanwen.cli", "ingest", "--quiet", "--redis", redis_url,
                                 "--db", str(db)], cwd=ROOT, capture_output=True, text=True)
        if ingest.returncode != 0:
            raise SystemExit(f"ingest failed ({ingest.returncode}): {ingest.stderr[-2000:]}")
    hits = Counter()
    for server, skip in zip(servers, before, strict=True):
        hits.update((server.url, path) for _, path, _ in server.requests[skip:])
    pages = sum(hits.values())
    articles_fetched = [n for (_, path), n in hits.items() if path.startswith("/a/")]
    with sqlite3.connect(db) as conn:
        archived = conn.execute("select count(*) from articles").fetchone()[0]
        shares = [n for (n,) in conn.execute("select pages from crawls where sites != '' order by id")]
    return {"workers": workers, "pages": pages, "seconds": round(last_answer - started, 2), "wall": round(wall, 2),
            "pages_per_s": round(pages / (last_answer - started), 1),
            "crawl_pages_per_s": round(pages / (last_answer - first_answer), 1), "archived": archived,
            "articles_fetched_once": len(articles_fetched) == articles * len(servers) and set(articles_fetched) == {1},
            "worker_pages": shares}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=ARTICLES, help="articles per host")
    parser.add_argument("--delay-ms", type=int, default=DELAY_MS)
    parser.add_argument("--json", type=Path, help="append one JSON line with the results")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fanwen-scale-") as tmp:
        workdir = Path(tmp)
        servers = []
        for host in HOSTS:
            root = workdir / host
            generate(root, args.articles, delay_ms=args.delay_ms)
            servers.append(serve_site(root, host=host))
        try:
            rounds = [run_round(n, servers, workdir, args.articles) for n in WORKERS]
        finally:
            for server in servers:
                server.stop()
    base, crawl_base = rounds[0]["pages_per_s"], rounds[0]["crawl_pages_per_s"]
    print(f"{len(HOSTS)} hosts x {args.articles} articles, {args.delay_ms} ms per response; politeness: "
          f"{' '.join(POLITENESS[1::2])}")
    print("pages/s: from starting the workers to the last answer; crawl pages/s: from the first answer to the last")
    print(f"{'workers':>7} {'pages':>6} {'seconds':>8} {'pages/s':>8} {'speed-up':>8} {'crawl pages/s':>13} "
          f"{'speed-up':>8}  archived  fetched once  pages per spider and worker")
    for r in rounds:
        print(f"{r['workers']:>7} {r['pages']:>6} {r['seconds']:>8.1f} {r['pages_per_s']:>8.1f} "
              f"{r['pages_per_s'] / base:>7.2f}x {r['crawl_pages_per_s']:>13.1f} "
              f"{r['crawl_pages_per_s'] / crawl_base:>7.2f}x  {r['archived']:>8}  "
              f"{str(r['articles_fetched_once']):>12}  {r['worker_pages']}")
    print(f"target: 4 workers >= 3x one worker: {rounds[-1]['pages_per_s'] / base:.2f}x "
          f"(crawl rate {rounds[-1]['crawl_pages_per_s'] / crawl_base:.2f}x)")
    if args.json:
        with args.json.open("a", encoding="utf-8") as f:
            f.write(json.dumps({"bench": "scale_out", "hosts": len(HOSTS), "articles": args.articles,
                                "delay_ms": args.delay_ms, "rounds": rounds}) + "\n")


if __name__ == "__main__":
    main()
