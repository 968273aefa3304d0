"""Fetch: Scrapy spiders, site configs, decoding middleware, politeness, incremental crawls, run records."""
