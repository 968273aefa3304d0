"""Export benchmark: rows/s and peak RSS of `fanwen export` (CSV and JSONL) on a 100,000-article archive.

Usage: .venv/bin/python bench/export.py [--db PATH] [--articles N]
Without --db it builds (once, then reuses) bench/out/export-<N>.db with seeded Chinese essays.
Each command (the exports to stdout, and the peer `sqlite-utils rows --csv` on the same data) runs as
the only child of a small wrapper that reports its peak RSS from getrusage(RUSAGE_CHILDREN).
Prints one line per run, then one JSON line per run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ARTICLES = 100_000  # the size the brief asks for
TEXT_BYTES = (1_000, 5_000)  # UTF-8 bytes of essay text per article (about 330-1,700 characters)
SEED = 20240501
OUT = Path(__file__).parent / "out"
RSS_TARGET_MB = 150

# Every measured command runs under this wrapper, which reports the peak RSS of that command alone
# (RUSAGE_CHILDREN of a process with exactly one child; ru_maxrss is KiB on Linux).
MEASURE = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
"""
EXPORT = "import sys; from fanwen.cli import main; main(['export', *sys.argv[1:]])"
SENTENCES = [
    "时光飞逝，转眼间一年的工作即将结束。",
    "在局党组的正确领导下，我认真学习新时代中国特色社会主义思想，",
    "坚持以人民为中心的发展思想，紧紧围绕市委、市政府确定的各项任务目标，",
    "现将本人一年来的思想、工作情况总结如下：",
    "一、加强政治理论学习，提高思想认识。",
    "我的妈妈是一名老师，她每天都很忙。",
    "“不忘初心、牢记使命”主题教育开展以来，",
    "（一）存在的问题：学习不够深入，调查研究不够扎实；",
    "家长们纷纷表示：“孩子的作业少了，笑容多了。”",
    "2023年10月1日，我们一行20人来到革命老区参观学习，",
    "全体师生积极参与，效果显著，",
    "=SUM(A1)，“引号”, commas,",
]


def essay(rng: random.Random) -> str:
    """Paragraphs of seeded sentences, `TEXT_BYTES` long in UTF-8."""
    target = rng.randint(*TEXT_BYTES)
    parts: list[str] = []
    size = 0
    while size < target:
        sentence = rng.choice(SENTENCES) + ("\n　　" if rng.random() < 0.2 else "")
        parts.append(sentence)
        size += len(sentence.encode())
    return "".join(parts)


def build(path: Path, count: int) -> None:
    """A seeded archive with the real schema (and search index triggers) via fanwen.pipelines.store."""
    from fanwen.pipelines.store import open_db

    rng = random.Random(SEED)
    sites = ["diyifanwen", "ruiwen", "xuexila", "huaboedu", "liuxue86"]
    db = open_db(path)
    started = time.perf_counter()
    db["articles"].insert_all(
        (
            {
                "url": f"https://www.{sites[n % 5]}.com/fanwen/{n % 40}/{3_000_000 + n}.html",
                "site": sites[n % 5],
                "title": f"{rng.choice(['2023年', '最新', '精选'])}个人工作总结范文（通用{n % 9 + 1}篇）",
                "published": f"{2019 + n % 6}-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
                "category": rng.choice(["工作总结", "心得体会", "演讲稿", "述职报告"]),
                "author": rng.choice([None, "佚名", "张老师"]),
                "text": (text := essay(rng)),
                "char_count": len(text),
                "truncated": int(rng.random() < 0.1),
            }
            for n in range(count)
        ),
        batch_size=500,
    )
    db.conn.close()
    print(f"built {path} ({count:,} articles, {path.stat().st_size / 2**20:,.0f} MB) "
          f"in {time.perf_counter() - started:,.0f} s", flush=True)


def run(label: str, command: list[str], rows: int, output: Path, *, writes_output: bool = False) -> dict:
    """Run one command under MEASURE; returns wall time, rows/s and peak RSS.

    The command writes `output` itself (`writes_output`), or its stdout is sent there.
    """
    started = time.perf_counter()
    with open(os.devnull if writes_output else output, "wb") as stdout:
        proc = subprocess.run([sys.executable, "-c", MEASURE, *command], stdout=stdout, stderr=subprocess.PIPE,
                              text=True, check=True)
    seconds = time.perf_counter() - started
    size = output.stat().st_size / 2**20
    result = {
        "bench": "export",
        "run": label,
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds),
        "output_mb": round(size, 1),
        "mb_per_s": round(size / seconds, 1),
        "peak_rss_mb": round(int(proc.stderr.strip().splitlines()[-1]) / 1024, 1),
    }
    output.unlink()
    print(f"{label:<30} {result['rows_per_s']:>9,} rows/s {result['mb_per_s']:>7} MB/s "
          f"peak RSS {result['peak_rss_mb']:>6} MB ({seconds:.1f} s)", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="existing archive to export (default: build one)")
    parser.add_argument("--articles", type=int, default=ARTICLES)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    db = args.db or OUT / f"export-{args.articles}.db"
    if not db.exists():
        build(db, args.articles)
    import sqlite3

    rows = sqlite3.connect(db).execute("select count(*) from articles").fetchone()[0]
    py = sys.executable
    columns = [arg for c in "url,site,title,published,category,author,truncated,char_count,text".split(",")
               for arg in ("-c", c)]
    results = [
        run("python + imports (baseline)", [py, "-c", "import fanwen.cli"], 0, OUT / "none"),
        run("fanwen export -o x.csv", [py, "-c", EXPORT, "--db", str(db), "-o", str(OUT / "export.csv")],
            rows, OUT / "export.csv", writes_output=True),
        run("fanwen export -o x.jsonl", [py, "-c", EXPORT, "--db", str(db), "-o", str(OUT / "export.jsonl")],
            rows, OUT / "export.jsonl", writes_output=True),
        run("fanwen export --format csv -o -", [py, "-c", EXPORT, "--db", str(db), "--format", "csv"],
            rows, OUT / "stdout.csv"),
        run("sqlite-utils rows --csv (peer)",
            [str(Path(py).with_name("sqlite-utils")), "rows", str(db), "articles", "--csv", *columns],
            rows, OUT / "peer.csv"),
    ]
    worst = max(r["peak_rss_mb"] for r in results[1:4])
    print(f"fanwen export peak RSS {worst} MB (target < {RSS_TARGET_MB} MB): "
          f"{'ok' if worst < RSS_TARGET_MB else 'OVER TARGET'}")
    for r in results:
        print(json.dumps(r, ensure_ascii=False))


if __name__ == "__main__":
    main()
