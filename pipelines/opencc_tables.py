"""OpenCC's character tables (shipped with opencc-python-reimplemented), read one character for one.

Both the rule matcher (rules.fold) and the search index (search_index.fold) fold traditional and variant
forms to simplified; one-for-one mappings keep folded text the same length as the original.
"""

from __future__ import annotations

from pathlib import Path

import opencc

DICTIONARY_DIR = Path(opencc.__file__).parent / "dictionary"


def single_char_map(text: str) -> dict[str, str]:
    """The one-character → one-character rows of an OpenCC dictionary file's text (first target wins)."""
    table = {}
    for row in text.splitlines():
        src, _, targets = row.partition("\t")
        first = targets.split(" ")[0] if targets else ""
        if len(src) == 1 and len(first) == 1:
            table[src] = first
    return table
