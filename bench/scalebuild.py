"""Build a large synthetic archive for bench/scale.py, through the real store path and triggers.

Every article is a raw page (DedeCMS-style HTML, GBK or UTF-8, with the chrome real pages carry) saved
with ``save_pages`` and an extraction stored with ``upsert_article``, so the pages table, the removals
audit, and the search index triggers all do their real work. The extractor itself is not run here
(at 1.4 ms/page it would add 25 minutes at a million); bench/scale.py times it separately (reclean).

Seeded, so two builds of the same size are identical. Lengths, sites, categories and dates follow
skewed distributions like the real 范文 sites: a few large sites, most essays 500-3,000 characters,
more recent years than old ones.
"""

from __future__ import annotations

import math
import multiprocessing
import multiprocessing.pool
import random
import sys
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.search import ZIPF_S, vocabulary  # noqa: E402
from fanwen.browse.search_index import index_token_map, precomputed_tokens  # noqa: E402
from fanwen.pipelines.dedupe import PendingGroups, index_missing  # noqa: E402
from fanwen.pipelines.records import Document, Extraction, Fetched, Removal  # noqa: E402
from fanwen.pipelines.store import open_db, save_pages, start_crawl, upsert_article  # noqa: E402

SEED = 20261201
SENTENCES = 100_000  # a pool of generated sentences; articles draw from it (fast, same bigram statistics)
MEDIAN_CHARS, SIGMA = 1_000, 0.55  # log-normal essay length in characters (median ~1,000, mean ~1,160)
CHARS_RANGE = (200, 10_000)
BATCH = 1_000  # articles per transaction
AHEAD = 2  # batches per worker made ahead of the writer
# (site, share of the archive, page encoding): a few big sites hold most articles, as in reality.
SITES = [("ruiwen", 0.28, "gbk"), ("diyifanwen", 0.20, "gbk"), ("xuexila", 0.14, "utf-8"),
         ("yjbys", 0.11, "gbk"), ("cnrencai", 0.09, "utf-8"), ("liuxue86", 0.08, "utf-8"),
         ("fwsir", 0.06, "gbk"), ("huaboedu", 0.04, "utf-8")]
CATEGORIES = ["工作总结", "心得体会", "讲话稿", "作文", "述职报告", "工作计划", "演讲稿", "读后感", "申请书",
              "自我鉴定", "实习报告", "调研报告", "党团范文", "合同范本", "教案", "导游词", "祝福语", "策划书",
              "活动方案", "思想汇报"]
YEARS = list(range(2008, 2027))
CHROME = ("<div class=\"nav\">" + "".join(f"<a href=\"/{i}/\">{c}</a>" for i, c in enumerate(CATEGORIES))
          + "</div><div class=\"gg\"><script>show_ad('top');</script>广告位招租</div>")
TEMPLATE = """<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{title}_{site}</title></head><body>{chrome}
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/{category}/">{category}</a></div>
<h1>{title}</h1><div class="info">发布时间：{published} 来源：网友投稿</div>
<div class="content">{paragraphs}</div>
<div class="related"><h3>相关阅读</h3><ul>{related}</ul></div>
<div class="footer">Copyright &copy; {site} 版权所有</div></body></html>"""


def sentence_pool(rng: random.Random) -> tuple[list[str], list[str], list[float]]:
    """Sentences made of Zipf-weighted words (bench/search.py's vocabulary), plus the words for titles."""
    words, weights = vocabulary(rng)
    cum, total = [], 0.0
    for w in weights:
        total += w
        cum.append(total)
    pool = []
    for _ in range(SENTENCES):
        picks = rng.choices(words, cum_weights=cum, k=rng.randint(8, 40))
        pool.append("".join(w + ("，" if rng.random() < 0.12 else "") for w in picks) + "。")
    return pool, words, cum


def zipf_cum(n: int) -> list[float]:
    out, total = [], 0.0
    for r in range(n):
        total += 1 / (r + 1) ** ZIPF_S
        out.append(total)
    return out


class ArticleMaker:
    """Deterministic article i: (Document, Extraction)."""

    def __init__(self) -> None:
        rng = random.Random(SEED)
        self.pool, self.words, self.word_cum = sentence_pool(rng)
        self.site_cum = [sum(s[1] for s in SITES[: i + 1]) for i in range(len(SITES))]
        self.cat_cum = zipf_cum(len(CATEGORIES))
        self.year_cum = [sum(1.0 + 0.25 * k for k in range(i + 1)) for i in range(len(YEARS))]

    def make(self, i: int, crawl_stamp: str) -> tuple[Document, Extraction]:
        rng = random.Random(SEED * 7 + i)
        site, _, encoding = rng.choices(SITES, cum_weights=self.site_cum)[0]
        category = rng.choices(CATEGORIES, cum_weights=self.cat_cum)[0]
        year = rng.choices(YEARS, cum_weights=self.year_cum)[0]
        published = None if rng.random() < 0.05 else f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        target = min(max(int(rng.lognormvariate(math.log(MEDIAN_CHARS), SIGMA)), CHARS_RANGE[0]), CHARS_RANGE[1])
        paragraphs, size, para = [], 0, []
        while size < target:
            s = self.pool[rng.randrange(SENTENCES)]
            para.append(s)
            size += len(s)
            if len(para) >= rng.randint(2, 6):
                paragraphs.append("\u3000\u3000" + "".join(para))
                para = []
        if para:
            paragraphs.append("\u3000\u3000" + "".join(para))
        title = "".join(rng.choices(self.words, cum_weights=self.word_cum, k=rng.randint(2, 6))) + category
        text = "\n".join(paragraphs)
        truncated = rng.random() < 0.08
        url = f"https://www.{site}.com/{CATEGORIES.index(category)}/{i}.html"
        html = TEMPLATE.format(
            charset=encoding, title=title, site=site, chrome=CHROME, category=category, published=published or "",
            paragraphs="\n".join(f"<p>{p}<span style=\"display:none\">{site}防采集</span></p>" for p in paragraphs),
            related="".join(f"<li><a href=\"/{rng.randrange(10**6)}.html\">{self.pool[rng.randrange(SENTENCES)][:12]}"
                            "</a></li>" for _ in range(8)),
        )
        body = html.encode(encoding)
        doc = Document(url=url, site=site, parts=[Fetched(url=url, status=200, headers={
            "Content-Type": f"text/html; charset={encoding}"}, body=body, encoding=encoding, fetched_at=crawl_stamp)])
        removed = [Removal(rule="hidden-style", category="hidden", text=f"{site}防采集") for _ in paragraphs[:3]]
        removed.append(Removal(rule="related-box", category="navigation", text="相关阅读"))
        ext = Extraction(kind="article", title=title, published=published, category=category, text=text,
                         truncated=truncated, removed=removed)
        return doc, ext


