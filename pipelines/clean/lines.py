"""Step 3 of cleaning: line rules (paywall, solicitation, intro, meta, watermark, navigation, garbage).

Rules match the width-folded line (see fanwen.pipelines.folding.fold) within their scope (first/last N lines, max
length, linked lines only). A rule drops the line, strips the matched span, or drops the rest of the page.
A rule with `truncates = true` marks the document a preview even if what is left looks complete.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from fanwen.pipelines.clean.blocks import Line
from fanwen.pipelines.clean.normalize import normalize_line
from fanwen.pipelines.folding import fold
from fanwen.pipelines.records import Removal
from fanwen.pipelines.rules import Rule

_CHUNK = re.compile(r"^(\d{1,3})、")
_SENTENCE_END = tuple("。！？；：!?;:…”’」』》)）】")
# 文库 previews cut the text into chunks numbered "2、" "3、" mid-word; real list items are short lines.
CHUNK_MIN_LEN = 40


def _chunk_break(m: re.Match[str] | None, prev: str) -> bool:
    return bool(m) and int(m.group(1)) >= 2 and len(prev) >= CHUNK_MIN_LEN and not prev.endswith(_SENTENCE_END)


def join_chunk_breaks(lines: Sequence[Line]) -> tuple[list[Line], list[Removal]]:
    """Re-join 文库 preview chunks ("…邀请专家集\n2、中授课学…") and drop their "N、" markers.

    A marker is certain where it cuts a sentence. Once a page has such markers, the next number in their
    run is a marker too even after a full stop (a chunk may end where a sentence does); any other
    "N、" line is a real list item.
    """
    if not any(_chunk_break(_CHUNK.match(line.text), prev.text) for prev, line in zip(lines, lines[1:], strict=False)):
        return list(lines), []
    out: list[Line] = []
    removed: list[Removal] = []
    expected = 2
    for line in lines:
        m = _CHUNK.match(line.text)
        prev = out[-1].text if out else ""
        if _chunk_break(m, prev):
            out[-1] = Line(prev + line.text[m.end():], out[-1].linked and line.linked, out[-1].heading)
        elif m and int(m.group(1)) == expected and len(prev) >= CHUNK_MIN_LEN:
            out.append(Line(line.text[m.end():], line.linked, line.heading))
        else:
            out.append(line)
            continue
        removed.append(Removal("chunk-marker", "garbage", m.group(0)))
        expected = int(m.group(1)) + 1
    for i, line in enumerate(out):
        if line.text.startswith("1、"):
            out[i] = Line(line.text[2:], line.linked, line.heading)
            removed.insert(0, Removal("chunk-marker", "garbage", "1、"))
            break
    return out, removed


_SUMMARY_LABEL = re.compile(r"^(文档简介|内容简介|内容摘要|简介|摘要|资源描述|文档介绍|内容预览)\s*[:：]?\s*")
_CUT_OFF = re.compile(r"(\.{3,}|…+)$")
_SPACE = re.compile(r"\s+")
# The 文库 summary box sits above the text it repeats; shorter cut-offs are ordinary ellipses.
SUMMARY_LINES = 4
MIN_SUMMARY_CHARS = 15
# The repeated opening may start after a short heading line.
SUMMARY_REACH = 60
# How much of the summary's end must be found in the opening.
SUMMARY_TAIL = 30


def drop_opening_summary(lines: list[Line]) -> tuple[list[Line], list[Removal]]:
    """Drop a 文库 summary (文档简介) near the top that repeats the opening of the text and ends in "..."."""
    for i, line in enumerate(lines[:SUMMARY_LINES]):
        cut = _CUT_OFF.search(line.text)
        if not cut:
            continue
        # the last character before the dots may be half of a cut-off word: leave it out
        # compared width-folded: the summary is often the text with its punctuation made half-width
        core = _SPACE.sub("", fold(_SUMMARY_LABEL.sub("", line.text[: cut.start()])))[:-1]
        if len(core) < MIN_SUMMARY_CHARS:
            continue
        following = _SPACE.sub("", fold("".join(rest.text for rest in lines[i + 1:i + 1 + SUMMARY_LINES * 4])))
        # the box may put the document's title in front of the repeated opening
        if core[-SUMMARY_TAIL:] in following[: len(core) * 2 + SUMMARY_REACH]:
            return lines[:i] + lines[i + 1:], [Removal("summary-repeat", "navigation", line.text)]
    return lines, []


@dataclass
class LineResult:
    """Lines that survived, what was removed, and whether a preview/paywall notice was seen."""

    lines: list[Line]
    removed: list[Removal] = field(default_factory=list)
    truncated: bool = False


class _Plan:
    """The line rules of one rule set, pre-sorted so a line is only tried against rules that may fire on it.

    A paragraph of prose is longer than most rules' max_len, and a `^`-anchored rule can only match a
    line that starts with one of its first characters (Rule.first_chars). Rules are grouped by
    (linked, max_len bucket, first character) on first use; each group keeps the rules' order, which
    decides which rule claims a line.
    """

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.line_rules = [r for r in rules if r.is_line_rule and not r.before_notice]
        self.notice_rules = [r for r in rules if r.is_line_rule and r.before_notice]
        self.limits = sorted({r.max_len for r in self.line_rules if r.max_len is not None})
        # how far from the end a rule scoped to the last lines may look
        self.max_last = max((r.last_n_lines or 0 for r in self.line_rules), default=0)
        self._groups: dict[tuple[bool, int, str], tuple[list[int], list[Rule]]] = {}

    def rules_for(self, linked: bool, text: str) -> tuple[list[int], list[Rule]]:
        """(orders, rules) that may match this line, in rule order."""
        bucket = bisect_left(self.limits, len(text))
        key = (linked, bucket, text[:1])
        group = self._groups.get(key)
        if group is None:
            # a rule whose max_len is at least limits[bucket] admits every line of this length
            limit = self.limits[bucket] if bucket < len(self.limits) else None
            chosen = [(n, r) for n, r in enumerate(self.line_rules)
                      if (linked or not r.linked_only)
                      and (r.max_len is None or (limit is not None and r.max_len >= limit))
                      and (r.first_chars is None or text[:1] in r.first_chars)]
            group = self._groups[key] = ([n for n, _ in chosen], [r for _, r in chosen])
        return group


@lru_cache(maxsize=64)
def _plan(rules: tuple[Rule, ...]) -> _Plan:
    return _Plan(rules)


def apply_line_rules(lines: Sequence[Line], rules: Sequence[Rule]) -> LineResult:
    """Run every line rule over `lines` (one page's essay block) in order.

    When a drop-rest rule cuts the block (a comment thread, download chrome), the rules scoped to the last
    lines run again on the lines above the cut, so a closing declaration above a comment thread is still
    the essay's end. Only the last lines above the cut are read again: before them the second pass would
    see the same lines with the same rules in scope, so it starts from the first pass's state there."""
    plan = _plan(tuple(rules))
    first = _Pass(lines, len(lines), plan)
    if first.cut is None or first.cut[0] + 1 == len(lines):
        return first.result
    index, rule = first.cut
    again = _Pass(lines, index + 1, plan, resume=first)
    again.result.removed += [Removal(rule.id, rule.category, rest.text) for rest in lines[index + 1:]]
    return again.result


class _Pass:
    """One pass of the line rules over lines[:count]; `cut` is where a drop-rest rule cut it, if one did.

    `marks[i]` is the state before line i (lines kept, removals, truncated, last kept index), so a second
    pass over a shorter count can start from it; `trimmed` is the first line whose notice trimmed a line
    kept before it (after that line the kept lines are not a prefix of a later state)."""

    def __init__(self, lines: Sequence[Line], count: int, plan: _Plan, resume: _Pass | None = None) -> None:
        self.marks: list[tuple[int, int, bool, int]] = []
        self.trimmed: int | None = None
        self.cut: tuple[int, Rule] | None = None
        start = 0
        self.result = LineResult(lines=[])
        last_kept = -2
        if resume is not None:
            start = max(0, min(count - plan.max_last, count - 1))  # the cut line itself is read again
            if resume.trimmed is not None and resume.trimmed >= start:
                start = 0
            if start:
                kept, removed, truncated, last_kept = resume.marks[start]
                self.result = LineResult(resume.result.lines[:kept], resume.result.removed[:removed], truncated)
        self._run(lines, count, plan, start, last_kept)

    def _run(self, lines: Sequence[Line], count: int, plan: _Plan, start: int, last_kept: int) -> None:
        result = self.result
        self.marks = [(0, 0, False, -2)] * start
        for i in range(start, count):
            line = lines[i]
            self.marks.append((len(result.lines), len(result.removed), result.truncated, last_kept))
            text = line.text
            folded = fold(text)
            dropped_rest = False
            orders, candidates = plan.rules_for(line.linked, folded)
            k = 0
            while k < len(candidates):
                rule = candidates[k]
                k += 1
                if not rule.in_scope(len(result.lines), i, count, text):
                    continue
                match = rule.search(text if rule.unfolded else folded)
                if match is None or not match.group(0).strip():
                    continue
                result.truncated |= rule.truncates
                if rule.action == "strip":
                    # every occurrence: a converter writes pinyin after many characters of one paragraph
                    while match is not None and match.group(0).strip():
                        # the audit keeps the text as written: the match was found on its folded copy
                        span = text[match.start():match.end()]
                        result.removed.append(Removal(rule.id, rule.category, normalize_line(span)))
                        text = text[: match.start()] + text[match.end():]
                        folded = folded[: match.start()] + folded[match.end():]  # folding keeps lengths
                        match = rule.search(text if rule.unfolded else folded)
                    text = normalize_line(text)
                    folded = fold(text)
                    if not text:
                        break
                    # a shorter line is in reach of more rules: carry on in its bucket after this rule
                    order = orders[k - 1]
                    orders, candidates = plan.rules_for(line.linked, folded)
                    k = bisect_right(orders, order)
                    continue
                result.removed.append(Removal(rule.id, rule.category, text))
                if rule.truncates and last_kept == i - 1:
                    result.lines, trimmed = trim_before_notice(result.lines, plan.notice_rules)
                    result.removed[-1:-1] = trimmed
                    if trimmed and self.trimmed is None:
                        self.trimmed = i
                text = ""
                dropped_rest = rule.action == "drop-rest"
                break
            if dropped_rest:
                result.removed += [Removal(rule.id, rule.category, rest.text) for rest in lines[i + 1:count]]
                self.cut = (i, rule)
                return
            if text:
                result.lines.append(Line(text, line.linked, line.heading))
                last_kept = i


def trim_before_notice(lines: list[Line], rules: Sequence[Rule]) -> tuple[list[Line], list[Removal]]:
    """Apply `before_notice` rules to the last line, the one a paywall notice follows (cut-off dots)."""
    if not lines:
        return lines, []
    last = lines[-1]
    for rule in rules:
        if not rule.before_notice:
            continue
        match = rule.search(last.text if rule.unfolded else fold(last.text))
        if match and match.group(0).strip():
            text = normalize_line(last.text[: match.start()] + last.text[match.end():])
            kept = lines[:-1] + ([Line(text, last.linked, last.heading)] if text else [])
            return kept, [Removal(rule.id, rule.category, last.text[match.start():match.end()])]
    return lines, []
