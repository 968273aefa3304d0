"""Soak benchmark: one crawl of a 30,000-page local site with 5% of its pages faulty.

The site is bench/sitegen.py's (GBK articles with junk, paginated lists) with fanwen.faultsite's faults laid
over it (first-hit 500/502/503/429 on articles, pages slower than the download timeout, bodies cut short, redirect
loops, binary and PDF pages served as text/html, mojibake, empty, login/captcha/soft-404 pages, one 20 MB page),
served over loopback by fanwen.siteserver. `fanwen crawl` runs in a child process; every 3,000 archived pages
this prints the pages/s of the last stretch and the crawl's resident memory. Targets: RSS flat (peak ≤ 300 MB)
and no slowdown over time.

    .venv/bin/python bench/soak.py [--pages 30000] [--fault-share 0.05] [--json results.jsonl]

With --generated the site is made on request instead (bench/sitegen.py's serve_generated: no files, no faults,
no response delay; every 10th article on three pages), so 100,000 pages are quick to set up; --recrawl then
crawls it a second time, the incremental way, with the archive's known URLs all loaded. The RSS columns are
the crawl process and, apart, its extraction workers (FANWEN_EXTRACT_WORKERS).

    .venv/bin/python bench/soak.py --generated --pages 100000 --every 10000 --recrawl --workdir /dev/shm
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sitegen import generate, generated_pages, serve_generated  # noqa: E402
from fanwen.faultsite import RECOVERING, add_faults  # noqa: E402
from fanwen.siteserver import serve_site  # noqa: E402

MULTI_PAGE_SHARE = 1.2  # pages per article of a generated site (every 10th article has three)

PAGES = 30_000  # the acceptance size: articles + list pages + home + fault pages
FAULT_SHARE = 0.05
PER_LIST = 20  # sitegen's articles per list page
# Pages faultsite writes per copy: 10 faulty URLs (plus the second page of the redirect loop and, in the first
# copy only, the 20 MB page), 3 good essays behind awkward links and an index.
PAGES_PER_COPY = 15
FAULTS_PER_COPY = 10 + len(RECOVERING)  # and it fails that many of the site's own articles at first
REPORT_EVERY = 3_000
TIMEOUT = 2  # DOWNLOAD_TIMEOUT: the slow pages answer 1.5 s after it
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS=16",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", f"DOWNLOAD_TIMEOUT={TIMEOUT}", "-s", "RETRY_TIMES=1",
        "-s", "FANWEN_BACKOFF_BASE=0.1"]


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (0 once it has gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children_rss_mb(pid: int) -> float:
    """Resident memory of a process's children (the extraction workers and multiprocessing's tracker)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "stat").read_text().rsplit(")", 1)[1].split()[1] == str(pid):
                    total += rss_mb(int(entry.name))
            except (OSError, IndexError):
                pass
    return total


