"""Polite retries: Scrapy's RetryMiddleware plus exponential backoff and Retry-After, per host.

When a host answers 429/503 (FANWEN_BACKOFF_HTTP_CODES), or any retry code with a Retry-After header, the
retry and every other request to that host wait: for the seconds (or until the date) Retry-After names, else
for FANWEN_BACKOFF_BASE * 2**(retries so far). A wait longer than FANWEN_RETRY_MAX_WAIT is never made: the
request is given up for this run (counted under fanwen/retry/gave_up_too_long) and the next run asks again.
Other retry codes (500, 502, timeouts) are retried at once, as Scrapy does.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.utils.response import response_status_message

from fanwen.crawler import statkeys
from fanwen.crawler.urls import host_of
from fanwen.errors import ConfigError

logger = logging.getLogger(__name__)


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or HTTP-date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


_CONTACT = re.compile(r"^(https?://[^\s/]+\S*|[^\s@()]+@[^\s@()]+\.[^\s@()]+)$")


def user_agent(base: str, contact: str) -> str:
    """The User-Agent with the user's contact (FANWEN_CONTACT) added: `fanwen-archive/0.1 (…; +me@example.cn)`.

    A contact that is neither an e-mail address nor an http(s) URL is a configuration error: site owners
    must be able to use it.
    """
    contact = contact.strip()
    if not contact:
        return base
    if not _CONTACT.match(contact):
        raise ConfigError(f"FANWEN_CONTACT={contact!r}: give an e-mail address or an http(s) URL")
    if base.endswith(")"):
        return f"{base[:-1]}; +{contact})"
    return f"{base} (+{contact})"


def backoff_seconds(retries: int, base: float) -> float:
    """Exponential backoff before retry number `retries + 1`: base, 2·base, 4·base, …"""
    return base * (2 ** retries)


class _RobotsFetchNotAnError(logging.Filter):
    """Scrapy logs a robots.txt it could not download at ERROR, then crawls on as if there were no rules; the
    page requests that follow report the host's real trouble. Demoted to INFO so no ERROR line precedes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.ERROR and str(record.msg).startswith("Error downloading"):
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


_ROBOTS_LOGGER = logging.getLogger("scrapy.downloadermiddlewares.robotstxt")


class BackoffRetryMiddleware(RetryMiddleware):
    """Replaces scrapy's RetryMiddleware (same settings and meta keys) and adds the per-host waits."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler.settings)
        self.crawler = crawler
        settings = crawler.settings
        self.base = settings.getfloat("FANWEN_BACKOFF_BASE")
        self.max_wait = settings.getfloat("FANWEN_RETRY_MAX_WAIT")
        self.backoff_codes = {int(x) for x in settings.getlist("FANWEN_BACKOFF_HTTP_CODES")}
        self.paused_until: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        if not any(isinstance(f, _RobotsFetchNotAnError) for f in _ROBOTS_LOGGER.filters):
            _ROBOTS_LOGGER.addFilter(_RobotsFetchNotAnError())
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        # Every request to a host that asked us to back off waits here, not only the retried one.
        remaining = self.paused_until.get(host_of(request.url), 0.0) - time.monotonic()
        if remaining > 0:
            await asyncio.sleep(remaining)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        asked = retry_after_seconds(response.headers.get("Retry-After", b"").decode("latin-1"))
        if asked is not None:
            wait = asked
        elif response.status in self.backoff_codes:
            wait = backoff_seconds(request.meta.get("retry_times", 0), self.base)
        else:
            wait = 0.0
        if wait > self.max_wait:
            self.crawler.stats.inc_value(statkeys.RETRY_GAVE_UP_TOO_LONG)
            logger.warning("%s: HTTP %s asks to wait %.0f s, more than FANWEN_RETRY_MAX_WAIT=%.0f; not retried "
                           "this run", request.url, response.status, wait, self.max_wait)
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        if wait > 0:
            self._pause(request.url, wait, asked is not None)
        return retry

    def _retry(self, request: Request, reason: str | Exception | type[Exception]) -> Request | None:
        # A robots.txt that cannot be fetched means "no rules" (Scrapy then crawls on): not worth an ERROR
        # line above the run's own outcome.
        if request.meta.get("dont_obey_robotstxt") and urlsplit(request.url).path == "/robots.txt":
            request.meta.setdefault("give_up_log_level", logging.INFO)
        return super()._retry(request, reason)

    def _pause(self, url: str, wait: float, asked: bool) -> None:
        host = host_of(url)
        self.paused_until[host] = max(self.paused_until.get(host, 0.0), time.monotonic() + wait)
        stats = self.crawler.stats
        stats.inc_value(statkeys.RETRY_WAITS)
        stats.inc_value(statkeys.RETRY_WAIT_MS, int(wait * 1000))
        if asked:
            stats.inc_value(statkeys.RETRY_AFTER)
