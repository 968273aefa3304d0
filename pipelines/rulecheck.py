"""A rule against its own `examples` (text it must remove) and `keeps` (text it must spare).

The shipped rules are checked by tests/test_rules.py; a user's site rules are checked when their file loads
(crawler/siteconfig.py), so a rule that does not do what its own examples say fails with one line naming it.
"""

from __future__ import annotations

from fanwen.pipelines.clean.blocks import Line
from fanwen.pipelines.clean.lines import LineResult, apply_line_rules, trim_before_notice
from fanwen.pipelines.rules import Rule
from fanwen.pipelines.selectors import css
from fanwen.pipelines.tree import parse_html


def run_rule(rule: Rule, text: str) -> LineResult:
    """Apply one line rule to one line of text, in the position the rule's scope allows."""
    if rule.before_notice:
        lines, removed = trim_before_notice([Line(text)], [rule])
        return LineResult(lines, removed, False)
    # a rule kept off the head of the essay is tried after that many lines of prose
    head = [Line(f"第{i}段正文。") for i in range(rule.after_n_lines or 0)]
    result = apply_line_rules([*head, Line(text, linked=rule.linked_only)], [rule])
    return LineResult(result.lines[len(head):], result.removed, result.truncated)


def removes(rule: Rule, text: str) -> bool:
    """True when the rule removes `text` (a selector rule: matches an element of the HTML snippet)."""
    if rule.kind == "selector":
        return bool(css(rule.pattern)(parse_html(text)))
    result = run_rule(rule, text)
    return bool(result.removed) and result.removed[0].rule == rule.id and [ln.text for ln in result.lines] != [text]


def spares(rule: Rule, text: str) -> bool:
    """True when the rule leaves `text` whole."""
    if rule.kind == "selector":
        return not css(rule.pattern)(parse_html(text))
    result = run_rule(rule, text)
    return [ln.text for ln in result.lines] == [text] and not result.removed and not result.truncated


def rule_problem(rule: Rule) -> str | None:
    """`examples[i]: not removed` / `keeps[i]: removed` for the first of the rule's own cases it gets wrong."""
    for i, example in enumerate(rule.examples):
        if not removes(rule, example):
            return f"examples[{i}] {example[:40]!r} is not removed by the rule's own pattern"
    for i, keep in enumerate(rule.keeps):
        if not spares(rule, keep):
            return f"keeps[{i}] {keep[:40]!r} is removed by the rule's own pattern"
    return None