def pages_stored(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute("select count(*) from pages").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def build_site(root: Path, pages: int, share: float) -> tuple[int, int]:
    """Write the site; returns (pages in total, fault pages and faulty articles)."""
    copies = max(1, round(pages * share / FAULTS_PER_COPY))
    articles = int((pages - copies * PAGES_PER_COPY - 1) * PER_LIST / (PER_LIST + 1))
    total = generate(root, articles)
    plan = add_faults(root, [f"/a/{i}.html" for i in range(articles)], timeout_s=TIMEOUT, copies=copies)
    faults = len(plan.recovering) + len(plan.failures) + len(plan.garbage) + len(plan.rejected)
    return total + copies * PAGES_PER_COPY, faults


def run_crawl(url: str, db: Path, every: int, label: str) -> dict:
    """One `fanwen crawl` of `url` into `db` in a child process, sampling its memory every half second and
    printing a row every `every` stored pages; returns the rows, peaks and the run's `crawls` row."""
    print(f"{label}:", flush=True)
    print(f"{'pages':>8} {'seconds':>8} {'pages/s':>8} {'RSS MB':>7} {'workers MB':>10}", flush=True)
    started = last_time = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "fanwen.cli", "crawl", "--quiet", "--start-url", url,
                             "--db", str(db), *FAST], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    before = pages_stored(db)
    rows, peak, peak_workers, next_mark, last_pages = [], 0.0, 0.0, every, 0
    while proc.poll() is None:
        time.sleep(0.5)
        rss, workers = rss_mb(proc.pid), children_rss_mb(proc.pid)
        peak, peak_workers = max(peak, rss), max(peak_workers, workers)
        done = pages_stored(db) - before
        while done >= next_mark:
            now = time.monotonic()
            rate = (done - last_pages) / max(now - last_time, 1e-9)
            rows.append({"pages": done, "seconds": round(now - started, 1), "rate": round(rate, 1),
                         "rss_mb": round(rss, 1), "workers_mb": round(workers, 1)})
            print(f"{done:>8,} {now - started:>8.1f} {rate:>8.1f} {rss:>7.1f} {workers:>10.1f}", flush=True)
            last_time, last_pages, next_mark = now, done, next_mark + every
    summary = proc.stdout.read().strip()  # --quiet: nothing unless the run failed
    if summary:
        print(summary)
    seconds = time.monotonic() - started
    conn = sqlite3.connect(db)
    crawl = conn.execute("select pages, articles_new, rejected, garbage, errors, error_kinds, exit_status, skipped "
                         "from crawls order by id desc").fetchone()
    conn.close()
    print(f"crawl: {crawl[0]:,} pages, {crawl[1]:,} new articles, {crawl[2]:,} non-article pages ({crawl[3]} garbage), "
          f"{crawl[4]} errors: {crawl[5]}; {crawl[7] or 0:,} known links skipped")
    print(f"total: {seconds:.0f} s, {crawl[0] / seconds:.1f} pages/s; peak RSS {peak:.0f} MB (target <= 300), "
          f"workers {peak_workers:.0f} MB; exit status {crawl[6]}", flush=True)
    if len(rows) >= 2:
        print(f"last stretch vs first: {rows[-1]['rate'] / rows[0]['rate']:.2f}x the pages/s")
    return {"seconds": round(seconds, 1), "peak_rss_mb": round(peak, 1), "peak_workers_mb": round(peak_workers, 1),
            "marks": rows, "crawl": crawl}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=PAGES)
    parser.add_argument("--fault-share", type=float, default=FAULT_SHARE)
    parser.add_argument("--generated", action="store_true", help="a site made on request: no files, no faults")
    parser.add_argument("--recrawl", action="store_true", help="then crawl the same site again (incremental)")
    parser.add_argument("--every", type=int, default=REPORT_EVERY, help="a row every this many stored pages")
    parser.add_argument("--workdir", type=Path, help="where the archive (and the written site) go; default: TMPDIR")
    parser.add_argument("--json", type=Path, help="append one JSON line with the results")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fanwen-soak-", dir=args.workdir) as tmp:
        root, db = Path(tmp) / "site", Path(tmp) / "fanwen.db"
        with contextlib.ExitStack() as stack:
            if args.generated:
                articles = round(args.pages / (MULTI_PAGE_SHARE + 1 / PER_LIST))
                total, faults = generated_pages(articles, PER_LIST), 0
                url = stack.enter_context(serve_generated(articles, PER_LIST))
            else:
                total, faults = build_site(root, args.pages, args.fault_share)
                url = stack.enter_context(serve_site(root)).url
            print(f"site: {total:,} pages, {faults:,} faulty ({faults / total:.1%})", flush=True)
            runs = {"first": run_crawl(url, db, args.every, "first crawl")}
            if args.recrawl:
                runs["recrawl"] = run_crawl(url, db, args.every, "incremental re-crawl of the same site")
    if args.json:
        with args.json.open("a", encoding="utf-8") as f:
            f.write(json.dumps({"bench": "soak", "pages": total, "faults": faults, "generated": args.generated,
                                **runs}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
