"""Scrapy item pipelines: thin adapters over process.py and store.py (all logic lives there).

Where each document is extracted and stored (README "Where a crawl spends its CPU"):

* FANWEN_EXTRACT_WORKERS=1 (the default): the archive worker (pipelines/archiver.py) extracts and stores it; the
  store pipeline hands it over and counts it once the worker says it is committed;
* 0: both here, in the crawl process;
* 2 or more: extraction in that many processes (pipelines/offload.py), storing here, in the crawl process;
* a crawl that stores nothing itself (worker mode, `--redis`): extraction as above, no archive worker.
"""

from __future__ import annotations

import logging
import sqlite3
import time

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.settings import BaseSettings
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future

from fanwen.crawler import statkeys
from fanwen.pipelines.archiver import Answer, is_disk_full
from fanwen.pipelines.dedupe import PendingGroups, index_missing
from fanwen.pipelines.offload import ArchiveWorker, ExtractPool
from fanwen.pipelines.process import timed_process, verdict_without_reading
from fanwen.pipelines.records import Document, Extraction
from fanwen.pipelines.sitename import site_name_of
from fanwen.pipelines.store import open_db, record_site, store_document

logger = logging.getLogger(__name__)

STORE_PIPELINE = "fanwen.pipelines.item_pipelines.StorePipeline"


def archive_worker_on(settings: BaseSettings) -> bool:
    """True when one archive worker extracts and stores (one extraction worker, and this crawl stores)."""
    return (settings.getint("FANWEN_EXTRACT_WORKERS") == 1
            and settings.getwithbase("ITEM_PIPELINES").get(STORE_PIPELINE) is not None)


def site_config(crawler: Crawler) -> dict:
    """The crawled site's selectors, rules and encoding, as process_document takes them."""
    site = getattr(crawler.spider, "site", None)
    return {"selectors": site.selectors if site else None, "rules": site.rules if site else (),
            "encoding": site.encoding if site else None}


