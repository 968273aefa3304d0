"""The folded bigram index on real SQLite files: exact substring results, folding, trigger sync, rebuilds."""

from __future__ import annotations

import random
import sqlite3

import pytest
import sqlite_utils
from test_search_corpus import HAND_WRITTEN, index_entries, make_archive, rebuilt_index_entries, substring_scan

from fanwen.browse.search_index import (
    FTS_TABLE,
    META_TABLE,
    index_token_map,
    match_spans,
    precomputed_tokens,
    register_search_functions,
    search_sql,
)
from fanwen.errors import UsageError
from fanwen.pipelines.folding import search_fold
from fanwen.pipelines.store import open_db


def found(path, query: str) -> set[str]:
    """URLs search_sql selects, through a fresh read-only connection (no Python functions needed)."""
    where, params = search_sql(query)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {url for (url,) in conn.execute(f"select url from articles where {where}", params)}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return make_archive(tmp_path_factory.mktemp("search") / "fanwen.db")


@pytest.mark.parametrize("query", ["政协", "民主评议", "堃", "QQ群", "的", "报告", "妈妈是一名老师", "雪", "评议"])
def test_acceptance_queries_find_exactly_the_rows_that_contain_them(archive, query):
    expected = substring_scan(archive, query)
    assert expected, "the corpus must contain the query"
    # Plain queries over simplified rows: the traditional/full-width rows join in only via folding.
    variants = {"政协": ["政協"], "QQ群": ["ＱＱ群", "qq群", "ｑｑ群"], "民主评议": ["民主評議"], "报告": ["報告"],
                "评议": ["評議"]}
    assert found(archive, query) == substring_scan(archive, query, *variants.get(query, []))


def test_random_substrings_of_every_length_match_a_plain_scan(tmp_path):
    # Simplified, half-width text only, so the plain scan is the exact oracle.
    path = make_archive(tmp_path / "random.db", random_articles=300, seed=7, hand_written=False)
    conn = sqlite3.connect(path)
    texts = [t for (t,) in conn.execute("select text from articles")]
    conn.close()
    rng = random.Random(99)
    queries = set()
    for length in (1, 2, 3, 4, 6):
        while len([q for q in queries if len(q) == length]) < 12:
            text = rng.choice(texts)
            start = rng.randrange(len(text) - length)
            candidate = text[start:start + length]
            if not any(ch.isspace() for ch in candidate):
                queries.add(candidate)
    queries |= {"委员会", "政协政协", "QQ群的", "群Q", "2023年"}  # includes rare and absent ones
    for query in sorted(queries):
        assert found(path, query) == substring_scan(path, query), query


def test_runs_are_indexed_apart_across_paragraphs_and_columns(archive):
    # "民主\n评议" in the text and "民主 评议" in the title: neither contains 民主评议.
    split_row = "https://www.yjbys.com/zhidu/2.html"
    assert split_row not in found(archive, "民主评议")
    assert split_row in found(archive, "民主 评议")
    # Title ends 报告, text starts 告: no substring spans the two.
    assert found(archive, "报告告") == set()
    assert "https://www.cnrencai.com/jiyu/3.html" in found(archive, "告各位")


def test_traditional_and_full_width_forms_match_each_other(archive):
    tw = "https://www.fwsir.com/gongwen/1.html"
    assert tw in found(archive, "政协委员") and tw in found(archive, "政協委員")
    assert found(archive, "政協") == found(archive, "政协")
    full = "https://www.ruiwen.com/wenxue/beiying/696905.html"
    for query in ["qq群", "QQ群", "ＱＱ群", "ｑｑ群", "123456", "１２３４５６"]:
        assert full in found(archive, query), query
    assert found(archive, "家长") >= {full}
    assert found(archive, "ＱＱ群") == found(archive, "qq群")


def test_folding_is_for_matching_only(archive):
    conn = sqlite3.connect(archive)
    title, text = conn.execute("select title, text from articles where url like '%696905%'").fetchone()
    conn.close()
    assert (title, text) == ("ＱＱ群公告（全角）", "各位家長：請加入ｑｑ群１２３４５６。")
    assert search_fold("各位家長：請加入ｑｑ群１２３４５６。") == "各位家长:请加入qq群123456。"


def test_several_terms_must_all_occur(archive):
    assert found(archive, "政协 民主评议") == substring_scan(archive, "政协", "政協") & substring_scan(
        archive, "民主评议", "民主評議")
    assert found(archive, "堃 教师") == {"https://www.diyifanwen.com/fanwen/xindetihui2/22366158.html"}
    assert found(archive, "堃 政协") == set()


@pytest.mark.parametrize(("text", "query", "found"), [
    ("各位家長：請加入ｑｑ群\u200b１２３。政協委員", "qq群123 政协", ["ｑｑ群\u200b１２３", "政協"]),  # one dropped
    ("各位家長：請加入ｑｑ群１２３。政協委員", "qq群123 政协", ["ｑｑ群１２３", "政協"]),  # every char folds to one
    ("İstanbul的政協委員", "政协 stan", ["stan", "政協"]),  # İ lower-cases to two characters
])
def test_match_spans_point_into_the_original_text(text, query, found):
    spans = match_spans(text, query)
    assert [text[s:e] for s, e in spans] == found


def test_empty_query_is_a_usage_error():
    with pytest.raises(UsageError, match="is empty"):
        search_sql(" \u3000\u200b ")


def test_triggers_keep_the_index_in_step_with_updates_and_deletes(tmp_path):
    path = make_archive(tmp_path / "sync.db", random_articles=20)
    url = "https://www.diyifanwen.com/fanwen/xindetihui2/22366158.html"
    db = open_db(path)
    db["articles"].update(url, {"text": "我是一名乡村教师。"})
    assert url not in found(path, "堃") and url in found(path, "乡村教师")
    db["articles"].update(url, {"title": "李堃的心得"})
    assert url in found(path, "堃")
    db["articles"].delete(url)
    assert found(path, "堃") == set() and found(path, "乡村教师") == substring_scan(path, "乡村教师")
    db.close()


