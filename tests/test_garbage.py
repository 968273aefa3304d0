"""Garbage detection (pipelines/pagekind.garbage_reason): bytes that are no page, and text that no longer
reads, become kind "garbage" with a reason; real pages, traditional Chinese and a few NULs do not."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from fanwen.faultsite import PDF, essay_html
from fanwen.pipelines.decode import decode_html
from fanwen.pipelines.pagekind import garbage_reason
from fanwen.pipelines.process import process_document
from fanwen.pipelines.records import Document, Fetched

TESTS = Path(__file__).parent
REAL = sorted([*TESTS.glob("real_pages/*.html"), *TESTS.glob("unseen_pages/*.html"), *TESTS.glob("pages/*.html")])


def extraction(body: bytes, headers: dict | None = None):
    url = "http://127.0.0.1:8000/a/1.html"
    return process_document(Document(url, "t", [Fetched(url, 200, headers or {"Content-Type": "text/html"}, body,
                                                        "", "2026-01-01T00:00:00Z")]))


def test_random_bytes_served_as_html_are_garbage_not_an_article():
    # The case: 4 KB of random bytes, text/html, status 200, was stored as a mojibake article.
    rng = random.Random(4)
    body = bytes(rng.randrange(256) for _ in range(4096))
    ext = extraction(body)
    assert ext.kind == "garbage" and not ext.is_article and ext.text == ""
    assert ext.reason.split(":")[0] in ("binary", "undecodable")


@pytest.mark.parametrize(("body", "kind"), [
    (PDF, "binary"),
    (b"\x89PNG\r\n\x1a\n" + bytes(200), "binary"),
    (b"  PK\x03\x04" + bytes(100), "binary"),
    (essay_html(3).encode("utf-8").decode("gbk", "ignore").encode("utf-8"), "mojibake"),
    (essay_html(3).encode("utf-8").decode("gbk", "replace").encode("utf-8"), "undecodable"),
])
def test_binary_and_mojibake_are_named(body, kind):
    assert extraction(body).reason.startswith(kind + ":")


def test_a_few_nul_bytes_and_traditional_chinese_still_make_an_article():
    page = essay_html(5).replace("</p>", "\x00</p>", 2)
    assert extraction(page.encode("utf-8")).kind == "article"
    traditional = essay_html(6).replace("这学期我担任班主任工作", "這學期我擔任班主任工作，學習與體會")
    assert garbage_reason(traditional.encode("big5hkscs", "replace"), traditional) is None


@pytest.mark.parametrize("path", REAL, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_real_page_is_garbage(path):
    body = path.read_bytes()
    assert garbage_reason(body, decode_html(body).text) is None


def test_mojibake_of_a_real_page_is_found_past_its_long_head():
    body = (TESTS / "real_pages" / "163-a1.html").read_bytes()
    mangled = decode_html(body).text.encode("utf-8").decode("gbk", "ignore")
    assert garbage_reason(mangled.encode("utf-8"), mangled).startswith("mojibake:")
