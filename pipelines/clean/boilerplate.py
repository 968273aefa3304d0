"""Step 2 of cleaning: drop non-content elements (scripts, ads, related boxes, prev/next, comments, share bars,
breadcrumbs, page chrome) by the selector rules in pipelines/rules/boilerplate.toml and site files.

An element that holds most of the page's text is never dropped: a site whose essay sits in `div.right` or
`div.content-related` keeps its essay.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lxml import etree

from fanwen.pipelines.clean.normalize import normalize_line
from fanwen.pipelines.records import Removal
from fanwen.pipelines.rules import Rule
from fanwen.pipelines.tree import Anchored, Element, body_of, drop, text

# Never visible as text; removed without an audit entry (they are code, not prose).
INVISIBLE_TAGS = ("script", "style", "noscript", "iframe", "template", "svg", "canvas", "object", "embed",
                  "select", "button", "input", "textarea")
# Share of the page's text above which an element is taken to be (or contain) the essay itself.
KEEP_SHARE = 0.5


def collect_css(root: Element) -> list[str]:
    """The text of the page's <style> blocks (read before they are removed; hidden.py needs them)."""
    return [text(s) for s in root.iter("style")]


def strip_invisible(root: Element) -> None:
    """Remove code elements, which never render as text (the parser already dropped HTML comments)."""
    etree.strip_elements(root, *INVISIBLE_TAGS, with_tail=False)


def boilerplate_rules(rules: Sequence[Rule]) -> tuple[Rule, ...]:
    """The selector rules that drop page chrome (every selector rule but the hidden-text ones)."""
    return tuple(r for r in rules if r.kind == "selector" and r.category != "hidden")


def drop_matched(el: Element, rule: Rule, total_chars: int, found: list[Anchored]) -> bool:
    """Drop an element a boilerplate rule matched and record it; False (kept) when it holds most of the page."""
    content = text(el, " ")
    if total_chars > 0 and len(content) > total_chars * KEEP_SHARE:
        return False
    parent = drop(el)
    content = normalize_line(content)
    if content and parent is not None:
        found.append((parent, Removal(rule.id, rule.category, content)))
    return True


_ELLIPSIS = re.compile(r"(\.{3,}|…+)$")
_SUMMARY_TAGS = ("div", "p", "span", "dd")


def drop_summary_repeat(root: Element) -> list[Anchored]:
    """Drop the summary box that repeats the page's cut-off meta description ("…扎实推进各...")."""
    meta = next((m for m in root.iter("meta") if (m.get("name") or "").lower() == "description"), None)
    summary = normalize_line(meta.get("content", "")) if meta is not None else ""
    if not _ELLIPSIS.search(summary) or len(summary) < 20:
        return []
    for el in body_of(root).iter(_SUMMARY_TAGS):
        if normalize_line(text(el, " ")) == summary:
            parent = drop(el)
            return [(parent, Removal("summary-repeat", "navigation", summary))] if parent is not None else []
    return []
