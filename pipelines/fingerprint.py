"""Fingerprints of a cleaned text for near-duplicate detection (clean → **dedupe** → store).

A text's fingerprints are CRC-32s of some of its character shingles (runs of `shingle` characters of the
folded text without punctuation or spaces). Which shingles are kept depends only on their first character,
an *anchor*: about one character in `sample` is an anchor (a fixed set chosen by hashing the character).
Because the choice depends on the shingle alone and not on its position, a passage copied into another
text yields the same fingerprints there: a preview cut from a longer copy has (nearly) all its
fingerprints in that copy, which is what lets containment, not only resemblance, be measured (the idea of
"0 mod p" sampling in Broder's resemblance/containment paper and MOSS's winnowing). The regular expression
finds the anchored shingles in C, so a 2,000-character essay costs about a quarter of a millisecond.
"""

from __future__ import annotations

import functools
import re
import zlib
from array import array

# Characters that can anchor a shingle: CJK ideographs (basic block and extension A), Latin letters, digits.
_ANCHOR_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (ord("a"), ord("z")), (ord("0"), ord("9")))
# Punctuation, spaces and symbols differ between copies of one text (full- or half-width, line breaks).
_NOT_WORD = re.compile(r"[\W_]+")


@functools.cache
def _anchored_shingles(shingle: int, sample: int) -> re.Pattern:
    anchors = "".join(
        chr(cp)
        for low, high in _ANCHOR_RANGES
        for cp in range(low, high + 1)
        if zlib.crc32(chr(cp).encode("utf-8")) % sample == 0
    )
    return re.compile(f"(?=([{anchors}].{{{shingle - 1}}}))")


def normalise(text: str) -> str:
    """The form fingerprints are taken from: letters and digits only, in lower case.

    Not folded to simplified/half-width characters (fanwen.browse.search_index.fold): that looks up every
    character in Python and would double the cost of fingerprinting; copies across scripts are rare.
    """
    return _NOT_WORD.sub("", text).lower()


def fingerprints(text: str, shingle: int, sample: int) -> set[int]:
    """The set of fingerprints of `text` (empty for a text shorter than one shingle)."""
    # map() keeps the per-shingle work in C (str.encode is UTF-8): the crawl path fingerprints every article.
    return set(map(zlib.crc32, map(str.encode, _anchored_shingles(shingle, sample).findall(normalise(text)))))


def pack(prints: set[int]) -> bytes:
    """Fingerprints as a compact blob (sorted unsigned 32-bit integers) for storage."""
    return array("I", sorted(prints)).tobytes()


def unpack(blob: bytes | None) -> set[int]:
    """The fingerprint set stored by pack()."""
    values = array("I")
    if blob:
        values.frombytes(blob)
    return set(values)
