"""Reclean speed-up: `reclean` with 1 worker and with every core, interleaved, wall and CPU time.

    .venv/bin/python bench/reclean.py                       # 3,000 articles, 3 rounds of (1 worker, 2 workers)
    .venv/bin/python bench/reclean.py --articles 10000 --rounds 5
    TMPDIR=/dev/shm .venv/bin/python bench/reclean.py      # the copies in RAM: no disk in the figures
    .venv/bin/python bench/reclean.py --python ../main/.venv/bin/python   # another checkout's code, same archives

The archive is bench/scale.py's (bench/scalebuild.py, built once into bench/out/scale-N and reused): raw
GBK/UTF-8 pages whose stored texts are not what the extractor makes of them. Two cases (--changed):
"100" recleans it as it is, so every article is re-extracted, rewritten, re-indexed and regrouped (the worst
case: a rules change that touches every text); "5" recleans a settled copy (bench/out/scale-N/settled.db,
made once: recleaned, then 5% of its texts made stale), where 95% of the articles come out unchanged (a
rules change that touches a few texts). Each run recleans a fresh copy in a child process (the same
functions `fanwen reclean` calls) and reports the wall time of the reclean itself, the CPU time of the
writer (the parent process) and of the worker processes, and the load average around it. On a shared
machine the wall-time speed-up moves with the other jobs, so runs alternate between the worker counts and
medians are printed; the CPU figures give the bound the design allows: with c cores the run cannot be
faster than max(the writer's writing CPU, all CPU / c).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scale import OUT, archive  # noqa: E402

# The writer's CPU time is split into cleaning (the batches it cleans itself while the next result is not
# ready: work a pool worker would do with a core to spare) and the rest (writing: only this process can).
CHILD = """
import json, os, resource, sys, time
import fanwen.pipelines.reclean as reclean
from fanwen.crawler.siteconfig import load_sites
from fanwen.pipelines.store import open_db
db = open_db(sys.argv[1], create=False)
sites = load_sites([])
cleaning = [0.0, 0]
clean_batch = reclean.clean_batch
def timed(*args, **kwargs):
    started = time.process_time()
    try:
        return clean_batch(*args, **kwargs)
    finally:
        cleaning[0] += time.process_time() - started
        cleaning[1] += len(args[2])
reclean.clean_batch = timed
wall, cpu = time.perf_counter(), time.process_time()
counts = reclean.reclean(db, sites, workers=int(sys.argv[2]))
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": wall, "writer_cpu": cpu, "writer_cleaning_cpu": cleaning[0],
                  "cleaned_by_writer": cleaning[1], "workers_cpu": kids.ru_utime + kids.ru_stime,
                  "counts": dict(counts)}))
"""


# Makes a settled archive: everything recleaned (serially), then every k-th article's text stale again
# (through the store's own connection, so the search index triggers keep the index in step).
SETTLE = """
import sys
from fanwen.crawler.siteconfig import load_sites
from fanwen.pipelines.reclean import reclean
from fanwen.pipelines.store import open_db
db = open_db(sys.argv[1], create=False)
reclean(db, load_sites([]))
with db.atomic():
    # content_hash too: reclean tells a changed text by it
    db.execute("update articles set text = text || '（旧）', content_hash = 'stale' where rowid % ? = 0",
               [int(sys.argv[2])])
    db.execute("delete from reclean_runs")
