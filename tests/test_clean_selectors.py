"""The one-pass selector index agrees with soupsieve on every selector rule's examples and keeps."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from pipelines.clean.selectors import SelectorIndex
from pipelines.rules import load_rules, validate_rules

SELECTOR_RULES = [r for r in load_rules() if r.kind == "selector"]
CASES = [pytest.param(r, html, id=f"{r.id}:{i}") for r in SELECTOR_RULES
         for i, html in enumerate(r.examples + r.keeps)]


@pytest.mark.parametrize("rule,html", CASES)
def test_index_matches_like_soupsieve(rule, html):
    soup = BeautifulSoup(html, "lxml")
    index = SelectorIndex([rule])
    expected = {id(el) for el in soup.select(rule.pattern)}
    assert {id(el) for el in soup.find_all(True) if index.match(el)} == expected


def test_complex_selectors_fall_back_to_soupsieve():
    rule = validate_rules([{"id": "x", "category": "ad", "kind": "selector", "pattern": "div.box > p:first-child",
                            "why": "w"}], "t.toml")[0]
    soup = BeautifulSoup('<div class="box"><p>一</p><p>二</p></div>', "lxml")
    index = SelectorIndex([rule])
    assert [el.get_text() for el in soup.find_all("p") if index.match(el)] == ["一"]
