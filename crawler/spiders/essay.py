"""The one spider: list → pagination → article (+ its _2.html continuation pages).

A site config narrows which links are lists and articles; without one (the generic spider) every link on
the start URL's host is followed and the extractor decides per page whether it is an article. The spider
parses no article text: it yields `Document`s of raw pages for the item pipelines.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from fanwen.crawler import statkeys
from fanwen.crawler.middlewares import header_dict
from fanwen.crawler.politeness import user_agent
from fanwen.crawler.siteconfig import SiteConfig
from fanwen.crawler.urls import (
    canonical_url,
    continuation_pages,
    host_of,
    is_resource_path,
    page_number,
    site_key_of,
)
from fanwen.pipelines.records import Document, Fetched
from fanwen.pipelines.store import now


class EssaySpider(scrapy.Spider):
    """Crawls one essay site. Subclassed per site config by the spider loader; `generic` has no config."""

    name = "generic"
    site: SiteConfig | None = None

    def __init__(self, start_url: str | list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        urls = [start_url] if isinstance(start_url, str) else list(start_url or [])
        urls = [u for raw in urls for u in raw.split(",") if u]
        if not urls and self.site is None:
            raise ValueError("the generic spider needs a start URL (fanwen crawl --start-url URL)")
        self.start_urls_ = urls or list(self.site.start_urls)  # type: ignore[union-attr]
        hosts = {host_of(u) for u in self.start_urls_}
        if self.site:
            hosts |= set(self.site.allowed_hosts)
        self.hosts = hosts

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> EssaySpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_dropped, signal=signals.request_dropped)
        return spider

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        super().update_settings(settings)
        if cls.site and cls.site.settings:
            settings.setdict(cls.site.settings, priority="spider")
        if settings.get("FANWEN_CONTACT"):
            agent = user_agent(settings.get("USER_AGENT"), settings.get("FANWEN_CONTACT"))
            settings.set("USER_AGENT", agent, priority=max(settings.getpriority("USER_AGENT") or 0, 30))

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.start_urls_:
            # A start page that cannot be fetched ends the run with one line of its own (the CLI's `Error: could
            # not fetch the start page`, the `crawls` row): Scrapy's give-up line would only repeat it above.
            yield scrapy.Request(url, callback=self.parse, errback=self.on_error,
                                 meta={"fanwen_start": True, "give_up_log_level": logging.INFO})

    # -- callbacks ---------------------------------------------------------------------------------

    def parse(self, response: Response, **kwargs: Any) -> Iterator[scrapy.Request | Document]:
        links = self._links(response)
        yield from self._follow(links)
        url = canonical_url(response.url)
        declared = self._declared_canonical(response, url)
        if declared:
            # A print view, a MIP/AMP copy or a share link of a page stored under its own URL: archive the raw
            # page, follow the canonical one, never store the text twice.
            yield from self._follow([declared])
            yield Document(url=url, site=self.site_name, parts=[fetched(response)], hint="duplicate")
            return
        parts = continuation_pages(url, links)
        if parts and self._may_be_article(url):
            yield self._part_request(parts[0], {"doc_url": url, "fetched": [fetched(response)], "todo": parts[1:]})
        else:
            hint = None if self._may_be_article(url) else "list"
            yield Document(url=url, site=self.site_name, parts=[fetched(response)], hint=hint)

    def parse_part(self, response: Response) -> Iterator[scrapy.Request | Document]:
        state = response.meta["fanwen_doc"]
        links = self._links(response)
        yield from self._follow(links)
        state["fetched"].append(fetched(response))
        # A redirect can land a part on a URL without a page number: then every later page is new.
        current = (page_number(canonical_url(response.url)) or ("", 1))[1]
        # Pagers often show only a window of page links, so later pages are discovered as we go.
        # continuation_pages only returns numbered pages of this article, so page_number() is never None here.
        more = [p for p in continuation_pages(state["doc_url"], links)
                if p not in state["todo"] and page_number(p)[1] > current]
        todo = state["todo"] + more
        if todo:
            yield self._part_request(todo[0], {**state, "todo": todo[1:]})
        else:
            yield self._document(state)

    def on_error(self, failure: Failure) -> Iterator[Document]:
        request = failure.request
        stats = self.crawler.stats
        if failure.check(HttpError):
            response = failure.value.response
            stats.inc_value(f"{statkeys.HTTP_ERRORS}{response.status}")
            state = request.meta.get("fanwen_doc")
            if state:  # a missing continuation page: keep the pages we have
                yield self._document(state)
            else:
                yield Document(url=canonical_url(response.url), site=self.site_name, parts=[fetched(response)])
            message = f"{request.url}: HTTP {response.status}"
        else:
            kind = failure.type.__name__ if failure.type else "Error"
            stats.inc_value(f"{statkeys.DOWNLOAD_ERRORS}{kind}")
            message = f"{request.url}: {failure.getErrorMessage() or kind}"
        if request.meta.get("fanwen_start"):
            stats.set_value(statkeys.START_ERROR, message)
        # Dead links are everyday chrome on these sites, and robots.txt refusals are our own politeness:
        # counted, not shouted about.
        routine = failure.check(IgnoreRequest) or (failure.check(HttpError)
                                                   and failure.value.response.status in (404, 410))
        level = logging.DEBUG if routine else logging.INFO if request.meta.get("fanwen_start") else logging.WARNING
        self.logger.log(level, "could not fetch %s", message)

    def on_dropped(self, request: scrapy.Request, spider: scrapy.Spider) -> None:
        """The duplicate filter drops a redirect back into its own chain without a word: a redirect loop."""
        if request.url in request.meta.get("redirect_urls", ()):
            self.crawler.stats.inc_value(statkeys.REDIRECT_LOOPS)
            chain = " → ".join([*request.meta["redirect_urls"], request.url])
            self.logger.warning("could not fetch %s: redirect loop (%s)", request.meta["redirect_urls"][0], chain)

    # -- helpers -----------------------------------------------------------------------------------

    @property
    def site_name(self) -> str:
        return self.site.name if self.site else site_key_of(self.start_urls_[0])

    def _document(self, state: dict) -> Document:
        return Document(url=state["doc_url"], site=self.site_name, parts=state["fetched"])

    def _part_request(self, url: str, state: dict) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_part, errback=self.on_error,
                              meta={"fanwen_doc": state}, priority=10)

    def _declared_canonical(self, response: Response, url: str) -> str | None:
        """The page's <link rel="canonical"> when it names another page of this site.

        A canonical that points at the site's root is ignored: templates that stamp the home page on every
        page would otherwise hide the whole site.
        """
        if not isinstance(response, TextResponse):
            return None
        href = response.xpath('//head/link[@rel="canonical"]/@href').get()
        if not href:
            return None
        target = canonical_url(response.urljoin(href.strip()))
        if target == url or host_of(target) not in self.hosts or urlsplit(target).path in ("", "/"):
            return None
        return target

    def _links(self, response: Response) -> list[str]:
        if not isinstance(response, TextResponse):
            return []
        links = []
        for href in response.css("a::attr(href)").getall():
            href = href.strip()
            if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
                continue
            url = canonical_url(response.urljoin(href))
            parts = urlsplit(url)  # of a canonical URL: its netloc is host_of(url)
            if parts.scheme in ("http", "https") and parts.netloc in self.hosts and not is_resource_path(parts.path):
                links.append(url)
        return list(dict.fromkeys(links))

    def _follow(self, links: list[str]) -> Iterator[scrapy.Request]:
        for url in links:
            first = page_number(url)
            if first and first[1] > 1:
                url = first[0]  # reach continuation pages through their first page only
            if self._wanted(url):
                yield scrapy.Request(url, callback=self.parse, errback=self.on_error)

    def _wanted(self, url: str) -> bool:
        site = self.site
        if site is None:
            return True
        if _matches(site.deny_urls, url):
            return False
        if not site.list_urls:
            return True
        return _matches(site.list_urls, url) or _matches(site.article_urls, url)

    def _may_be_article(self, url: str) -> bool:
        return self.site is None or not self.site.article_urls or _matches(self.site.article_urls, url)


def _matches(patterns: tuple[re.Pattern, ...], url: str) -> bool:
    return any(p.search(url) for p in patterns)


def fetched(response: Response) -> Fetched:
    """The archived form of a response: raw bytes, headers, and the encoding the middleware chose."""
    encoding = getattr(response, "encoding", None) or ""
    return Fetched(url=canonical_url(response.url), status=response.status, headers=header_dict(response),
                   body=response.body, encoding=encoding, fetched_at=now())
