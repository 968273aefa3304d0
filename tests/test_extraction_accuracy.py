"""Acceptance bar for extraction on the labelled pages in tests/pages (issue "Cleaning", items 7–8).

Each page is decoded with fanwen.pipelines.decode and run through fanwen.pipelines.extract.extract_document; the
result is compared with the hand-written gold (format: tests/pages/README.md). The bar: char-F1 ≥ 0.97
on every article and ≥ 0.99 on average, no junk line leaked, no gold sentence or trap lost, title,
truncated and published exactly right, non-article pages not called articles. Held-out families
(never used for tuning) are held to the same bar and averaged separately.

The first tests check the gold itself, so a bad edit to tests/pages fails here before it can
mislead the extractor.
"""

from __future__ import annotations

import functools
import sys
from collections import Counter
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import scoring  # noqa: E402

ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
PAGE_F1 = 0.97
MEAN_F1 = 0.99

PAGES = scoring.load_pages()
ARTICLES = [p for p in PAGES if p.is_article]
OTHERS = [p for p in PAGES if not p.is_article]


def ids(pages: list[scoring.GoldPage]) -> list[str]:
    return [p.name for p in pages]


@functools.cache
def extracted(name: str):
    """The extractor's result for one labelled page (computed once per test session)."""
    from fanwen.pipelines.extract import extract_document

    page = next(p for p in PAGES if p.name == name)
    return extract_document(scoring.page_html(page))


def visible_text(page: scoring.GoldPage) -> str:
    """All text of the page's served HTML (hidden elements included), without scripts and styles."""
    texts = []
    for _, path in page.files:
        html = path.read_bytes().decode(scoring._CODEC_FOR_LABEL.get(page.gold["encoding"], page.gold["encoding"]))
        soup = BeautifulSoup(html, "lxml")
        for tag in soup(["script", "style"]):
            tag.decompose()
        texts.append(soup.get_text("\n"))
    return "\n".join(texts)


# ---------------------------------------------------------------- the labelled set itself


def test_labelled_set_has_the_promised_shape():
    families = {p.family for p in PAGES}
    held_out = {p.family for p in PAGES if p.held_out}
    assert len(PAGES) >= 40, f"only {len(PAGES)} labelled pages"
    assert len(families) >= 10, f"only {len(families)} families: {sorted(families)}"
    assert len(held_out) >= 2, f"held-out families: {sorted(held_out)}"
    assert len(OTHERS) >= 3, f"non-article pages: {ids(OTHERS)}"
    for family in families:
        flags = {p.held_out for p in PAGES if p.family == family}
        assert len(flags) == 1, f"family {family} is partly held out; hold out whole families"


@pytest.mark.parametrize("page", PAGES, ids=ids(PAGES))
def test_gold_record_is_consistent(page: scoring.GoldPage):
    gold = page.gold
    assert page.name.startswith(gold["family"] + "-")
    assert gold["kind"] == "article" or (gold["text"] == "" and gold["title"] == ""), "non-article with text"
    for _, path in page.files:
        # the recorded encoding must decode the served bytes without loss
        path.read_bytes().decode(scoring._CODEC_FOR_LABEL.get(gold["encoding"], gold["encoding"]), "strict")
    if not page.is_article:
        return
    check_gold_article(page, on_page_recall=0.99)


def check_gold_article(page: scoring.GoldPage, on_page_recall: float) -> None:
    """The gold of an article comes from its page: title, text, junk lines on it; traps in the text."""
    gold = page.gold
    on_page = scoring.squeeze(visible_text(page))
    text = scoring.squeeze(gold["text"])
    assert scoring.squeeze(gold["title"]) in on_page, "title is not on the page"
    assert 300 <= len(text) <= 1500, f"gold text has {len(text)} characters"
    assert gold["text"] == "\n".join(" ".join(line.split()) for line in gold["text"].split("\n")), "whitespace"
    # The gold text comes from the page: nearly all bigrams of each gold line are on it. Per line,
    # because jammer strings sit between paragraphs; zero-width characters are anti-copy noise.
    page_bigrams = scoring.bigrams(visible_text(page).translate(ZERO_WIDTH))
    line_bigrams = sum((scoring.bigrams(line) for line in gold["text"].split("\n")), Counter())
    recall = sum((line_bigrams & page_bigrams).values()) / sum(line_bigrams.values())
    assert recall >= on_page_recall, f"gold text not on the page (bigram recall {recall:.3f})"
    for line in gold["junk"]:
        assert scoring.squeeze(line) in on_page, f"junk line not on the page: {line!r}"
        assert scoring.squeeze(line) not in text, f"junk line inside the gold text: {line!r}"
    for trap in gold["traps"]:
        assert scoring.squeeze(trap) in text, f"trap not in the gold text: {trap!r}"


