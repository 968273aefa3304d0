"""The blind generalisation bar: the extractor on template families it was never tuned on.

tests/unseen_pages/ holds pages from site templates that are not in tests/pages (README there lists
them). Every family is held out: nobody tuning the extractor or its rules may read these pages, their
gold or this file's failure details. The bar is the one tests/test_extraction_accuracy.py sets for the
tuned set: char-F1 ≥ 0.97 on every article and ≥ 0.99 on average (≥ 0.93 over the generic news, blog,
forum, government and WeChat families), no junk leaked, no gold sentence or trap lost, title,
truncated and published exact, and non-article pages not called articles.

Scoring and page loading come from bench/scoring.py and the page-text helper from the tuned set's
test, so both sets are judged by the same code. The first tests check the gold itself.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from test_extraction_accuracy import (  # noqa: E402
    MEAN_F1,
    assert_meets_the_bar,
    check_gold_article,
    ids,
)

from bench import scoring  # noqa: E402

UNSEEN_DIR = Path(__file__).resolve().parent / "unseen_pages"
# Layouts a general-purpose extractor is built for (no 范文 template); averaged separately.
GENERIC_FAMILIES = frozenset({"sinablog", "dvbbs", "govnotice", "wechat", "zmt"})
GENERIC_MEAN_F1 = 0.93
# Per-line bigram recall of the gold against the page. Below 1.0 only where a human drops junk from
# inside a word: the 新文秘网 converter writes pinyin after characters (協(xié)會 → 協會).
GOLD_ON_PAGE = 0.98

PAGES = scoring.load_pages(UNSEEN_DIR)
ARTICLES = [p for p in PAGES if p.is_article]
OTHERS = [p for p in PAGES if not p.is_article]
GENERIC = [p for p in ARTICLES if p.family in GENERIC_FAMILIES]


@functools.cache
def extracted(name: str):
    """The extractor's result for one unseen page (computed once per test session)."""
    from fanwen.pipelines.extract import extract_document

    page = next(p for p in PAGES if p.name == name)
    return extract_document(scoring.page_html(page))


def declares_charset(page: scoring.GoldPage) -> bool:
    """Whether the served bytes name a charset anywhere (meta tag or XML declaration)."""
    return any(b"charset" in path.read_bytes().lower() or b"encoding=" in path.read_bytes()
               for _, path in page.files)


# ---------------------------------------------------------------- the blind set itself


def test_unseen_set_has_the_promised_shape():
    families = {p.family for p in PAGES}
    tuned_families = {p.family for p in scoring.load_pages()}
    assert len(PAGES) >= 24, f"only {len(PAGES)} unseen pages"
    assert len(families) >= 10, f"only {len(families)} families: {sorted(families)}"
    assert not families & tuned_families, f"families also in tests/pages: {sorted(families & tuned_families)}"
    assert all(p.held_out for p in PAGES), "every unseen page is held out"
    assert len(OTHERS) >= 4 and len({p.gold["kind"] for p in OTHERS}) >= 4, f"non-article pages: {ids(OTHERS)}"
    assert GENERIC_FAMILIES <= families
    encodings = {p.gold["encoding"] for p in PAGES}
    assert {"utf-8", "gbk", "gb2312", "big5"} <= encodings, sorted(encodings)
    assert any(p.gold["encoding"] == "gb2312" and not declares_charset(p) for p in PAGES), "no undeclared GB2312 page"


@pytest.mark.parametrize("page", PAGES, ids=ids(PAGES))
def test_gold_record_is_consistent(page: scoring.GoldPage):
    gold = page.gold
    assert page.name.startswith(gold["family"] + "-")
    for _, path in page.files:
        # the label is the truth: gb2312 pages hold only GB2312 characters, gbk pages only GBK ones
        path.read_bytes().decode(gold["encoding"], "strict")
    if not page.is_article:
        assert (gold["text"], gold["title"], gold["published"], gold["junk"], gold["traps"]) == ("", "", None, [], [])
        return
    assert gold["junk"] and gold["traps"], "every unseen article names its junk and its traps"
    check_gold_article(page, on_page_recall=GOLD_ON_PAGE)


# ---------------------------------------------------------------- the extractor against the gold


@pytest.mark.parametrize("page", ARTICLES, ids=ids(ARTICLES))
def test_unseen_article_meets_the_bar(page: scoring.GoldPage):
    assert_meets_the_bar(page, extracted(page.name))


@pytest.mark.parametrize("page", OTHERS, ids=ids(OTHERS))
def test_unseen_non_article_is_not_an_article(page: scoring.GoldPage):
    result = extracted(page.name)
    assert result.kind != "article", (
        f"{page.name}: a {page.gold['kind']} page extracted as an article titled {result.title!r}")


@pytest.mark.parametrize(("group", "floor"), [("all", MEAN_F1), ("generic", GENERIC_MEAN_F1)])
def test_unseen_mean_f1(group: str, floor: float):
    pages = ARTICLES if group == "all" else GENERIC
    scores = {p.name: scoring.score_text(p, extracted(p.name).text).f1 for p in pages}
    mean = sum(scores.values()) / len(scores)
    worst = ", ".join(f"{name} {f1:.3f}" for name, f1 in sorted(scores.items(), key=lambda kv: kv[1])[:5])
    assert mean >= floor, f"mean char-F1 {mean:.4f} < {floor} over {len(scores)} {group} pages; worst: {worst}"
