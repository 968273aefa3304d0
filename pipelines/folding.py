"""Folding: the forms of text that are compared, never stored. One home for the two foldings the project needs.

- `fold` (rules, titles, forum and metadata matching): full-width ASCII → ASCII, curly quotes → straight,
  U+3000 → space, traditional → simplified (OpenCC's TSCharacters). One character for one, so a match in
  the folded text has the same offsets in the original.
- `search_fold` (the search index and its queries): also TW/HK variant forms, lower case, and invisible
  characters dropped. It may shorten text, which the index does not mind; `search_fold` of a substring is
  a substring of `search_fold` of the text, because every character folds on its own.

Both read OpenCC's character tables (shipped with opencc-python-reimplemented), one character for one.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import opencc

DICTIONARY_DIR = Path(opencc.__file__).parent / "dictionary"
# Zero-width and other invisible format characters: never part of the text a reader sees.
INVISIBLE = "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
# The CJK Unified Ideographs block: what "Chinese characters" means when text is weighed (verse, mojibake).
HAN = re.compile(r"[\u4e00-\u9fff]")
# Variant forms (TW/HK) to OpenCC's standard traditional first, then traditional to simplified.
_SEARCH_DICTIONARIES = ("TWVariantsRev.txt", "HKVariantsRev.txt", "TSCharacters.txt")


def single_char_map(text: str) -> dict[str, str]:
    """The one-character → one-character rows of an OpenCC dictionary file's text (first target wins)."""
    table = {}
    for row in text.splitlines():
        src, _, targets = row.partition("\t")
        first = targets.split(" ")[0] if targets else ""
        if len(src) == 1 and len(first) == 1:
            table[src] = first
    return table


def _same_length_table() -> dict[int, str]:
    table: dict[int, str] = {c: chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}
    table.update({0x3000: " ", 0x201C: '"', 0x201D: '"', 0x2018: "'", 0x2019: "'", 0xFE30: ":"})
    ts = single_char_map((DICTIONARY_DIR / "TSCharacters.txt").read_text(encoding="utf-8"))
    for src, target in ts.items():
        table.setdefault(ord(src), target)
    return table


_SAME_LENGTH = _same_length_table()
# The same table as a list over the whole BMP (unchanged characters map to themselves): with a dict,
# translate raises and clears a KeyError for every character it does not change, which made folding
# Chinese text ~2x slower. Characters past the BMP (a few rare 繁 forms) take the dict.
_SAME_LENGTH_BMP: list[int | str] = list(range(0x10000))
for _code, _folded in _SAME_LENGTH.items():
    if _code < 0x10000:
        _SAME_LENGTH_BMP[_code] = _folded
_SAME_LENGTH_ASTRAL = {code: folded for code, folded in _SAME_LENGTH.items() if code >= 0x10000}
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def fold(text: str) -> str:
    """Width- and script-fold text for matching: full-width ASCII → ASCII, 繁 → 简, same length."""
    folded = text.translate(_SAME_LENGTH_BMP)
    return folded.translate(_SAME_LENGTH_ASTRAL) if _ASTRAL.search(folded) else folded


def search_tables_digest(seed: str) -> str:
    """A short digest of `seed` and the tables `search_fold` reads: it changes when either does."""
    digest = hashlib.sha1(seed.encode())
    for name in _SEARCH_DICTIONARIES:
        digest.update((DICTIONARY_DIR / name).read_bytes())
    return digest.hexdigest()[:12]


def _search_char_map() -> dict[str, str]:
    """Single-character OpenCC mappings (variants, then traditional → simplified) composed into one table."""
    chain = [single_char_map((DICTIONARY_DIR / name).read_text(encoding="utf-8")) for name in _SEARCH_DICTIONARIES]
    variants = {**chain[0], **chain[1]}
    simplified = chain[2]
    chars = set(variants) | set(simplified)
    return {c: simplified.get(variants.get(c, c), variants.get(c, c)) for c in chars}


class _SearchTable(dict):
    """str.translate table computed lazily per code point (translate looks keys up by ordinal)."""

    def __init__(self, chars: dict[str, str]) -> None:
        super().__init__()
        self._chars = chars

    def __missing__(self, cp: int) -> str | None:
        ch = chr(cp)
        if ch in INVISIBLE:
            value = None
        else:
            if 0xFF01 <= cp <= 0xFF5E:  # full-width ASCII block
                ch = chr(cp - 0xFEE0)
            value = self._chars.get(ch, ch).lower()
        self[cp] = value
        return value


SEARCH_TABLE = _SearchTable(_search_char_map())  # for callers that fold character by character (match offsets)


def search_fold(text: str) -> str:
    """The search form of text: simplified, half-width, lower case, without invisible characters."""
    return text.translate(SEARCH_TABLE)
