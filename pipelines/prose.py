"""Does a block read as prose? The evidence that keeps a page an article when other signals say "reject".

Keep when in doubt (issue 10): refusal words (出错了, 验证码, 已删除, 登录 …) and repeated link items around the
essay only reject a page whose essay element does not read as prose. Prose here is measured on the element's
lines: unlinked lines that hold a sentence end (。！？) and some length carry most of its visible text, and
linked lines do not alternate with text (the items of a list held inside the element).

    reads_as_prose(lines)  → bool
    item_list(lines)       → bool   the element is itself a list of linked titles with little prose
    headline_list(lines, links) → bool a carousel of headlines: every line a heading, a link for each
    no_sentences(lines)    → bool   a table or column of labels: not one sentence mark in many lines
    short_article(lines)   → bool   a poem, a 对联, two short paragraphs: short, but sentences
    verse(lines)           → bool   a modern poem or lyrics without punctuation: unlinked lines of words
    verse_strings(unlinked, count) → bool  the same from the unlinked lines' texts
    unpunctuated_prose(lines) → bool verse lines of a paragraph's length (a photo blog)
    holds_prose(stats)     → bool   paragraphs of prose of its own amid links and tables, no list items,
                                    no stream of dated entries
    keeps_page(lines)      → bool   any of reads_as_prose, short_article, unpunctuated_prose, holds_prose
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fanwen.pipelines.folding import HAN
from fanwen.pipelines.tree import ink

if TYPE_CHECKING:  # annotations only: the cleaning package imports this module
    from fanwen.pipelines.clean.blocks import Line

# A Latin full stop ends a sentence after a word, before a space or the line's end (not in 3.14 or a URL).
_SENTENCE_END = re.compile(r"[。！？!?]|(?<=[A-Za-z0-9)\"'’”])\.(?=\s|$|[\"'’”])")
# Every character _SENTENCE_END can match: a necessary test on raw text, cheaper than building lines.
SENTENCE_END_CHARS = re.compile(r"[。！？!?.]")
# Any mark a sentence or a line of verse carries; a table of data or a column of labels has none. Colons are
# left out: meta lines (发布时间:… 作者:…) have them.
SENTENCE_MARK = re.compile(r"[，。！？；、,!?;]")
# A prose line: at least this many visible characters with a sentence end.
PROSE_LINE = 15
# An element reads as prose with this many characters in at least PROSE_LINES prose lines, making up this
# share of its text, unless it holds LIST_ITEMS or more items (a linked line followed by a line of text), at
# least one for every two prose lines: an essay may hold link lines (a share bar, keywords, a promo box of
# headings and links), a list or a page of search results alternates linked titles and their excerpts.
# A captcha or 404 notice says what it is in a sentence or two of a few dozen characters.
PROSE_CHARS = 100
PROSE_LINES = 2
ONE_PARAGRAPH = 150  # a one-paragraph notice or news brief of this length is prose too
PROSE_SHARE = 0.6
LIST_ITEMS = 4
# Or: this many lines of at least MARKED_LINE characters with any sentence mark, holding this share.
MARKED_LINE = 8
MARKED_LINES = 10
MARKED_SHARE = 0.7
# A list held inside the element: this many linked lines, a quarter of all, over little prose.
LIST_LINKS = 4
LIST_PROSE_SHARE = 0.4
# A table or a column of labels: this many lines and no sentence mark in any.
TABLE_LINES = 10


@dataclass(frozen=True)
class ProseStats:
    """Visible characters and lines of an element: in all, in prose lines, in lines with a sentence mark;
    linked lines; list items (a linked line followed by a line of text); short lines with a date or time."""

    chars: int
    prose_chars: int
    prose_lines: int
    marked_chars: int
    marked_lines: int
    lines: int
    linked: int
    items: int
    stamped: int = 0


def prose_line(text: str) -> bool:
    """Whether a string is a sentence of prose: PROSE_LINE visible characters with a sentence end."""
    return ink(text) >= PROSE_LINE and _SENTENCE_END.search(text) is not None


def prose_stats(lines: Sequence[Line]) -> ProseStats:
    """Measure the lines of an element (see module docstring)."""
    chars = prose = prose_lines = marked = marked_lines = linked = items = stamped = 0
    after_link = False
    for line in lines:
        n = ink(line.text)
        chars += n
        stamped += n <= STAMP_LINE and _STAMP.search(line.text) is not None
        if line.linked:
            linked += 1
            after_link = True
            continue
        if n >= PROSE_LINE and _SENTENCE_END.search(line.text):
            prose += n  # a bold paragraph counts as a heading line, but it is prose all the same
            prose_lines += 1
        if n >= MARKED_LINE and SENTENCE_MARK.search(line.text):
            marked += n
            marked_lines += 1
            items += after_link  # a linked title, then its excerpt: an item of a list
        after_link = False
    return ProseStats(chars, prose, prose_lines, marked, marked_lines, len(lines), linked, items, stamped)


def reads_as_prose(lines: Sequence[Line]) -> bool:
    """Whether the element is running text: enough prose, most of its text, no alternating linked titles."""
    return _running_text(prose_stats(lines))


def _running_text(s: ProseStats) -> bool:
    if s.items >= LIST_ITEMS and s.items * 2 >= s.prose_lines:
        return False
    enough = s.prose_chars >= PROSE_CHARS and (s.prose_lines >= PROSE_LINES or s.prose_chars >= ONE_PARAGRAPH)
    # Many short lines that each carry a comma or a full stop (a WeChat post, a captioned photo story)
    # read as prose too, though few of them end a sentence.
    return (enough and s.prose_chars >= PROSE_SHARE * s.chars) or (
        s.marked_lines >= MARKED_LINES and s.marked_chars >= MARKED_SHARE * s.chars)


def one_paragraph(lines: Sequence[Line]) -> bool:
    """Whether the element is prose, if only one paragraph of it (a news brief): the prose of `_running_text`
    without its second line or its longer paragraph."""
    s = prose_stats(lines)
    return s.prose_chars >= PROSE_CHARS and s.prose_chars >= PROSE_SHARE * s.chars and s.items == 0


def item_list(lines: Sequence[Line]) -> bool:
    """Whether the element is a list of linked titles (with dates, excerpts) rather than an essay."""
    s = prose_stats(lines)
    return (s.linked >= LIST_LINKS and s.linked * 4 >= s.lines and s.prose_chars < LIST_PROSE_SHARE * s.chars
            and not holds_prose(s))


_HEADING_TAGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))


def headline_list(lines: Sequence[Line], links: int) -> bool:
    """Whether the element is a carousel or column of headlines: LIST_LINKS or more lines, every one an
    <h1>–<h6> heading, and a link for each (an image link beside the heading). An essay has paragraphs
    under its headings; a poem set in headings links nowhere."""
    return len(lines) >= LIST_LINKS and links >= len(lines) and all(line.heading in _HEADING_TAGS for line in lines)


def no_sentences(lines: Sequence[str]) -> bool:
    """Whether many lines carry not one sentence mark: a data table or a column of labels, not an essay.
    A long line of words is a sentence written without marks (a tech note between its code lines), which
    no table cell or label is."""
    return len(lines) >= TABLE_LINES and not any(
        SENTENCE_MARK.search(line) or len(line) >= PROSE_LINE_WITHOUT_MARKS and word_line(line) for line in lines)


# Verse: lines of words (mostly Chinese characters, this long in the middle), not numbers, codes and labels.
VERSE_HAN_SHARE = 0.7
_HAN_RUN = re.compile(HAN.pattern + "+")  # runs, not characters: a Chinese line is a few long runs
VERSE_WORD_SHARE = 0.8
_LATIN_WORDS = re.compile(r"^[A-Za-z'’]+(?: [A-Za-z'’]+)+$")
VERSE_LINE = (5, 60)
VERSE_LINES = 4
PROSE_LINE_WITHOUT_MARKS = 25


def verse(lines: Sequence[Line]) -> bool:
    """Whether lines read as verse or as prose written with spaces for punctuation (a modern poem, song
    lyrics with their pinyin, a photo blog), not as a table or labels: a few linked lines at most, unlinked
    lines of words."""
    return verse_strings([line.text for line in lines if not line.linked], len(lines))


def verse_strings(unlinked: Sequence[str], count: int) -> bool:
    """`verse` of `count` lines given the texts of their unlinked ones."""
    if len(unlinked) < VERSE_LINES or (count - len(unlinked)) * 4 > count:
        return False
    return verse_lines(unlinked)


def unpunctuated_prose(lines: Sequence[Line]) -> bool:
    """Verse whose lines are a paragraph's length: prose written with spaces for punctuation (a photo blog),
    which a list of titles never is."""
    texts = [line.text for line in lines if not line.linked]
    return verse(lines) and sorted(map(ink, texts))[len(texts) // 2] >= PROSE_LINE_WITHOUT_MARKS


# Verse is judged on at most this many lines: a block of tens of thousands of cells or links is measured by
# its first ones.
VERSE_SAMPLE = 2000


def verse_lines(texts: Sequence[str]) -> bool:
    """Whether strings are lines of words of a verse's length (see `verse`)."""
    texts = texts[:VERSE_SAMPLE]
    middle = sorted(map(ink, texts))[len(texts) // 2]
    if not VERSE_LINE[0] <= middle <= VERSE_LINE[1]:
        return False
    return sum(1 for text in texts if word_line(text)) >= VERSE_WORD_SHARE * len(texts)


def word_line(text: str) -> bool:
    """A line of Chinese words (numbers and codes are not), or of Latin words (pinyin, English)."""
    return sum(map(len, _HAN_RUN.findall(text))) >= VERSE_HAN_SHARE * len(text) or bool(_LATIN_WORDS.match(text))


# A short article (a poem, a 对联, a 祝福语, two short paragraphs): at least this many visible characters in at
# least two lines that carry a sentence mark; a list's one-line slogan or caption is not one.
SHORT_ARTICLE = 20
WIDGET_CHARS = 2
_CUT_OFF = re.compile(r"(?:\.{3,}|…+)$")


def keeps_page(lines: Sequence[Line]) -> bool:
    """Whether an element is evidence enough to keep its page an article against refusal words and link
    chrome: it reads as prose, or it is a short article."""
    stats = prose_stats(lines)
    return _running_text(stats) or short_article([line.text for line in lines if not line.linked]) or (
        unpunctuated_prose(lines)) or holds_prose(stats)


# Prose of its own that no list page's main block holds: several paragraphs of sentences, no list items,
# not a stream of dated entries (short comments, listings: a short line with a date or a time each).
HOLDS_PROSE_CHARS = 300
HOLDS_PROSE_LINES = 3
STAMP_LINE = 40
_STAMP = re.compile(r"(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}:\d{2}")


def holds_prose(stats: ProseStats) -> bool:
    """Whether an element holds paragraphs of prose of its own, however much else it holds (a car review
    with its spec tables, a story with its share bar): no linked title followed by an excerpt among them."""
    return (stats.prose_chars >= HOLDS_PROSE_CHARS and stats.prose_lines >= HOLDS_PROSE_LINES and stats.items == 0
            and stats.stamped < LIST_ITEMS)


def short_article(lines: Sequence[str]) -> bool:
    """Whether a few short lines are an article of their own rather than what a list page leaves."""
    marked = [line for line in lines if SENTENCE_MARK.search(line) and not _CUT_OFF.search(line)]
    # Lines of a character or two (a like count, a button) are widget residue, not lines of a list.
    words = [line for line in lines if ink(line) > WIDGET_CHARS]
    return len(marked) >= 2 and sum(map(ink, marked)) >= SHORT_ARTICLE and len(marked) * 2 > len(words)