def test_a_plain_sqlite_utils_writer_keeps_the_index_right(tmp_path):
    path = make_archive(tmp_path / "user.db", random_articles=5)
    # A user's own script: sqlite-utils loads our plugin hook, so the triggers have their function.
    user = sqlite_utils.Database(path)
    user["articles"].insert({"url": "https://example.org/new.html", "title": "新增", "text": "关于堃字的说明"})
    user["articles"].upsert({"url": "https://m.huaboedu.com/news/762.html", "text": "已经改写"}, pk="url")
    user.close()
    assert found(path, "堃") == substring_scan(path, "堃")
    assert found(path, "紧紧围绕") == set() and found(path, "已经改写") == {"https://m.huaboedu.com/news/762.html"}


def test_a_writer_without_the_function_fails_loudly_and_changes_nothing(tmp_path):
    path = make_archive(tmp_path / "raw.db", random_articles=5)
    conn = sqlite3.connect(path)
    with pytest.raises(sqlite3.OperationalError, match="no such function: fanwen_grams"):
        conn.execute("insert into articles (url, title, text) values ('u', '堃', '堃')")
    conn.rollback()
    assert conn.execute("select count(*) from articles where url = 'u'").fetchone()[0] == 0
    conn.close()
    assert found(path, "堃") == substring_scan(path, "堃")


def test_insert_or_replace_leaves_no_visible_stale_rows_and_is_repaired(tmp_path):
    path = make_archive(tmp_path / "replace.db", random_articles=5)
    url = HAND_WRITTEN[2][0]
    conn = sqlite3.connect(path)
    register_search_functions(conn)
    # Without recursive_triggers (sqlite-utils turns it on, plain sqlite3 does not), the row that
    # INSERT OR REPLACE deletes skips the delete trigger.
    conn.execute("insert or replace into articles (url, title, text) values (?, '改写', '没有那个字')", [url])
    conn.commit()
    conn.close()
    assert found(path, "堃") == set() and found(path, "没有那个字") == {url}
    db = open_db(path)  # ensure_search_index notices the extra entry and rebuilds
    assert db.execute(f"select count(*) from {FTS_TABLE}").fetchone()[0] == db["articles"].count
    db.close()
    assert found(path, "堃") == set() and found(path, "没有那个字") == {url}


def test_sqlite_utils_replace_fires_the_delete_trigger(tmp_path):
    path = make_archive(tmp_path / "replace2.db", random_articles=5)
    db = open_db(path)
    db["articles"].insert({"url": HAND_WRITTEN[2][0], "title": "改写", "text": "没有那个字"}, replace=True)
    assert db.execute(f"select count(*) from {FTS_TABLE}").fetchone()[0] == db["articles"].count
    db.close()
    assert found(path, "堃") == set()


def test_a_stale_index_version_is_rebuilt(tmp_path):
    path = make_archive(tmp_path / "old.db", random_articles=10)
    db = open_db(path)
    db.execute(f"update {META_TABLE} set value = 'fanwen-bigram-0:old' where key = 'version'")
    # An empty index of an older format (no prefix index), as an earlier release would have left it.
    db.execute(f"drop table {FTS_TABLE}")
    db.execute(f"create virtual table {FTS_TABLE} using fts5(title, text, content='', tokenize='ascii')")
    db.close()
    assert found(path, "政协") == set()
    open_db(path).close()  # ensure_schema -> ensure_search_index
    assert found(path, "政协") == substring_scan(path, "政协", "政協")
    assert found(path, "堃") == substring_scan(path, "堃")
    conn = sqlite3.connect(path)
    assert "prefix='4'" in conn.execute("select sql from sqlite_master where name = ?", [FTS_TABLE]).fetchone()[0]
    conn.close()


def test_tokens_made_elsewhere_index_exactly_what_the_trigger_would(tmp_path):
    path = make_archive(tmp_path / "precomputed.db", random_articles=30)
    db = open_db(path)
    rows = db.execute("select url, title, text from articles order by rowid limit 12").fetchall()
    with precomputed_tokens(db.conn) as known:
        for i, (url, title, text) in enumerate(rows):
            new_title, new_text = f"改写的标题{i}", f"改写后的正文，第{i}篇。\n\u3000\u3000李堃写的。"
            if i % 3:  # every third one is left to the trigger's own tokenizing
                known.update(index_token_map(title, text, new_title, new_text))
            db["articles"].update(url, {"title": new_title, "text": new_text})
        known.clear()
    db["articles"].update(rows[0][0], {"text": "收尾时的一次改写"})  # the plain function is back
    db.close()
    assert index_entries(path) == rebuilt_index_entries(path)
    assert found(path, "李堃写的") == substring_scan(path, "李堃写的") and len(found(path, "改写后的正文")) == 11


def test_a_changed_text_never_takes_the_tokens_made_for_another(tmp_path):
    path = make_archive(tmp_path / "outdated.db", random_articles=5)
    db = open_db(path)
    url, title, text = db.execute("select url, title, text from articles order by rowid limit 1").fetchone()
    with precomputed_tokens(db.conn) as known:
        known.update(index_token_map(title, text, "预计的标题", "预计的正文"))
        db["articles"].update(url, {"title": "实际的标题", "text": "实际写入的正文"})  # not what was expected
    db.close()
    assert index_entries(path) == rebuilt_index_entries(path)
    assert found(path, "实际写入") == {url} and found(path, "预计的正文") == set()
