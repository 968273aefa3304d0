"""Scoring for the labelled extraction set in tests/pages: load gold pages, decode them, compare texts.

Shared by tests/test_extraction_accuracy.py (the acceptance bar) and bench/extraction.py (the
comparison with trafilatura and readability). Kept out of the product on purpose: nothing in
pipelines/ or crawler/ may import it.

F1 is character-level: both texts lose all whitespace and invisible characters, then their character bigrams
are compared as multisets, so paragraph breaks and indentation never count but every kept or dropped character does.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

PAGES_DIR = Path(__file__).resolve().parent.parent / "tests" / "pages"
REAL_PAGES_DIR = PAGES_DIR.parent / "real_pages"
UNSEEN_PAGES_DIR = PAGES_DIR.parent / "unseen_pages"
# A real page of a sealed site that was tuned on before it was labelled: no longer unseen, so scored as a
# corpus of its own, never in the sealed part (tests/real_pages_seen/README.md).
SEEN_PAGES_DIR = PAGES_DIR.parent / "real_pages_seen"
# Corpora split by site into a dev part and a sealed part (see `sealed`).
SPLIT_DIRS = frozenset({REAL_PAGES_DIR})
# Corpora nobody reads page by page: scored only in aggregate (tests/unseen_pages/README.md).
BLIND_DIRS = frozenset({UNSEEN_PAGES_DIR})

# Families whose layout is not a 范文 template; reported separately because a general-purpose
# extractor (trafilatura, readability) is built for exactly these.
GENERIC_FAMILIES = frozenset({"news2010", "news2020", "blog", "discuz", "oldnews"})

# Zero-width and soft-hyphen characters: invisible on the page, dropped by the archive like whitespace.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")

# Python's gb2312/gbk codecs reject bytes real sites serve under those labels; browsers and
# w3lib decode both as gb18030.
_CODEC_FOR_LABEL = {"gb2312": "gb18030", "gbk": "gb18030"}

# A sentence ends at 。！？!? (full- or half-width) or at a line break.
_SENTENCE_END = re.compile(r"(?<=[。！？!?])|\n")


@dataclass(frozen=True)
class GoldPage:
    """One labelled page: the gold record and the served bytes of each of its pages, in reading order."""

    name: str
    gold: dict
    files: tuple[tuple[str, Path], ...]

    @property
    def family(self) -> str:
        return self.gold["family"]

    @property
    def held_out(self) -> bool:
        return bool(self.gold["held_out"])

    @property
    def is_article(self) -> bool:
        return self.gold["kind"] == "article"

    @property
    def sealed(self) -> bool:
        return sealed(self.family)

    @property
    def generic(self) -> bool:
        return self.family in GENERIC_FAMILIES


def sealed(family: str) -> bool:
    """Whether a real-page site belongs to the sealed test part (tests/real_pages/README.md).

    The split is by site and by rule, not by choice: a site is sealed when the first hex digit of the SHA-1
    of its family name is 0–6 (about 7/16 of the sites), so a site added later lands in its part without
    anyone looking at its pages first."""
    return hashlib.sha1(family.encode("utf-8")).hexdigest()[0] in "0123456"


def is_split(directory: Path) -> bool:
    """Whether a labelled directory is reported as a dev part and a sealed part."""
    return directory.resolve() in SPLIT_DIRS


def readable(page: GoldPage, directory: Path) -> bool:
    """Whether a page's own results may be shown (per-page listings): not blind, not in a sealed part."""
    directory = directory.resolve()
    return directory not in BLIND_DIRS and not (directory in SPLIT_DIRS and page.sealed)


@dataclass(frozen=True)
class TextScore:
    """How an extracted text compares with the gold text of one page."""

    precision: float
    recall: float
    f1: float
    leaked: tuple[str, ...]
    lost: tuple[str, ...]


def load_pages(directory: Path = PAGES_DIR) -> list[GoldPage]:
    """Every `<family>-<n>.json` gold file in `directory` with its page files, sorted by name."""
    pages = []
    for gold_path in sorted(directory.glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        files = [(gold["url"], gold_path.with_suffix(".html"))]
        files += [(more["url"], directory / more["file"]) for more in gold.get("more_pages", [])]
        pages.append(GoldPage(gold_path.stem, gold, tuple(files)))
    return pages


def decode_page(body: bytes, encoding: str) -> str:
    """Decode served bytes with the product's decoder, or with the gold encoding while it does not exist yet."""
    if importlib.util.find_spec("fanwen.pipelines.decode") is None:
        return body.decode(_CODEC_FOR_LABEL.get(encoding, encoding))
    decode_html = importlib.import_module("fanwen.pipelines.decode").decode_html
    return decode_html(body).text


def page_html(page: GoldPage) -> list[tuple[str, str]]:
    """The (url, decoded html) pairs of a labelled page, the input `extract_document` takes."""
    return [(url, decode_page(path.read_bytes(), page.gold["encoding"])) for url, path in page.files]


def squeeze(text: str) -> str:
    """The text without any whitespace or invisible character (zero-width spaces a gold text copied from the
    page; the archive drops them as whitespace): what every comparison here looks at."""
    return "".join(_INVISIBLE.sub("", text).split())


def bigrams(text: str) -> Counter[str]:
    """Multiset of whitespace-free character bigrams."""
    flat = squeeze(text)
    return Counter(flat[i : i + 2] for i in range(len(flat) - 1))


def char_f1(extracted: str, gold: str) -> tuple[float, float, float]:
    """(precision, recall, F1) of `extracted` against `gold` over whitespace-free character bigrams."""
    got, want = bigrams(extracted), bigrams(gold)
    if not got and not want:
        return 1.0, 1.0, 1.0
    common = sum((got & want).values())
    precision = common / sum(got.values()) if got else 0.0
    recall = common / sum(want.values()) if want else 0.0
    f1 = 2 * precision * recall / (precision + recall) if common else 0.0
    return precision, recall, f1


def sentences(text: str) -> list[str]:
    """Gold sentences worth checking one by one: split at sentence ends, at least two characters."""
    return [s.strip() for s in _SENTENCE_END.split(text) if len(squeeze(s)) >= 2]


def leaked_junk(extracted: str, junk: list[str]) -> list[str]:
    """Junk lines that survive in the extracted text (compared without whitespace)."""
    flat = squeeze(extracted)
    return [line for line in junk if squeeze(line) and squeeze(line) in flat]


def lost_sentences(extracted: str, gold: dict) -> list[str]:
    """Gold sentences and traps missing from the extracted text (compared without whitespace)."""
    flat = squeeze(extracted)
    wanted = dict.fromkeys([*gold["traps"], *sentences(gold["text"])])
    return [s for s in wanted if squeeze(s) not in flat]


def score_text(page: GoldPage, extracted: str) -> TextScore:
    """Compare one extracted text with the page's gold text, junk and traps."""
    precision, recall, f1 = char_f1(extracted, page.gold["text"])
    return TextScore(precision, recall, f1, tuple(leaked_junk(extracted, page.gold["junk"])),
                     tuple(lost_sentences(extracted, page.gold)))


def normalize_title(title: str | None) -> str:
    """A title with whitespace runs collapsed, for exact comparison."""
    return " ".join((title or "").split())


def same_published(extracted: str | None, gold: str | None) -> bool:
    """Whether an extracted date matches the gold ISO date (a datetime matches on its date part)."""
    if gold is None:
        return not extracted
    return (extracted or "")[:10] == gold
