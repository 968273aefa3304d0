"""`scrapy crawl NAME`, exiting with the run's fanwen exit status (3 health warnings, 4 another crawl held the
lock) instead of Scrapy's 0, so cron and Scrapyd-driven runs report like `fanwen crawl`.

Bad input (an unknown spider, a malformed site config, an archive this code cannot use, such as one made by a
newer fanwen-archive) is one `Error: …` line with the README's exit status, before Scrapy logs or fetches
anything, as with `fanwen crawl`; FANWEN_DEBUG=1 in the environment shows the traceback.
"""

from __future__ import annotations

import argparse
import os
import sys

from scrapy import Spider
from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.crawler import Crawler

from fanwen.crawler import statkeys
from fanwen.errors import FanwenError, UsageError


class Command(ScrapyCrawlCommand):
    """Scrapy's crawl command; the checks before the run and the exit status differ."""

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)  # applies -s NAME=VALUE to self.settings
        try:
            self._check(args)
        except FanwenError as error:
            if os.environ.get("FANWEN_DEBUG"):
                raise
            print(f"Error: {error}", file=sys.stderr)
            sys.exit(error.exit_code)

    def _check(self, args: list[str]) -> None:
        """What `fanwen crawl` checks before it starts Scrapy: the spider exists, the site configs load
        (SiteSpiderLoader raises ConfigError), the archive or the worker's Redis is usable."""
        from fanwen.crawler.run import prepare_target
        from fanwen.crawler.spiderloader import SiteSpiderLoader

        if len(args) == 1:  # Scrapy's own usage error covers the other counts
            known = SiteSpiderLoader(self.settings).list()
            if args[0] not in known:
                raise UsageError(f"unknown spider '{args[0]}' (known: {', '.join(known)}; see `scrapy list`)")
        prepare_target(self.settings)

    def _create_crawler(self, spidercls: type[Spider] | str) -> Crawler:
        self.crawler = super()._create_crawler(spidercls)
        return self.crawler

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        super().run(args, opts)
        stats = self.crawler.stats.get_stats() if getattr(self, "crawler", None) else {}
        self.exitcode = max(self.exitcode, int(stats.get(statkeys.EXIT_STATUS) or 0))
