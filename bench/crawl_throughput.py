"""Crawl throughput: a bare link-following Scrapy spider vs the full fanwen pipeline, same site, same run.

The site (bench/sitegen.py) is served on 127.0.0.1 with a fixed response delay; both crawls use the same
fixed concurrency and no politeness delays. Prints pages/s of each, their ratio, and CPU ms/page for the
pipeline stages (decode, extract+clean, store), measured on the pages the full crawl archived.

    .venv/bin/python bench/crawl_throughput.py [--articles 2000] [--delay-ms 20] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import json
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


def timed(cmd: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        site = tmp / "site"
        total = generate(site, args.articles, delay_ms=args.delay_ms)
        fixed = ["-s", f"CONCURRENT_REQUESTS={args.concurrency}", "-s",
                 f"CONCURRENT_REQUESTS_PER_DOMAIN={args.concurrency}", "-s", "DOWNLOAD_DELAY=0",
                 "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False", "-s", "LOG_LEVEL=ERROR"]
        with serve_site(site) as server:
            bare_s = timed([sys.executable, "-m", "scrapy", "runspider", str(ROOT / "bench" / "bare_spider.py"),
                            "-a", f"start={server.url}", *fixed], cwd=tmp)
            bare_requests = len(server.requests)
            db = tmp / "bench.db"
            full_s = timed([sys.executable, "-m", "fanwen.cli", "crawl", "--start-url", server.url, "--db",
                            str(db), "--quiet", *fixed], cwd=ROOT)
            full_requests = len(server.requests) - bare_requests
        stages = stage_costs(db, tmp)
        articles = open_db(db).execute("select count(*) from articles").fetchone()[0]
    result = {
        "site_pages": total, "delay_ms": args.delay_ms, "concurrency": args.concurrency,
        "bare": {"requests": bare_requests, "seconds": round(bare_s, 2),
                 "pages_per_s": round(bare_requests / bare_s, 1)},
        "full": {"requests": full_requests, "seconds": round(full_s, 2),
                 "pages_per_s": round(full_requests / full_s, 1), "articles": articles},
        "cpu_ms_per_page": {k: round(v, 2) for k, v in stages.items()},
    }
    result["ratio"] = round(result["full"]["pages_per_s"] / result["bare"]["pages_per_s"], 2)
    print(f"site: {total} pages, {args.delay_ms} ms response delay, concurrency {args.concurrency}")
    print(f"bare Scrapy spider : {bare_requests} requests in {bare_s:.1f} s = {result['bare']['pages_per_s']} pages/s")
    print(f"full fanwen crawl  : {full_requests} requests in {full_s:.1f} s = {result['full']['pages_per_s']} pages/s"
          f" ({articles} articles)")
    print(f"ratio full/bare    : {result['ratio']} (target >= 0.6)")
    print("CPU ms/page        : " + ", ".join(f"{k} {v:.2f}" for k, v in stages.items()))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
