"""Storage on real SQLite files: upserts by canonical URL, raw pages, audit rows, run history."""

import os
import sqlite3

import pytest

from fanwen.errors import StoreError
from fanwen.pipelines.reclean import stored_document
from fanwen.pipelines.records import Document, EssayPart, Extraction, Fetched, Removal
from fanwen.pipelines.store import finish_crawl, open_db, save_pages, start_crawl, upsert_article

BODY = "<html><body><p>同志们：今天我们召开全市安全生产工作会议。</p></body></html>".encode("gbk")


def doc(url="http://h/news/1.html", parts=1) -> Document:
    fetched = [Fetched(url if i == 0 else url.replace(".html", f"_{i + 1}.html"), 200,
                       {"Content-Type": "text/html"}, BODY, "gb18030", "2026-11-26T00:00:00Z")
               for i in range(parts)]
    return Document(url=url, site="demo", parts=fetched)


def ext(text="同志们：\n今天我们召开全市安全生产工作会议。", published="2024-12-21", **kw) -> Extraction:
    return Extraction(kind="article", title="在全市安全生产工作会议上的讲话", published=published, text=text,
                      truncated=True, removed=[Removal("paywall-preview-ended", "paywall", "预览阅读已结束")],
                      parts=[EssayPart(1, "篇1", "同志们")], **kw)


def test_open_db_uses_wal_and_creates_tables(tmp_path):
    db = open_db(tmp_path / "a.db")
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert {"articles", "pages", "crawls", "removals", "article_parts"} <= set(db.table_names())


def test_upsert_never_duplicates_and_reports_outcome(tmp_path):
    db = open_db(tmp_path / "a.db")
    assert upsert_article(db, doc(), ext(), 1) == "new"
    assert upsert_article(db, doc(), ext(), 2) == "unchanged"
    assert upsert_article(db, doc(), ext(text="同志们：\n会议改期。"), 3) == "updated"
    rows = list(db["articles"].rows)
    assert len(rows) == 1
    row = rows[0]
    assert row["text"] == "同志们：\n会议改期。" and row["truncated"] == 1 and row["crawl_id"] == 3
    assert row["char_count"] == len("同志们：会议改期。")
    assert db["removals"].count == 1 and db["article_parts"].count == 1


def test_a_new_date_category_or_author_with_the_same_text_is_an_update_not_a_revision(tmp_path):
    db = open_db(tmp_path / "a.db")
    assert upsert_article(db, doc(), ext(), 1) == "new"
    for i, changed in enumerate(({"category": "讲话稿"}, {"category": "讲话稿", "author": "李明"},
                                 {"category": "讲话稿", "author": "李明", "published": "2024-12-22"}), 2):
        assert upsert_article(db, doc(), ext(**changed), i) == "updated"
        row = db.execute("select category, author, published from articles").fetchone()
        assert row == (changed["category"], changed.get("author"), changed.get("published", "2024-12-21"))
    assert upsert_article(db, doc(), ext(**changed), 5) == "unchanged"
    assert db["revisions"].count == 0  # the text never changed: nothing to keep


def test_raw_pages_round_trip_compressed(tmp_path):
    db = open_db(tmp_path / "a.db")
    save_pages(db, doc(parts=3), "article", 1)
    rebuilt = stored_document(db, "http://h/news/1.html", "demo")
    assert [p.url for p in rebuilt.parts] == ["http://h/news/1.html", "http://h/news/1_2.html",
                                              "http://h/news/1_3.html"]
    assert rebuilt.parts[2].body == BODY
    stored = db.execute("select length(body), size from pages limit 1").fetchone()
    assert stored[0] < stored[1] or stored[1] < 200  # compressed unless tiny


def test_run_history_row(tmp_path):
    db = open_db(tmp_path / "a.db")
    crawl_id = start_crawl(db, "fanwen crawl demo", ["demo"])
    finish_crawl(db, crawl_id, pages=3, error_kinds={"http_errors/404": 1}, exit_status=0)
    row = db["crawls"].get(crawl_id)
    assert row["pages"] == 3 and row["finished"] and '"http_errors/404": 1' in row["error_kinds"]


def test_missing_directory_is_one_line_error(tmp_path):
    with pytest.raises(StoreError, match="directory .* does not exist"):
        open_db(tmp_path / "nope" / "a.db")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write read-only files")
def test_read_only_database_is_one_line_error_and_left_intact(tmp_path):
    path = tmp_path / "a.db"
    db = open_db(path)
    upsert_article(db, doc(), ext(), 1)
    db.close()
    os.chmod(path, 0o444)
    os.chmod(tmp_path, 0o555)
    try:
        with pytest.raises(StoreError):
            open_db(path)
    finally:
        os.chmod(tmp_path, 0o755)
        os.chmod(path, 0o644)
    assert sqlite3.connect(path).execute("select count(*) from articles").fetchone()[0] == 1


def test_not_a_database_is_one_line_error(tmp_path):
    path = tmp_path / "a.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot use database"):
        open_db(path)
    assert path.read_bytes() == b"this is not sqlite" * 100
