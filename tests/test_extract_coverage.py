"""No silent loss (issue 10, point 4): on every page of every labelled corpus in the repository, the text
of the chosen essay element is accounted for by the output text plus the audit (`removed`, each entry with
the step or rule that removed it).

Two checks per article: every character of the element's lines is in the output or in a removal (as
multisets, so re-joined 文库 chunks and stripped spans count exactly once), and every element line missing
from the output overlaps a removal. Pages of a sealed part or of the blind set are checked in aggregate
only: a failure there says how many pages lost text, never which (tests/real_pages/README.md).
"""

from __future__ import annotations

import functools
import sys
from collections import Counter
from pathlib import Path

import pytest

from fanwen.pipelines.extract import assemble_document, extract_pages

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import scoring  # noqa: E402

CORPORA = (scoring.PAGES_DIR, scoring.UNSEEN_PAGES_DIR, scoring.REAL_PAGES_DIR, scoring.SEEN_PAGES_DIR)
PAGES = {directory: scoring.load_pages(directory) for directory in CORPORA}
OPEN = [(d, p) for d, pages in PAGES.items() for p in pages if scoring.readable(p, d)]
CLOSED = {d.name: [p for p in pages if not scoring.readable(p, d)] for d, pages in PAGES.items()}


@functools.cache
def unaccounted(directory: Path, name: str) -> tuple[str, list[str], list[str]]:
    """(kind, characters of the essay element in neither output nor removed, element lines missing from the
    output that no removal overlaps) for one labelled page."""
    page = next(p for p in PAGES[directory] if p.name == name)
    results = extract_pages(scoring.page_html(page))
    ext = assemble_document(results)
    if ext.kind != "article":
        return ext.kind, [], []
    source = [line for result in results for line in result.source]
    removed = [scoring.squeeze(r.text) for r in ext.removed if r.rule and scoring.squeeze(r.text)]
    accounted = Counter(scoring.squeeze(ext.text)) + Counter("".join(removed))
    missing = Counter(scoring.squeeze("".join(source))) - accounted
    output = scoring.squeeze(ext.text)
    whole = set(removed)  # most lines are removed whole: a set lookup before the scan for partial overlaps
    silent = [line for line in source if (flat := scoring.squeeze(line)) not in output and flat not in whole
              and not any(r in flat or flat in r for r in removed)]
    return ext.kind, sorted(missing.elements()), silent


def test_every_corpus_is_covered():
    assert {d.name for d in CORPORA} == {"pages", "unseen_pages", "real_pages", "real_pages_seen"}
    assert all(PAGES.values()), "a corpus without labelled pages"


@pytest.mark.parametrize(("directory", "page"), OPEN, ids=[f"{d.name}/{p.name}" for d, p in OPEN])
def test_open_page_loses_nothing_silently(directory: Path, page: scoring.GoldPage):
    _, missing, silent = unaccounted(directory, page.name)
    assert not missing and not silent, (
        f"{page.name}: {len(missing)} characters of the essay element neither output nor removed "
        f"({''.join(missing)[:80]!r}); lines without a trace: {silent[:5]}")


@pytest.mark.parametrize("corpus", [name for name, pages in CLOSED.items() if pages])
def test_closed_pages_lose_nothing_silently(corpus: str):
    directory = next(d for d in CORPORA if d.name == corpus)
    losing = sum(1 for p in CLOSED[corpus] if any(unaccounted(directory, p.name)[1:]))
    assert losing == 0, f"{corpus}: {losing} of {len(CLOSED[corpus])} sealed/blind pages lose text silently"
