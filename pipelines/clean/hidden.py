"""Step 1 of cleaning: drop text the browser never shows (anti-scraping junk), before anything is scored.

DedeCMS RndString wraps random phrases in white/transparent <font> or in a class the page hides in its own
<style>; Discuz! jammer() adds `<font class="jammer">` or `display:none` spans; other templates use
visibility:hidden or font-size:0; mobile templates push a stamp off-screen (left:-9999px, clip:rect(0 0 0 0),
height:0 with overflow:hidden, aria-hidden). Each removal is reported with category "hidden".

An element that holds most of the page's text is never dropped: WeChat mirrors ship the whole article in
`#js_content` with `visibility: hidden`, which the page's own script lifts; junk text is never the bulk.
Nor is one that reads as prose and holds a fair share of it (an essay folded under 展开全文 on a page with a
long comment section): anti-copy junk is phrases, not paragraphs of sentences.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from fanwen.pipelines.clean.blocks import element_lines
from fanwen.pipelines.clean.normalize import normalize_line
from fanwen.pipelines.prose import reads_as_prose
from fanwen.pipelines.records import Removal
from fanwen.pipelines.rules import Rule
from fanwen.pipelines.selectors import selector_index
from fanwen.pipelines.tree import Anchored, Element, body_of, drop, ink, text, visit_undropped

# A hidden element with at least this share of the page's text (and MIN_REVEALED characters) is the
# content a script reveals, not anti-scraping junk.
REVEALED_SHARE = 0.5
MIN_REVEALED = 100
# A hidden element that reads as prose (sentences, not phrases) is revealed content from this share on: the
# page may have more text around it (comments, a long footer) than the essay has.
REVEALED_PROSE_SHARE = 0.2

_HIDING_DECL = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:\.0+)?(?:px|pt|em|rem|%)?\s*(?:;|!|$)"
    r"|(?<![-\w])color\s*:\s*(?:#fff(?:fff)?|white|transparent|rgba\([^)]*,\s*0\s*\))\s*(?:;|!|$)"
    # Off-screen: pushed thousands of pixels out of the page, or clipped to nothing.
    r"|(?<![-\w])(?:left|top|right|text-indent|margin-left|margin-top)\s*:\s*-(?:\d{4,}(?:\.\d+)?px|\d{3,}r?em)"
    r"|(?<![-\w])clip\s*:\s*rect\(\s*0\w*[\s,]+0\w*[\s,]+0\w*[\s,]+0\w*\s*\)"
    r"|clip-path\s*:\s*(?:inset\(\s*50%|circle\(\s*0(?:px|%)?\s*\)|polygon\(\s*0\w*\s+0\w*\s*\))",
    re.IGNORECASE,
)
# A box of no height that clips its overflow shows nothing (both declarations are needed: max-height or
# a height with visible overflow does not hide).
_ZERO_HEIGHT = re.compile(r"(?<![-\w])height\s*:\s*0(?:px|em|rem|%)?\s*(?:;|!|$)", re.IGNORECASE)
_OVERFLOW_HIDDEN = re.compile(r"overflow(?:-y)?\s*:\s*hidden", re.IGNORECASE)
_BACKGROUND = re.compile(r"background(?:-color)?\s*:", re.IGNORECASE)
_CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_SIMPLE_SELECTOR = re.compile(r"^(?:[a-z0-9]+)?([.#])([\w-]+)$", re.IGNORECASE)
_WHITE = re.compile(r"^\s*(?:#fff(?:fff)?|white)\s*$", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)  # sites repeat the same inline style on every item
def _style_hides(style: str) -> bool:
    if _ZERO_HEIGHT.search(style) and _OVERFLOW_HIDDEN.search(style):
        return True
    m = _HIDING_DECL.search(style)
    # White text on an explicit background is a design choice (a button), not hidden text.
    return m is not None and not ("color" in m.group(0).lower() and _BACKGROUND.search(style))


def hidden_names(css_texts: Sequence[str]) -> tuple[set[str], set[str]]:
    """Classes and ids that the page's own <style> blocks hide (simple `.x` / `#x` / `tag.x` selectors)."""
    classes: set[str] = set()
    ids: set[str] = set()
    for css in css_texts:
        hidden_classes, hidden_ids = _hidden_by(css)
        classes |= hidden_classes
        ids |= hidden_ids
    return classes, ids


