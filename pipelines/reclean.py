"""Re-run decode → extract → clean on the raw pages already in the archive (no network).

After a rules change, `fanwen reclean` brings every stored article up to date in place. Cleaning is CPU
work and runs in `workers` processes (one per core by default): a pool of `workers` - 1, each reading pages
on its own read-only connection, and this process, which stores the results in rowid order (SQLite has one
writer) and cleans batches itself whenever the next result is not back yet - first the queued pool batches
no worker has started (taken back from the pool, so the run ends with no worker batch left to wait for),
else it waits. The workers do every part of an article's work that needs no write: extracting it, telling
whether its text, title or metadata changed (an unchanged article costs the writer nothing), and for a changed one
the search index tokens of its stored and new title and text (browse/search_index.py: precomputed_tokens)
and the near-duplicate fingerprints of its new text (pipelines/dedupe.py: PendingGroups.made). The
writer's own work is then the FTS5 and near-duplicate index updates (bench/README.md, reclean.py, has the
profile). Serial (`workers=1`) runs the very same functions in-process.

Resumable: articles are taken in rowid order in batches, and each batch's results are committed in
the same transaction as the run's progress row (`reclean_runs.last_rowid`), so after Ctrl-C, kill -9 or
a power cut the next `fanwen reclean` (same --site) carries on after the last committed batch.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_all_start_methods, get_context
from typing import Any, NamedTuple

import sqlite_utils

from fanwen.browse.search_index import index_token_map, precomputed_tokens
from fanwen.pipelines.dedupe import DedupeParams, PendingGroups, index_missing, load_params
from fanwen.pipelines.fingerprint import fingerprints
from fanwen.pipelines.orphans import leave_with
from fanwen.pipelines.process import process_document
from fanwen.pipelines.records import Document, Extraction, Fetched
from fanwen.pipelines.rules import load_rules
from fanwen.pipelines.store import STORED_STATE, now, page_body, store_document, stored_state, upsert_article
from fanwen.progress import Progress

BATCH = 200  # articles per task and per transaction
GROUP_EVERY = 2 * BATCH  # changed articles regrouped at a time: the last group runs alone, so not 5,000 (400 cost
# the same per article as 1,000 on bench/reclean.py's archive; 200 about 15% more)
TAPER_MIN = 20  # the smallest batch of a parallel run's tapered end
RUNS_TABLE = "reclean_runs"  # created by migration step 4 (pipelines/migrations.py)


class Result(NamedTuple):
    """One article re-extracted, as the writer needs it."""

    url: str
    site: str
    verdict: str  # "" to write; else what is counted and left as it is: missing-pages, no-longer-article, unchanged
    doc: Document | None = None  # without its page bodies (the writer needs URLs, encodings and dates)
    ext: Extraction | None = None
    tokens: dict[str, str] = {}  # index tokens of its stored and new title and text (when a pool worker made them)
    prints: set[int] | None = None  # near-duplicate fingerprints of the new text (pipelines/dedupe.py)


def _fetched(row: dict) -> Fetched:
    """A stored `pages` row as the response it archived."""
    return Fetched(url=row["url"], status=row["status"], headers=json.loads(row["headers"] or "{}"),
                   body=page_body(row), encoding=row["encoding"] or "", fetched_at=row["fetched_at"])


def stored_document(db: sqlite_utils.Database, url: str, site: str) -> Document | None:
    """Rebuild a (possibly multi-page) document from its stored raw pages, in page order."""
    rows = list(db.query("select * from pages where article_url = ? order by part", [url]))
    if not rows:
        return None
    return Document(url=url, site=site, parts=[_fetched(r) for r in rows])


def _extract(doc: Document, config: Any) -> Extraction:
    """Extract a stored document with its site's selectors, rules and encoding (generic when unknown)."""
    return process_document(doc, selectors=getattr(config, "selectors", None), rules=getattr(config, "rules", ()),
                            encoding=getattr(config, "encoding", None))


def clean_batch(db: sqlite_utils.Database, sites: Mapping[str, Any], targets: list[tuple[int, str, str]],
                params: DedupeParams, *, tokens: bool = False) -> list[Result]:
    """Re-extract each (rowid, url, site) from its stored pages. An article whose text, title, truncation
    and metadata are what is stored is "unchanged" (the test upsert_article makes); a changed one comes with
    the fingerprints of its new text (made with `params`) and, with `tokens` (in a pool worker), the index
    tokens of its stored and its new title and text, for the writer's triggers."""
    out: list[Result] = []
    for _, url, site_name in targets:
        doc = stored_document(db, url, site_name)
        if doc is None:
            out.append(Result(url, site_name, "missing-pages"))
            continue
        ext = _extract(doc, sites.get(site_name))
        if not ext.is_article:
            out.append(Result(url, site_name, "no-longer-article"))  # kept as it was
            continue
        stored = db.execute(f"select {STORED_STATE} from articles where url = ?", [url]).fetchone()
        if stored is not None and tuple(stored) == stored_state(ext):
            out.append(Result(url, site_name, "unchanged"))
            continue
        for part in doc.parts:
            part.body = b""
        made: dict[str, str] = {}
        if tokens:
            old = db.execute("select title, text from articles where url = ?", [url]).fetchone()
            made = index_token_map(*(old or ()), ext.title, ext.text)
        out.append(Result(url, site_name, "", doc, ext, made, fingerprints(ext.text, params.shingle, params.sample)))
    return out


