"""Incremental crawls: the archive is the crawler's memory.

With a site config or without (the generic spider learns which pages are articles only by extracting them),
the archive says what each URL was last time: `articles.url` and `pages` rows of kind "article-part" are
archived articles, other `pages` rows were read before (lists among them), `gone_urls` answered 404/410.
So a crawl

* never requests an archived article again (counted under fanwen/incremental/skipped_known),
* re-reads start, list and every other page to discover new articles,
* pages through a list read before one page at a time, and stops once FANWEN_STOP_AFTER_KNOWN_PAGES of
  its pages linked only to known URLs,
* asks a 404/410 URL again only after FANWEN_GONE_RECHECK_DAYS,
* re-checks archived articles with conditional requests (If-None-Match / If-Modified-Since from the stored
  headers) when FANWEN_REFRESH is on, or when they were first seen less than FANWEN_REFRESH_DAYS ago.
  A 304 writes nothing; a changed text is stored by the store pipeline (old text → `revisions`);
  a 404/410 sets `articles.gone_at` and keeps the archived page.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import scrapy
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from fanwen.crawler import statkeys
from fanwen.crawler.urls import canonical_url, host_of
from fanwen.pipelines.store import forget_gone, mark_gone, open_db

GONE_STATUSES = (404, 410)
PAGE_PARAMS = {"page", "p", "pn", "pg", "pageno", "pageindex", "page_no"}
# A page number: a short number after _ or -, or a short number as the whole name (2.html); a long
# number is an article's id (22360061.html), which is no page of the list it sits in.
_PAGE_SUFFIX = re.compile(r"(?:^|[_-])\d{1,4}$")
_FIRST_PAGE_STEMS = {"index", "list", "default", "page"}


@functools.lru_cache(maxsize=1 << 14)
def list_key(url: str) -> str:
    """What the pages of one paginated list share: /fanwen/, /fanwen/index_2.html and /fanwen/?page=3
    all give the same key; list_12_3.html gives 'list_12'. Cached: asked for every link of every page."""
    parts = urlsplit(url)
    directory, _, name = parts.path.rpartition("/")
    stem = _PAGE_SUFFIX.sub("", name.rsplit(".", 1)[0]) if "." in name else _PAGE_SUFFIX.sub("", name)
    if stem in _FIRST_PAGE_STEMS:
        stem = ""
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k.lower() not in PAGE_PARAMS])
    return f"{parts.netloc}{directory}/{stem}?{query}"


def page_number(url: str) -> int:
    """A list page's number: its page parameter, else the number its file name ends in, else 1."""
    parts = urlsplit(url)
    for k, v in parse_qsl(parts.query):
        if k.lower() in PAGE_PARAMS and v.isdigit():
            return int(v)
    name = parts.path.rpartition("/")[2].rsplit(".", 1)[0]
    number = _PAGE_SUFFIX.search(name)
    return int(number.group().lstrip("_-")) if number else 1


def conditional_headers(stored: dict[str, str]) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from a stored page's response headers."""
    lower = {k.lower(): v for k, v in stored.items()}
    headers = {}
    if lower.get("etag"):
        headers["If-None-Match"] = lower["etag"]
    if lower.get("last-modified"):
        headers["If-Modified-Since"] = lower["last-modified"]
    return headers


def _days_ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


