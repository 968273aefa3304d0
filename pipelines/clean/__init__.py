"""Cleaning: a sequence of named steps, each a small function in its own module.

    1. hidden       drop text the browser never shows (whole page, before scoring)   hidden.HiddenText
    2. boilerplate  drop scripts, ads, related boxes, nav, comments (whole page)      boilerplate.drop_matched
       (1 and 2 share one walk over the page: prepare_page)
       (extract.py then picks the essay element)
    3. lines        element → lines (a forum post loses its signature), 文库 chunks     blocks, forum.cut_signature,
                    re-joined, line rules, a 文库 summary repeating the opening dropped   lines.apply_line_rules
    4. normalize    whitespace only, applied as lines are built                       normalize.normalize_line

Every step reports what it removed (Removal with the rule id), so nothing disappears without a trace.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from lxml import etree

from fanwen.pipelines.clean.blocks import Line, element_lines
from fanwen.pipelines.clean.boilerplate import (
    boilerplate_rules,
    collect_css,
    drop_matched,
    drop_summary_repeat,
    strip_invisible,
)
from fanwen.pipelines.clean.hidden import HiddenText, hidden_rules
from fanwen.pipelines.clean.lines import apply_line_rules, drop_opening_summary, join_chunk_breaks, trim_before_notice
from fanwen.pipelines.clean.related import drop_related_headings
from fanwen.pipelines.forum import cut_signature
from fanwen.pipelines.records import Removal
from fanwen.pipelines.rules import Rule
from fanwen.pipelines.selectors import selector_index
from fanwen.pipelines.tree import Anchored, Element, body_of, ink, is_inside, text, visit_undropped

STEPS = ("hidden", "boilerplate", "lines", "normalize")


@dataclass
class Cleaned:
    """The cleaned lines of one page's essay block, the removals inside it, and the preview flag."""

    lines: list[Line]
    removed: list[Removal] = field(default_factory=list)
    truncated: bool = False
    # The essay element's lines as the line step got them: what `lines` + `removed` must account for.
    source: list[str] = field(default_factory=list)


def prepare_page(root: Element, rules: Sequence[Rule]) -> list[Anchored]:
    """Steps 1–2 on the whole page (so scoring sees no junk); returns anchored removals for `clean_block`.

    Both steps run in one walk over the body, with one selector index: for each element, hidden text first
    (a hidden selector rule, inline or <style> CSS), then the boilerplate rules."""
    css = collect_css(root)
    strip_invisible(root)
    found = drop_summary_repeat(root)
    body = body_of(root)
    body_text = text(body)
    total = len(body_text)
    hider = HiddenText(css, body, ink(body_text))
    hiding = hidden_rules(rules)
    match = selector_index(hiding + boilerplate_rules(rules)).matcher(body)

    def visit(el: Element) -> bool:
        rule = match(el)
        hidden = rule if rule is not None and rule.category == "hidden" else None
        rule_id = hider.rule_id(el, hidden)
        if rule_id is not None and hider.drop(el, rule_id, found):
            return True
        return rule is not None and hidden is None and el is not body and drop_matched(el, rule, total, found)

    visit_undropped(body, visit)
    return found


LineStep = Callable[[list[Line]], tuple[list[Line], list[Removal]]]


def clean_block(block: Element, anchored: Sequence[Anchored], rules: Sequence[Rule], *, post: bool = False,
                header: LineStep | None = None) -> Cleaned:
    """Steps 3–4 on the chosen essay element; keeps the audit of steps 1–2 for removals inside it.
    `post`: the element is a forum post, whose signature (under a dash rule) is dropped. `header`: drops
    the element's header chrome before the line rules (the caller knows the title)."""
    removed = [r for anchor, r in anchored if is_inside(anchor, block)]
    lines = element_lines(block)
    source = [line.text for line in lines]
    if header is not None:
        lines, chrome = header(lines)
        removed += chrome
    if post:
        lines, signature = cut_signature(lines)
        removed += [Removal("forum-signature", "comment", line.text) for line in signature]
    lines, labels = drop_related_headings(lines)
    removed += labels
    lines, joined = join_chunk_breaks(lines)
    result = apply_line_rules(lines, rules)
    kept, summary = drop_opening_summary(result.lines)
    return Cleaned(kept, removed + joined + result.removed + summary, result.truncated, source)


# Lines after the essay element that may hold its paywall notice (华博 puts it in a sibling div).
NOTICE_LINES = 8


def notice_after(block: Element, rules: Sequence[Rule]) -> list[Removal]:
    """The paywall/preview notices among the first lines that follow the essay element on the page."""
    lines: list[Line] = []
    node: Element | None = block
    while node is not None and node.tag not in ("body", "html") and len(lines) < NOTICE_LINES:
        for sibling in node.itersiblings(etree.Element):
            lines += element_lines(sibling, soup=False)
            if len(lines) >= NOTICE_LINES:
                break
        node = node.getparent()
    truncating = [r for r in rules if r.truncates and r.is_line_rule]
    return apply_line_rules(lines[:NOTICE_LINES], truncating).removed


def mark_notice_after(cleaned: Cleaned, block: Element, rules: Sequence[Rule]) -> None:
    """When the paywall notice sits after the essay element, flag truncation and trim the cut-off dots."""
    if cleaned.truncated:
        return
    notices = notice_after(block, rules)
    if not notices:
        return
    cleaned.truncated = True
    cleaned.lines, trimmed = trim_before_notice(cleaned.lines, rules)
    cleaned.removed += trimmed + notices
