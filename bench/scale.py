"""Scale benchmark: a million-article archive — build, size, Datasette latency, many readers, export, reclean.

Usage:
  .venv/bin/python bench/scale.py --articles 1000000          # builds bench/out/scale-1000000/ once (about an hour)
  .venv/bin/python bench/scale.py --articles 20000 --clients 20 --seconds 30
  .venv/bin/python bench/scale.py --articles 1000000 --skip export,reclean

Build: bench/scalebuild.py (real store path and search triggers; kept and reused). Then:
* size: the file, and the bytes of text (title + text), search index (articles_fts*) and raw pages (pages + index);
  above 2 GB estimated from sampled rows and the FTS5 structure record (a page walk is hours on a slow disk);
* latency p50/p95 through Datasette's real app (ASGI, no network) with the archive's metadata and plugin:
  search rows (JSON, rows only) and the full HTML table page (count + facets) for 1-4 character queries,
  half frequent and half rare; an article page; the home page; the canned query "latest";
* filtered (skip key "filtered"): the same kinds of request with what a facet link adds to a search — a big
  site, the smallest site, a rare category, the smallest site and that category together (0.06% of the
  archive), a year (``published__startswith``), a site that matches nothing — for --filter-queries words of
  each length (half frequent, half rare); p50/p95 per filter and per word length, the rows the first page
  held, and a search sorted by date (``_sort_desc=published``);
* sorted (skip key "sorted"): searches sorted by each column the table offers (published both ways, char_count,
  first_seen; browse/sorted_search.py) for --sort-queries words of each length, the date sort also with a big
  site and with the 0.06% site-and-category filter: rows (first page and the next), table page, p50/p95;
* concurrency: `fanwen serve`'s app under uvicorn on 127.0.0.1, driven by --clients concurrent clients
  (httpx) for --seconds with a mixed workload (40% search rows, 30% table pages, 30% article pages):
  requests/s and p50/p95;
* export: `fanwen export --format jsonl` of the whole archive in a child process: rows/s and peak RSS;
* reclean: `fanwen reclean`'s functions on a --reclean-articles archive (built once with the same generator),
  with 1 worker and with every core: pages/s, CPU time and the speed-up (one round of bench/reclean.py, which
  interleaves several).
Prints a summary and appends one JSON line to bench/out/scale.jsonl.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scalebuild import SEED as BUILD_SEED  # noqa: E402
from bench.scalebuild import build  # noqa: E402
from bench.search import queries as search_queries  # noqa: E402

OUT = Path(__file__).parent / "out"
DB = "fanwen"  # Datasette's name for the archive: its file name without the last suffix
FANWEN = str(Path(sys.executable).with_name("fanwen"))  # the installed command line
QUERIES = 20  # per query length (half frequent, half rare)
SAMPLES = 30  # article pages, home page, canned query
FILTER_QUERIES = 6  # per query length, for the filtered searches
# What facet links add to a search (bench/scalebuild.py: ruiwen holds 28% of the archive, huaboedu 4%,
# 思想汇报 is the rarest of the 20 categories, 1.4%).
FILTERS = {"big_site": "site=ruiwen", "small_site": "site=huaboedu", "rare_category": "category=思想汇报",
           "site_and_category": "site=huaboedu&category=思想汇报", "year": "published__startswith=2015",
           "no_match": "site=nosuchsite"}
# The sort orders the articles table offers a search (metadata.yml sortable_columns), each as a link adds it.
SORTS = {"published_desc": "_sort_desc=published", "published_asc": "_sort=published",
         "char_count_desc": "_sort_desc=char_count", "first_seen_desc": "_sort_desc=first_seen"}
SORT_FILTERS = {"none": "", "big_site": "site=ruiwen", "site_and_category": "site=huaboedu&category=思想汇报"}
SORT_QUERIES = 4  # per query length, for the sorted searches
CLIENTS = 20
SECONDS = 60
RECLEAN_ARTICLES = 3_000
# getrusage(RUSAGE_CHILDREN) of a wrapper that runs one command: that command's peak RSS.
MEASURE = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
"""


