"""Blind crawl fixtures: tests/blind_sites/<name>/ are sites in structures no other fixture uses (a PHPCMS v9
公文 site in GBK, a mobile-first UTF-8 作文 site with MIP copies and a cursor feed). Their manifests get the same
honesty checks as tests/sites/; tests/test_crawl.py crawls them with the generic spider.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import test_siteserver as fixture_checks  # a module alias, so pytest does not collect its tests here again
from conftest import BLIND_ROOTS as ROOTS

from fanwen.siteserver import serve_site


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
