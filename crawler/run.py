"""Run crawls from Python: builds the project's Settings and drives Scrapy's AsyncCrawlerProcess.

Used by `fanwen crawl`; `scrapy crawl NAME` reaches the same spiders, pipelines and extensions
through scrapy.cfg, so both archive and record runs identically.
"""

from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from scrapy.crawler import AsyncCrawlerProcess
from scrapy.settings import Settings

from fanwen.crawler import statkeys
from fanwen.crawler.extensions import crawl_counters
from fanwen.crawler.lock import acquire_crawl_lock
from fanwen.crawler.siteconfig import load_sites
from fanwen.crawler.spiderloader import spider_for
from fanwen.crawler.spiders.essay import EssaySpider
from fanwen.errors import ConfigError, FanwenError, UsageError
from fanwen.pipelines.store import open_db


@dataclass
class CrawlResult:
    """What one spider's run did, read from its stats after it closed."""

    spider: str
    crawl_id: int | None
    exit_status: int
    start_error: str | None
    counters: dict[str, Any]
    warnings: list[str]
    fatal: str | None = None  # what stopped the run early (a full disk)
    pruned_versions: int = 0  # old list-page versions dropped after the run (pipelines/retention.py)
    pruned_bytes: int = 0


def project_settings(overrides: dict[str, str] | None = None) -> Settings:
    """The project's settings (crawler/settings.py) with command-line overrides at 'cmdline' priority.

    Built from the module, not from scrapy.cfg, so the CLI works outside the repository too.
    """
    settings = Settings()
    settings.setmodule("fanwen.crawler.settings", priority="project")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def parse_setting_overrides(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """`NAME=VALUE` strings (as for `scrapy crawl -s`) → dict; a malformed one is a usage error."""
    result = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"-s {pair!r}: expected NAME=VALUE")
        result[name.strip()] = value
    check_setting_values(result)
    return result


def check_start_urls(urls: list[str]) -> None:
    """Every --start-url must be an absolute http(s) URL with a host: anything else is a usage error."""
    for url in urls:
        for one in url.split(","):  # the spider splits comma-separated lists the same way
            parts = urlsplit(one.strip())
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise UsageError(f"--start-url {one!r} is not an http(s) URL (e.g. https://www.example.cn/fanwen/)")


# Getters that turn a `-s` string into the type of the setting's default, and how to name that type.
# Numbers are checked as floats: Scrapy reads some settings with int defaults (DOWNLOAD_TIMEOUT) as floats.
_TYPED = ((bool, "getbool", "true or false"), (int | float, "getfloat", "a number"),
          (dict, "getdict", "a JSON object"))


def check_setting_values(overrides: dict[str, str]) -> None:
    """Each `-s NAME=VALUE` must suit the type of NAME's default, and a FANWEN_ name must exist; a bad one is a
    configuration error naming the setting (Scrapy would fail later with "could not convert string to float")."""
    defaults = project_settings()
    for name, value in overrides.items():
        default = defaults.get(name)
        if default is None:
            if name.startswith("FANWEN_"):
                known = difflib.get_close_matches(name, [k for k, _ in defaults.items() if k.startswith("FANWEN_")])
                hint = f" (did you mean {known[0]}?)" if known else ""
                raise ConfigError(f"-s {name}={value}: there is no setting {name}{hint}")
            continue
        for typ, getter, what in _TYPED:
            if isinstance(default, typ) and not isinstance(value, typ):
                probe = Settings({name: value})
                try:
                    getattr(probe, getter)(name)
                except (ValueError, TypeError) as e:
                    raise ConfigError(f"-s {name}={value}: {name} takes {what}, like its default "
                                      f"{default!r}") from e
                break


_make_record = logging.getLogRecordFactory()


def _one_line_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
    """Log records without tracebacks (Scrapy logs some download errors with one): the CLI promises
    one-line errors unless --debug. The exception's message is kept on the line."""
    record = _make_record(*args, **kwargs)
    if record.exc_info:
        reason = record.exc_info[1]
        message = record.getMessage()
        if reason and str(reason) not in message:
            message = f"{message} ({reason})"
        record.msg, record.args, record.exc_info = message, (), None
    return record


