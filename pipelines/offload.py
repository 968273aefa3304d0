"""Work off Scrapy's reactor thread during a crawl: extraction in worker processes (FANWEN_EXTRACT_WORKERS),
and `on_reactor`, which hands a concurrent.futures result back to the reactor as a Deferred.

Decode → extract → clean is pure CPU (lxml, BeautifulSoup, regular expressions) and takes about a third of
the crawl process's time per page. Run in the crawl process it holds Scrapy's reactor thread, which then
neither parses responses nor schedules requests; in a pool of processes it runs on another core while the
reactor goes on. The workers get the site's selectors, rules and encoding once, each document goes out
with its raw pages and comes back as an `Extraction`. Storing stays in the crawl process (SQLite has one
writer), so what is stored, and when a page counts as archived, does not change.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Sequence
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from typing import Any

from twisted.internet.defer import Deferred

from fanwen.pipelines.orphans import leave_with
from fanwen.pipelines.process import timed_process
from fanwen.pipelines.records import Document, Extraction
from fanwen.pipelines.rules import Rule

logger = logging.getLogger(__name__)


def on_reactor(future: Future) -> Deferred:
    """A Deferred fired on the reactor thread with what `future` (done in another thread or process) gives."""
    from twisted.internet import reactor

    result: Deferred = Deferred()

    def done(f: Future) -> None:
        if f.cancelled():
            reactor.callFromThread(result.errback, CancelledError())
        elif f.exception() is not None:
            reactor.callFromThread(result.errback, f.exception())
        else:
            reactor.callFromThread(result.callback, f.result())

    future.add_done_callback(done)
    return result


_config: dict[str, Any] = {}  # a worker's site selectors, rules and encoding (set by _start)


def _start(config: dict[str, Any], parent: int) -> None:
    global _config
    _config = config
    # Ctrl-C reaches the whole process group: the crawl process stops gracefully and waits for the documents
    # in flight, so a worker must finish them instead of dying with a KeyboardInterrupt (see _new_pool).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    leave_with(parent)  # a crawl killed with kill -9 cannot stop its workers


def extract_timed(doc: Document) -> tuple[Extraction, float]:
    """timed_process in a worker, with the site's config the worker was started with."""
    return timed_process(doc, **_config)


class ExtractPool:
    """A pool of `workers` processes running `process_document` for one site's crawl."""

    def __init__(self, workers: int, *, selectors: dict[str, str] | None = None, rules: Sequence[Rule] = (),
                 encoding: str | None = None) -> None:
        self.workers = workers
        self.config = {"selectors": selectors, "rules": tuple(rules), "encoding": encoding}
        self.pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        # spawn, not fork: the crawl process has threads (Twisted's DNS pool, this pool's own), and a fork could
        # copy a lock one of them holds. A worker imports only the extraction modules (~0.3 s).
        pool = ProcessPoolExecutor(self.workers, mp_context=get_context("spawn"), initializer=_start,
                                   initargs=(self.config, os.getpid()))
        # Start every worker now, with SIGINT ignored from its first instruction: an ignored signal stays ignored
        # across exec, and Python then installs no KeyboardInterrupt handler. A Ctrl-C while a worker was still
        # importing would kill it half-started. (The pool starts a process for each task submitted while none
        # is idle, so `workers` tasks start them all.)
        main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
        try:
            started = [pool.submit(os.getpid) for _ in range(self.workers)]
        finally:
            if main:
                signal.signal(signal.SIGINT, signal.SIG_DFL if previous is None else previous)
        # Wait until they are up (~0.3 s): meanwhile the reactor would fetch on with nothing extracted or stored.
        for future in started:
            future.result()
        return pool

    def submit(self, doc: Document) -> Deferred[tuple[Extraction, float]]:
        """Extract `doc` in a worker; the Deferred fires on the reactor thread. A worker that dies (killed,
        out of memory) breaks the pool: it is replaced and the document tried once more in the new one."""
        result: Deferred[tuple[Extraction, float]] = Deferred()
        self._send(doc, result, retried=False)
        return result

    def _send(self, doc: Document, result: Deferred, *, retried: bool) -> None:
        try:
            pool, future = self.pool, self.pool.submit(extract_timed, doc)
        except BrokenProcessPool:  # broken by another document whose answer has not come back yet
            self._replace(self.pool)
            pool, future = self.pool, self.pool.submit(extract_timed, doc)
        on_reactor(future).addCallbacks(result.callback, self._failed, errbackArgs=(pool, doc, result, retried))

    def _failed(self, failure: Any, pool: ProcessPoolExecutor, doc: Document, result: Deferred,
                retried: bool) -> None:
        if failure.check(BrokenProcessPool, CancelledError) and not retried:
            self._replace(pool)
            self._send(doc, result, retried=True)
        else:
            result.errback(failure)

    def _replace(self, pool: ProcessPoolExecutor) -> None:
        """Replace `pool` if it is still the current one (every document it held reports it broken)."""
        if self.pool is pool:
            logger.warning("an extraction worker died; starting new ones")
            pool.shutdown(wait=False)
            self.pool = self._new_pool()

    def close(self) -> None:
        self.pool.shutdown(wait=True)
