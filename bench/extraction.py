"""Extraction accuracy and speed: our extractor vs trafilatura and readability-lxml on labelled pages.

Every system gets the same decoded HTML (decoding is not timed). For each labelled directory (corpus),
each part of it and each system it prints mean precision/recall/char-F1 (bench/scoring.py), the worst
page F1, article recall (real articles kept as articles), non-articles rejected, junk lines leaked,
gold sentences lost, and ms/page: CPU time of the part's pages extracted in one process, REPEATS times,
best pass (parse included). Parts: the dev and sealed halves of a split corpus (tests/real_pages), else tuned,
held-out and generic (news/blog/forum/table-layout) families. For ours "kept as an article" is
kind == article; for the peers it is "returned any text".

    .venv/bin/python bench/extraction.py [--dir DIR ...] [--repeats 5] [--json results.jsonl] [--pages]
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


def measure(systems: dict[str, Extractor], inputs: dict[str, list[tuple[str, str]]], repeats: int):
    """Outputs of each system per page name, and its best ms/page over `repeats` passes.

    CPU time of this process, not wall time: every system is single-threaded CPU work, and on a machine
    shared with other jobs the wall clock counts their time too. The systems also take turns within each
    repeat, so what load does to caches falls on all of them alike."""
    outputs: dict[str, dict] = {}
    passes: dict[str, list[float]] = {system: [] for system in systems}
    for _ in range(repeats):
        for system, extract in systems.items():
            started = time.process_time()
            outputs[system] = {name: extract(pages) for name, pages in inputs.items()}
            passes[system].append((time.process_time() - started) * 1000 / len(inputs))
    return outputs, {system: min(times) for system, times in passes.items()}


def summarize(system: str, corpus: str, group: str, pages: list[scoring.GoldPage], outputs, ms: float) -> dict:
    """One row of the table: over the articles of a group mean P/R/F1, worst F1, articles kept, leaks and
    losses; over its other pages, how many were rejected. A rejected article scores on empty text."""
    articles = [p for p in pages if p.is_article]
    others = [p for p in pages if not p.is_article]
    scores = [scoring.score_text(p, outputs[p.name][0] if outputs[p.name][1] else "") for p in articles]
    row = {"system": system, "corpus": corpus, "group": group, "pages": len(pages), "articles": len(articles),
           "kept": sum(outputs[p.name][1] for p in articles), "others": len(others),
           "rejected": sum(not outputs[p.name][1] for p in others), "ms_per_page": ms}
    if scores:
        row |= {
            "precision": statistics.fmean(s.precision for s in scores),
            "recall": statistics.fmean(s.recall for s in scores),
            "f1": statistics.fmean(s.f1 for s in scores),
            "min_f1": min(s.f1 for s in scores),
            "junk_leaked": sum(len(s.leaked) for s in scores),
            "sentences_lost": sum(len(s.lost) for s in scores),
        }
    return row


def groups_of(labelled: list[scoring.GoldPage], split: bool) -> dict[str, list[scoring.GoldPage]]:
    """The parts a corpus is reported in (every page of a part, articles and others)."""
    if split:
        return {"dev": [p for p in labelled if not p.sealed], "sealed": [p for p in labelled if p.sealed]}
    groups = {"all": labelled}
    if any(p.held_out for p in labelled) and not all(p.held_out for p in labelled):
        groups["tuned families"] = [p for p in labelled if not p.held_out]
        groups["held-out families"] = [p for p in labelled if p.held_out]
    if any(p.generic for p in labelled):
        groups["generic families"] = [p for p in labelled if p.generic]
    return groups


def _ratio(done: int, of: int) -> str:
    return f"{done}/{of}" if of else "-"


def print_rows(rows: list[dict]) -> None:
    header = (f"{'corpus':<13} {'part':<18} {'system':<12} {'n':>3} {'P':>6} {'R':>6} {'F1':>6} {'minF1':>6} "
              f"{'articles':>8} {'rejected':>8} {'junk':>5} {'lost':>5} {'ms/page':>8}")
    print(header)
    print("-" * len(header))
    for row in rows:
        numbers = (f"{row['precision']:6.3f} {row['recall']:6.3f} {row['f1']:6.3f} {row['min_f1']:6.3f}"
                   if "f1" in row else f"{'-':>6} {'-':>6} {'-':>6} {'-':>6}")
        leaks = f"{row['junk_leaked']:5d} {row['sentences_lost']:5d}" if "f1" in row else f"{'-':>5} {'-':>5}"
        print(f"{row['corpus']:<13} {row['group']:<18} {row['system']:<12} {row['pages']:>3} {numbers} "
              f"{_ratio(row['kept'], row['articles']):>8} {_ratio(row['rejected'], row['others']):>8} {leaks} "
              f"{row['ms_per_page']:8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, action="append", dest="dirs",
                        help=f"a labelled directory (repeatable; default {scoring.PAGES_DIR.relative_to(ROOT)})")
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--json", type=Path, help="append the rows as JSON lines to this file")
    parser.add_argument("--pages", action="store_true",
                        help="also print per-page F1 of every system (never for sealed or blind pages)")
    args = parser.parse_args()
    systems = {"fanwen": ours(), "trafilatura": trafilatura_peer(), "readability": readability_peer()}

    rows, per_page = [], []
    for directory in args.dirs or [scoring.PAGES_DIR]:
        directory = directory.resolve()
        labelled = scoring.load_pages(directory)
        if not labelled:
            parser.error(f"no labelled pages (<name>.json + <name>.html) in {directory}")
        corpus = directory.name
        split = scoring.is_split(directory)
        groups = groups_of(labelled, split)
        inputs = {p.name: scoring.page_html(p) for p in labelled}
        articles = sum(p.is_article for p in labelled)
        print(f"{corpus}: {len(labelled)} labelled pages ({articles} articles, {len(labelled) - articles} other), "
              f"{len({p.family for p in labelled})} sites; parts: "
              + ", ".join(f"{g} {len(ps)}" for g, ps in groups.items()))
        running = {system: extract for system, extract in systems.items() if extract is not None}
        outputs: dict[str, dict] = {system: {} for system in running}
        for group, pages in groups.items():
            part_outputs, ms = measure(running, {p.name: inputs[p.name] for p in pages}, args.repeats)
            for system in running:
                outputs[system] |= part_outputs[system]
                rows.append(summarize(system, corpus, group, pages, part_outputs[system], ms[system]))
        open_pages = [p for p in labelled if p.is_article and scoring.readable(p, directory)]
        for system in running:
            per_page.append((system, {p.name: scoring.score_text(p, outputs[system][p.name][0]).f1
                                      for p in open_pages}))
    print(f"best of {args.repeats} passes; 'articles' = real articles kept as articles, "
          "'rejected' = non-articles not kept")
    print_rows(rows)
    if args.pages:
        names = list(dict.fromkeys(name for _, scores in per_page for name in scores))
        systems_run = list(dict.fromkeys(system for system, _ in per_page))
        print()
        print(f"{'page':<22} " + " ".join(f"{s:>12}" for s in systems_run))
        for name in names:
            cells = {s: scores[name] for s, scores in per_page if name in scores}
            print(f"{name:<22} " + " ".join(f"{cells[s]:12.3f}" for s in systems_run))
    if args.json:
        stamp = {"when": time.strftime("%Y-%m-%dT%H:%M:%S"), "python": platform.python_version(),
                 "machine": platform.machine()}
        with args.json.open("a", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps({**stamp, **row}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
