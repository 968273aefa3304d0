"""Step 1 of cleaning: drop text the browser never shows (anti-scraping junk), before anything is scored.

DedeCMS RndString wraps random phrases in white/transparent <font> or in a class the page hides in its own
<style>; Discuz! jammer() adds `<font class="jammer">` or `display:none` spans; other templates use
visibility:hidden or font-size:0. Each removal is reported with category "hidden".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bs4 import BeautifulSoup, Tag

from ..records import Removal
from ..rules import Rule
from .normalize import normalize_line
from .selectors import is_gone, selector_index

Anchored = tuple[Tag, Removal]

_HIDING_DECL = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:\.0+)?(?:px|pt|em|rem|%)?\s*(?:;|!|$)"
    r"|(?<![-\w])color\s*:\s*(?:#fff(?:fff)?|white|transparent|rgba\([^)]*,\s*0\s*\))\s*(?:;|!|$)",
    re.IGNORECASE,
)
_BACKGROUND = re.compile(r"background(?:-color)?\s*:", re.IGNORECASE)
_CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_SIMPLE_SELECTOR = re.compile(r"^(?:[a-z0-9]+)?([.#])([\w-]+)$", re.IGNORECASE)
_WHITE = re.compile(r"^\s*(?:#fff(?:fff)?|white)\s*$", re.IGNORECASE)


def _style_hides(style: str) -> bool:
    # White text on an explicit background is a design choice (a button), not hidden text.
    return bool(_HIDING_DECL.search(style)) and not (
        "color" in _HIDING_DECL.search(style).group(0).lower() and _BACKGROUND.search(style)
    )


def hidden_names(css_texts: Sequence[str]) -> tuple[set[str], set[str]]:
    """Classes and ids that the page's own <style> blocks hide (simple `.x` / `#x` / `tag.x` selectors)."""
    classes: set[str] = set()
    ids: set[str] = set()
    for css in css_texts:
        for selectors, body in _CSS_RULE.findall(re.sub(r"/\*.*?\*/", "", css, flags=re.S)):
            if not _style_hides(body):
                continue
            for selector in selectors.split(","):
                m = _SIMPLE_SELECTOR.match(selector.strip())
                if m:
                    (classes if m.group(1) == "." else ids).add(m.group(2))
    return classes, ids


def _removal(el: Tag, rule: str) -> Anchored | None:
    text = normalize_line(el.get_text(" "))
    parent = el.parent
    el.decompose()
    return (parent, Removal(rule, "hidden", text)) if text and parent is not None else None


def strip_hidden(soup: BeautifulSoup, css_texts: Sequence[str], rules: Sequence[Rule]) -> list[Anchored]:
    """Remove hidden elements from the whole page; returns (former parent, Removal) pairs for the audit."""
    classes, ids = hidden_names(css_texts)
    index = selector_index(tuple(r for r in rules if r.kind == "selector" and r.category == "hidden"))
    found: list[Anchored | None] = []
    for el in soup.find_all(True):
        if is_gone(el):
            continue
        rule = index.match(el)
        if rule is not None:
            found.append(_removal(el, rule.id))
            continue
        style = el.get("style")
        if style and _style_hides(style):
            found.append(_removal(el, "hidden-inline-css"))
        elif el.name == "font" and _WHITE.match(el.get("color", "")):
            found.append(_removal(el, "hidden-white-font"))
        elif (classes and classes.intersection(el.get("class") or ())) or (ids and el.get("id") in ids):
            found.append(_removal(el, "hidden-style-class"))
    return [f for f in found if f is not None]
