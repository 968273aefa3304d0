"""Acceptance on sites the crawler was never tuned for: tests/blind_sites/<name>/ are fixture sites in structures
no shipped fixture uses (a PHPCMS v9 公文 site in GBK, a mobile-first UTF-8 作文 site with MIP copies and a cursor
feed). Each is crawled with the generic spider and checked like tests/sites/unseen: every article exactly once,
stitched, with the right title, date and `truncated`, the essay's text and none of the page's junk, and no list,
soft-404, firewall or login page stored.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import test_siteserver as fixture_checks  # a module alias, so pytest does not collect its tests here again
from test_crawl import check_archive, crawl, expected

from crawler.siteserver import serve_site

BLIND = Path(__file__).parent / "blind_sites"
ROOTS = sorted(p for p in BLIND.iterdir() if (p / "_expected.json").is_file())


@pytest.fixture(params=ROOTS, ids=lambda p: p.name)
def blind_site(request: pytest.FixtureRequest):
    root: Path = request.param
    with serve_site(root) as running:
        yield root, json.loads((root / "_expected.json").read_text(encoding="utf-8")), running


def test_blind_site_fixture_is_consistent(blind_site) -> None:
    """The manifest is honest about the pages: the same checks tests/sites/ gets."""
    fixture_checks.test_expected_json_is_well_formed(blind_site)
    fixture_checks.test_expected_sentences_occur_on_the_served_pages(blind_site)
    fixture_checks.test_every_page_is_reachable_from_the_home_page(blind_site)


@pytest.mark.slow
@pytest.mark.parametrize("root", ROOTS, ids=lambda p: p.name)
def test_generic_crawl_of_a_blind_site(site_server, tmp_path, root):
    server = site_server(root)
    db = tmp_path / "a.db"
    crawl(["--start-url", server.url], db)
    check_archive(db, server.url, expected(root))

    before = sqlite3.connect(db).execute("select count(*) from articles").fetchone()[0]
    crawl(["--start-url", server.url], db)
    assert sqlite3.connect(db).execute("select count(*) from articles").fetchone()[0] == before