class ExtractPipeline:
    """Document → Document with `.extraction` (decode, main-content detection, cleaning).

    With FANWEN_EXTRACT_WORKERS of 2 or more (or 1 in a crawl that stores nothing itself) the work runs in that
    many worker processes (pipelines/offload.py), off Scrapy's reactor thread; 0 runs it here, in the crawl
    process. With the archive worker on, that worker extracts and this pipeline is not used.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.workers = crawler.settings.getint("FANWEN_EXTRACT_WORKERS")
        if self.workers < 0:
            raise ValueError(f"FANWEN_EXTRACT_WORKERS must be 0 or more, not {self.workers!r}")
        self.pool: ExtractPool | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        if archive_worker_on(crawler.settings):
            raise NotConfigured  # silently: the store pipeline's archive worker extracts (one step less per item)
        return cls(crawler)

    def open_spider(self) -> None:
        if self.workers:
            self.pool = ExtractPool(self.workers, **site_config(self.crawler))

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.close()  # every document was answered before Scrapy closes the pipelines
            self.pool = None

    async def process_item(self, item: Document) -> Document:
        if not isinstance(item, Document):
            return item
        try:
            if self.pool is None or verdict_without_reading(item):  # no round trip for what needs no reading
                item.extraction, cpu_ms = timed_process(item, **site_config(self.crawler))
            else:
                item.extraction, cpu_ms = await maybe_deferred_to_future(self.pool.submit(item))
        except Exception:
            # A page that breaks the extractor must not stop the crawl; its raw bytes are still stored
            # below, so `fanwen reclean` can retry once the bug is fixed.
            logger.exception("extraction failed for %s", item.url)
            self.crawler.stats.inc_value(statkeys.ERRORS_EXTRACT)
            item.extraction = Extraction(kind="extract-error")
            cpu_ms = 0.0
        self.crawler.stats.inc_value(statkeys.CPU_MS_EXTRACT, cpu_ms)
        return item


class StorePipeline:
    """Writes raw pages and articles to the SQLite archive (FANWEN_DB), one transaction per document,
    and the site's title to `sites` (a config's title, or for a generic crawl the name its pages show).
    With the archive worker on, the worker extracts and writes each document and this pipeline counts it."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.path = crawler.settings.get("FANWEN_DB")
        self.db = None
        self.pending: PendingGroups | None = None
        self.worker: ArchiveWorker | None = None
        self.use_worker = archive_worker_on(crawler.settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.db = open_db(self.path)
        # An archive from before near-duplicate groups: fingerprint its articles once (the crawl holds the
        # lock), so new articles are compared with them. Nothing to do once every article is indexed.
        indexed = index_missing(self.db)
        if indexed:
            logger.warning("fingerprinted %d archived articles for near-duplicate groups (once per archive)", indexed)
        # New articles are grouped with their near-duplicates a batch at a time (pipelines/dedupe.py).
        self.pending = PendingGroups(self.db)
        spider = self.crawler.spider
        if getattr(spider, "site", None) is not None:
            record_site(self.db, spider.site.name, spider.site.title, "config")
        if self.use_worker:
            self.worker = ArchiveWorker(self.path, **site_config(self.crawler))

    async def close_spider(self) -> None:
        if self.db is None:
            return
        if self.worker is not None:  # every document was answered before Scrapy closes the pipelines
            for warning in await maybe_deferred_to_future(self.worker.close()):
                logger.warning("%s", warning)
            self.worker = None
        try:
            self.pending.flush(force=True)
        except sqlite3.OperationalError as e:  # a full disk: the articles are stored, `fanwen dedupe` groups them
            logger.warning("near-duplicate groups not updated: %s (`fanwen dedupe` catches up)", e)
        spider = self.crawler.spider
        if getattr(spider, "site", None) is None:
            # After the crawl, from the stored pages: reading titles during it would slow the crawl down.
            try:
                name = site_name_of(self.db, spider.site_name)
                if name:
                    record_site(self.db, spider.site_name, name, "page")
            except sqlite3.OperationalError as e:  # a full disk: the articles are stored, the title can wait
                logger.warning("site title not stored: %s", e)
        self.db.close()

    async def process_item(self, item: Document) -> Document:
        if self.worker is not None and isinstance(item, Document):
            answer = await maybe_deferred_to_future(
                self.worker.archive(item, self.crawler.stats.get_value(statkeys.CRAWL_ID)))
            return self._answered(item, answer)
        if not isinstance(item, Document) or item.extraction is None:
            return item
        started = time.process_time()
        try:
            outcome = store_document(self.db, item, self.crawler.stats.get_value(statkeys.CRAWL_ID), self.pending)
            self.pending.flush()
        except sqlite3.OperationalError as e:
            if not is_disk_full(e):
                raise
            self._stop_disk_full(e)
            raise DropItem(f"not stored, the disk is full: {item.url}") from e
        self._count(item, outcome, (time.process_time() - started) * 1000)
        return item

    def _answered(self, item: Document, answer: Answer) -> Document:
        """Count what the archive worker committed (or log and raise what it could not)."""
        stats = self.crawler.stats
        stats.inc_value(statkeys.CPU_MS_EXTRACT, answer.extract_ms)
        kind, detail = answer.failure or ("", "")
        if kind == "disk-full":
            self._stop_disk_full(detail)
            raise DropItem(f"not stored, the disk is full: {item.url}")
        if kind == "store":
            raise StoreFailed(f"could not store {item.url}; the archive worker said:\n{detail.rstrip()}")
        if kind == "extract":  # stored raw as extract-error: `fanwen reclean` retries it
            logger.error("extraction failed for %s\n%s", item.url, detail.rstrip())
            stats.inc_value(statkeys.ERRORS_EXTRACT)
        item.extraction = answer.extraction
        self._count(item, answer.outcome, answer.store_ms)
        return item

    def _count(self, item: Document, outcome: str | None, store_ms: float) -> None:
        stats = self.crawler.stats
        ext = item.extraction
        stats.inc_value(f"{statkeys.ARTICLES}{outcome}" if outcome else f"{statkeys.REJECTED}{ext.kind}")
        if ext.kind == "garbage":
            stats.inc_value(f"{statkeys.GARBAGE}{ext.reason.split(':', 1)[0]}")
            logger.warning("not an article, garbage: %s (%s); the raw page is archived", item.url, ext.reason)
        stats.inc_value(statkeys.CPU_MS_STORE, store_ms)

    def _stop_disk_full(self, error: Exception | str) -> None:
        """Stop the crawl once: nothing more can be stored. The failed document's transaction was rolled
        back, so the archive holds exactly what was stored before."""
        stats = self.crawler.stats
        if stats.get_value(statkeys.FATAL):
            return
        stats.set_value(statkeys.FATAL, f"the disk holding {self.path} is full ({error}); the crawl stopped and "
                                        "everything archived before is intact")
        logger.error("%s", stats.get_value(statkeys.FATAL))
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="disk_full"))


class StoreFailed(Exception):
    """The archive worker could not store a document (not for a full disk): nothing of it was stored."""
