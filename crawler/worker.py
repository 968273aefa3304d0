"""Worker mode (`fanwen crawl --redis URL`): any number of processes on any number of machines share one
crawl through Redis, and send what they fetch to the one writer (`fanwen ingest`).

scrapy-redis shares the request queue and the duplicate filter; these components do the rest:

* RedisScheduler       scrapy-redis' scheduler with one key set per crawl frontier, never flushed by a worker
* KnownUrlsMiddleware  incremental crawling from the writer's set of archived article URLs
* RedisTakedownMiddleware  refuses URLs under the archive's active takedowns, as the writer publishes them
* RedisItemPipeline    documents (raw pages + extraction, done here so workers share the CPU) → the writer
* WorkerLifecycle      registers the worker, heartbeats, closes after the shared queue has been idle for
                       FANWEN_REDIS_IDLE_TIMEOUT seconds, and sends the run's statistics to the writer

scrapy-redis 0.9.1 works with Scrapy 2.19 unchanged here: its RedisSpider (which reads start URLs from a
Redis list through `start_requests`) is not used, our spider's `async start()` seeds the shared queue and
the shared duplicate filter makes that seeding idempotent.
"""

from __future__ import annotations

import fnmatch
import hashlib
import logging
import os
import socket
import time
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.settings import Settings
from scrapy.utils.asyncio import create_looping_call
from scrapy.utils.defer import deferred_from_coro
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler

from fanwen.crawler import redisbus, statkeys
from fanwen.crawler.extensions import EXIT_FAILED, EXIT_OK, command_line, crawl_counters
from fanwen.crawler.incremental import IncrementalMiddleware
from fanwen.crawler.takedowns import TakedownMiddleware
from fanwen.pipelines.records import Document
from fanwen.pipelines.store import now

logger = logging.getLogger(__name__)

STALE_AFTER = 15  # seconds without a heartbeat: that worker is gone (killed, machine down)
TAKEDOWN_REFRESH = 10  # seconds a worker trusts the takedown patterns it read


def apply_worker_settings(settings: Settings) -> None:
    """Turn the project's settings into worker mode: Redis scheduler, dupefilter and item sink; nothing
    touches a local archive (no lock, no run row, no SQLite memory)."""
    settings.set("REDIS_URL", settings.get("FANWEN_REDIS_URL"), priority="cmdline")
    settings.set("SCHEDULER", "fanwen.crawler.worker.RedisScheduler", priority="cmdline")
    settings.set("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter", priority="cmdline")
    settings.set("SCHEDULER_PERSIST", True, priority="cmdline")  # one worker's end is not the crawl's
    replace = {
        "ITEM_PIPELINES": {"fanwen.pipelines.item_pipelines.StorePipeline": "fanwen.crawler.worker.RedisItemPipeline"},
        "SPIDER_MIDDLEWARES": {"fanwen.crawler.incremental.IncrementalMiddleware":
                               "fanwen.crawler.worker.KnownUrlsMiddleware"},
        "DOWNLOADER_MIDDLEWARES": {"fanwen.crawler.takedowns.TakedownMiddleware":
                                   "fanwen.crawler.worker.RedisTakedownMiddleware"},
        "EXTENSIONS": {"fanwen.crawler.extensions.CrawlLock": None,
                       "fanwen.crawler.extensions.CrawlRecorder": "fanwen.crawler.worker.WorkerLifecycle"},
    }
    for name, swaps in replace.items():
        components = dict(settings.getdict(name))
        for old, new in swaps.items():
            order = components.pop(old)
            if new:
                components[new] = order
        settings.set(name, components, priority="cmdline")


def frontier_name(spider: Spider) -> str:
    """One crawl's name in Redis: the spider and its start URLs (two generic crawls must not share a queue)."""
    urls = ",".join(sorted(getattr(spider, "start_urls_", [])))
    return f"{spider.name}-{hashlib.sha1(urls.encode('utf-8')).hexdigest()[:8]}"


def _client(crawler: Crawler):
    url = crawler.settings.get("FANWEN_REDIS_URL")
    if not url:
        raise NotConfigured("not a worker: FANWEN_REDIS_URL is empty")
    return redisbus.connect(url)


class RedisScheduler(Scheduler):
    """scrapy-redis' scheduler, keyed by crawl frontier instead of spider name alone.

    Also the one Scrapy 2.19 incompatibility of scrapy-redis 0.9.1: it passes `spider=` to
    StatsCollector.inc_value, deprecated since Scrapy 2.15 (a ScrapyDeprecationWarning per request);
    enqueue_request/next_request are repeated here without it."""

    def open(self, spider: Spider) -> None:
        keys = redisbus.frontier_keys(frontier_name(spider))
        self.queue_key = keys["requests"]  # no %(spider)s left: the base class's formatting keeps it as is
        self.df = RFPDupeFilter(self.server, key=keys["dupefilter"],
                                debug=spider.settings.getbool("DUPEFILTER_DEBUG"))
        super().open(spider)

    def enqueue_request(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self) -> Request | None:
        request = self.queue.pop(0)  # never a blocking pop: it would stall the whole reactor
        if request is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request


class KnownUrlsMiddleware(IncrementalMiddleware):
    """The incremental middleware with its memory read from Redis: the writer publishes archived article URLs,
    so workers need no copy of the archive. Re-checks (--refresh) and 404/410 memory need the archive and are
    local-crawl features."""

    def _load(self, spider: Spider) -> list[Request]:
        self.known = redisbus.known_urls(_client(self.crawler))
        return []