_WORKER: dict[str, Any] = {}


def _worker_start(db_path: str, sites: Mapping[str, Any], params: DedupeParams, parent: int) -> None:
    leave_with(parent)  # a reclean killed with kill -9 cannot stop its workers
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    _WORKER.update(db=sqlite_utils.Database(conn), sites=sites, params=params)


def _worker_clean(targets: list[tuple[int, str, str]]) -> list[Result]:
    return clean_batch(_WORKER["db"], _WORKER["sites"], targets, _WORKER["params"], tokens=True)


def _open_run(db: sqlite_utils.Database, site: str | None, restart: bool) -> tuple[int, int, int, Counter]:
    """(run id, last rowid done, articles done, counts so far): the unfinished run for this site, or a new one."""
    with db.atomic():
        open_runs = db.execute(f"select id, last_rowid, done, counts from {RUNS_TABLE} where finished is null"
                               " and site is ? order by id desc", [site]).fetchall()
        if open_runs and not restart:
            run_id, last, done, counts = open_runs[0]
            db.execute(f"update {RUNS_TABLE} set pid = ? where id = ?", [os.getpid(), run_id])
            return run_id, last, done, Counter(json.loads(counts or "{}"))
        db.execute(f"update {RUNS_TABLE} set finished = ? where finished is null and site is ?", [now(), site])
        cursor = db.execute(f"insert into {RUNS_TABLE} (started, site, last_rowid, done, counts, pid)"
                            " values (?, ?, 0, 0, '{}', ?)", [now(), site, os.getpid()])
        return cursor.lastrowid, 0, 0, Counter()


Target = tuple[int, str, str]  # (rowid, url, site)


