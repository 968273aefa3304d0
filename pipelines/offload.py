"""Work off Scrapy's reactor thread during a crawl: the archive worker (`ArchiveWorker`, the default: one
process that extracts and stores, pipelines/archiver.py), extraction in a pool of worker processes
(`ExtractPool`, FANWEN_EXTRACT_WORKERS of 2 or more, or a crawl that stores nothing itself), and `on_reactor`,
which hands a concurrent.futures result back to the reactor as a Deferred.

Decode → extract → clean is pure CPU (lxml, BeautifulSoup, regular expressions) and takes about a third of
the crawl process's time per page. Run in the crawl process it holds Scrapy's reactor thread, which then
neither parses responses nor schedules requests; in a pool of processes it runs on another core while the
reactor goes on. The workers get the site's selectors, rules and encoding once, each document goes out
with its raw pages and comes back as an `Extraction`, which the crawl process stores.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from typing import Any

from twisted.internet import abstract, fdesc
from twisted.internet.defer import Deferred
from twisted.internet.main import CONNECTION_DONE, CONNECTION_LOST

from fanwen.pipelines.archiver import CLOSE, NO_FRAME, Answer, Job, frame, take_frame
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


class _PipeWriter(abstract.FileDescriptor):
    """The crawl's end of the pipe to the archive worker: writes are buffered, never block the reactor."""

    connected = 1

    def __init__(self, fd: int, lost: Any) -> None:
        from twisted.internet import reactor

        super().__init__(reactor)
        fdesc.setNonBlocking(fd)
        self.fd = fd
        self.lost = lost

    def fileno(self) -> int:
        return self.fd

    def writeSomeData(self, data: bytes) -> Any:  # noqa: N802 (Twisted's naming)
        return fdesc.writeToFD(self.fd, data)

    def connectionLost(self, reason: Any) -> None:  # noqa: N802
        super().connectionLost(reason)
        _close(self.fd)
        self.lost()


class _PipeReader(abstract.FileDescriptor):
    """The crawl's end of the pipe from the archive worker: answers are read as the reactor finds them ready."""

    def __init__(self, fd: int, received: Any, lost: Any) -> None:
        from twisted.internet import reactor

        super().__init__(reactor)
        fdesc.setNonBlocking(fd)
        self.fd = fd
        self.received = received
        self.lost = lost
        self.buffer = bytearray()

    def fileno(self) -> int:
        return self.fd

    def doRead(self) -> Any:  # noqa: N802
        try:
            data = os.read(self.fd, 1 << 16)  # not more: a larger buffer is mapped afresh on every read
        except BlockingIOError:
            return None
        except OSError:
            return CONNECTION_LOST
        if not data:
            return CONNECTION_DONE
        self.buffer += data
        while (answer := take_frame(self.buffer)) is not NO_FRAME:
            self.received(answer)
        return None

    def connectionLost(self, reason: Any) -> None:  # noqa: N802
        super().connectionLost(reason)
        _close(self.fd)
        self.lost()


def _widen(fd: int) -> None:
    """Let a pipe hold 1 MB (Linux; 64 KB by default: two or three documents), so neither side waits for the
    other to drain it while there is work queued."""
    with contextlib.suppress(OSError, AttributeError):
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)


def _close(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.close(fd)


class WorkerDied(Exception):
    """The archive worker ended before it answered (killed, out of memory, crashed)."""


class ArchiveWorker:
    """The crawl process's side of the archive worker (pipelines/archiver.py): `archive(job)` returns a Deferred
    fired on the reactor thread with the worker's Answer once the document is committed.

    Nothing here uses a thread: the pipes are watched by the reactor itself, so handing a document over is a
    write into a pipe, not a wake-up of a pool's threads that the reactor then waits on for Python's lock.
    A worker that dies is replaced; every job it had not answered goes to the new one, and a job that was in
    flight when two workers died is stored raw as `extract-error` (`fanwen reclean` retries it).
    """

    def __init__(self, db: str, *, selectors: dict[str, str] | None = None, rules: Sequence[Rule] = (),
                 encoding: str | None = None) -> None:
        self.setup = {"db": str(db), "parent": os.getpid(),
                      "config": {"selectors": selectors, "rules": tuple(rules), "encoding": encoding}}
        self.seq = 0
        self.waiting: dict[int, tuple[Job, Deferred, int]] = {}  # seq → (job, its Deferred, workers it broke)
        self.closing: Deferred | None = None
        self.closed = False
        self.procs: list[subprocess.Popen] = []
        self._start()

    def _start(self) -> None:
        to_worker, requests = os.pipe()
        answers, from_worker = os.pipe()
        for fd in (requests, from_worker):
            _widen(fd)
        # Started with SIGINT ignored: an ignored signal stays ignored across exec and Python then installs no
        # KeyboardInterrupt handler, so a terminal's Ctrl-C (sent to the whole process group) leaves the worker
        # to finish the documents in flight while the crawl stops gracefully.
        main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
        try:
            proc = subprocess.Popen([sys.executable, "-m", "fanwen.pipelines.archiver", str(to_worker),
                                     str(from_worker)], pass_fds=(to_worker, from_worker))
        finally:
            if main:
                signal.signal(signal.SIGINT, signal.SIG_DFL if previous is None else previous)
            os.close(to_worker)
            os.close(from_worker)
        self.procs.append(proc)
        generation = len(self.procs)
        writer = self.writer = _PipeWriter(requests, lambda: None)
        self.reader = _PipeReader(answers, self._answered, lambda: self._lost(generation, writer))
        self.reader.startReading()
        self.writer.write(frame(self.setup))

    def archive(self, doc: Document, crawl_id: int | None) -> Deferred:
        """Extract and store `doc` in the worker; the Deferred fires with its Answer once committed."""
        self.seq += 1
        job = Job(self.seq, doc, crawl_id)
        result: Deferred = Deferred()
        self.waiting[job.seq] = (job, result, 0)
        self.writer.write(frame(job))
        return result

    def _answered(self, answer: Answer) -> None:
        if answer.seq == -1:
            if self.closing is not None:
                self.closing.callback(list(answer.warnings))
            return
        job, result, _ = self.waiting.pop(answer.seq)
        result.callback(answer)

    def _lost(self, generation: int, writer: _PipeWriter) -> None:
        """The worker's answers ended: after CLOSE that is its normal end, else it died."""
        writer.loseConnection()
        if self.closed or generation != len(self.procs):
            return
        if self.closing is not None and not self.waiting:
            self.closed = True
            self.closing.callback(["the archive worker ended before grouping the last near-duplicates "
                                   "(`fanwen dedupe` catches up)"])
            return
        logger.warning("the archive worker died; starting a new one")
        self._start()
        for seq, (job, result, broke) in list(self.waiting.items()):
            if broke >= 1:
                job.extraction = Extraction(kind="extract-error")  # twice in flight when a worker died
            if broke >= 2:
                del self.waiting[seq]
                result.errback(WorkerDied(f"the archive worker died storing {job.doc.url}"))
                continue
            self.waiting[seq] = (job, result, broke + 1)
            self.writer.write(frame(job))
        if self.closing is not None:
            self.writer.write(frame(CLOSE))

    def close(self) -> Deferred:
        """Ask the worker to group the last near-duplicates and end; fires with its warnings once it has."""
        self.closing = Deferred()
        self.closing.addBoth(self._reap)
        self.writer.write(frame(CLOSE))
        return self.closing

    def _reap(self, result: Any) -> Any:
        self.closed = True
        for proc in self.procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
        return result
