"""Step 2 of cleaning: drop non-content elements (scripts, ads, related boxes, prev/next, comments, share bars,
breadcrumbs, page chrome) by the selector rules in pipelines/rules/boilerplate.toml and site files.

An element that holds most of the page's text is never dropped: a site whose essay sits in `div.right` or
`div.content-related` keeps its essay.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bs4 import BeautifulSoup, Comment, Tag

from ..records import Removal
from ..rules import Rule
from .normalize import normalize_line
from .selectors import is_gone, selector_index

Anchored = tuple[Tag, Removal]

# Never visible as text; removed without an audit entry (they are code, not prose).
INVISIBLE_TAGS = ("script", "style", "noscript", "iframe", "template", "svg", "canvas", "object", "embed",
                  "select", "button", "input", "textarea")
# Share of the page's text above which an element is taken to be (or contain) the essay itself.
KEEP_SHARE = 0.5


def collect_css(soup: BeautifulSoup) -> list[str]:
    """The text of the page's <style> blocks (read before they are removed; hidden.py needs them)."""
    return [s.get_text() for s in soup.find_all("style")]


def strip_invisible(soup: BeautifulSoup) -> None:
    """Remove code elements and HTML comments, which never render as text."""
    for el in soup.find_all(INVISIBLE_TAGS):
        if not is_gone(el):
            el.decompose()
    for c in soup.find_all(string=lambda s: isinstance(s, Comment)):
        c.extract()


def drop_boilerplate(root: Tag, rules: Sequence[Rule], total_chars: int) -> list[Anchored]:
    """Drop elements matched by selector rules (except "hidden" ones); returns (former parent, Removal) pairs."""
    index = selector_index(tuple(r for r in rules if r.kind == "selector" and r.category != "hidden"))
    found: list[Anchored] = []
    limit = total_chars * KEEP_SHARE
    for el in root.find_all(True):
        if is_gone(el):
            continue
        rule = index.match(el)
        if rule is None:
            continue
        text = el.get_text(" ")
        if total_chars > 0 and len(text) > limit:
            continue
        parent = el.parent
        el.decompose()
        text = normalize_line(text)
        if text and parent is not None:
            found.append((parent, Removal(rule.id, rule.category, text)))
    return found


_ELLIPSIS = re.compile(r"(\.{3,}|…+)$")


def drop_summary_repeat(soup: BeautifulSoup) -> list[Anchored]:
    """Drop the summary box that repeats the page's cut-off meta description ("…扎实推进各...")."""
    meta = soup.find("meta", attrs={"name": re.compile("^description$", re.I)})
    summary = normalize_line(meta.get("content", "")) if meta else ""
    if not _ELLIPSIS.search(summary) or len(summary) < 20:
        return []
    for el in (soup.body or soup).find_all(("div", "p", "span", "dd")):
        if normalize_line(el.get_text(" ")) == summary:
            parent = el.parent
            el.decompose()
            return [(parent, Removal("summary-repeat", "navigation", summary))] if parent is not None else []
    return []
