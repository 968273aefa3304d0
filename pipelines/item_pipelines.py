"""Scrapy item pipelines: thin adapters over process.py and store.py (all logic lives there)."""

from __future__ import annotations

import logging
import sqlite3
import time

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future

from fanwen.crawler import statkeys
from fanwen.pipelines.dedupe import PendingGroups, index_missing
from fanwen.pipelines.offload import ExtractPool
from fanwen.pipelines.process import timed_process, verdict_without_reading
from fanwen.pipelines.records import Document, Extraction
from fanwen.pipelines.sitename import site_name_of
from fanwen.pipelines.store import open_db, record_site, store_document

logger = logging.getLogger(__name__)


class ExtractPipeline:
    """Document → Document with `.extraction` (decode, main-content detection, cleaning).

    With FANWEN_EXTRACT_WORKERS > 0 the work runs in that many worker processes (pipelines/offload.py),
    off Scrapy's reactor thread; 0 runs it here, in the crawl process.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.workers = crawler.settings.getint("FANWEN_EXTRACT_WORKERS")
        if self.workers < 0:
            raise ValueError(f"FANWEN_EXTRACT_WORKERS must be 0 or more, not {self.workers!r}")
        self.pool: ExtractPool | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        return cls(crawler)

    def _site_config(self) -> dict:
        site = getattr(self.crawler.spider, "site", None)
        return {"selectors": site.selectors if site else None, "rules": site.rules if site else (),
                "encoding": site.encoding if site else None}

    def open_spider(self) -> None:
        if self.workers:
            self.pool = ExtractPool(self.workers, **self._site_config())

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.close()  # every document was answered before Scrapy closes the pipelines
            self.pool = None

    async def process_item(self, item: Document) -> Document:
        if not isinstance(item, Document):
            return item
        try:
            if self.pool is None or verdict_without_reading(item):  # no round trip for what needs no reading
                item.extraction, cpu_ms = timed_process(item, **self._site_config())
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
    and the site's title to `sites` (a config's title, or for a generic crawl the name its pages show)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.path = crawler.settings.get("FANWEN_DB")
        self.db = None
        self.pending: PendingGroups | None = None

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

    def close_spider(self) -> None:
        if self.db is None:
            return
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

    def process_item(self, item: Document) -> Document:
        if not isinstance(item, Document) or item.extraction is None:
            return item
        stats = self.crawler.stats
        crawl_id = stats.get_value(statkeys.CRAWL_ID)
        ext = item.extraction
        started = time.process_time()
        try:
            outcome = store_document(self.db, item, crawl_id, self.pending)
            self.pending.flush()
        except sqlite3.OperationalError as e:
            if "full" not in str(e):
                raise
            self._stop_disk_full(e)
            raise DropItem(f"not stored, the disk is full: {item.url}") from e
        stats.inc_value(f"{statkeys.ARTICLES}{outcome}" if outcome else f"{statkeys.REJECTED}{ext.kind}")
        if ext.kind == "garbage":
            stats.inc_value(f"{statkeys.GARBAGE}{ext.reason.split(':', 1)[0]}")
            logger.warning("not an article, garbage: %s (%s); the raw page is archived", item.url, ext.reason)
        stats.inc_value(statkeys.CPU_MS_STORE, (time.process_time() - started) * 1000)
        return item

    def _stop_disk_full(self, error: Exception) -> None:
        """Stop the crawl once: nothing more can be stored. The failed document's transaction was rolled
        back, so the archive holds exactly what was stored before."""
        stats = self.crawler.stats
        if stats.get_value(statkeys.FATAL):
            return
        stats.set_value(statkeys.FATAL, f"the disk holding {self.path} is full ({error}); the crawl stopped and "
                                        "everything archived before is intact")
        logger.error("%s", stats.get_value(statkeys.FATAL))
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="disk_full"))
