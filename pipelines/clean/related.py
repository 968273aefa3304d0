"""Step 3, before the line rules: drop the headings of link boxes inside the essay element.

News templates put a promo or related box inside the article element: a bold label (证券要闻, 行业动态,
相关专题) over a few linked titles. The line rules drop the linked titles (nav-link-only-line); the label
would be left standing in the essay. A heading is a box label when what follows it, up to the next unlinked
line, is at least RELATED_LINKS linked lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from fanwen.pipelines.clean.blocks import Line
from fanwen.pipelines.records import Removal

# A box label is short and carries no sentence mark.
LABEL_CHARS = 12
_SENTENCE_MARK = re.compile(r"[，。！？；、,!?;：:]")
RELATED_LINKS = 2


def _label(line: Line) -> bool:
    return bool(line.heading) and not line.linked and len(line.text) <= LABEL_CHARS \
        and not _SENTENCE_MARK.search(line.text)


def drop_related_headings(lines: Sequence[Line]) -> tuple[list[Line], list[Removal]]:
    """Lines without the labels of link boxes, and their removals (id related-heading)."""
    kept: list[Line] = []
    removed: list[Removal] = []
    for i, line in enumerate(lines):
        if _label(line):
            links = 0
            for after in lines[i + 1:]:
                if not after.linked:
                    break
                links += 1
            if links >= RELATED_LINKS:
                removed.append(Removal("related-heading", "related", line.text))
                continue
        kept.append(line)
    return kept, removed