class IncrementalMiddleware:
    """Spider middleware: filters the requests callbacks yield, adds re-check requests to the start."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.path = settings.get("FANWEN_DB")
        self.stop_after = settings.getint("FANWEN_STOP_AFTER_KNOWN_PAGES")
        self.gone_days = settings.getfloat("FANWEN_GONE_RECHECK_DAYS")
        self.refresh_all = settings.getbool("FANWEN_REFRESH")
        self.refresh_days = settings.getfloat("FANWEN_REFRESH_DAYS")
        self.db = None
        self.known: set[str] = set()  # archived articles and their continuation pages
        self.fetched: set[str] = set()  # every URL the archive holds a page for
        self.gone: dict[str, str] = {}  # URL that answered 404/410 → when it was last asked
        self.gone_cutoff = ""  # URLs last asked after this are not asked again yet
        self.stale_pages: Counter[str] = Counter()  # list key → pages that linked only to known URLs

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        if not crawler.settings.getbool("FANWEN_INCREMENTAL"):
            raise NotConfigured("full crawl: FANWEN_INCREMENTAL is off")
        mw = cls(crawler)
        crawler.signals.connect(mw.response_received, signal=signals.response_received)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    # -- memory ------------------------------------------------------------------------------------

    def _load(self, spider: Spider) -> list[Request]:
        """Read the archive's memory of this spider's hosts; return the re-check requests that are due."""
        self.db = open_db(self.path)
        hosts = set(getattr(spider, "hosts", ()))

        def ours(url: str) -> bool:
            return not hosts or host_of(url) in hosts

        self.known = {u for (u,) in self.db.execute("select url from articles") if ours(u)}
        for url, kind in self.db.execute("select url, kind from pages"):
            if not ours(url):
                continue
            self.fetched.add(url)
            if kind == "article-part":
                self.known.add(url)
        self.gone_cutoff = _days_ago(self.gone_days)
        self.gone = {u: checked for u, checked in self.db.execute("select url, last_checked from gone_urls")
                     if ours(u)}
        return [r for r in self._rechecks(spider) if ours(r.url)]

    def _rechecks(self, spider: Spider) -> list[Request]:
        if self.refresh_all:
            where, args = "1", []
        elif self.refresh_days > 0:
            where, args = "a.first_seen >= ?", [_days_ago(self.refresh_days)]
        else:
            return []
        rows = self.db.execute(
            "select a.url, a.page_count, p.headers from articles a left join pages p on p.url = a.url"
            f" where {where} and a.url not in (select url from gone_urls where last_checked > ?) order by a.url",
            [*args, self.gone_cutoff],
        ).fetchall()
        requests = []
        for url, page_count, headers in rows:
            # Only single-page articles are asked conditionally: a 304 for page 1 says nothing about page 2.
            conditional = conditional_headers(json.loads(headers or "{}")) if (page_count or 1) == 1 else {}
            requests.append(scrapy.Request(
                url, callback=spider.parse, errback=spider.on_error, headers=conditional, dont_filter=True,
                meta={"fanwen_recheck": True, "handle_httpstatus_list": [304, *GONE_STATUSES]},
            ))
        return requests

    # -- Scrapy hooks ------------------------------------------------------------------------------

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        spider = self.crawler.spider
        rechecks = self._load(spider)
        async for item in start:
            yield item
        self.crawler.stats.set_value(statkeys.REFRESH_REQUESTED, len(rechecks))
        for request in rechecks:
            yield request

    async def process_spider_output(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        stats = self.crawler.stats
        if response.meta.get("fanwen_recheck") and response.status in (304, *GONE_STATUSES):
            # 304: unchanged, write nothing. 404/410: response_received marked it gone; the archived page
            # must not be overwritten by the error page, so nothing from this response goes on.
            if response.status == 304:
                stats.inc_value(statkeys.NOT_MODIFIED)
            return
        known_links = new_links = 0
        held: list[Request] = []
        key = list_key(response.url)
        async for item in result:
            if not isinstance(item, Request) or item.meta.get("fanwen_doc") or item.meta.get("fanwen_recheck"):
                yield item
                continue
            url = canonical_url(item.url)
            if url in self.known:
                known_links += 1
                stats.inc_value(statkeys.SKIPPED_KNOWN)
                continue
            if self.gone.get(url, "") > self.gone_cutoff:
                stats.inc_value(statkeys.SKIPPED_GONE)
                continue
            if url in self.fetched and list_key(url) == key:
                held.append(item)  # a page of this same list fetched before: its pagination, decided below
                continue
            if url not in self.fetched and list_key(url) != key:
                new_links += 1  # a page of this list read for the first time (a new last page) is no news
            yield item
        if not held:
            return
        if known_links and not new_links:
            self.stale_pages[key] += 1
        if self.stop_after and self.stale_pages[key] >= self.stop_after:
            stats.inc_value(statkeys.PAGINATION_STOPPED, len(held))
            return
        # Page on one step at a time through pages read before: a pager shows many pages, and scheduling
        # them all from page 1 would read them before page 2 could say the list holds nothing new.
        here = page_number(response.url)
        ahead = [request for request in held if page_number(request.url) > here]
        if ahead:
            yield min(ahead, key=lambda request: page_number(request.url))

    def response_received(self, response: Response, request: Request) -> None:
        if self.db is None or request.meta.get("fanwen_doc") or urlsplit(response.url).path == "/robots.txt":
            return
        url = canonical_url(response.url)
        stats = self.crawler.stats
        if response.status in GONE_STATUSES:
            is_article = mark_gone(self.db, url, response.status, stats.get_value(statkeys.CRAWL_ID))
            stats.inc_value(statkeys.GONE_ARTICLES if is_article else statkeys.GONE_URLS)
        elif response.status < 400 and url in self.gone:
            forget_gone(self.db, url)
            del self.gone[url]

    def spider_closed(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
