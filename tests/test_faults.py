"""A crawl of a misbehaving site (fanwen.faultsite over the demo site): every good article stored once, no
garbage stored as an article, every failure recorded by kind in `crawls` and counted in the summary."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from urllib.parse import quote

import pytest
from conftest import DEMO, FAST, fanwen

from fanwen.faultsite import add_faults
from fanwen.siteserver import serve_site

pytestmark = pytest.mark.slow

TIMEOUT = 1.0  # DOWNLOAD_TIMEOUT for the crawl; the slow page answers 1.5 s after it


@pytest.fixture(scope="module")
def faulty_crawl(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("faults")
    root = tmp_path / "site"
    shutil.copytree(DEMO, root)
    spec = json.loads((root / "_expected.json").read_text(encoding="utf-8"))
    plan = add_faults(root, [a["path"] for a in spec["articles"]], timeout_s=TIMEOUT)
    db = tmp_path / "a.db"
    with serve_site(root) as server:
        result = fanwen("crawl", "--start-url", server.url, "--db", str(db), *FAST, "-s",
                        f"DOWNLOAD_TIMEOUT={TIMEOUT}", "-s", "FANWEN_BACKOFF_BASE=0.1")
        yield server, spec, plan, db, result


def url_of(base: str, path: str) -> str:
    return base.rstrip("/") + quote(path.encode("gbk"), safe="/")


def test_a_faulty_site_stores_every_good_article_once_and_no_garbage(faulty_crawl):
    server, spec, plan, db, result = faulty_crawl
    assert result.returncode in (0, 3), result.stderr[-3000:]
    conn = sqlite3.connect(db)
    stored = [r[0] for r in conn.execute("select url from articles")]
    expected = {url_of(server.url, p) for p in [a["path"] for a in spec["articles"]] + plan.articles}
    assert sorted(stored) == sorted(expected)  # each once: tracking parameters and fragments are one URL
    # The recovering articles failed first: stored from their second answer.
    for path in plan.recovering:
        statuses = [status for method, p, status in server.requests if p == path]
        assert statuses[0] >= 429 and statuses[-1] == 200, (path, statuses)
    # Garbage is archived raw with its reason, never as an article.
    for path, kind in plan.garbage.items():
        url = url_of(server.url, path)
        row = conn.execute("select kind, reason, size from pages where url = ?", [url]).fetchone()
        assert row is not None and row[0] == "garbage" and row[1].startswith(kind + ":") and row[2] > 0, (path, row)
    for path, kind in plan.rejected.items():
        row = conn.execute("select kind from pages where url = ?", [url_of(server.url, path)]).fetchone()
        assert row == (kind,), path


def test_each_failure_is_recorded_by_kind_and_counted_in_the_summary(faulty_crawl):
    server, spec, plan, db, result = faulty_crawl
    conn = sqlite3.connect(db)
    kinds_json, errors, garbage, rejected = conn.execute(
        "select error_kinds, errors, garbage, rejected from crawls").fetchone()
    kinds = json.loads(kinds_json)
    for path, kind in plan.failures.items():
        assert kinds.get(kind) == 1, (path, kind, kinds)
    assert kinds["garbage/binary"] == 2 and kinds["garbage/mojibake"] == 1
    # One error per failed URL: Scrapy's "Gave up retrying" line is not a second error.
    assert errors == len(plan.failures)
    assert garbage == len(plan.garbage)
    summary = result.stdout.strip().splitlines()[-1]
    assert f"{rejected} non-article pages ({garbage} garbage)" in summary
    assert re.search(rf"\b{errors} errors\b", summary)
    assert f"{len(spec['articles']) + len(plan.articles)} new" in summary


def test_the_fault_site_serves_gbk_percent_encoded_paths_and_cuts_bodies_short(tmp_path):
    import http.client

    root = tmp_path / "site"
    root.mkdir()
    plan = add_faults(root, [])
    gbk = next(p for p in plan.articles if not p.isascii())
    cut = next(p for p in plan.failures if p.endswith("cut.html"))
    with serve_site(root) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        conn.request("GET", quote(gbk.encode("gbk")))
        response = conn.getresponse()
        assert response.status == 200 and "故障站范文" in response.read().decode("utf-8")
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        conn.request("GET", cut)
        response = conn.getresponse()
        with pytest.raises(http.client.IncompleteRead):
            response.read()


def test_a_recrawl_records_what_it_skipped_and_the_command_that_ran(faulty_crawl):
    server, spec, plan, db, first = faulty_crawl
    args = ["crawl", "--start-url", server.url, "--db", str(db), *FAST, "-s", f"DOWNLOAD_TIMEOUT={TIMEOUT}",
            "-s", "FANWEN_BACKOFF_BASE=0.1"]
    again = fanwen(*args)
    conn = sqlite3.connect(db)
    command, skipped, new, unchanged = conn.execute(
        "select command, skipped, articles_new, articles_unchanged from crawls order by id desc").fetchone()
    assert command == "fanwen " + " ".join(args)
    assert new == 0 and skipped > 0
    assert f"{unchanged} unchanged articles, {skipped} known articles not fetched again" in again.stdout
    # Nothing doubled, nothing lost.
    assert conn.execute("select count(*) from articles").fetchone()[0] == len(spec["articles"]) + len(plan.articles)
