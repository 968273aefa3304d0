"""Health checks at the end of a run: boundaries of each check, and real crawls of a 瑞文网-like site that
turns into a captcha wall or starts leaking a junk line: a warning in the summary, in `crawls.warnings`,
exit status 3; with --quiet a healthy run prints nothing."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import FAST, SITES, fanwen

from fanwen.crawler.extensions import crawl_counters
from fanwen.crawler.health import ArchiveFacts, HealthLimits, check_health

LIMITS = HealthLimits(max_error_ratio=0.2, max_lossy_ratio=0.05, max_leak_ratio=0.02, min_pages=5,
                      leak_markers=("👉",))
CAPTCHA = """<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">
<title>安全验证</title></head><body><div class="verify"><h3>访问过于频繁，请输入验证码后继续访问</h3>
<img src="/captcha.php?t=1732590000" alt="验证码"><input type="text" name="code">
<button onclick="check()">提交</button></div></body></html>"""
# Junk no cleaning rule knows yet (any rule added later would not catch this made-up marker), so the
# check is tested for what it is for: catching what the rules miss.
LEAK_MARKER = "泄漏探针甲乙丙"
LEAK = f"<p>　　同桌说，这段话里藏着一个{LEAK_MARKER}，谁也看不出来。</p>"


def counters(pages=100, new=0, updated=0, unchanged=0, skipped=0, not_modified=0, errors=0, download_errors=0):
    kinds = {"http_errors/503": errors - download_errors, "download_errors/TimeoutError": download_errors}
    return {"pages": pages, "articles_new": new, "articles_updated": updated, "articles_unchanged": unchanged,
            "skipped": skipped, "not_modified": not_modified, "errors": errors, "error_kinds": kinds}


def facts(archived=0, checked=0, leaked=()):
    return ArchiveFacts(archived=archived, checked=checked, leaked=list(leaked))


def test_a_healthy_run_has_no_warnings():
    assert check_health("s", {"fanwen/decode/declared": 100}, counters(new=20, errors=5), facts(20, 20), LIMITS) == []


@pytest.mark.parametrize(("seen", "archived", "warned"), [
    ({}, 10, True),
    ({"skipped": 1}, 10, False),  # links to archived articles still show up: nothing broke
    ({"not_modified": 3}, 10, False),
    ({}, 0, False),  # a site that never yielded articles has nothing to lose
])
def test_no_articles_from_a_site_that_used_to_yield_them(seen, archived, warned):
    warnings = check_health("ruiwen", {}, counters(pages=3, **seen), facts(archived), LIMITS)
    assert bool(warnings) == warned
    if warned:
        assert warnings[0].startswith("ruiwen: no articles found this run (10 archived before)")


@pytest.mark.parametrize(("errors", "warned"), [(20, False), (21, True)])
def test_error_ratio_boundary(errors, warned):
    warnings = check_health("s", {}, counters(pages=100, new=50, errors=errors), facts(50, 50), LIMITS)
    assert bool(warnings) == warned


def test_download_errors_count_as_requests():
    # 4 pages answered, 4 connections failed: half of the requests failed.
    warnings = check_health("s", {}, counters(pages=4, new=1, errors=4, download_errors=4), facts(1, 1), LIMITS)
    assert warnings == ["s: 4 failed requests of 8 (more than 20%; 404/410 not counted)"]


def test_dead_links_are_not_failures():
    dead = crawl_counters({"response_received_count": 100, "fanwen/articles/new": 10,
                           "fanwen/http_errors/404": 50, "fanwen/http_errors/410": 10})
    assert dead["dead_links"] == 60 and dead["errors"] == 0
    assert check_health("s", {}, dead, facts(10, 10), LIMITS) == []


def test_ratios_are_not_judged_on_tiny_runs():
    assert check_health("s", {"fanwen/decode/lossy": 2}, counters(pages=2, new=1, errors=2), facts(1, 1),
                        LIMITS) == []


@pytest.mark.parametrize(("lossy", "warned"), [(5, False), (6, True)])
def test_lossy_decoding_surge_boundary(lossy, warned):
    stats = {"fanwen/decode/declared": 100 - lossy, "fanwen/decode/lossy": lossy}
    warnings = check_health("s", stats, counters(new=10), facts(10, 10), LIMITS)
    assert bool(warnings) == warned and (not warned or "decoded lossily" in warnings[0])


@pytest.mark.parametrize(("leaked", "checked", "warned"), [(1, 50, False), (1, 49, True), (0, 10, False)])
def test_leaked_junk_boundary(leaked, checked, warned):
    leaks = [f"http://h/{i}.html" for i in range(leaked)]
    warnings = check_health("s", {}, counters(new=checked), facts(checked, checked, leaks), LIMITS)
    assert bool(warnings) == warned


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(SITES / "ruiwen", root)
    return root


def last_run(db: Path) -> tuple:
    return sqlite3.connect(db).execute(
        "select exit_status, warnings from crawls order by id desc limit 1").fetchone()


@pytest.mark.slow
def test_quiet_healthy_run_prints_nothing_then_a_captcha_wall_warns_and_exits_3(site_server, site, tmp_path):
    server = site_server(site)
    db = tmp_path / "a.db"
    healthy = fanwen("crawl", "--quiet", "--start-url", server.url, "--db", str(db), *FAST)
    assert (healthy.returncode, healthy.stdout, healthy.stderr) == (0, "", "")
    assert last_run(db) == (0, None)

    (site / "index.html").write_bytes(CAPTCHA.encode("gbk"))
    blocked = fanwen("crawl", "--quiet", "--start-url", server.url, "--db", str(db), *FAST)
    assert blocked.returncode == 3
    assert blocked.stdout == ""
    archived = sqlite3.connect(db).execute("select count(*) from articles").fetchone()[0]
    assert blocked.stderr == (f"Warning: 127.0.0.1: no articles found this run ({archived} archived "
                              "before): the site's layout changed or it is blocking us\n")
    status, warnings = last_run(db)
    assert status == 3 and "no articles found" in json.loads(warnings)[0]


@pytest.mark.slow
def test_a_junk_line_the_rules_miss_is_reported(site_server, site, tmp_path):
    article = site / "zuowen/chuzhong/8074431.html"
    html = article.read_bytes().decode("gbk")
    first_paragraph_end = html.index("</p>", html.index("<p>　　我的同桌")) + 4
    article.write_bytes((html[:first_paragraph_end] + "\n" + LEAK + html[first_paragraph_end:]).encode("gbk"))
    server = site_server(site)
    db = tmp_path / "a.db"
    result = fanwen("crawl", "--start-url", server.url, "--db", str(db), *FAST,
                    "-s", f"FANWEN_HEALTH_LEAK_MARKERS=👉,{LEAK_MARKER}")
    assert result.returncode == 3
    stored = sqlite3.connect(db).execute("select count(*) from articles").fetchone()[0]
    assert f"1 of {stored} stored articles still hold junk text (e.g. " in result.stderr
    assert "8074431.html" in json.loads(last_run(db)[1])[0]