def percentiles(times: list[float]) -> dict:
    times = sorted(times)
    # Nearest rank: the smallest time at least 95% of the requests took no longer than (the 2nd of 2, 19th of
    # 20). Until session 14 this was the rank below it for fewer than 20 requests (the 1st of 2).
    return {"p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[max(math.ceil(0.95 * len(times)) - 1, 0)], 1), "n": len(times)}


def archive(n: int) -> tuple[Path, float | None]:
    """The cached archive of n articles, built if missing; (path, build seconds or None when reused)."""
    folder = OUT / f"scale-{n}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "fanwen.db"
    if path.exists():
        return path, None
    print(f"building {n:,} articles into {path} …", flush=True)
    return path, build(path, n)


# Above this file size the parts are estimated: dbstat walks every b-tree page in key order, which is random
# order in a file grown by interleaved inserts, and this machine's disk reads 2.7 MB/s at random (the VM also
# pages out file cache untouched for a minute, so reading the file ahead does not help): hours at a million.
EXACT_SIZES_UP_TO = 2_000_000_000
SIZE_SAMPLE = 5_000


def sizes(path: Path) -> dict:
    """File size and the bytes of text, search index and raw pages (cached beside archives in bench/out):
    exact (dbstat) for files up to EXACT_SIZES_UP_TO, estimated above it (`estimated_sizes`)."""
    cache = path.with_name(path.name + ".sizes.json") if OUT.resolve() in path.resolve().parents else None
    if cache and cache.exists() and json.loads(cache.read_text())["file_bytes"] == path.stat().st_size:
        return json.loads(cache.read_text())
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    file_bytes = path.stat().st_size
    result = exact_sizes(conn, file_bytes) if file_bytes <= EXACT_SIZES_UP_TO else estimated_sizes(conn, file_bytes)
    conn.close()
    if cache:
        cache.write_text(json.dumps(result))
    return result


def exact_sizes(conn: sqlite3.Connection, file_bytes: int) -> dict:
    text = conn.execute("select sum(length(cast(title as blob)) + length(cast(text as blob))) from articles")
    text_bytes = text.fetchone()[0]
    by_name = dict(conn.execute("select name, sum(pgsize) from dbstat group by name"))
    index = sum(v for k, v in by_name.items() if k.startswith("articles_fts"))
    pages = sum(v for k, v in by_name.items() if k in ("pages", "sqlite_autoindex_pages_1", "idx_pages_article_url"))
    articles = sum(v for k, v in by_name.items() if k == "articles" or "articles_" in k and "fts" not in k)
    return {"file_bytes": file_bytes, "text_bytes": text_bytes, "index_bytes": index,
            "pages_bytes": pages, "articles_table_bytes": articles,
            "other_bytes": file_bytes - index - pages - articles}


def estimated_sizes(conn: sqlite3.Connection, file_bytes: int) -> dict:
    """Text and raw-page bytes from SIZE_SAMPLE random rows times the row count; the search index from
    the FTS5 structure record (leaf pages of every segment, one database page each): a few thousand
    random reads instead of the whole file."""
    rng = random.Random(7)

    def mean_of(table: str, expression: str) -> tuple[float, int]:
        top = conn.execute(f"select max(rowid) from {table}").fetchone()[0] or 0
        values = [row[0] for row in (conn.execute(f"select {expression} from {table} where rowid = ?",
                                                  [rng.randint(1, top)]).fetchone() for _ in range(SIZE_SAMPLE))
                  if row is not None]
        count = conn.execute(f"select count(*) from {table}").fetchone()[0]
        return (statistics.fmean(values) if values else 0.0), count

    text_mean, articles = mean_of("articles", "length(cast(title as blob)) + length(cast(text as blob))")
    page_mean, pages = mean_of("pages", "length(cast(body as blob)) + length(cast(coalesce(headers, '') as blob))")
    page_size = conn.execute("pragma page_size").fetchone()[0]
    structure = conn.execute("select block from articles_fts_data where id = 10").fetchone()[0]
    return {"file_bytes": file_bytes, "text_bytes": round(text_mean * articles),
            "index_bytes": fts5_leaf_pages(structure) * page_size, "pages_payload_bytes": round(page_mean * pages),
            "estimated": f"text and raw pages (body + headers) from {SIZE_SAMPLE:,} sampled rows each, index from "
                         "the FTS5 structure record (leaf pages x page size)"}


def _varint(data: bytes, i: int) -> tuple[int, int]:
    """SQLite's varint (FTS5 uses the same): big-endian 7-bit groups, the 9th byte whole."""
    value = 0
    for n in range(9):
        byte = data[i + n]
        if n == 8:
            return (value << 8) | byte, i + 9
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            return value, i + n + 1
    raise AssertionError("unreachable")


def fts5_leaf_pages(structure: bytes) -> int:
    """Leaf pages of every segment in an FTS5 structure record (fts5_index.c, fts5StructureDecode): a
    cookie, an optional V2 marker, then levels of segments (id, first leaf, last leaf)."""
    v2 = structure[4:8] == b"\xff\x00\x00\x01"
    i = 8 if v2 else 4
    levels, i = _varint(structure, i)
    _, i = _varint(structure, i)  # segments in all levels
    _, i = _varint(structure, i)  # write counter
    leaves = 0
    for _ in range(levels):
        _, i = _varint(structure, i)  # segments being merged
        segments, i = _varint(structure, i)
        for _ in range(segments):
            _, i = _varint(structure, i)  # segment id
            first, i = _varint(structure, i)
            last, i = _varint(structure, i)
            leaves += last - first + 1
            for _ in range(5 if v2 else 0):  # origin (2), tombstone pages and entries, entries
                _, i = _varint(structure, i)
    return leaves


def sample_urls(path: Path, k: int) -> list[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    top = conn.execute("select max(rowid) from articles").fetchone()[0]
    rng = random.Random(5)
    urls = [conn.execute("select url from articles where rowid = ?", [rng.randint(1, top)]).fetchone()[0]
            for _ in range(k)]
    conn.close()
    return urls


def row_path(url: str) -> str:
    """Datasette's tilde-encoding of a text primary key."""
    return f"/{DB}/articles/" + quote(url, safe="").replace("%", "~").replace(".", "~2E").replace("-", "~2D")


def rows_path(q: str, extra: str = "") -> str:
    return f"/{DB}/articles.json?_search={quote(q)}&_size=50&_nocount=1&_nofacet=1&_nosuggest=1{extra}"


def table_path(q: str, extra: str = "") -> str:
    return f"/{DB}/articles?_search={quote(q)}{extra}"


def filter_args(query: str) -> str:
    return "".join(f"&{quote(k)}={quote(v)}" for k, v in (pair.split("=", 1) for pair in query.split("&")))


async def filtered_latency(ds, qs: dict[int, list[str]], n: int) -> dict:
    """p50/p95 of searches with facet-link filters: per filter, per word length, and sorted by date."""
    words = {length: ws[: n // 2] + ws[len(ws) // 2: len(ws) // 2 + n - n // 2] for length, ws in qs.items()}
    times: dict[str, list[float]] = {}
    first_rows: dict[str, list[int]] = {}
    failures: list[str] = []

    async def timed(key: str, path: str) -> None:
        started = time.perf_counter()
        response = await ds.client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:  # Datasette's sql_time_limit_ms answers 400 "took too long"
            failures.append(f"{key} {response.status_code} {path}")
        kind = key.split("/")[0]
        for k in (key,) if kind.endswith("_sorted") else (key, kind + "/all"):
            times.setdefault(k, []).append(elapsed)
        if path.startswith(f"/{DB}/articles.json") and response.status_code == 200:
            first_rows.setdefault(key.split("/")[0] + "/" + key.split("/")[1], []).append(len(response.json()["rows"]))

    await ds.client.get(rows_path(words[2][0], filter_args(FILTERS["big_site"])))  # warm-up
    for label, query in FILTERS.items():
        extra = filter_args(query)
        for length, ws in words.items():
            for q in ws:
                await timed(f"rows/{label}/{length}char", rows_path(q, extra))
                await timed(f"page/{label}/{length}char", table_path(q, extra))
    for q in words[2][: n // 2]:
        await timed("page_sorted/published_desc", table_path(q, "&_sort_desc=published"))
        await timed("rows_sorted/published_desc", rows_path(q, "&_sort_desc=published"))
    results: dict = {}
    for key in sorted(times):
        kind, label = key.split("/")[0], key.split("/")[1]
        if key.endswith("/all") or kind.endswith("_sorted"):
            results[f"{kind}_{label}"] = percentiles(times[key])
    for kind in ("rows", "page"):
        for length in words:
            results[f"{kind}_{length}char_filtered"] = percentiles(
                [t for key, ts in times.items() if key.startswith(f"{kind}/") and key.endswith(f"/{length}char")
                 for t in ts])
        for label in FILTERS:
            results[f"{kind}_{label}"] = percentiles(
                [t for key, ts in times.items() if key.startswith(f"{kind}/{label}/") for t in ts])
    results["failures"] = failures
    results["first_page_rows_mean"] = {k: round(statistics.fmean(v), 1) for k, v in sorted(first_rows.items())}
    return results


async def sorted_latency(ds, qs: dict[int, list[str]], n: int) -> dict:
    """p50/p95 of searches sorted by another column: per sort, per word length, with and without filters,
    as rows (first page and the page after it) and as the table page."""
    words = {length: ws[: n // 2] + ws[len(ws) // 2: len(ws) // 2 + n - n // 2] for length, ws in qs.items()}
    times: dict[str, list[float]] = {}
    rows_found: dict[str, list[int]] = {}
    failures: list[str] = []

    async def timed(keys: tuple[str, ...], path: str):
        started = time.perf_counter()
        response = await ds.client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            failures.append(f"{keys[0]} {response.status_code} {path}")
        for key in keys:
            times.setdefault(key, []).append(elapsed)
        return response

    await ds.client.get(rows_path(words[2][0], "&" + SORTS["published_desc"]))  # warm-up
    for sort, sort_arg in SORTS.items():
        for label, query in SORT_FILTERS.items():
            extra = "&" + sort_arg + (filter_args(query) if query else "")
            if label != "none" and sort != "published_desc":
                continue  # filters with the date sort only: the walks are the same for every column
            for length, ws in words.items():
                for q in ws:
                    keys = (f"rows/{sort}/{label}/{length}char", f"rows/all/{label}/{length}char")
                    response = await timed(keys, rows_path(q, extra))
                    if response.status_code == 200:
                        data = response.json()
                        rows_found.setdefault(f"{label}/{length}char", []).append(len(data["rows"]))
                        if data.get("next"):
                            await timed((f"rows_next/{label}/{length}char",),
                                        rows_path(q, extra + "&_next=" + quote(data["next"])))
                    await timed((f"page/{sort}/{label}/{length}char", f"page/all/{label}/{length}char"),
                                table_path(q, extra))
    results: dict = {key.replace("/", "_"): percentiles(ts) for key, ts in sorted(times.items())}
    results["failures"] = failures
    results["first_page_rows_mean"] = {k: round(statistics.fmean(v), 1) for k, v in sorted(rows_found.items())}
    return results


async def latency(ds, qs: dict[int, list[str]], urls: list[str]) -> dict:
    """p50/p95 per kind of request, through the ASGI app."""
    async def timed(path: str) -> float:
        started = time.perf_counter()
        response = await ds.client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
        return elapsed

    await ds.client.get(table_path(qs[2][0]))  # warm-up: startup, caches
    results: dict = {}
    for length, words in qs.items():
        half = len(words) // 2
        for kind, make in (("rows", rows_path), ("page", table_path)):
            for label, group in (("frequent", words[:half]), ("rare", words[half:])):
                results[f"{length}char_{kind}_{label}"] = percentiles([await timed(make(q)) for q in group])
            results[f"{length}char_{kind}"] = percentiles([await timed(make(q)) for q in words])
    results["article_page"] = percentiles([await timed(row_path(u)) for u in urls])
    results["home_page"] = percentiles([await timed("/") for _ in urls[:10]])
    results["database_page"] = percentiles([await timed(f"/{DB}") for _ in urls[:10]])
    results["canned_latest"] = percentiles([await timed(f"/{DB}/latest") for _ in urls[:10]])
    results["table_unfiltered"] = percentiles([await timed(f"/{DB}/articles") for _ in urls[:10]])
    return results


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def drive(base: str, qs: dict[int, list[str]], urls: list[str], clients: int, seconds: float) -> dict:
    """`clients` concurrent clients, each sending its next request when the last one answered."""
    import httpx

    words = [w for ws in qs.values() for w in ws]
    times: dict[str, list[float]] = {"rows": [], "page": [], "article": []}
    errors = 0
    deadline = time.perf_counter() + seconds

    async def client(i: int, http: httpx.AsyncClient) -> None:
        nonlocal errors
        rng = random.Random(i)
        while time.perf_counter() < deadline:
            kind = rng.choices(["rows", "page", "article"], weights=[40, 30, 30])[0]
            path = {"rows": lambda: rows_path(rng.choice(words)), "page": lambda: table_path(rng.choice(words)),
                    "article": lambda: row_path(rng.choice(urls))}[kind]()
            started = time.perf_counter()
            response = await http.get(base + path)
            if response.status_code != 200:
                errors += 1
            times[kind].append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=120, limits=httpx.Limits(max_connections=clients)) as http:
        await asyncio.gather(*(client(i, http) for i in range(clients)))
    elapsed = time.perf_counter() - started
    everything = [t for ts in times.values() for t in ts]
    return {"clients": clients, "seconds": round(elapsed, 1), "requests": len(everything), "errors": errors,
            "requests_per_s": round(len(everything) / elapsed, 1), "all": percentiles(everything),
            **{k: percentiles(v) for k, v in times.items() if v}}


def concurrency(path: Path, qs: dict[int, list[str]], urls: list[str], clients: int, seconds: float) -> dict:
    port = free_port()
    server = subprocess.Popen([FANWEN, "serve", "--db", str(path), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        return asyncio.run(drive(base, qs, urls, clients, seconds))
    finally:
        server.terminate()
        server.wait(timeout=30)


def export(path: Path, articles: int) -> dict:
    """`fanwen export --format jsonl` of everything, in a child: rows/s and peak RSS."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", MEASURE, FANWEN, "export", "--db",
                           str(path), "--format", "jsonl", "-o", "-"], stderr=subprocess.PIPE, text=True, check=True)
    seconds = time.perf_counter() - started
    return {"rows_per_s": round(articles / seconds), "seconds": round(seconds, 1),
            "peak_rss_mb": round(int(proc.stderr.strip().splitlines()[-1]) / 1024, 1)}


def reclean(n: int) -> dict:
    """Reclean copies of an n-article archive with 1 worker and with every core (bench/reclean.py, one round)."""
    from bench.reclean import measure  # it imports this module

    return measure(n, rounds=1, quiet=True)



def print_walks(section: dict, width: int) -> None:
    """Print a filtered or sorted section: p50/p95 per request kind, rows on first pages, timed-out requests."""
    for key, value in section.items():
        if isinstance(value, dict) and "p50_ms" in value:
            print(f"  {key:<{width}} p50 {value['p50_ms']:>8} ms  p95 {value['p95_ms']:>8} ms", flush=True)
    print("  first page rows (mean)", json.dumps(section["first_page_rows_mean"], ensure_ascii=False), flush=True)
    print(f"  failed (timed out): {len(section['failures'])}", *section["failures"], sep="\n    ", flush=True)

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=QUERIES, help="per query length")
    parser.add_argument("--filter-queries", type=int, default=FILTER_QUERIES,
                        help="per query length, for the filtered searches")
    parser.add_argument("--sort-queries", type=int, default=SORT_QUERIES,
                        help="per query length, for the sorted searches")
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--seconds", type=float, default=SECONDS, help="length of the concurrent run")
    parser.add_argument("--reclean-articles", type=int, default=RECLEAN_ARTICLES)
    parser.add_argument("--skip", default="",
                        help="comma-separated: latency,filtered,sorted,concurrency,export,reclean")
    parser.add_argument("--db", type=Path, help="measure this archive instead of building one (its size is N)")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    if args.db:
        global DB
        from datasette.utils import tilde_encode

        path, build_seconds, DB = args.db, None, tilde_encode(args.db.stem)
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        args.articles = conn.execute("select count(*) from articles").fetchone()[0]
        conn.close()
    else:
        path, build_seconds = archive(args.articles)
    record: dict = {"bench": "scale", "articles": args.articles, "date": time.strftime("%Y-%m-%d %H:%M"),
                    "load_avg_at_start": os.getloadavg(), "cores": os.cpu_count()}
    if build_seconds:
        record["build"] = {"seconds": round(build_seconds), "articles_per_s": round(args.articles / build_seconds)}
    record["size"] = {k: round(v / 1e6, 1) if isinstance(v, int) else v for k, v in sizes(path).items()}
    record["size"]["index_to_text"] = round(record["size"]["index_bytes"] / record["size"]["text_bytes"], 2)
    print(json.dumps(record["size"]), flush=True)
    qs = search_queries(args.queries, BUILD_SEED)  # the words the build wrote (its sentence pool's vocabulary)
    urls = sample_urls(path, SAMPLES)
    if "latency" not in skip:
        from fanwen.browse.serve import make_datasette

        record["latency"] = asyncio.run(latency(make_datasette(str(path)), qs, urls))
        for key, value in record["latency"].items():
            print(f"  {key:<26} p50 {value['p50_ms']:>8} ms  p95 {value['p95_ms']:>8} ms", flush=True)
    if "filtered" not in skip:
        from fanwen.browse.serve import make_datasette

        record["filtered"] = asyncio.run(filtered_latency(make_datasette(str(path)), qs, args.filter_queries))
        print_walks(record["filtered"], 30)
    if "sorted" not in skip:
        from fanwen.browse.serve import make_datasette

        record["sorted"] = asyncio.run(sorted_latency(make_datasette(str(path)), qs, args.sort_queries))
        print_walks(record["sorted"], 40)
    if "concurrency" not in skip:
        record["concurrency"] = concurrency(path, qs, urls, args.clients, args.seconds)
        print("  concurrency", json.dumps(record["concurrency"]), flush=True)
    if "export" not in skip:
        record["export"] = export(path, args.articles)
        print("  export", json.dumps(record["export"]), flush=True)
    if "reclean" not in skip:
        record["reclean"] = reclean(args.reclean_articles)
        print("  reclean", json.dumps(record["reclean"]), flush=True)
    record["load_avg_at_end"] = os.getloadavg()
    line = json.dumps(record, ensure_ascii=False)
    print(line)
    with open(OUT / "scale.jsonl", "a", encoding="utf-8") as f:
        f.write(line + "\n")


if __name__ == "__main__":
    main()
