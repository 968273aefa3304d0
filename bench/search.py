"""Search benchmark: latency of Chinese search through Datasette's real app, and index size vs text size.

Usage: .venv/bin/python bench/search.py [--articles N] [--queries Q]   (or FANWEN_BENCH_ARTICLES=N)
Builds (once, then reuses) bench/out/search-<N>/fanwen.db: seeded essays of 1-5 KB UTF-8 generated from a
Zipf-weighted vocabulary of GB2312 level-1 characters, inserted through the real triggers. Then, for
1-, 2-, 3- and 4-character queries (half drawn by word frequency, half uniformly), it times
GET /fanwen/articles.json?_search=Q through ds.client (the ASGI app, no network), twice:
"page" = what the table page costs (rows + count + the metadata facets; suggestions are off in serve.py),
"rows" = rows only (_nocount=1&_nofacet=1&_nosuggest=1).
Targets from the brief: p95 <= 100 ms for 2-4 characters (1 character reported separately), index <= 3x text.
Prints a table, then one JSON line (also appended to bench/out/search.jsonl).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fanwen.browse.search_index import FTS_TABLE  # noqa: E402
from fanwen.browse.serve import make_datasette  # noqa: E402
from fanwen.pipelines.store import open_db  # noqa: E402

ARTICLES = int(os.environ.get("FANWEN_BENCH_ARTICLES", "100000"))  # the size the brief asks for
QUERIES = 40  # per query length
TEXT_BYTES = (1_000, 5_000)  # UTF-8 bytes of text per article
VOCABULARY = 20_000  # distinct words; word lengths 1-4 characters
ZIPF_S = 1.05  # word frequency ~ 1/rank**s, like natural text
SEED = 20240611
SITES = ["ruiwen", "diyifanwen", "xuexila", "huaboedu", "fwsir", "liuxue86", "yjbys", "cnrencai"]
OUT = Path(__file__).parent / "out"


def characters() -> list[str]:
    """GB2312 level 1: the 3,755 most common simplified characters."""
    chars = []
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.append(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """Words with Zipf weights; characters themselves get Zipf ranks too."""
    chars = characters()
    rng.shuffle(chars)
    char_weights = [1 / (r + 1) ** ZIPF_S for r in range(len(chars))]
    words: dict[str, None] = {}
    while len(words) < VOCABULARY:
        length = rng.choices([1, 2, 3, 4], weights=[15, 60, 15, 10])[0]
        words["".join(rng.choices(chars, char_weights, k=length))] = None
    ordered = list(words)
    return ordered, [1 / (r + 1) ** ZIPF_S for r in range(len(ordered))]


def essay(rng: random.Random, words: list[str], cum_weights: list[float]) -> str:
    target = rng.randint(*TEXT_BYTES) // 3
    paragraphs, size = [], 0
    while size < target:
        picks = rng.choices(words, cum_weights=cum_weights, k=rng.randint(20, 120))
        sentence = "".join(w + ("，" if rng.random() < 0.12 else "") for w in picks) + "。"
        paragraphs.append("\u3000\u3000" + sentence)
        size += len(sentence)
    return "\n".join(paragraphs)


def build(path: Path, n: int) -> float:
    """Create the archive with n articles; returns seconds spent inserting (index maintained by triggers)."""
    rng = random.Random(SEED)
    words, weights = vocabulary(rng)
    cum, total = [], 0.0
    for w in weights:
        total += w
        cum.append(total)
    db = open_db(path)
    started = time.perf_counter()
    batch = []
    for i in range(n):
        site = SITES[i % len(SITES)]
        text = essay(rng, words, cum)
        batch.append({
            "url": f"https://www.{site}.com/fanwen/{i}.html", "site": site,
            "title": "".join(rng.choices(words, cum_weights=cum, k=rng.randint(2, 6))),
            "published": f"{rng.randint(2015, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "category": rng.choice(["工作总结", "心得体会", "讲话稿", "作文", "述职报告"]),
            "text": text, "char_count": len(text), "truncated": int(rng.random() < 0.08),
        })
        if len(batch) == 500:
            db["articles"].insert_all(batch)
            batch = []
    db["articles"].insert_all(batch)
    db.execute(f"insert into {FTS_TABLE}({FTS_TABLE}) values ('optimize')")
    seconds = time.perf_counter() - started
    db.close()
    return seconds


def sizes(path: Path) -> tuple[int, int]:
    """(bytes of UTF-8 title+text, bytes of the index's tables)."""
    db = open_db(path, create=False)
    text = db.execute("select sum(length(cast(title as blob)) + length(cast(text as blob))) from articles")
    index = db.execute("select sum(pgsize) from dbstat where name like ?", [f"{FTS_TABLE}%"])
    result = text.fetchone()[0], index.fetchone()[0]
    db.close()
    return result


def queries(n: int, vocabulary_seed: int = SEED) -> dict[int, list[str]]:
    """Per length 1-4: half drawn by frequency (what people type), half uniformly (rare words), from the
    vocabulary the archive was written with (`vocabulary_seed`: words of another seed's vocabulary almost
    never occur, and a search that finds nothing measures nothing)."""
    rng = random.Random(SEED + 1)
    words, weights = vocabulary(random.Random(vocabulary_seed))
    out: dict[int, list[str]] = {}
    for length in (1, 2, 3, 4):
        pool = [(w, wt) for w, wt in zip(words, weights, strict=True) if len(w) == length]
        frequent = rng.choices([w for w, _ in pool], [wt for _, wt in pool], k=n // 2)
        out[length] = frequent + rng.sample([w for w, _ in pool], n - n // 2)
    return out


async def measure(ds, qs: dict[int, list[str]]) -> dict:
    variants = {"page": "", "rows": "&_nocount=1&_nofacet=1&_nosuggest=1"}
    results: dict = {}
    await ds.client.get("/fanwen/articles.json?_search=" + qs[2][0])  # warm-up: startup, caches
    for length, words in qs.items():
        for name, extra in variants.items():
            times, hits = [], []
            for q in words:
                started = time.perf_counter()
                response = await ds.client.get(f"/fanwen/articles.json?_search={q}&_size=50{extra}")
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.text[:200]
                hits.append(response.json().get("filtered_table_rows_count"))
            times.sort()
            results[f"{length}char_{name}"] = {
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
                "max_ms": round(times[-1], 1),
                "median_hits": statistics.median([h for h in hits if h is not None] or [0]),
            }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=ARTICLES)
    parser.add_argument("--queries", type=int, default=QUERIES)
    args = parser.parse_args()
    folder = OUT / f"search-{args.articles}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "fanwen.db"
    build_seconds = None
    if not path.exists():
        build_seconds = round(build(path, args.articles), 1)
    text_bytes, index_bytes = sizes(path)
    ds = make_datasette(str(path))
    timings = asyncio.run(measure(ds, queries(args.queries)))
    record = {"bench": "search", "articles": args.articles, "text_mb": round(text_bytes / 1e6, 1),
              "index_mb": round(index_bytes / 1e6, 1), "index_to_text": round(index_bytes / text_bytes, 2),
              "build_s": build_seconds, **timings}
    print(f"{args.articles:,} articles: text {record['text_mb']} MB, index {record['index_mb']} MB "
          f"({record['index_to_text']}x text); build {build_seconds if build_seconds else 'reused'} s")
    print(f"{'query':<14}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'median hits':>13}")
    for key, t in timings.items():
        print(f"{key:<14}{t['p50_ms']:>9}{t['p95_ms']:>9}{t['max_ms']:>9}{t['median_hits']:>13}")
    line = json.dumps(record, ensure_ascii=False)
    print(line)
    with open(OUT / "search.jsonl", "a", encoding="utf-8") as f:
        f.write(line + "\n")


if __name__ == "__main__":
    main()