class RedisTakedownMiddleware(TakedownMiddleware):
    """The takedown check against the patterns the writer publishes (the archive is on another machine).
    Re-read every TAKEDOWN_REFRESH seconds; the writer also refuses to store a document a takedown matches."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.client = _client(crawler)
        self.patterns: list[str] = []
        self.read_at = float("-inf")

    def taken_down(self, url: str) -> bool:
        if time.monotonic() - self.read_at > TAKEDOWN_REFRESH:
            self.patterns, self.read_at = redisbus.takedown_patterns(self.client), time.monotonic()
        return any(glob_match(p, url) for p in self.patterns)


def glob_match(pattern: str, text: str) -> bool:
    """SQLite's GLOB (case-sensitive `*`, `?`, `[...]`, `[^...]`), as takedown patterns are matched in the archive."""
    return fnmatch.fnmatchcase(text, pattern.replace("[^", "[!"))


class RedisItemPipeline:
    """Sends each extracted document (raw pages included) to the writer instead of storing it."""

    def __init__(self, crawler: Crawler, client: Any) -> None:
        self.crawler = crawler
        self.client = client

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisItemPipeline:
        return cls(crawler, _client(crawler))

    def process_item(self, item: Document) -> Document:
        if isinstance(item, Document):
            redisbus.send(self.client, redisbus.Message("doc", worker_run(self.crawler), doc=item))
            self.crawler.stats.inc_value(statkeys.REDIS_SENT)
        return item


def worker_run(crawler: Crawler) -> redisbus.WorkerRun:
    """This process's run of the crawler's spider, fixed when the spider opened."""
    run = crawler.stats.get_value(statkeys.REDIS_RUN)
    if run is None:
        spider = crawler.spider
        site = getattr(spider, "site", None)
        run = redisbus.WorkerRun(host=socket.gethostname(), pid=os.getpid(), started=now(),
                                 command=crawler.settings.get("FANWEN_COMMAND") or command_line(),
                                 site=getattr(spider, "site_name", spider.name), title=site.title if site else "")
        crawler.stats.set_value(statkeys.REDIS_RUN, run)
    return run


class WorkerLifecycle:
    """Joins the crawl, heartbeats, decides when the shared crawl is over, reports the run to the writer."""

    def __init__(self, crawler: Crawler, client: Any) -> None:
        self.crawler = crawler
        self.client = client
        self.idle_timeout = crawler.settings.getfloat("FANWEN_REDIS_IDLE_TIMEOUT")
        self.interval = crawler.settings.getfloat("FANWEN_REDIS_HEARTBEAT")
        self.join, self.beat, self.leave = (client.register_script(s)
                                            for s in (redisbus.JOIN, redisbus.BEAT, redisbus.LEAVE))
        self.keys: list[str] = []
        self.run: redisbus.WorkerRun | None = None
        self.heartbeat = create_looping_call(self._heartbeat)
        self.idle_since: float | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WorkerLifecycle:
        ext = cls(crawler, _client(crawler))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        k = redisbus.frontier_keys(frontier_name(spider))
        self.keys = [k["workers"], k["requests"], k["dupefilter"]]
        self.run = worker_run(self.crawler)
        others = self.join(keys=self.keys, args=[self.run.worker_id, STALE_AFTER])
        logger.info("worker %s joined %s (%d other workers)", self.run.worker_id, k["requests"], others)
        self.heartbeat.start(self.interval, now=False)

    def _heartbeat(self) -> None:
        """Every FANWEN_REDIS_HEARTBEAT seconds: tell the others whether this worker is busy, wake it when the
        shared queue has work (Scrapy itself looks only every 5 s), and end the run once the shared queue has
        been empty and every live worker idle for FANWEN_REDIS_IDLE_TIMEOUT seconds."""
        engine = self.crawler.engine
        if engine is None or engine.scheduler is None:
            return
        # Busy with its own work; spider_is_idle() would also count the shared queue, which is not this worker's.
        busy = bool(engine.downloader.active) or not engine.scraper.slot.is_idle()
        queued, others_busy = self.beat(keys=self.keys, args=[self.run.worker_id, STALE_AFTER, int(busy)])
        if busy or others_busy or queued:
            self.idle_since = None
            if not busy and queued and (request := engine.scheduler.next_request()) is not None:
                # Requeued through the engine, which wakes it up; dont_filter because it passed the
                # duplicate filter when it was first queued.
                engine.crawl(request.replace(dont_filter=True))
            return
        self.idle_since = self.idle_since or time.monotonic()
        if time.monotonic() - self.idle_since >= self.idle_timeout:
            self.heartbeat.stop()
            deferred_from_coro(engine.close_spider_async(reason="finished"))

    def spider_idle(self, spider: Spider) -> None:
        """The heartbeat decides when the shared crawl is over: an idle worker stays open until then."""
        raise DontCloseSpider

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.heartbeat.running:
            self.heartbeat.stop()
        stats = self.crawler.stats.get_stats()
        failed = reason != "finished" or (stats.get("response_received_count", 0) == 0
                                          and statkeys.START_ERROR in stats)
        status = EXIT_FAILED if failed else EXIT_OK
        self.crawler.stats.set_value(statkeys.EXIT_STATUS, status)
        report = {"counters": crawl_counters(stats), "finish_reason": reason, "exit_status": status,
                  "start_error": stats.get(statkeys.START_ERROR), "finished": now()}
        redisbus.send(self.client, redisbus.Message("finish", self.run, stats=report))
        self.leave(keys=self.keys, args=[self.run.worker_id, STALE_AFTER])
