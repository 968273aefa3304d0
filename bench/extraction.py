"""Extraction accuracy and speed: our extractor vs trafilatura and readability-lxml on tests/pages.

Every system gets the same decoded HTML (decoding is not timed). For each system and page group it
prints mean precision/recall/char-F1 (bench/scoring.py), the worst page F1, junk lines leaked,
gold sentences lost, and ms/page: all pages extracted in one process, REPEATS times, best pass
(parse included). Held-out and generic (news/blog/forum/table-layout) families are reported
separately. Non-article pages: ours must not call them articles; for the peers, "rejected" means
they returned no text.

    .venv/bin/python bench/extraction.py [--repeats 5] [--json results.jsonl] [--pages]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import lxml.html

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import scoring  # noqa: E402

REPEATS = 5  # passes over all pages per system; the best pass is reported (least disturbed by the OS)

# Elements after which readability's HTML is broken into lines when turned into text.
BLOCK_TAGS = frozenset("p div h1 h2 h3 h4 h5 h6 li tr td th blockquote pre section article br table ul ol".split())

Extractor = Callable[[list[tuple[str, str]]], tuple[str, bool]]  # pages → (text, is_article)


def ours() -> Extractor | None:
    """fanwen's extractor, or None when fanwen.pipelines.extract is not importable yet."""
    try:
        from fanwen.pipelines.extract import extract_document
    except ImportError as exc:
        print(f"fanwen: skipped ({exc})", file=sys.stderr)
        return None

    def run(pages: list[tuple[str, str]]) -> tuple[str, bool]:
        result = extract_document(pages)
        return result.text, result.kind == "article"

    return run


def trafilatura_peer() -> Extractor | None:
    """trafilatura.extract on each page (comments off), texts joined in page order."""
    try:
        import trafilatura
    except ImportError:
        print("trafilatura: skipped (pip install -e '.[bench]')", file=sys.stderr)
        return None

    def run(pages: list[tuple[str, str]]) -> tuple[str, bool]:
        text = "\n".join(filter(None, (trafilatura.extract(html, include_comments=False) for _, html in pages)))
        return text, bool(text.strip())

    return run


def block_text(html: str) -> str:
    """Text of an HTML fragment with a line break after every block element."""
    root = lxml.html.fromstring(html)
    parts: list[str] = []

    def walk(node) -> None:
        if isinstance(node.tag, str) and node.tag not in ("script", "style"):
            if node.text:
                parts.append(node.text)
            for child in node:
                walk(child)
            if node.tag in BLOCK_TAGS:
                parts.append("\n")
        if node.tail:
            parts.append(node.tail)

    walk(root)
    return "\n".join(" ".join(line.split()) for line in "".join(parts).split("\n") if line.strip())


def readability_peer() -> Extractor | None:
    """readability-lxml Document(html).summary(), turned into text by block elements."""
    try:
        from readability import Document
    except ImportError:
        print("readability-lxml: skipped (pip install -e '.[bench]')", file=sys.stderr)
        return None

    def run(pages: list[tuple[str, str]]) -> tuple[str, bool]:
        text = "\n".join(block_text(Document(html).summary()) for _, html in pages)
        return text, bool(text.strip())

    return run


def measure(extract: Extractor, inputs: dict[str, list[tuple[str, str]]], repeats: int):
    """Outputs of one system per page name, and its best ms/page over `repeats` passes."""
    outputs = {}
    passes = []
    for _ in range(repeats):
        started = time.perf_counter()
        outputs = {name: extract(pages) for name, pages in inputs.items()}
        passes.append((time.perf_counter() - started) * 1000 / len(inputs))
    return outputs, min(passes)


def summarize(system: str, group: str, pages: list[scoring.GoldPage], outputs, ms: float) -> dict:
    """One row of the table: mean P/R/F1, worst F1, leaks and losses over the articles of a group."""
    scores = [scoring.score_text(p, outputs[p.name][0]) for p in pages]
    return {
        "system": system,
        "group": group,
        "pages": len(pages),
        "precision": statistics.fmean(s.precision for s in scores),
        "recall": statistics.fmean(s.recall for s in scores),
        "f1": statistics.fmean(s.f1 for s in scores),
        "min_f1": min(s.f1 for s in scores),
        "junk_leaked": sum(len(s.leaked) for s in scores),
        "sentences_lost": sum(len(s.lost) for s in scores),
        "ms_per_page": ms,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--json", type=Path, help="append the rows as JSON lines to this file")
    parser.add_argument("--pages", action="store_true", help="also print per-page F1 of every system")
    args = parser.parse_args()

    labelled = scoring.load_pages()
    inputs = {p.name: scoring.page_html(p) for p in labelled}
    articles = [p for p in labelled if p.is_article]
    others = [p for p in labelled if not p.is_article]
    groups = {
        "all articles": articles,
        "tuned families": [p for p in articles if not p.held_out],
        "held-out families": [p for p in articles if p.held_out],
        "generic families": [p for p in articles if p.generic],
    }
    systems = {"fanwen": ours(), "trafilatura": trafilatura_peer(), "readability": readability_peer()}

    rows, per_page = [], {}
    for system, extract in systems.items():
        if extract is None:
            continue
        outputs, ms = measure(extract, inputs, args.repeats)
        per_page[system] = outputs
        for group, pages in groups.items():
            rows.append(summarize(system, group, pages, outputs, ms))
        rejected = sum(not outputs[p.name][1] for p in others)
        rows.append({"system": system, "group": "non-articles rejected", "pages": len(others),
                     "rejected": rejected, "ms_per_page": ms})

    held = sorted({p.family for p in labelled if p.held_out})
    generic = sorted(scoring.GENERIC_FAMILIES)
    print(f"labelled pages: {len(labelled)} ({len(articles)} articles, {len(others)} other); "
          f"held out: {', '.join(held)}; generic: {', '.join(generic)}; best of {args.repeats} passes")
    header = (f"{'system':<12} {'group':<22} {'n':>3} {'P':>6} {'R':>6} {'F1':>6} {'minF1':>6} "
              f"{'junk':>5} {'lost':>5} {'ms/page':>8}")
    print(header)
    print("-" * len(header))
    for row in rows:
        if "rejected" in row:
            print(f"{row['system']:<12} {row['group']:<22} {row['pages']:>3} "
                  f"{row['rejected']}/{row['pages']} rejected")
            continue
        print(f"{row['system']:<12} {row['group']:<22} {row['pages']:>3} {row['precision']:6.3f} {row['recall']:6.3f} "
              f"{row['f1']:6.3f} {row['min_f1']:6.3f} {row['junk_leaked']:5d} {row['sentences_lost']:5d} "
              f"{row['ms_per_page']:8.2f}")
    if args.pages:
        print()
        print(f"{'page':<16} " + " ".join(f"{s:>12}" for s in per_page))
        for p in articles:
            print(f"{p.name:<16} " + " ".join(f"{scoring.score_text(p, out[p.name][0]).f1:12.3f}"
                                              for out in per_page.values()))
    if args.json:
        stamp = {"when": time.strftime("%Y-%m-%dT%H:%M:%S"), "python": platform.python_version(),
                 "machine": platform.machine()}
        with args.json.open("a", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps({**stamp, **row}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
