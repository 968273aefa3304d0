"""Cleaning: a sequence of named steps, each a small function in its own module.

    1. hidden       drop text the browser never shows (whole page, before scoring)   hidden.strip_hidden
    2. boilerplate  drop scripts, ads, related boxes, nav, comments (whole page)      boilerplate.drop_boilerplate
       (extract.py then picks the essay element)
    3. lines        element → lines, then paywall/intro/meta/watermark line rules     blocks, lines.apply_line_rules
    4. normalize    whitespace only, applied as lines are built                       normalize.normalize_line

Every step reports what it removed (Removal with the rule id), so nothing disappears without a trace.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Tag

from ..records import Removal
from ..rules import Rule
from .blocks import Line, element_lines
from .boilerplate import Anchored, collect_css, drop_boilerplate, strip_invisible
from .hidden import strip_hidden
from .lines import apply_line_rules

STEPS = ("hidden", "boilerplate", "lines", "normalize")


@dataclass
class Cleaned:
    """The cleaned lines of one page's essay block, the removals inside it, and the preview flag."""

    lines: list[Line]
    removed: list[Removal] = field(default_factory=list)
    truncated: bool = False


def prepare_page(soup: BeautifulSoup, rules: Sequence[Rule]) -> list[Anchored]:
    """Steps 1–2 on the whole page (so scoring sees no junk); returns anchored removals for `clean_block`."""
    css = collect_css(soup)
    strip_invisible(soup)
    anchored = strip_hidden(soup, css, rules)
    body = soup.body or soup
    anchored += drop_boilerplate(body, rules, len(body.get_text()))
    return anchored


def _inside(anchor: Tag, block: Tag) -> bool:
    return anchor is block or any(p is block for p in anchor.parents)


def clean_block(block: Tag, anchored: Sequence[Anchored], rules: Sequence[Rule]) -> Cleaned:
    """Steps 3–4 on the chosen essay element; keeps the audit of steps 1–2 for removals inside it."""
    removed = [r for anchor, r in anchored if _inside(anchor, block)]
    result = apply_line_rules(element_lines(block), rules)
    return Cleaned(result.lines, removed + result.removed, result.truncated)
