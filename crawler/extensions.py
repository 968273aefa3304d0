"""Extensions: the run-history row in `crawls`, and progress lines for the CLI."""

from __future__ import annotations

import sys
import time

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from pipelines.store import finish_crawl, open_db, start_crawl


def crawl_counters(stats: dict) -> dict:
    """The run's counters as stored in `crawls`, derived from Scrapy's stats."""
    def total(prefix: str) -> int:
        return int(sum(v for k, v in stats.items() if k.startswith(prefix)))

    error_kinds = {k.split("/", 1)[1]: v for k, v in stats.items()
                   if k.startswith(("fanwen/http_errors/", "fanwen/download_errors/", "fanwen/errors/"))}
    return {
        "pages": int(stats.get("response_received_count", 0)),
        "articles_new": int(stats.get("fanwen/articles/new", 0)),
        "articles_updated": int(stats.get("fanwen/articles/updated", 0)),
        "articles_unchanged": int(stats.get("fanwen/articles/unchanged", 0)),
        "rejected": total("fanwen/rejected/"),
        "errors": sum(error_kinds.values()) + int(stats.get("log_count/ERROR", 0)),
        "error_kinds": error_kinds,
    }


class CrawlRecorder:
    """Opens a `crawls` row when a spider opens and closes it with counters and an exit status.

    The exit status follows the CLI contract: 0 ok, 1 the run failed (nothing could be fetched, or
    it did not finish), so a plain `scrapy crawl` is recorded exactly like `fanwen crawl`.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.path = crawler.settings.get("FANWEN_DB")
        self.command = crawler.settings.get("FANWEN_COMMAND") or " ".join(["scrapy", *sys.argv[1:]])
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
        self.crawler.stats.set_value("fanwen/crawl_id", self.crawl_id)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.crawl_id is None:
            return
        stats = self.crawler.stats.get_stats()
        counters = crawl_counters(stats)
        failed = reason != "finished" or (counters["pages"] == 0 and "fanwen/start_error" in stats)
        status = 1 if failed else 0
        self.crawler.stats.set_value("fanwen/exit_status", status)
        db = open_db(self.path)
        try:
            finish_crawl(db, self.crawl_id, finish_reason=reason, exit_status=status,
                         warnings=stats.get("fanwen/start_error"), **counters)
        finally:
            db.close()


class Progress:
    """Prints a short progress line to stderr at most every FANWEN_PROGRESS_INTERVAL seconds."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.last = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        if not crawler.settings.getbool("FANWEN_PROGRESS"):
            raise NotConfigured  # silently: off is the normal state outside the CLI
        ext = cls(crawler, crawler.settings.getfloat("FANWEN_PROGRESS_INTERVAL", 5.0))
        crawler.signals.connect(ext.tick, signal=signals.response_received)
        return ext

    def tick(self) -> None:
        if time.monotonic() - self.last < self.interval:
            return
        self.last = time.monotonic()
        s = self.crawler.stats.get_stats()
        c = crawl_counters(s)
        print(f"{self.crawler.spider.name}: {c['pages']} pages, {c['articles_new']} new / "
              f"{c['articles_updated']} updated articles, {c['errors']} errors", file=sys.stderr, flush=True)
