"""Whitespace normalisation of extracted lines: the only change made to the characters of the stored text.

U+3000 indents, NBSP and other spaces become one ASCII space (or nothing between CJK characters, where the
space only came from HTML source formatting); zero-width characters go. Punctuation, width and script are
kept exactly as the site wrote them (no NFKC).
"""

from __future__ import annotations

import re

from fanwen.pipelines.folding import INVISIBLE

# A character class, not str.translate: translate looks every CJK character up one by one (~10x slower).
_INVISIBLE = re.compile(f"[{INVISIBLE}]")
_SPACES = re.compile(r"[\s\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
# A line break (with its indentation) between two non-ASCII characters comes from the HTML source layout;
# Chinese text has no word spaces, so it is dropped rather than shown as a space. Typed spaces are kept.
_SOURCE_BREAK = re.compile(r"(?<=[^\x00-\x7f])[ \t\u3000\xa0]*[\r\n][\s\u3000\xa0]*(?=[^\x00-\x7f])")


def normalize_line(text: str) -> str:
    """Collapse whitespace, drop invisible characters, trim; returns "" for a blank line."""
    # Most lines have nothing to change: no breaks, odd spaces or invisible characters (all of them are
    # unprintable) and no run of ASCII spaces; isprintable() answers that at C speed.
    if text.isprintable() and "  " not in text:
        return text.strip(" ")
    text = _INVISIBLE.sub("", text)
    if "\n" in text or "\r" in text:  # the look-behind scan is the costly one; most strings have no break
        text = _SOURCE_BREAK.sub("", text)
    return _SPACES.sub(" ", text).strip()
