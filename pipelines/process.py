"""Decode → extract → clean for one document: the single path shared by crawls, `reclean` and `extract`."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from fanwen.pipelines.decode import decode_html
from fanwen.pipelines.extract import extract_document
from fanwen.pipelines.pagekind import garbage_reason
from fanwen.pipelines.records import Document, Extraction
from fanwen.pipelines.rules import Rule


def verdict_without_reading(doc: Document) -> Extraction | None:
    """The Extraction of a document that needs no decoding or extraction (an HTTP error page, a page the
    site config or a canonical link says is a list or a copy), else None."""
    first = doc.parts[0]
    if first.status >= 400:
        return Extraction(kind=f"http-{first.status}")
    if doc.hint in ("list", "duplicate"):
        return Extraction(kind=doc.hint)
    return None


def process_document(
    doc: Document,
    *,
    selectors: dict[str, str] | None = None,
    rules: Sequence[Rule] = (),
    encoding: str | None = None,
) -> Extraction:
    """Turn a fetched document into an Extraction; `kind` says why it is not an article when it is not."""
    verdict = verdict_without_reading(doc)
    if verdict:
        return verdict
    pages = [(p.url, decode_html(p.body, p.headers, force=encoding).text) for p in doc.parts if p.status < 400]
    # Garbage (binary bytes, a PDF served as text/html, mojibake) is never an article: its raw bytes are
    # archived under kind "garbage" with the reason, so nothing is lost and nothing unreadable is stored as text.
    for part, (_, text) in zip((p for p in doc.parts if p.status < 400), pages, strict=True):
        reason = garbage_reason(part.body, text)
        if reason:
            return Extraction(kind="garbage", reason=f"{part.url}: {reason}" if len(pages) > 1 else reason)
    return extract_document(pages, selectors=selectors, rules=rules)


def timed_process(doc: Document, **config: Any) -> tuple[Extraction, float]:
    """process_document(doc, **config) and the CPU milliseconds it took (crawl stats, in or out of process)."""
    started = time.process_time()
    extraction = process_document(doc, **config)
    return extraction, (time.process_time() - started) * 1000
