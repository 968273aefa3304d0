"""`scrapy crawl NAME`, exiting with the run's fanwen exit status (3 health warnings, 4 another crawl held the
lock) instead of Scrapy's 0, so cron and Scrapyd-driven runs report like `fanwen crawl`."""

from __future__ import annotations

import argparse

from scrapy import Spider
from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.crawler import Crawler

from fanwen.crawler import statkeys


class Command(ScrapyCrawlCommand):
    """Scrapy's crawl command; only the exit status differs."""

    def _create_crawler(self, spidercls: type[Spider] | str) -> Crawler:
        self.crawler = super()._create_crawler(spidercls)
        return self.crawler

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        super().run(args, opts)
        stats = self.crawler.stats.get_stats() if getattr(self, "crawler", None) else {}
        self.exitcode = max(self.exitcode, int(stats.get(statkeys.EXIT_STATUS) or 0))
