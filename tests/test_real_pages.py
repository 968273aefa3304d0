"""The real-page corpus (tests/real_pages) held to the bar the extractor has reached, per part (issue 10).

Aggregate assertions only: the sealed part is never reported page by page (tests/real_pages/README.md),
and the dev part is held to its totals too, so a test failure never reads as a per-page tuning target.
The floors are the measured figures (bench/extraction.py, README "Performance") rounded down a little;
raise them as the extractor improves, never lower them to let a change through.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

import pytest

from fanwen.pipelines.extract import extract_document

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import scoring  # noqa: E402

PAGES = scoring.load_pages(scoring.REAL_PAGES_DIR)
# part: (article recall, non-articles rejected, mean char-F1 over articles) floors
# The measured aggregates with corpus c (tests/real_pages/SOURCES-c.md), rounded down.
FLOORS = {
    "dev": (0.99, 0.90, 0.98),
    "sealed": (0.95, 0.78, 0.92),
}


def test_corpus_has_the_promised_shape():
    sites = {p.family for p in PAGES}
    sealed_sites = {p.family for p in PAGES if p.sealed}
    assert len(PAGES) >= 150 and len(sites) >= 25
    assert sum(not p.is_article for p in PAGES) >= 30
    assert len(sealed_sites) * 3 >= len(sites), "the sealed part holds at least a third of the sites"


@pytest.mark.parametrize("part", list(FLOORS))
def test_part_meets_its_floor(part: str):
    pages = [p for p in PAGES if p.sealed == (part == "sealed")]
    results = {p.name: extract_document(scoring.page_html(p)) for p in pages}
    articles = [p for p in pages if p.is_article]
    others = [p for p in pages if not p.is_article]
    kept = sum(results[p.name].kind == "article" for p in articles) / len(articles)
    rejected = sum(results[p.name].kind != "article" for p in others) / len(others)
    f1 = statistics.fmean(scoring.score_text(p, results[p.name].text).f1 for p in articles)
    unexplained = sum(1 for p in others if results[p.name].kind != "article" and not results[p.name].reason)
    recall_floor, rejected_floor, f1_floor = FLOORS[part]
    assert kept >= recall_floor and rejected >= rejected_floor and f1 >= f1_floor, (
        f"{part}: article recall {kept:.3f} (floor {recall_floor}), non-articles rejected {rejected:.3f} "
        f"(floor {rejected_floor}), mean F1 {f1:.3f} (floor {f1_floor})")
    assert unexplained == 0, f"{part}: {unexplained} rejections without a recorded reason"