def prepare_target(settings: Settings) -> None:
    """Check where the run will write, before any request and any Scrapy log line: the archive (a missing
    directory, a file that is not an archive, a schema newer than this code: one FanwenError, the file left
    untouched) or, for a worker (FANWEN_REDIS_URL), its Redis (a bad URL, an unreachable server), then
    switch a worker's settings to Redis. `fanwen crawl` and `scrapy crawl` both start here."""
    if settings.get("FANWEN_REDIS_URL"):
        # A worker: the shared queue and the writer are in Redis, no local archive is touched.
        from fanwen.crawler.redisbus import connect
        from fanwen.crawler.worker import apply_worker_settings

        connect(settings.get("FANWEN_REDIS_URL")).close()
        apply_worker_settings(settings)
    else:
        open_db(settings.get("FANWEN_DB")).close()


def crawl(site_names: list[str], start_urls: list[str], settings: Settings) -> list[CrawlResult]:
    """Crawl the named sites (each from its own start URLs, or from `start_urls` when one site is named)
    and/or the generic spider on each start URL. Blocks until every spider has closed."""
    check_start_urls(start_urls)
    sites = load_sites(settings.getlist("FANWEN_SITES_DIRS"))
    unknown = [name for name in site_names if name not in sites]
    if unknown:
        raise UsageError(f"unknown site '{unknown[0]}' (known: {', '.join(sorted(sites))}; see `fanwen sites`)")
    if len(site_names) > 1 and start_urls:
        raise UsageError("a start URL can be combined with at most one site", field="start_url")
    if not site_names and not start_urls:
        raise UsageError("name a SITE (see `fanwen sites`) or give --start-url URL")
    prepare_target(settings)
    if not settings.get("FANWEN_REDIS_URL"):
        # Held until this process exits; the CrawlLock extension re-enters it. Taking it here gives a
        # clean one-line StoreLocked error (exit status 4) instead of a refused spider.
        acquire_crawl_lock(settings.get("FANWEN_DB"), settings.get("FANWEN_COMMAND") or "fanwen crawl")

    jobs: list[tuple[type[EssaySpider], dict[str, Any]]] = []
    if site_names:
        for name in site_names:
            jobs.append((spider_for(sites[name]), {"start_url": start_urls} if start_urls else {}))
    else:
        jobs.extend((EssaySpider, {"start_url": url}) for url in start_urls)

    if not settings.getbool("FANWEN_DEBUG"):
        logging.setLogRecordFactory(_one_line_record)
    process = AsyncCrawlerProcess(settings)
    crawlers, tasks = [], []
    for spidercls, kwargs in jobs:
        crawler = process.create_crawler(spidercls)
        tasks.append(process.crawl(crawler, **kwargs))
        crawlers.append(crawler)
    process.start()
    for crawler, task in zip(crawlers, tasks, strict=True):
        error = task.exception() if task.done() and not task.cancelled() else None
        if isinstance(error, FanwenError):
            raise error  # e.g. StoreLocked: keeps its exit status
        if error is not None:
            raise FanwenError(f"the {crawler.spidercls.name} crawl failed to start: {error}") from error
    results = []
    for crawler in crawlers:
        stats = crawler.stats.get_stats()
        results.append(CrawlResult(
            spider=crawler.spidercls.name,
            crawl_id=stats.get(statkeys.CRAWL_ID),
            exit_status=int(stats.get(statkeys.EXIT_STATUS, 1)),
            start_error=stats.get(statkeys.START_ERROR),
            counters=crawl_counters(stats),
            warnings=list(stats.get(statkeys.WARNINGS) or []),
            fatal=stats.get(statkeys.FATAL),
            pruned_versions=int(stats.get(statkeys.PRUNED_VERSIONS, 0)),
            pruned_bytes=int(stats.get(statkeys.PRUNED_BYTES, 0)),
        ))
    return results
