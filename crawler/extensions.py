"""Extensions: the single-crawl lock, the run-history row in `crawls` (with health warnings), progress lines."""

from __future__ import annotations

import logging
import sqlite3
import sys

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, NotConfigured

from fanwen.crawler import statkeys
from fanwen.crawler.health import HealthLimits, archive_facts, check_health
from fanwen.crawler.lock import acquire_crawl_lock, release_crawl_lock
from fanwen.errors import StoreError, StoreLocked
from fanwen.pipelines.retention import prune_page_versions
from fanwen.pipelines.store import close_abandoned_crawls, finish_crawl, open_db, start_crawl
from fanwen.progress import Progress

logger = logging.getLogger(__name__)

# Exit statuses (README "Exit status"), shared by `fanwen crawl`, `scrapy crawl` and Scrapyd jobs.
EXIT_OK, EXIT_FAILED, EXIT_WARNINGS, EXIT_LOCKED = 0, 1, 3, 4


def command_line() -> str:
    """This process's command line as `scrapy crawl …`. Not from sys.argv: Scrapy pops the command name off it."""
    argv = list(sys.orig_argv)
    for i, arg in enumerate(argv):
        if arg in ("scrapy", "scrapyd.runner", "fanwen.crawler.scrapyd_runner") or arg.endswith("/scrapy"):
            return " ".join(["scrapy", *argv[i + 1:]])
    return " ".join(argv)


_DEAD_LINKS = ("http_errors/404", "http_errors/410")


def crawl_counters(stats: dict) -> dict:
    """The run's counters as stored in `crawls`, derived from Scrapy's stats."""
    def total(prefix: str) -> int:
        return int(sum(v for k, v in stats.items() if k.startswith(prefix)))

    error_kinds = {k.split("/", 1)[1]: v for k, v in stats.items()
                   if k.startswith((statkeys.HTTP_ERRORS, statkeys.DOWNLOAD_ERRORS, statkeys.ERRORS, statkeys.GARBAGE))}
    garbage = {k: v for k, v in error_kinds.items() if k.startswith("garbage/")}
    return {
        "pages": int(stats.get("response_received_count", 0)),
        "articles_new": int(stats.get(statkeys.ARTICLES_NEW, 0)),
        "articles_updated": int(stats.get(statkeys.ARTICLES_UPDATED, 0)),
        "articles_unchanged": int(stats.get(statkeys.ARTICLES_UNCHANGED, 0)),
        "skipped": int(stats.get(statkeys.SKIPPED_KNOWN, 0)),
        "not_modified": int(stats.get(statkeys.NOT_MODIFIED, 0)),
        "gone": int(stats.get(statkeys.GONE_ARTICLES, 0)),
        "rejected": total(statkeys.REJECTED),
        # Garbage pages (binary, undecodable, mojibake) are among the rejected pages, listed by kind.
        "garbage": sum(garbage.values()),
        # Dead links are facts about the site (remembered in gone_urls) and a request refused on purpose
        # (robots.txt) is our own choice: both are listed by kind, neither is an error.
        "dead_links": sum(v for k, v in error_kinds.items() if k in _DEAD_LINKS),
        "errors": sum(v for k, v in error_kinds.items()
                      if k not in _DEAD_LINKS and k not in garbage and not k.endswith("/IgnoreRequest"))
        + _unexplained_errors(stats),
        "error_kinds": error_kinds,
    }


def _unexplained_errors(stats: dict) -> int:
    """ERROR log lines that no counter by kind already holds: Scrapy's "Gave up retrying" line repeats a
    failure counted under download_errors/ or http_errors/, and a failed extraction under errors/extract."""
    explained = int(stats.get("retry/max_reached", 0)) + int(stats.get(statkeys.ERRORS_EXTRACT, 0))
    return max(0, int(stats.get("log_count/ERROR", 0)) - explained)


