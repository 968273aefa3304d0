"""Crawl throughput: a bare link-following Scrapy spider vs the full fanwen pipeline, same site, same run.

The site (bench/sitegen.py) is served on 127.0.0.1 with a fixed response delay; both crawls use the same
fixed concurrency and no politeness delays. Prints pages/s of each, their ratio, and CPU ms/page for the
pipeline stages (decode, extract+clean, store), measured on the pages the full crawl archived.

    .venv/bin/python bench/crawl_throughput.py [--articles 2000] [--delay-ms 20] [--concurrency 16]
    .venv/bin/python bench/crawl_throughput.py -s FANWEN_EXTRACT_WORKERS=0     # a setting for the full crawl only
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sitegen import generate  # noqa: E402
from fanwen.pipelines.decode import decode_html  # noqa: E402
from fanwen.pipelines.dedupe import PendingGroups  # noqa: E402
from fanwen.pipelines.extract import extract_document  # noqa: E402
from fanwen.pipelines.reclean import stored_document  # noqa: E402
from fanwen.pipelines.records import Document  # noqa: E402
from fanwen.pipelines.store import open_db, save_pages, upsert_article  # noqa: E402
from fanwen.siteserver import serve_site  # noqa: E402


def thread_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of a process's main thread: Scrapy's reactor thread."""
    fields = Path(f"/proc/{pid}/task/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(cmd: list[str], cwd: Path) -> tuple[float, float, float]:
    """Run `cmd`; returns its wall seconds, its CPU seconds (children included: the extraction workers) and
    the CPU seconds of its reactor thread (0 where /proc is missing). On a shared machine the CPU figures
    move less than the wall time: they say what the crawl costs, not what the others left it."""
    started, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    reactor = 0.0
    while proc.poll() is None:
        with contextlib.suppress(OSError, IndexError, ValueError):
            reactor = thread_cpu_s(proc.pid)
        time.sleep(0.05)
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, cmd)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return time.perf_counter() - started, cpu, reactor


def stage_costs(db_path: Path, tmp: Path) -> dict[str, float]:
    """CPU ms/page of each stage, re-run in this process on the archived raw pages."""
    db = open_db(db_path)
    rows = db.query("select url, site from articles")
    docs: list[Document] = [stored_document(db, r["url"], r["site"]) for r in rows]
    pages = sum(len(d.parts) for d in docs)
    t = time.process_time()
    texts = [[(p.url, decode_html(p.body, p.headers).text) for p in d.parts] for d in docs]
    decode_ms = (time.process_time() - t) * 1000 / pages
    t = time.process_time()
    extractions = [extract_document(pp) for pp in texts]
    extract_ms = (time.process_time() - t) * 1000 / pages
    out = open_db(tmp / "stage.db")
    pending = PendingGroups(out)  # as the store pipeline does: near-duplicates grouped a batch at a time
    t = time.process_time()
    for d, e in zip(docs, extractions, strict=True):
        with out.atomic():
            save_pages(out, d, e.kind, 1)
            upsert_article(out, d, e, 1, pending=pending)
        pending.flush()
    pending.flush(force=True)
    store_ms = (time.process_time() - t) * 1000 / pages
    return {"decode": decode_ms, "extract+clean": extract_ms, "store": store_ms}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--delay-ms", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a Scrapy/fanwen setting for the full crawl only (repeatable)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        site = tmp / "site"
        total = generate(site, args.articles, delay_ms=args.delay_ms)
        fixed = ["-s", f"CONCURRENT_REQUESTS={args.concurrency}", "-s",
                 f"CONCURRENT_REQUESTS_PER_DOMAIN={args.concurrency}", "-s", "DOWNLOAD_DELAY=0",
                 "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False", "-s", "LOG_LEVEL=ERROR"]
        with serve_site(site) as server:
            bare = [sys.executable, "-m", "scrapy", "runspider", str(ROOT / "bench" / "bare_spider.py"),
                    "-a", f"start={server.url}", *fixed]
            bare_s, bare_cpu, bare_reactor = timed(bare, cwd=tmp)
            bare_requests = len(server.requests)
            db = tmp / "bench.db"
            full = [sys.executable, "-m", "fanwen.cli", "crawl", "--start-url", server.url, "--db", str(db), "--quiet",
                    *fixed, *[arg for setting in args.set for arg in ("-s", setting)]]
            full_s, full_cpu, full_reactor = timed(full, cwd=ROOT)
            full_requests = len(server.requests) - bare_requests
        stages = stage_costs(db, tmp)
        articles = open_db(db).execute("select count(*) from articles").fetchone()[0]
    result = {
        "site_pages": total, "delay_ms": args.delay_ms, "concurrency": args.concurrency, "settings": args.set,
        "bare": {"requests": bare_requests, "seconds": round(bare_s, 2),
                 "pages_per_s": round(bare_requests / bare_s, 1),
                 "cpu_ms_per_page": round(bare_cpu * 1000 / bare_requests, 2),
                 "reactor_ms_per_page": round(bare_reactor * 1000 / bare_requests, 2)},
        "full": {"requests": full_requests, "seconds": round(full_s, 2),
                 "pages_per_s": round(full_requests / full_s, 1), "articles": articles,
                 "cpu_ms_per_page": round(full_cpu * 1000 / full_requests, 2),
                 "reactor_ms_per_page": round(full_reactor * 1000 / full_requests, 2)},
        "cpu_ms_per_page": {k: round(v, 2) for k, v in stages.items()},
    }
    result["ratio"] = round(result["full"]["pages_per_s"] / result["bare"]["pages_per_s"], 2)
    print(f"site: {total} pages, {args.delay_ms} ms response delay, concurrency {args.concurrency}")
    print(f"bare Scrapy spider : {bare_requests} requests in {bare_s:.1f} s = {result['bare']['pages_per_s']} pages/s")
    print(f"full fanwen crawl  : {full_requests} requests in {full_s:.1f} s = {result['full']['pages_per_s']} pages/s"
          f" ({articles} articles)")
    print(f"ratio full/bare    : {result['ratio']} (target >= 0.85)")
    for name in ("bare", "full"):
        run = result[name]
        print(f"{name} CPU ms/page    : {run['cpu_ms_per_page']:.2f} in all, {run['reactor_ms_per_page']:.2f} on the "
              "reactor thread")
    print(f"load average       : {os.getloadavg()[0]:.2f}")
    print("stage CPU ms/page  : " + ", ".join(f"{k} {v:.2f}" for k, v in stages.items()))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
