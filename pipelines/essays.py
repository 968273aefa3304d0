"""Split a multi-essay page ("…(通用3篇)", "…精选6篇") into its essays; the article text keeps them all.

Essay headings are lines like 篇1 / 篇一 / 篇(1) / 第1篇 / 【篇一】 / "标题 篇二", or, when the title announces N
essays, N <h2>-<h4> (or all-bold) heading lines. Ordinals must run 1, 2, 3 … or the page is one essay.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from fanwen.pipelines.clean.blocks import Line
from fanwen.pipelines.records import EssayPart

_NUM = r"(\d{1,2}|[一二三四五六七八九十]{1,3})"
_HEADING = re.compile(
    rf"^(?:.{{0,60}}?\s*)?(?:【\s*篇\s*{_NUM}\s*】|篇\s*[(（]?{_NUM}[)）]?|第\s*{_NUM}\s*篇|范文\s*[(（]?{_NUM}[)）]?)"
    r"\s*(?:[:：].{0,60})?$"
)
_COUNT_IN_TITLE = re.compile(rf"{_NUM}\s*篇")
_CN = {c: i for i, c in enumerate("一二三四五六七八九", start=1)}


def cn_number(s: str) -> int:
    """1–99 from Arabic digits or 一…九十九."""
    if s.isdigit():
        return int(s)
    if "十" not in s:
        return _CN.get(s, 0)
    tens, _, ones = s.partition("十")
    return (_CN.get(tens, 1) if tens else 1) * 10 + (_CN.get(ones, 0) if ones else 0)


def _ordinal(text: str) -> int | None:
    if len(text) > 80 or text.endswith(("。", "！", "？", "!", "?")):
        return None
    m = _HEADING.match(text)
    if not m:
        return None
    return cn_number(next(g for g in m.groups() if g))


def _announced(title: str) -> int | None:
    m = _COUNT_IN_TITLE.search(title)
    return cn_number(m.group(1)) if m else None


def split_essays(lines: Sequence[Line], title: str) -> list[EssayPart]:
    """EssayPart per essay when the lines hold ≥ 2 numbered essays; otherwise []."""
    marks = [(i, n) for i, line in enumerate(lines) if (n := _ordinal(line.text)) is not None]
    if not _sequential(marks):
        count = _announced(title)
        heads = [i for i, line in enumerate(lines) if line.heading in ("h2", "h3", "h4", "strong")]
        if count is None or count < 2 or len(heads) != count:
            return []
        marks = [(i, k) for k, i in enumerate(heads, start=1)]
    parts = []
    for k, (i, n) in enumerate(marks):
        end = marks[k + 1][0] if k + 1 < len(marks) else len(lines)
        parts.append(EssayPart(n, lines[i].text, "\n".join(line.text for line in lines[i + 1:end])))
    return parts


def _sequential(marks: list[tuple[int, int]]) -> bool:
    return len(marks) >= 2 and [n for _, n in marks] == list(range(1, len(marks) + 1))
