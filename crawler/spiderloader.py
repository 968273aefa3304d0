"""SPIDER_LOADER_CLASS: one spider per site config plus `generic`, so `scrapy list` and
`scrapy crawl NAME` work exactly like `fanwen crawl NAME`."""

from __future__ import annotations

from typing import Any

from scrapy.settings import BaseSettings

from fanwen.crawler.siteconfig import SiteConfig, load_sites
from fanwen.crawler.spiders.essay import EssaySpider


def spider_for(site: SiteConfig) -> type[EssaySpider]:
    """A spider class bound to one site config."""
    return type(f"{site.name.title().replace('-', '').replace('_', '')}Spider", (EssaySpider,),
                {"name": site.name, "site": site, "__module__": __name__})


class SiteSpiderLoader:
    """Scrapy's SpiderLoaderProtocol over crawler/sites/*.toml and the FANWEN_SITES_DIRS directories."""

    def __init__(self, settings: BaseSettings) -> None:
        self.sites = load_sites(settings.getlist("FANWEN_SITES_DIRS"))
        self._spiders: dict[str, type[EssaySpider]] = {"generic": EssaySpider}
        self._spiders.update({name: spider_for(site) for name, site in self.sites.items()})

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> SiteSpiderLoader:
        return cls(settings)

    def load(self, spider_name: str) -> type[EssaySpider]:
        try:
            return self._spiders[spider_name]
        except KeyError:
            raise KeyError(f"Spider not found: {spider_name}") from None

    def list(self) -> list[str]:
        return sorted(self._spiders)

    def find_by_request(self, request: Any) -> list[str]:
        return []
