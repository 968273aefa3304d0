"""The peer for bench/crawl_throughput.py: a bare Scrapy spider that only follows same-host links."""

from urllib.parse import urlsplit

import scrapy


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, start: str, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [start]
        self.host = urlsplit(start).netloc

    def parse(self, response):
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href)
            if urlsplit(url).netloc == self.host:
                yield scrapy.Request(url, callback=self.parse)
