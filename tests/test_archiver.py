"""The archive worker's loop (pipelines/archiver.py) over real pipes into a real SQLite archive: every job is
answered in order once stored, near-duplicates waiting are grouped while no job waits, CLOSE groups the rest,
and the end of the pipe (the crawl process gone) ends the loop."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time

import pytest
from conftest import DEMO

from fanwen.pipelines import archiver
from fanwen.pipelines.archiver import CLOSE, Answer, FrameReader, Job, frame, serve
from fanwen.pipelines.dedupe import DOCS
from fanwen.pipelines.records import Document, Fetched
from fanwen.pipelines.store import now

SPEC = json.loads((DEMO / "_expected.json").read_text(encoding="utf-8"))
HEADERS = {"Content-Type": "text/html; charset=gbk"}


def documents() -> list[Document]:
    """The demo site's single-page articles as the spider yields them."""
    docs = []
    for art in SPEC["articles"]:
        if art["page_count"] != 1:
            continue
        url = "http://demo.example" + art["path"]
        body = (DEMO / art["path"].lstrip("/")).read_bytes()
        docs.append(Document(url=url, site="demo.example",
                             parts=[Fetched(url, 200, HEADERS, body, "gb18030", now())]))
    return docs


class Worker:
    """serve() on a thread, fed and read through real pipes as the crawl process does."""

    def __init__(self, db: str) -> None:
        self.requests, self.to_worker = os.pipe()
        self.from_worker, self.answers = os.pipe()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        # serve() leaves when its process's parent changes: here it runs in the test's own process.
        self.send({"db": db, "parent": os.getppid(),
                   "config": {"selectors": None, "rules": (), "encoding": None}})
        self.reader = FrameReader(self.from_worker)

    def _run(self) -> None:
        with os.fdopen(self.answers, "wb") as out:
            serve(FrameReader(self.requests), out)

    def send(self, obj: object) -> None:
        os.write(self.to_worker, frame(obj))

    def answer(self) -> Answer:
        return self.reader.next()


def grouped(db: str) -> int:
    """Articles in the near-duplicate index (grouped, if only with themselves)."""
    with sqlite3.connect(db) as conn:
        return conn.execute(f"select count(*) from {DOCS}").fetchone()[0]


@pytest.fixture
def small_idle_batch(monkeypatch):
    monkeypatch.setattr(archiver, "IDLE_GROUPING", 3)


def test_jobs_are_answered_in_order_once_stored_and_an_idle_worker_groups_them(tmp_path, small_idle_batch):
    db = str(tmp_path / "a.db")
    docs = documents()[:6]
    worker = Worker(db)
    for seq, doc in enumerate(docs, start=1):
        worker.send(Job(seq, doc, None))
    answers = [worker.answer() for _ in docs]
    assert [a.seq for a in answers] == list(range(1, len(docs) + 1))
    assert [a.outcome for a in answers] == ["new"] * len(docs)
    assert all(a.failure is None and a.extraction.is_article for a in answers)
    with sqlite3.connect(db) as conn:  # answered means committed: another connection sees every article
        assert conn.execute("select count(*) from articles").fetchone()[0] == len(docs)
    deadline = time.monotonic() + 30
    while grouped(db) < len(docs):  # nothing more to do: the worker groups what waits
        assert time.monotonic() < deadline, "the idle worker never grouped the waiting articles"
        time.sleep(0.05)
    worker.send(CLOSE)
    assert worker.answer() == Answer(-1)
    worker.thread.join(10)
    assert not worker.thread.is_alive()


def test_close_groups_what_waits_and_the_pipes_end_stops_the_loop(tmp_path):
    db = str(tmp_path / "a.db")
    docs = documents()[:4]
    worker = Worker(db)
    for seq, doc in enumerate(docs, start=1):
        worker.send(Job(seq, doc, None))
    assert [worker.answer().outcome for _ in docs] == ["new"] * len(docs)
    assert grouped(db) == 0  # fewer than IDLE_GROUPING wait: grouped at CLOSE
    worker.send(CLOSE)
    assert worker.answer().warnings == ()
    assert grouped(db) == len(docs)
    worker.thread.join(10)

    again = Worker(db)
    again.send(Job(1, docs[0], None))
    assert again.answer().outcome == "unchanged"
    os.close(again.to_worker)  # the crawl process is gone
    again.thread.join(10)
    assert not again.thread.is_alive()
    assert again.reader.next() is None
