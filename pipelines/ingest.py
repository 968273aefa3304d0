"""The single writer of a distributed crawl (`fanwen ingest`): drains the workers' messages from Redis into
the SQLite archive.

Documents are stored by store.store_document, exactly as a local crawl's store pipeline stores them
(upserts by canonical URL, revisions, the removals audit). Messages are taken in batches onto a processing
list and acknowledged only after the batch's transaction has committed, so a writer killed mid-batch loses
nothing: the next writer starts with the unacknowledged batch. Replaying a batch cannot double a row,
because every write is an upsert by URL and an unchanged text makes no revision (a batch replayed after its
commit, when the writer died between commit and acknowledgement, is counted again as "unchanged").

Each worker run (one spider in one worker process) becomes one `crawls` row, found again by its start time,
pid, host and site when a batch is replayed. Its article counters grow with every committed batch; its end
(pages, errors, finish reason) arrives as the run's last message. The writer's own run is a `crawls` row too.

Takedowns: the writer publishes the active patterns for workers and stores no document one matches.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from fanwen.crawler import redisbus
from fanwen.crawler.lock import acquire_crawl_lock, release_crawl_lock
from fanwen.errors import StoreError
from fanwen.pipelines.dedupe import PendingGroups, index_missing
from fanwen.pipelines.sitename import site_name_of
from fanwen.pipelines.store import (
    close_abandoned_crawls,
    finish_crawl,
    now,
    open_db,
    record_site,
    start_crawl,
    store_document,
)
from fanwen.pipelines.takedown import is_taken_down, takedowns

logger = logging.getLogger(__name__)

# Counters a worker reports itself; articles_* and rejected are the writer's (only it knows the outcome).
WORKER_COUNTERS = ("pages", "skipped", "not_modified", "gone", "dead_links", "errors", "error_kinds")
OUTCOME_COLUMN = {"new": "articles_new", "updated": "articles_updated", "unchanged": "articles_unchanged",
                  None: "rejected"}


@dataclass
class IngestResult:
    """What one `fanwen ingest` did."""

    crawl_id: int
    documents: int = 0
    outcomes: Counter = field(default_factory=Counter)  # articles_new / _updated / _unchanged, rejected
    runs_finished: int = 0
    set_aside: int = 0  # unreadable messages moved to fanwen:items:rejected
    taken_down: int = 0  # documents an active takedown matches: not stored


def ingest(redis_url: str, db_path: str | Path, *, follow: bool = False, batch_size: int = 200,
           command: str = "fanwen ingest", stop: threading.Event | None = None) -> IngestResult:
    """Drain the message queue into the archive; with `follow`, keep waiting for more until `stop` is set."""
    client = redisbus.connect(redis_url)
    db = open_db(db_path)
    acquire_crawl_lock(db_path, command)  # the one writer: a local crawl or a second ingest is refused
    # A writer killed earlier left its row open (a worker row closed here is finished when its report arrives).
    close_abandoned_crawls(db)
    # As the crawl's store pipeline does: an archive from before near-duplicate groups is fingerprinted once.
    if indexed := index_missing(db):
        logger.warning("fingerprinted %d archived articles for near-duplicate groups (once per archive)", indexed)
    stop = stop or threading.Event()
    result = IngestResult(crawl_id=start_crawl(db, command, []))
    reason = "failed"
    try:
        redisbus.publish_known(client, archived_urls(db))
        _publish_takedowns(db, client)
        runs: dict[str, int] = {}
        pending = PendingGroups(db)  # new articles are grouped with their near-duplicates a batch at a time
        while not stop.is_set():
            batch = redisbus.take(client, batch_size, wait=1.0 if follow else 0)
            if not batch:
                if follow:
                    pending.flush(force=True)  # idle: group what arrived
                    continue
                break
            stored = _write_batch(db, client, batch, runs, result, pending)
            pending.flush()
            redisbus.acknowledge(client)
            redisbus.publish_known(client, stored)
            _publish_takedowns(db, client)  # a takedown recorded while the workers run reaches them
        pending.flush(force=True)
        reason = "stopped" if follow else "finished"
    except sqlite3.OperationalError as e:
        raise StoreError(f"cannot write to {db_path}: {e}; the unacknowledged messages stay in Redis") from e
    finally:
        try:
            finish_crawl(db, result.crawl_id, finish_reason=reason, exit_status=0 if reason != "failed" else 1,
                         pages=result.documents, **result.outcomes)
        finally:
            db.close()
            release_crawl_lock(db_path)
    return result


def archived_urls(db: sqlite_utils.Database):
    """Every archived article URL and continuation page, as the local incremental crawl knows them."""
    yield from (u for (u,) in db.execute("select url from articles"))
    yield from (u for (u,) in db.execute("select url from pages where kind = 'article-part'"))


def _publish_takedowns(db: sqlite_utils.Database, client) -> None:
    redisbus.publish_takedowns(client, [t["pattern"] for t in takedowns(db.conn) if t["undone_at"] is None])


def _write_batch(db: sqlite_utils.Database, client, batch: list[bytes], runs: dict[str, int],
                 result: IngestResult, pending: PendingGroups) -> list[str]:
    """Store one batch in one transaction; returns the article URLs it archived (for fanwen:known)."""
    archived: list[str] = []
    outcomes: Counter = Counter()
    with db.atomic():
        for data in batch:
            try:
                message = redisbus.decode(data)
            except ValueError as e:
                logger.warning("set aside an unreadable message (%s)", e)
                redisbus.set_aside(client, data)
                result.set_aside += 1
                continue
            crawl_id = _run_row(db, message.run, runs)
            if message.kind == "doc" and is_taken_down(db.conn, message.doc.url):
                # Fetched before the takedown reached the worker: refused as a local crawl refuses to fetch it.
                logger.warning("not stored, taken down: %s", message.doc.url)
                result.taken_down += 1
            elif message.kind == "doc":
                outcome = store_document(db, message.doc, crawl_id, pending)
                column = OUTCOME_COLUMN[outcome]
                db.execute(f"update crawls set {column} = coalesce({column}, 0) + 1 where id = ?", [crawl_id])
                outcomes[column] += 1
                if outcome:
                    archived.append(message.doc.url)
                    archived.extend(p.url for p in message.doc.parts[1:])
            elif message.kind == "finish":
                report = message.stats
                counters = {k: v for k, v in report["counters"].items() if k in WORKER_COUNTERS}
                warnings = [f"could not fetch the start page: {report['start_error']}"] \
                    if report.get("start_error") else None
                finish_crawl(db, crawl_id, finished=report.get("finished") or now(),
                             finish_reason=report["finish_reason"], exit_status=report["exit_status"],
                             warnings=warnings, **counters)
                if not message.run.title and (name := site_name_of(db, message.run.site)):
                    # A generic spider's run: the site's name as its pages show it, read when the run ends,
                    # as a local crawl reads it (a later run's votes replace it, a config's title never).
                    record_site(db, message.run.site, name, "page")
                runs.pop(message.run.worker_id, None)
                result.runs_finished += 1
    result.documents += sum(outcomes.values())
    result.outcomes.update(outcomes)
    return archived


def _run_row(db: sqlite_utils.Database, run: redisbus.WorkerRun, runs: dict[str, int]) -> int:
    """The `crawls` row of a worker run, created on its first message."""
    if run.worker_id not in runs:
        row = db.execute("select id from crawls where started = ? and pid = ? and host = ? and command = ?"
                         " and sites = ?", [run.started, run.pid, run.host, run.command, run.site]).fetchone()
        runs[run.worker_id] = row[0] if row else start_crawl(db, run.command, [run.site], started=run.started,
                                                             pid=run.pid, host=run.host)
        if run.title:  # a configured site: its config's title, as a local crawl records it when it opens
            record_site(db, run.site, run.title, "config")
    return runs[run.worker_id]