class CrawlLock:
    """Takes the database's crawl lock as the crawler is built, before any component opens the database.

    When another process holds it, the spider is closed at once with reason "locked" (exit status 4) and
    fetches nothing. After a fresh start the rows of runs that died unfinished are closed as "abandoned".
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.path = crawler.settings.get("FANWEN_DB")
        self.refused: str | None = None
        self.held = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlLock:
        ext = cls(crawler)
        command = crawler.settings.get("FANWEN_COMMAND") or command_line()
        try:
            acquire_crawl_lock(ext.path, command)
            ext.held = True
        except StoreLocked as e:
            ext.refused = str(e)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        if ext.held:
            db = open_db(ext.path)
            try:
                close_abandoned_crawls(db)
            finally:
                db.close()
        return ext

    def spider_opened(self, spider: Spider) -> None:
        if self.refused:
            logger.error("%s", self.refused)
            self.crawler.stats.set_value(statkeys.LOCK_ERROR, self.refused)
            raise CloseSpider("locked")

    def engine_stopped(self) -> None:
        if self.held:
            release_crawl_lock(self.path)
            self.held = False


class CrawlRecorder:
    """Opens a `crawls` row when a spider opens and closes it with counters, warnings and an exit status.

    The exit status (stats fanwen/exit_status) follows the CLI contract: 0 ok, 1 the run failed (nothing
    could be fetched, or it did not finish), 3 finished with health warnings, 4 refused because another
    crawl holds the lock; so a plain `scrapy crawl` is recorded exactly like `fanwen crawl`.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.path = crawler.settings.get("FANWEN_DB")
        self.command = crawler.settings.get("FANWEN_COMMAND") or command_line()
        self.limits = HealthLimits.from_settings(crawler.settings)
        self.keep_versions = crawler.settings.getint("FANWEN_PRUNE_KEEP_VERSIONS")
        self.crawl_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRecorder:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        db = open_db(self.path)
        try:
            self.crawl_id = start_crawl(db, self.command, [spider.name])
        finally:
            db.close()
        self.crawler.stats.set_value(statkeys.CRAWL_ID, self.crawl_id)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.crawl_id is None:
            return
        stats = self.crawler.stats.get_stats()
        counters = crawl_counters(stats)
        warnings = [f"could not fetch the start page: {stats['fanwen/start_error']}"] \
            if statkeys.START_ERROR in stats else []
        if statkeys.FATAL in stats:
            warnings.append(stats[statkeys.FATAL])
        try:
            self._finish(spider, reason, stats, counters, warnings)
        except (StoreError, sqlite3.OperationalError) as e:  # e.g. the disk is full: the run stays open
            self.crawler.stats.set_value(statkeys.EXIT_STATUS, EXIT_FAILED)
            logger.error("could not record the end of crawl #%s: %s", self.crawl_id, e)

    def _finish(self, spider: Spider, reason: str, stats: dict, counters: dict, warnings: list[str]) -> None:
        db = open_db(self.path)
        try:
            if reason == "locked":
                status = EXIT_LOCKED
                warnings = [stats.get(statkeys.LOCK_ERROR, "another crawl holds the lock")]
            elif reason != "finished" or (counters["pages"] == 0 and statkeys.START_ERROR in stats):
                status = EXIT_FAILED
            else:
                facts = archive_facts(db, getattr(spider, "site_name", spider.name), self.crawl_id,
                                      self.limits.leak_markers)
                health = check_health(getattr(spider, "site_name", spider.name), stats, counters, facts,
                                      self.limits)
                warnings += health
                status = EXIT_WARNINGS if health else EXIT_OK
            for line in warnings:
                # INFO, not WARNING: `fanwen crawl` prints these itself; `scrapy crawl` logs at INFO anyway.
                logger.info("health: %s", line)
            self.crawler.stats.set_value(statkeys.EXIT_STATUS, status)
            self.crawler.stats.set_value(statkeys.WARNINGS, warnings)
            pruned = self._prune(db) if reason == "finished" else {}
            finish_crawl(db, self.crawl_id, finish_reason=reason, exit_status=status,
                         warnings=warnings or None, **counters, **pruned)
        finally:
            db.close()

    def _prune(self, db) -> dict:
        """Cut list/pagination pages back to their latest versions (FANWEN_PRUNE_KEEP_VERSIONS; 0: off)."""
        if self.keep_versions <= 0:
            return {}
        result = prune_page_versions(db.conn, self.keep_versions)
        self.crawler.stats.set_value(statkeys.PRUNED_VERSIONS, result.versions)
        self.crawler.stats.set_value(statkeys.PRUNED_BYTES, result.reclaimed)
        if result.versions:
            logger.info("pruned %d old versions of %d pages, %d bytes reclaimed", result.versions, result.urls,
                        result.reclaimed)
        return {"pruned_versions": result.versions, "pruned_bytes": result.reclaimed}


class CrawlProgress:
    """Prints a short progress line to stderr at most every FANWEN_PROGRESS_INTERVAL seconds (fanwen.progress)."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        # A crawl sees a few responses a second: the clock is read on every one.
        self.progress = Progress(sys.stderr, self.describe, every_seconds=interval, clock_every=1)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlProgress:
        if not crawler.settings.getbool("FANWEN_PROGRESS"):
            raise NotConfigured  # silently: off is the normal state outside the CLI
        ext = cls(crawler, crawler.settings.getfloat("FANWEN_PROGRESS_INTERVAL", 5.0))
        crawler.signals.connect(ext.progress.tick, signal=signals.response_received)
        return ext

    def describe(self, responses: int, per_second: float) -> str:
        s = self.crawler.stats.get_stats()
        c = crawl_counters(s)
        # A worker (--redis) stores nothing itself: it reports what it sent to the writer.
        done = (f"{s.get(statkeys.REDIS_SENT, 0)} documents sent" if self.crawler.settings.get("FANWEN_REDIS_URL")
                else f"{c['articles_new']} new / {c['articles_updated']} updated articles")
        return (f"{self.crawler.spider.name}: {c['pages']} pages, {done}, {c['errors']} errors "
                f"({per_second:.1f} pages/s)")
