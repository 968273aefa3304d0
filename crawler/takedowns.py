"""Downloader middleware: never fetch a URL that an active takedown matches (pipelines/takedown.py).

Asked per request against the archive, so a takedown recorded while a crawl runs applies at once. A
refused request ends as IgnoreRequest (counted like a robots.txt refusal, not as an error) and under
fanwen/takedown/skipped.
"""

from __future__ import annotations

import sqlite3

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

from fanwen.crawler import statkeys
from fanwen.crawler.urls import canonical_url
from fanwen.pipelines.takedown import is_taken_down


class TakedownMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.path = crawler.settings.get("FANWEN_DB")
        self.conn: sqlite3.Connection | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TakedownMiddleware:
        mw = cls(crawler)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def process_request(self, request: Request) -> None:
        url = canonical_url(request.url)
        if self.taken_down(url) or (url != request.url and self.taken_down(request.url)):
            self.crawler.stats.inc_value(statkeys.TAKEDOWN_SKIPPED)
            raise IgnoreRequest(f"taken down: {request.url}")

    def taken_down(self, url: str) -> bool:
        if self.conn is None:  # the crawl opened (and migrated) the archive before any request
            self.conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        return is_taken_down(self.conn, url)

    def spider_closed(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
