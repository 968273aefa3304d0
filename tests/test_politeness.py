"""Polite retries against a site that answers 503 + Retry-After and 429: the wait is honoured (and capped),
backoff grows exponentially, and the limits come from settings, a site config's [settings] and -s."""

from __future__ import annotations

import shutil
import sqlite3
import time
from email.utils import formatdate
from pathlib import Path

import pytest
from conftest import FAST, SITES, fanwen

from fanwen.crawler.politeness import backoff_seconds, retry_after_seconds
from fanwen.crawler.run import project_settings

BUSY = "/fanwen/gongzuozongjie/22366158.html"  # 503 + Retry-After: 1, twice
THROTTLED = "/fanwen/hetongfanwen/22368177.html"  # 429 without Retry-After, once
CLOSED = "/fanwen/xindetihui2/22367010.html"  # 503 + Retry-After: 3600


@pytest.mark.parametrize(("header", "expected"), [("120", 120.0), (" 7 ", 7.0), ("", None), (None, None),
                                                   ("soon", None), ("-5", None)])
def test_retry_after_seconds(header, expected):
    assert retry_after_seconds(header) == expected


def test_retry_after_http_date_counts_from_now():
    now = time.time()
    assert retry_after_seconds(formatdate(now + 90, usegmt=True), now=now) == pytest.approx(90, abs=1)
    assert retry_after_seconds(formatdate(now - 90, usegmt=True), now=now) == 0.0


def test_backoff_doubles_per_retry():
    assert [backoff_seconds(n, 2.0) for n in range(4)] == [2.0, 4.0, 8.0, 16.0]


def test_polite_defaults():
    s = project_settings()
    assert s.getbool("ROBOTSTXT_OBEY") and s.getbool("AUTOTHROTTLE_ENABLED")
    assert 1 <= s.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 2
    assert "fanwen-archive" in s.get("USER_AGENT") and "+" not in s.get("USER_AGENT")  # no made-up contact
    assert {429, 503} <= set(s.getlist("RETRY_HTTP_CODES"))
    assert s.getdict("DOWNLOADER_MIDDLEWARES")["scrapy.downloadermiddlewares.retry.RetryMiddleware"] is None


@pytest.fixture
def busy_site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(SITES / "diyifanwen", root)
    with (root / "_site.toml").open("a", encoding="utf-8") as f:
        f.write(f'\n[paths."{BUSY}"]\ndescription = "overloaded twice"\nstatus = 503\nretry_after = 1\n'
                "fail_times = 2\n"
                f'\n[paths."{THROTTLED}"]\ndescription = "rate limited once"\nstatus = 429\nfail_times = 1\n'
                f'\n[paths."{CLOSED}"]\ndescription = "down for an hour"\nstatus = 503\nretry_after = 3600\n'
                "fail_times = 1\n")
    return root


def statuses(server, path: str) -> list[int]:
    return [status for _, p, status in server.requests if p == path]


@pytest.mark.slow
def test_retry_after_is_waited_for_backoff_used_and_an_overlong_wait_given_up(site_server, busy_site, tmp_path):
    server = site_server(busy_site)
    db = tmp_path / "a.db"
    started = time.monotonic()
    result = fanwen("crawl", "--start-url", server.url, "--db", str(db), *FAST, "-s", "FANWEN_BACKOFF_BASE=0.1",
                    "-s", "FANWEN_RETRY_MAX_WAIT=60")
    elapsed = time.monotonic() - started
    assert result.returncode in (0, 3), result.stderr[-2000:]
    assert statuses(server, BUSY) == [503, 503, 200]
    assert statuses(server, THROTTLED) == [429, 200]
    assert statuses(server, CLOSED) == [503]  # asked for an hour: not retried this run
    assert elapsed >= 2.0  # two Retry-After: 1 waits, one after the other
    urls = {u for (u,) in sqlite3.connect(db).execute("select url from articles")}
    base = server.url.rstrip("/")
    assert {base + BUSY, base + THROTTLED} <= urls and base + CLOSED not in urls


@pytest.mark.slow
def test_site_settings_set_the_cap_and_dash_s_overrides_them(site_server, busy_site, tmp_path):
    def run(*extra: str):
        server = site_server(busy_site)
        sites_dir = tmp_path / f"sites-{server.port}"
        sites_dir.mkdir()
        (sites_dir / "busy.toml").write_text(
            f'name = "busy"\ntitle = "繁忙范文网"\nstart_urls = ["{server.url}"]\n'
            f'allowed_hosts = ["127.0.0.1:{server.port}"]\n'
            '[settings]\nFANWEN_RETRY_MAX_WAIT = 0.5\nFANWEN_BACKOFF_BASE = 0.1\n'
            '[source]\nnotes = "generated for a test"\n', encoding="utf-8")
        result = fanwen("crawl", "busy", "--sites-dir", str(sites_dir), "--db", str(tmp_path / f"{server.port}.db"),
                        *FAST, *extra)
        assert result.returncode in (0, 3), result.stderr[-2000:]
        return server

    assert statuses(run(), BUSY) == [503]  # the site's cap (0.5 s) is below Retry-After: 1
    assert statuses(run("-s", "FANWEN_RETRY_MAX_WAIT=5"), BUSY) == [503, 503, 200]
