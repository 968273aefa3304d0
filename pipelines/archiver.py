"""The archive worker: one process that extracts each crawled document and stores it, the crawl's only writer.

Scrapy runs everything on one reactor thread; storing a document there (SQLite, the search-index tokens, the
near-duplicate batches) took about a fifth of its CPU per page, and handing documents to a process pool through
its threads cost GIL hand-offs on every page. So with FANWEN_EXTRACT_WORKERS=1 (the default) the crawl process
writes each document into a pipe to this process (`python -m fanwen.pipelines.archiver`), which decodes,
extracts, cleans and stores it in its own transaction, and answers only once that transaction has committed:
the crawl counts a page as archived (counters, run history) on that answer, never before.

Frames both ways are a little-endian 8-byte length and a pickle. The first frame to the worker is its setup
(archive path, the site's config, the crawl process's pid), then `Job`s, then `CLOSE`; the worker answers each
job with an `Answer` and CLOSE with a final `Answer` (seq -1) carrying warnings. It ignores Ctrl-C (the crawl
stops gracefully and waits for its answers) and leaves when the crawl process is gone: its pipe reaches EOF.
"""

from __future__ import annotations

import logging
import os
import pickle
import select
import signal
import sqlite3
import struct
import sys
import time
import traceback
from dataclasses import dataclass
from typing import IO, Any

from fanwen.pipelines.dedupe import PendingGroups
from fanwen.pipelines.orphans import leave_with
from fanwen.pipelines.process import timed_process
from fanwen.pipelines.records import Document, Extraction
from fanwen.pipelines.store import open_db, store_document

HEADER = struct.Struct("<Q")
CLOSE = "close"
IDLE_GROUPING = 100  # articles waiting for near-duplicate grouping that an idle worker groups at once


@dataclass
class Job:
    """One document to extract and store. `extraction` is set when it must not be read again (stored raw
    as extract-error after it broke a worker twice)."""

    seq: int
    doc: Document
    crawl_id: int | None
    extraction: Extraction | None = None


@dataclass
class Answer:
    """What became of a job, sent once its transaction committed (or failed). `failure` is None, or
    ("extract", traceback: stored as extract-error), ("disk-full", message: nothing stored) or
    ("store", traceback: nothing stored)."""

    seq: int
    extraction: Extraction | None = None
    outcome: str | None = None  # store_document's: "new", "updated", "unchanged", None for a non-article
    extract_ms: float = 0.0
    store_ms: float = 0.0
    failure: tuple[str, str] | None = None
    warnings: tuple[str, ...] = ()


def frame(obj: Any) -> bytes:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(data)) + data


NO_FRAME = object()


def take_frame(buffer: bytearray) -> Any:
    """The first whole frame's object, removed from `buffer`; NO_FRAME while the frame is not all there."""
    if len(buffer) < HEADER.size:
        return NO_FRAME
    end = HEADER.size + HEADER.unpack_from(buffer)[0]
    if len(buffer) < end:
        return NO_FRAME
    obj = pickle.loads(buffer[HEADER.size:end])
    del buffer[:end]
    return obj


class FrameReader:
    """Frames from a pipe, read in large chunks; `waiting()` says whether a frame is ready or on its way."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = bytearray()

    def waiting(self) -> bool:
        return bool(self.buffer) or bool(select.select([self.fd], [], [], 0)[0])

    def next(self) -> Any:
        """The next object, or None at the pipe's end (the crawl process is gone)."""
        while (obj := take_frame(self.buffer)) is NO_FRAME:
            data = os.read(self.fd, 1 << 16)  # not more: a larger buffer is mapped afresh on every read
            if not data:
                return None
            self.buffer += data
        return obj


def is_disk_full(error: sqlite3.OperationalError) -> bool:
    return "full" in str(error)


class Archiver:
    """Extracts and stores jobs into one archive; the loop of the worker process, and testable without it."""

    def __init__(self, db_path: str, config: dict[str, Any]) -> None:
        self.db = open_db(db_path)
        self.config = config
        # New articles are grouped with their near-duplicates a batch at a time (pipelines/dedupe.py).
        self.pending = PendingGroups(self.db)
        self.warnings: list[str] = []  # for the crawl's log when the worker closes

    def archive(self, job: Job) -> Answer:
        answer = Answer(job.seq)
        doc = job.doc
        if job.extraction is not None:
            doc.extraction = job.extraction
        else:
            try:
                doc.extraction, answer.extract_ms = timed_process(doc, **self.config)
            except Exception:
                # A page that breaks the extractor must not stop the crawl; its raw bytes are stored below,
                # so `fanwen reclean` can retry once the bug is fixed. The crawl process logs the traceback.
                doc.extraction = Extraction(kind="extract-error")
                answer.failure = ("extract", traceback.format_exc())
        started = time.process_time()
        try:
            answer.outcome = store_document(self.db, doc, job.crawl_id, self.pending)
            self.pending.flush()
        except sqlite3.OperationalError as e:
            # The document's transaction was rolled back: nothing of it is stored, and it is not counted.
            answer.failure = ("disk-full", str(e)) if is_disk_full(e) else ("store", traceback.format_exc())
            return answer
        except Exception:
            answer.failure = ("store", traceback.format_exc())
            return answer
        answer.store_ms = (time.process_time() - started) * 1000
        answer.extraction = doc.extraction
        return answer

    def group_pending(self) -> None:
        """Group the articles waiting for their near-duplicate batch now (the worker calls it while no document
        waits: otherwise the whole crawl's batch would be grouped at its end, when the crawl has nothing else
        to do)."""
        try:
            self.pending.flush(force=True)
        except sqlite3.OperationalError as e:  # e.g. a full disk: the articles are stored, without a group yet
            self.warnings.append(f"near-duplicate groups not updated: {e} (`fanwen dedupe` catches up)")

    def close(self) -> list[str]:
        """Group the last batch and close the archive; returns warnings for the crawl's log."""
        self.group_pending()
        self.db.close()
        return self.warnings


def serve(requests: FrameReader, answers: IO[bytes]) -> None:
    """Answer jobs from `requests` until CLOSE (answered with the closing warnings) or its end."""
    setup = requests.next()
    if setup is None:
        return
    leave_with(setup["parent"])  # a crawl killed with kill -9 while this waits for a long write
    archiver = Archiver(setup["db"], setup["config"])
    while True:
        if len(archiver.pending.urls) >= IDLE_GROUPING and not requests.waiting():
            archiver.group_pending()
        job = requests.next()
        if job is None:  # the crawl process is gone: what it never heard of is not counted anywhere
            archiver.db.close()
            return
        if job == CLOSE:
            answers.write(frame(Answer(-1, warnings=tuple(archiver.close()))))
            answers.flush()
            return
        answers.write(frame(archiver.archive(job)))
        answers.flush()


def main() -> None:
    # Started with SIGINT ignored (see offload.ArchiveWorker); say so again in case someone runs it by hand.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(level=logging.WARNING, format="archive worker: %(levelname)s: %(message)s")
    requests, answers = int(sys.argv[1]), int(sys.argv[2])
    with os.fdopen(answers, "wb") as w:
        serve(FrameReader(requests), w)


if __name__ == "__main__":
    # Run from the package's own module, so that what it pickles (Answer) names `fanwen.pipelines.archiver`, not
    # `__main__`, which the crawl process could not load.
    from fanwen.pipelines.archiver import main as run

    run()