def _batches(db: sqlite_utils.Database, site: str | None, after: int, size: int,
             taper: int = 0) -> Iterator[list[Target]]:
    """Articles after rowid `after` in rowid order, `size` at a time (read lazily: memory stays flat).

    With `taper` (the number of processes cleaning), the last batches shrink: once fewer than 2 × taper ×
    `size` articles are left, each batch takes a 2 × taper-th of what is left (at least TAPER_MIN), so the
    run does not end with one process cleaning a whole batch while the others have nothing left to do.
    """
    where = "and site = ?" if site else ""
    left = db.execute(f"select count(*) from articles where rowid > ? {where}",
                      [after, *([site] if site else [])]).fetchone()[0] if taper else 0
    while True:
        n = max(TAPER_MIN, min(size, left // (2 * taper))) if taper else size
        params: list = [after, *([site] if site else []), n]
        rows = db.execute(f"select rowid, url, site from articles where rowid > ? {where} order by rowid limit ?",
                          params).fetchall()
        if not rows:
            return
        yield [tuple(r) for r in rows]
        after = rows[-1][0]
        left -= len(rows)


def _write(db: sqlite_utils.Database, results: list[Result], counts: Counter, progress: Progress | None,
           pending: PendingGroups) -> None:
    for result in results:
        if progress:
            progress.tick()
        if result.verdict:
            counts[result.verdict] += 1
            continue
        assert result.doc is not None and result.ext is not None and result.prints is not None
        pending.made[result.ext.text] = result.prints
        counts[upsert_article(db, result.doc, result.ext, None, seen=False, pending=pending)] += 1


def _in_parallel(db: sqlite_utils.Database, todo: Iterator[list[Target]], workers: int, initargs: tuple,
                 clean_here: Callable[[list[Target]], list[Result]],
                 commit: Callable[[list[Target], list[Result]], None]) -> None:
    """Clean `todo` in a pool of `workers` - 1 processes and here, and commit every batch here in order."""
    helpers = workers - 1
    depth = 2 * helpers + 2  # batches given to the pool: it never runs dry while this process writes
    load_rules()  # once, before the fork: each worker would parse and compile them again
    # fork where there is one: workers start in milliseconds instead of re-importing the pipeline
    # (seconds on a busy machine). They never touch the parent's SQLite connection: each opens its own.
    method = "fork" if "fork" in get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(helpers, mp_context=get_context(method), initializer=_worker_start,
                             initargs=initargs) as pool:
        # In rowid order: a pool's future, or a batch cleaned here. Bounded: a million articles are never
        # all in flight.
        queue: deque[tuple[list[Target], Future | list[Result]]] = deque()
        in_pool = 0
        while True:
            while in_pool < depth and (targets := next(todo, None)):
                queue.append((targets, pool.submit(_worker_clean, targets)))
                in_pool += 1
            if not queue:
                return
            targets, work = queue[0]
            if isinstance(work, Future) and not work.done():
                # Rather than wait: take back the last batch no worker has started and clean it here. The
                # pool keeps the batches nearer the head; at the end no queued pool batch is left to wait for.
                stolen = next((i for i in range(len(queue) - 1, 0, -1)
                               if isinstance(queue[i][1], Future) and queue[i][1].cancel()), None)
                if stolen is not None:
                    in_pool -= 1
                    queue[stolen] = (queue[stolen][0], clean_here(queue[stolen][0]))
                    continue
            queue.popleft()
            if isinstance(work, Future):
                in_pool -= 1
                work = work.result()
            commit(targets, work)


def _db_path(db: sqlite_utils.Database) -> str:
    return next(row[2] for row in db.execute("pragma database_list") if row[1] == "main")


def reclean(
    db: sqlite_utils.Database,
    sites: Mapping[str, Any],
    site: str | None = None,
    *,
    workers: int = 1,
    batch: int = BATCH,
    restart: bool = False,
    progress: Progress | None = None,
) -> Counter:
    """Re-extract every stored article (of one site, if given). `sites` maps site names to configs
    (anything with selectors/rules/encoding); unknown sites are cleaned generically.

    `workers` > 1 cleans in that many processes, this one included; results are written here, in rowid
    order. An unfinished earlier run for the same `site` is resumed unless `restart`. Returns counts for the
    whole run (resumed parts included): updated, unchanged, new, no-longer-article (kept as it was),
    missing-pages.
    """
    run_id, last, done, counts = _open_run(db, site, restart)
    resumed_at = done
    index_missing(db)  # an earlier run killed before its last batch was grouped
    params = load_params(db)
    # Changed texts are regrouped a few batches at a time (pipelines/dedupe.py), with the fingerprints the
    # cleaning made.
    ungrouped = PendingGroups(db, every=max(GROUP_EVERY, batch), made_with=params)

    def clean_here(targets: list[Target]) -> list[Result]:
        return clean_batch(db, sites, targets, params)

    def commit(targets: list[Target], results: list[Result]) -> None:
        nonlocal done
        for result in results:
            known.update(result.tokens)
        with db.atomic():
            _write(db, results, counts, progress, ungrouped)
            done += len(targets)
            db.execute(f"update {RUNS_TABLE} set last_rowid = ?, done = ?, counts = ? where id = ?",
                       [targets[-1][0], done, json.dumps(dict(counts)), run_id])
        known.clear()
        ungrouped.flush()

    with precomputed_tokens(db.conn) as known:
        todo = _batches(db, site, last, batch, taper=workers if workers > 1 else 0)
        if workers <= 1:
            for targets in todo:
                commit(targets, clean_here(targets))
        else:
            _in_parallel(db, todo, workers, (_db_path(db), sites, params, os.getpid()), clean_here, commit)
    ungrouped.flush(force=True)
    db.execute(f"update {RUNS_TABLE} set finished = ? where id = ?", [now(), run_id])
    if resumed_at:
        counts["resumed-after"] = resumed_at
    return counts


# The verdicts of extraction itself (not an HTTP error, a duplicate, a site's list hint or garbage bytes): a
# rules or extractor change can overturn them, and each was stored with its page and its reason.
REJECTED_KINDS = ("list", "search", "not-found", "captcha", "blocked", "login", "empty")


def revisit_rejected(db: sqlite_utils.Database, sites: Mapping[str, Any], site: str | None = None,
                     progress: Progress | None = None) -> Counter:
    """Re-extract the stored pages that extraction rejected. One that reads as an article now is stored as
    one (its raw page and the article, in one transaction); one still rejected keeps its row, with today's
    kind and reason. Returns counts: now-article, still-rejected (multi-page rejects are revisited by
    their first page)."""
    counts: Counter = Counter()
    marks = ", ".join("?" for _ in REJECTED_KINDS)
    where = " and site = ?" if site else ""
    rows = db.execute(f"select url from pages where part = 1 and kind in ({marks}){where} order by rowid",
                      [*REJECTED_KINDS, *([site] if site else [])]).fetchall()
    for (url,) in rows:
        row = next(db.query("select * from pages where url = ? and part = 1", [url]))
        doc = Document(url=url, site=row["site"], parts=[_fetched(row)])
        doc.extraction = _extract(doc, sites.get(row["site"]))
        if progress:
            progress.tick()
        if doc.extraction.is_article:
            store_document(db, doc, None)
            counts["now-article"] += 1
        else:
            with db.atomic():
                db.execute("update pages set kind = ?, reason = ? where url = ? and part = 1",
                           [doc.extraction.kind, doc.extraction.reason or None, url])
            counts["still-rejected"] += 1
    return counts
