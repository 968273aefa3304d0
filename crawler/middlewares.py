"""Downloader middlewares: correct decoding of Chinese pages before anything reads `response.text`."""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse

from fanwen.crawler import statkeys
from fanwen.pipelines.decode import decode_html


def header_dict(response: Response) -> dict[str, str]:
    """Response headers as plain strings (repeated headers joined with ", ")."""
    return {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}


class EncodingMiddleware:
    """Replaces Scrapy's encoding guess (cp1252 for undeclared GBK pages) with a verified one.

    Ordered at 580, after HttpCompressionMiddleware (590) has decompressed the body. The choice is
    counted under fanwen/decode/<how> so a surge of lossy decodes shows in the run's stats.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EncodingMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, TextResponse):
            return response
        site = getattr(self.crawler.spider, "site", None)
        decoded = decode_html(response.body, header_dict(response), force=site.encoding if site else None)
        self.crawler.stats.inc_value(f"{statkeys.DECODE}{decoded.how}")
        return response.replace(encoding=decoded.encoding)