@functools.lru_cache(maxsize=32)  # every page of a site repeats the same <style> blocks
def _hidden_by(css: str) -> tuple[frozenset[str], frozenset[str]]:
    classes: set[str] = set()
    ids: set[str] = set()
    for selectors, body in _CSS_RULE.findall(re.sub(r"/\*.*?\*/", "", css, flags=re.S)):
        # Selectors first: most rules of a big stylesheet have none of the simple kind, and reading
        # their declarations was a third of the extraction time of large pages.
        simple = [m for selector in selectors.split(",") if (m := _SIMPLE_SELECTOR.match(selector.strip()))]
        if simple and _style_hides(body):
            for m in simple:
                (classes if m.group(1) == "." else ids).add(m.group(2))
    return frozenset(classes), frozenset(ids)


def _hiding_rule(el: Element, classes: set[str], ids: set[str]) -> str | None:
    style = el.get("style")
    if style and _style_hides(style):
        return "hidden-inline-css"
    if el.tag == "font" and _WHITE.match(el.get("color", "")):
        return "hidden-white-font"
    # Text kept from screen readers is, on these sites, text kept from the eye too (an anti-copy stamp).
    if el.get("aria-hidden") == "true" and (el.text or len(el)):
        return "hidden-aria"
    if (classes and classes.intersection(el.get("class", "").split())) or (ids and el.get("id") in ids):
        return "hidden-style-class"
    return None


def _shown_in_turn(body: Element, classes: set[str], page_chars: int) -> set[str]:
    """Hidden classes whose elements together hold most of the page's text: slides or tabs that a script
    shows one at a time (a slideshow article hid every slide), not anti-copy phrases, which are never the
    bulk of a page."""
    if not classes:
        return set()
    # One walk for every class: a big stylesheet hides dozens, and an XPath scan per class was 12 ms.
    chars: dict[str, int] = {}
    for el in body.iter():
        names = el.get("class")
        if not names or classes.isdisjoint(names.split()):
            continue
        for name in classes.intersection(names.split()):
            # Only the outermost element of a class counts: nested ones are inside its text already.
            if not any(name in (a.get("class") or "").split() for a in el.iterancestors()):
                chars[name] = chars.get(name, 0) + ink(text(el))
    return {name for name, n in chars.items() if n >= REVEALED_SHARE * page_chars}


class HiddenText:
    """Decides, element by element, whether one page hides it; drops it unless it holds the page's text."""

    def __init__(self, css_texts: Sequence[str], body: Element, page_chars: int) -> None:
        """`page_chars`: the body's visible characters (`ink`; whitespace from the source layout would let a
        template's indentation outweigh its article)."""
        self.classes, self.ids = hidden_names(css_texts)
        self.page_chars = page_chars
        self.classes -= _shown_in_turn(body, self.classes, page_chars)

    def rule_id(self, el: Element, rule: Rule | None) -> str | None:
        """The id of the rule that hides `el` (`rule`: the hidden selector rule it matched, if any)."""
        return rule.id if rule is not None else _hiding_rule(el, self.classes, self.ids)

    def drop(self, el: Element, rule_id: str, found: list[Anchored]) -> bool:
        """Drop a hidden element and record it; False (kept) when it holds most of the page's text."""
        content = text(el, " ")
        chars = ink(content)
        if chars >= MIN_REVEALED and (chars >= REVEALED_SHARE * self.page_chars or (
                chars >= REVEALED_PROSE_SHARE * self.page_chars and reads_as_prose(element_lines(el, soup=False)))):
            return False
        removed = normalize_line(content)
        parent = drop(el)
        if removed and parent is not None:
            found.append((parent, Removal(rule_id, "hidden", removed)))
        return True


def hidden_rules(rules: Sequence[Rule]) -> tuple[Rule, ...]:
    """The selector rules that mark hidden text."""
    return tuple(r for r in rules if r.kind == "selector" and r.category == "hidden")


def strip_hidden(root: Element, css_texts: Sequence[str], rules: Sequence[Rule]) -> list[Anchored]:
    """This step alone on a page: remove hidden elements; returns (former parent, Removal) pairs for the audit.
    (prepare_page runs it in one walk with the boilerplate step.)"""
    body = body_of(root)
    hider = HiddenText(css_texts, body, ink(text(body)))
    match = selector_index(hidden_rules(rules)).matcher(root)
    found: list[Anchored] = []

    def visit(el: Element) -> bool:
        rule_id = hider.rule_id(el, match(el))
        return rule_id is not None and hider.drop(el, rule_id, found)

    visit_undropped(root, visit)
    return found