# ---------------------------------------------------------------- the extractor against the gold


@pytest.mark.parametrize("page", ARTICLES, ids=ids(ARTICLES))
def test_article_meets_the_bar(page: scoring.GoldPage):
    assert_meets_the_bar(page, extracted(page.name))


def assert_meets_the_bar(page: scoring.GoldPage, result) -> None:
    """One article against its gold: F1, junk, lost sentences, title, truncated, published."""
    gold = page.gold
    assert result.kind == "article", f"{page.name}: kind {result.kind!r}, expected an article"
    score = scoring.score_text(page, result.text)
    problems = []
    if score.f1 < PAGE_F1:
        problems.append(f"char-F1 {score.f1:.3f} < {PAGE_F1} (precision {score.precision:.3f}, "
                        f"recall {score.recall:.3f})")
    problems += [f"junk leaked: {line!r}" for line in score.leaked]
    problems += [f"sentence lost: {sentence!r}" for sentence in score.lost]
    if scoring.normalize_title(result.title) != gold["title"]:
        problems.append(f"title {result.title!r}, expected {gold['title']!r}")
    if result.truncated != gold["truncated"]:
        problems.append(f"truncated {result.truncated}, expected {gold['truncated']}")
    if not scoring.same_published(result.published, gold["published"]):
        problems.append(f"published {result.published!r}, expected {gold['published']!r}")
    assert not problems, f"{page.name} ({page.family}):\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("page", OTHERS, ids=ids(OTHERS))
def test_non_article_page_is_not_an_article(page: scoring.GoldPage):
    result = extracted(page.name)
    assert result.kind != "article", (
        f"{page.name}: a {page.gold['kind']} page extracted as an article titled {result.title!r}")


@pytest.mark.parametrize("held_out", [False, True], ids=["tuned-families", "held-out-families"])
def test_mean_f1_over_articles(held_out: bool):
    pages = [p for p in ARTICLES if p.held_out == held_out]
    scores = {p.name: scoring.score_text(p, extracted(p.name).text).f1 for p in pages}
    mean = sum(scores.values()) / len(scores)
    worst = ", ".join(f"{name} {f1:.3f}" for name, f1 in sorted(scores.items(), key=lambda kv: kv[1])[:5])
    assert mean >= MEAN_F1, f"mean char-F1 {mean:.4f} < {MEAN_F1} over {len(scores)} pages; worst: {worst}"


MULTI = [p for p in ARTICLES if p.gold.get("parts")]


@pytest.mark.parametrize("page", MULTI, ids=ids(MULTI))
def test_multi_essay_page_is_split_into_its_essays(page: scoring.GoldPage):
    result = extracted(page.name)
    want = page.gold["parts"]
    assert len(result.parts) == len(want), (
        f"{page.name}: {len(result.parts)} parts, expected {len(want)} ({[w['heading'] for w in want]})")
    for part, gold_part in zip(result.parts, want, strict=True):
        shown = scoring.squeeze(part.heading + part.text)
        assert scoring.squeeze(gold_part["heading"]) in shown, (
            f"{page.name}: part {part.ordinal} does not carry heading {gold_part['heading']!r}")


def test_scoring_compares_texts_without_invisible_characters():
    # A gold text copied from the page keeps its zero-width spaces; the archive drops them like whitespace.
    gold = {"text": "项目地址：\u200b\u200bhttps://github.com/karmada-io/karmada\u200b\u200b\n第二句话。", "traps": []}
    extracted = "项目地址：https://github.com/karmada-io/karmada\n第二句话。"
    assert scoring.char_f1(extracted, gold["text"]) == (1.0, 1.0, 1.0)
    assert scoring.lost_sentences(extracted, gold) == []
    assert scoring.lost_sentences("第二句话。", gold) == ["项目地址：\u200b\u200bhttps://github.com/karmada-io/karmada\u200b\u200b"]