_MAKER: ArticleMaker | None = None
STAMP = "2026-12-01T00:00:00Z"


def _make_batch(bounds: tuple[int, int]) -> list[tuple[Document, Extraction, dict[str, str]]]:
    """Worker: articles first..last, each with its index tokens (what the trigger's fanwen_grams returns)."""
    global _MAKER
    if _MAKER is None:
        _MAKER = ArticleMaker()
    out = []
    for i in range(*bounds):
        doc, ext = _MAKER.make(i, STAMP)
        out.append((doc, ext, index_token_map(ext.title, ext.text)))
    return out


def _ahead(pool: multiprocessing.pool.Pool, batches: list[tuple[int, int]], ahead: int) -> Iterator[list]:
    """The made batches in order, at most `ahead` made before the writer stores them: pool.imap runs the
    workers to the end, and their finished batches (pages + index tokens, ~80 KB an article) piled up in
    the writer's memory, 13 GB after 165,000 articles."""
    pending: deque[multiprocessing.pool.AsyncResult] = deque()
    for bounds in batches:
        pending.append(pool.apply_async(_make_batch, (bounds,)))
        if len(pending) > ahead:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()


def build(path: Path, n: int, *, workers: int = 2, progress_every: int = 50_000) -> float:
    """Create the archive with n articles at path (written to path + '.part', renamed when complete).

    Articles and their index tokens are made in `workers` processes; one writer stores them with
    save_pages/upsert_article, and the search triggers fire as in a crawl. The writer's fanwen_grams
    returns the tokens the worker made (browse/search_index.py: precomputed_tokens), falling back to
    making them, so the index is byte-for-byte what a crawl would write, using both cores.
    Resumable: article i is a function of i alone and batches commit whole, so a build that was stopped
    continues from its .part file with the next article. Returns seconds spent in this call.
    """
    part = path.with_name(path.name + ".part")
    db = open_db(part)
    db.execute("pragma cache_size = -262144")  # 256 MB: the url index and FTS segments are written at random
    have = db.execute("select count(*) from articles").fetchone()[0]
    crawl_id = db.execute("select min(id) from crawls").fetchone()[0]
    if crawl_id is None:
        crawl_id = start_crawl(db, "bench/scale.py build", [s[0] for s in SITES])
    elif have:
        print(f"  resuming the build after {have:,} articles", flush=True)
    started = time.perf_counter()
    batches = [(first, min(n, first + BATCH)) for first in range(have, n, BATCH)]
    done = have
    index_missing(db)  # a stopped build's last articles not yet grouped (as a crawl catches up)
    pending = PendingGroups(db)  # as a crawl does: near-duplicates grouped a batch at a time
    with multiprocessing.get_context("fork").Pool(workers) as pool, precomputed_tokens(db.conn) as known:
        for batch in _ahead(pool, batches, workers * AHEAD):
            with db.atomic():
                for doc, ext, tokens in batch:
                    known.update(tokens)
                    save_pages(db, doc, "article", crawl_id)
                    upsert_article(db, doc, ext, crawl_id, pending=pending)
                    known.clear()
            pending.flush()
            done += len(batch)
            if done % progress_every == 0 or done == n:
                rate = (done - have) / (time.perf_counter() - started)
                print(f"  built {done:,}/{n:,} articles, {rate:,.0f}/s", flush=True)
    pending.flush(force=True)
    # No FTS 'optimize': an archive grown by crawls is not optimized either (automerge bounds its segments).
    db.conn.commit()
    db.execute("pragma wal_checkpoint(truncate)")
    seconds = time.perf_counter() - started
    db.close()
    part.rename(path)
    return seconds


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Build bench/out/scale-N/fanwen.db")
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--progress-every", type=int, default=50_000)
    args = parser.parse_args()
    out = Path(__file__).parent / "out" / f"scale-{args.articles}"
    out.mkdir(parents=True, exist_ok=True)
    print(f"build: {build(out / 'fanwen.db', args.articles, progress_every=args.progress_every):.0f} s")