db.close()
"""


def copy_archive(source: Path, target: Path) -> None:
    """A consistent copy (the SQLite backup API: a plain file copy would leave out a -wal file's commits)."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def settled(source: Path, changed: int) -> Path:
    """The `changed` case's archive: `source` itself for 100 (every stored text stale); otherwise a copy,
    made once next to it, recleaned and then with `changed`% of its texts (every 100/changed-th
    article) made stale again, as after a rules change that touches a few texts."""
    if changed >= 100:
        return source
    path = source.with_name(f"settled-{changed}.db")
    if not path.exists():
        part = path.with_name(path.name + ".part")
        copy_archive(source, part)
        subprocess.run([sys.executable, "-c", SETTLE, str(part), str(round(100 / changed))], check=True)
        part.rename(path)
    return path


def run_once(source: Path, workers: int, folder: Path, python: str = sys.executable) -> dict:
    """Reclean a fresh copy of the archive with this many workers; its figures and the load average."""
    copy = folder / f"reclean-{workers}.db"
    copy_archive(source, copy)
    load_before = os.getloadavg()[0]
    proc = subprocess.run([python, "-c", CHILD, str(copy), str(workers)], check=True,
                          capture_output=True, text=True)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result.update(workers=workers, load=[round(load_before, 2), round(os.getloadavg()[0], 2)])
    for suffix in ("", "-wal", "-shm"):
        Path(str(copy) + suffix).unlink(missing_ok=True)
    return result


def measure(n: int, rounds: int = 3, counts: tuple[int, ...] | None = None, quiet: bool = False,
            changed: int = 100, python: str = sys.executable) -> dict:
    """Interleaved runs (1 worker, c workers, 1, c, …) on the n-article archive (`changed`% of its stored
    texts stale); per-run figures and medians."""
    source = settled(archive(n)[0], changed)
    counts = counts or (1, os.cpu_count() or 1)
    runs: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="fanwen-reclean-") as folder:
        for round_no in range(rounds):
            for workers in counts:
                run = run_once(source, workers, Path(folder), python)
                runs.append(run)
                if not quiet:
                    print(f"  {changed}% changed, round {round_no + 1} workers {workers}:"
                          f" {n / run['seconds']:7.1f} pages/s;"
                          f" CPU ms/article: writer {1000 * run['writer_cpu'] / n:.2f} (writing"
                          f" {1000 * (run['writer_cpu'] - run['writer_cleaning_cpu']) / n:.2f}, cleaned"
                          f" {run['cleaned_by_writer']:,} articles), pool {1000 * run['workers_cpu'] / n:.2f};"
                          f" load {run['load'][0]}–{run['load'][1]}", flush=True)
    result: dict = {"articles": n, "changed_percent": changed, "cores": os.cpu_count(), "rounds": rounds,
                    "python": python, "counts": runs[0]["counts"]}
    for workers in counts:
        mine = [r for r in runs if r["workers"] == workers]
        result[f"workers_{workers}"] = {
            "pages_per_s": [round(n / r["seconds"], 1) for r in mine],
            "median_pages_per_s": round(statistics.median(n / r["seconds"] for r in mine), 1),
            "writer_cpu_ms": round(1000 * statistics.median(r["writer_cpu"] for r in mine) / n, 2),
            "writing_cpu_ms": round(1000 * statistics.median(r["writer_cpu"] - r["writer_cleaning_cpu"]
                                                             for r in mine) / n, 2),
            "cleaned_by_writer": statistics.median(r["cleaned_by_writer"] for r in mine),
            "workers_cpu_ms": round(1000 * statistics.median(r["workers_cpu"] for r in mine) / n, 2),
            "load": [r["load"] for r in mine],
        }
    one, many = result[f"workers_{counts[0]}"], result[f"workers_{counts[-1]}"]
    # Paired: each round's speed-up against the 1-worker run just before it, then their median.
    pairs = [runs[i]["seconds"] / runs[i + 1]["seconds"] for i in range(0, len(runs) - 1, len(counts))]
    result["speedups"] = [round(s, 2) for s in pairs]
    result["speedup"] = round(statistics.median(pairs), 2)
    serial_cpu = one["writer_cpu_ms"] + one["workers_cpu_ms"]
    bound = max(many["writing_cpu_ms"], (many["writer_cpu_ms"] + many["workers_cpu_ms"]) / counts[-1])
    result["cpu_bound_speedup"] = round(serial_cpu / bound, 2)  # what the CPU split allows on an idle machine
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=3_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", default=f"1,{os.cpu_count() or 1}", help="comma-separated worker counts")
    parser.add_argument("--changed", default="100,5",
                        help="comma-separated cases: the percentage of stored texts that are stale (100: all)")
    parser.add_argument("--python", default=sys.executable,
                        help="the interpreter of the fanwen install to measure (another checkout's .venv)")
    args = parser.parse_args()
    for changed in (int(c) for c in args.changed.split(",")):
        result = measure(args.articles, args.rounds, tuple(int(w) for w in args.workers.split(",")),
                         changed=changed, python=args.python)
        result.update(bench="reclean", date=time.strftime("%Y-%m-%d %H:%M"))
        line = json.dumps(result, ensure_ascii=False)
        print(line, flush=True)
        with open(OUT / "reclean.jsonl", "a", encoding="utf-8") as f:
            f.write(line + "\n")


if __name__ == "__main__":
    main()
