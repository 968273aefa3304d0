"""The one-pass selector index agrees with cssselect (lxml's CSS engine) on every selector rule's examples and keeps."""

from __future__ import annotations

import pytest
from lxml import etree

from fanwen.errors import ConfigError
from fanwen.pipelines.extract import extract_document
from fanwen.pipelines.rules import load_rules, validate_rules
from fanwen.pipelines.selectors import SelectorIndex, css
from fanwen.pipelines.tree import parse_html

SELECTOR_RULES = [r for r in load_rules() if r.kind == "selector"]
CASES = [pytest.param(r, html, id=f"{r.id}:{i}") for r in SELECTOR_RULES
         for i, html in enumerate(r.examples + r.keeps)]


@pytest.mark.parametrize("rule,html", CASES)
def test_index_matches_like_cssselect(rule, html):
    root = parse_html(html)
    match = SelectorIndex([rule]).matcher(root)
    assert [el for el in root.iter(etree.Element) if match(el)] == css(rule.pattern)(root)


def test_complex_selectors_fall_back_to_cssselect():
    rule = validate_rules([{"id": "x", "category": "ad", "kind": "selector", "pattern": "div.box > p:first-child",
                            "why": "w"}], "t.toml")[0]
    root = parse_html('<div class="box"><p>一</p><p>二</p></div>')
    match = SelectorIndex([rule]).matcher(root)
    assert [el.text for el in root.iter("p") if match(el)] == ["一"]


def test_selector_outside_lxml_css_is_a_config_error():
    # soupsieve-only syntax in a site file's [selectors] fails with one line, not a traceback from cssselect.
    with pytest.raises(ConfigError, match=r"^selector ':-soup-contains\(x\)': .*unknown$"):
        extract_document([("https://a.cn/1.html", "<p>正文。</p>")], selectors={"body": ":-soup-contains(x)"})
