"""Near-duplicate groups: the fixture site tests/sites/neardup (one speech on two templates with other cuts,
intros and watermarks; two other speeches with the same 公文 openings and closings), through the real
cleaning and store path, the CLI, the export and Datasette."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from conftest import FAST, SITES, fanwen

from bench.dupcorpus import corpus
from fanwen.browse.serve import make_datasette
from fanwen.pipelines.dedupe import PendingGroups, ensure_dedupe_schema
from fanwen.pipelines.migrations import SCHEMA_VERSION, STEPS
from fanwen.pipelines.process import process_document
from fanwen.pipelines.records import Document, Extraction, Fetched
from fanwen.pipelines.store import now, open_db, store_document, upsert_article

SITE = SITES / "neardup"
STEP = next(step.version for step in STEPS if step.apply is ensure_dedupe_schema)  # the migration adding dup_group
BASE = "http://127.0.0.1:8000"
# path -> the site that published it (two templates: 第一范文网 and 公文素材库)
PAGES = {
    "/fanwen/jianghua/1001.html": "diyifanwen",  # speech X, complete, intro + watermark
    "/fanwen/jianghua/1002.html": "diyifanwen",  # speech Y: same 同志们：… 下面，我讲几点意见。… 谢谢大家！
    "/wenzhang/2023/0815/6021.htm": "gwsck",  # speech X, other title and intro, cut off by a paywall
    "/wenzhang/2023/0902/6190.htm": "gwsck",  # speech X without its opening, one character re-typed
    "/wenzhang/2023/0901/6188.htm": "gwsck",  # speech Z: the same formulas again
}
SPEECH_X = ["/fanwen/jianghua/1001.html", "/wenzhang/2023/0815/6021.htm", "/wenzhang/2023/0902/6190.htm"]
OTHERS = ["/fanwen/jianghua/1002.html", "/wenzhang/2023/0901/6188.htm"]


def store(db, path: str, site: str | None = None, body: bytes | None = None) -> str:
    """Clean a fixture page and store it the way a crawl does; returns the outcome."""
    body = body if body is not None else (SITE / path.lstrip("/")).read_bytes()
    doc = Document(url=BASE + path, site=site or PAGES[path],
                   parts=[Fetched(BASE + path, 200, {"Content-Type": "text/html"}, body, "", now())])
    ext = process_document(doc)
    assert ext.is_article, (path, ext.kind)
    with db.atomic():
        return upsert_article(db, doc, ext, None)


def groups(path: Path) -> dict[str, str | None]:
    with sqlite3.connect(path) as conn:
        return {url.removeprefix(BASE): group and group.removeprefix(BASE)
                for url, group in conn.execute("select url, dup_group from articles")}


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("dedupe") / "fanwen.db"
    db = open_db(path)
    for page in PAGES:
        store(db, page)
    db.close()
    return path


def test_one_speech_on_two_templates_is_one_group_led_by_its_most_complete_copy(archive):
    found = groups(archive)
    # The complete copy with the opening is the most complete; the preview and the copy without the opening
    # name it too.
    assert {found[p] for p in SPEECH_X} == {SPEECH_X[0]}


def test_different_speeches_sharing_the_same_formulas_are_not_grouped(archive):
    found = groups(archive)
    assert [found[p] for p in OTHERS] == [None, None]
    with sqlite3.connect(archive) as conn:
        texts = [conn.execute("select text from articles where url = ?", [BASE + p]).fetchone()[0]
                 for p in [SPEECH_X[0], *OTHERS]]
    for text in texts:  # the fixture is what it claims: the formulas survive cleaning in all three
        assert "同志们：" in text and "下面，我讲几点意见。" in text and "谢谢大家！" in text


def test_the_group_does_not_depend_on_arrival_order(tmp_path):
    db = open_db(tmp_path / "a.db")
    for page in reversed(list(PAGES)):  # the preview and the copy without the opening come first
        store(db, page)
    db.close()
    assert groups(tmp_path / "a.db") == groups_of_fixture()


def groups_of_fixture() -> dict[str, str | None]:
    return {p: (SPEECH_X[0] if p in SPEECH_X else None) for p in PAGES}


def test_a_changed_text_leaves_its_group_and_the_rest_stay_grouped(tmp_path):
    db = open_db(tmp_path / "a.db")
    for page in PAGES:
        store(db, page)
    # The site replaces the speech without its opening by speech Z's page.
    z = (SITE / OTHERS[1].lstrip("/")).read_bytes()
    assert store(db, SPEECH_X[2], body=z) == "updated"
    db.close()
    found = groups(tmp_path / "a.db")
    assert found[SPEECH_X[0]] == found[SPEECH_X[1]] == SPEECH_X[0]
    assert found[SPEECH_X[2]] == found[OTHERS[1]] in (SPEECH_X[2], OTHERS[1])  # now a copy of Z, same text
    assert found[OTHERS[0]] is None


def test_when_the_leader_changes_its_text_the_next_most_complete_copy_leads(tmp_path):
    db = open_db(tmp_path / "a.db")
    for page in PAGES:
        store(db, page)
    z = (SITE / OTHERS[1].lstrip("/")).read_bytes()
    assert store(db, SPEECH_X[0], body=z) == "updated"
    db.close()
    found = groups(tmp_path / "a.db")
    # The complete copy without the opening now leads what is left of speech X; the preview follows it.
    assert found[SPEECH_X[1]] == found[SPEECH_X[2]] == SPEECH_X[2]
    assert found[SPEECH_X[0]] == found[OTHERS[1]] is not None


def test_the_most_complete_member_leads_even_when_it_arrives_last(tmp_path):
    db = open_db(tmp_path / "a.db")
    for page in [SPEECH_X[1], SPEECH_X[2], SPEECH_X[0]]:
        store(db, page)
    db.close()
    assert set(groups(tmp_path / "a.db").values()) == {SPEECH_X[0]}


def test_rebuild_with_other_thresholds_and_its_errors(archive, tmp_path):
    copy = tmp_path / "copy.db"
    with sqlite3.connect(archive) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    strict = fanwen("dedupe", "--db", str(copy), "--rebuild", "--threshold", "1.0")
    assert strict.returncode == 0, strict.stderr
    assert "5 articles fingerprinted" in strict.stdout
    loose = groups(copy)
    assert loose[SPEECH_X[1]] is None  # the preview's own intro and watermark are not in the full copy
    again = fanwen("dedupe", "--db", str(copy), "--rebuild", "--threshold", "0.5")
    assert again.returncode == 0 and "1 groups of near-duplicates hold 3 articles" in again.stdout
    assert groups(copy) == groups_of_fixture()
    with sqlite3.connect(copy) as conn:
        stored = json.loads(conn.execute("select value from dedupe_settings where key = 'params'").fetchone()[0])
    assert stored["threshold"] == 0.5
    misuse = fanwen("dedupe", "--db", str(copy), "--threshold", "0.6")
    assert misuse.returncode == 2
    assert misuse.stderr.strip() == ("Error: --threshold only apply with --rebuild "
                                     "(the index keeps the settings it was built with)")
    bad = fanwen("dedupe", "--db", str(copy), "--rebuild", "--threshold", "1.5")
    assert bad.returncode == 2 and bad.stderr.strip() == "Error: --threshold must be in (0, 1], not 1.5"
    assert groups(copy) == groups_of_fixture()  # a rejected rebuild changed nothing
    missing = fanwen("dedupe", "--db", str(tmp_path / "none.db"))
    assert missing.returncode == 1 and missing.stderr.startswith("Error: database ")


def test_an_archive_from_before_dedupe_gets_the_column_and_its_groups(archive, tmp_path):
    old = tmp_path / "old.db"
    with sqlite3.connect(archive) as source, sqlite3.connect(old) as conn:
        source.backup(conn)
        conn.execute("drop table dedupe_docs")
        conn.execute("drop table dedupe_fingerprints")
        conn.execute("drop table dedupe_settings")
        conn.execute("drop index articles_dup_group")
        conn.execute("alter table articles drop column dup_group")
        conn.execute("delete from schema_migrations where version = ?", [STEP])
        conn.execute(f"pragma user_version = {STEP - 1}")  # the schema before near-duplicate groups
    result = fanwen("dedupe", "--db", str(old))
    assert result.returncode == 0, result.stderr
    assert "5 articles fingerprinted; 1 groups of near-duplicates hold 3 articles" in result.stdout
    assert groups(old) == groups_of_fixture()
    with sqlite3.connect(old) as conn:
        assert conn.execute("pragma user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("select name from schema_migrations where version = ?", [STEP]).fetchone()[0].startswith(
            "near-duplicate groups")
    assert list(tmp_path.glob(f"old.db.schema{STEP - 1}-*.bak"))  # the migration kept a copy from before
    assert "0 articles fingerprinted" in fanwen("dedupe", "--db", str(old)).stdout


def test_export_one_per_group_keeps_the_most_complete_copy(archive, tmp_path):
    out = tmp_path / "one.jsonl"
    result = fanwen("export", "--db", str(archive), "--one-per-group", "--columns", "url,dup_group", "-o", str(out))
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["url"].removeprefix(BASE) for r in rows) == sorted([SPEECH_X[0], *OTHERS])


async def test_datasette_facet_filter_canned_query_and_links_between_copies(archive):
    ds = make_datasette(str(archive))
    table = (await ds.client.get("/fanwen/articles.json?_facet=dup_group")).json()
    facet = {r["value"]: r["count"] for r in table["facet_results"]["dup_group"]["results"]}
    assert facet == {BASE + SPEECH_X[0]: 3}
    filtered = (await ds.client.get(f"/fanwen/articles.json?dup_group={BASE + SPEECH_X[0]}&_shape=array")).json()
    assert sorted(r["url"] for r in filtered) == sorted(BASE + p for p in SPEECH_X)

    spread = (await ds.client.get("/fanwen/several_sites.json?_shape=array")).json()
    assert len(spread) == 1
    row = spread[0]
    assert (row["most_complete"], row["copies"], row["sites"]) == (BASE + SPEECH_X[0], 3, 2)
    assert row["earliest"].startswith("2023-07-12") and set(row["site_list"].split(",")) == {"diyifanwen", "gwsck"}

    html = (await ds.client.get("/fanwen/articles/" + tilde(BASE + SPEECH_X[1]))).text
    assert "Near-duplicates: 2 other copies" in html
    for other in (SPEECH_X[0], SPEECH_X[2]):
        assert f'href="/fanwen/articles/{tilde(BASE + other)}"' in html
    alone = (await ds.client.get("/fanwen/articles/" + tilde(BASE + OTHERS[0]))).text
    assert "Near-duplicates" not in alone


def tilde(url: str) -> str:
    from datasette.utils import tilde_encode

    return tilde_encode(url)


@pytest.mark.slow
def test_a_crawl_groups_the_copies_as_they_arrive(site_server, tmp_path):
    server = site_server(SITE)
    db = tmp_path / "crawl.db"
    result = fanwen("crawl", "--start-url", server.url, "--db", str(db), *FAST)
    assert result.returncode in (0, 3), result.stderr[-3000:]
    base = server.url.rstrip("/")
    with sqlite3.connect(db) as conn:
        found = {url.removeprefix(base): group and group.removeprefix(base)
                 for url, group in conn.execute("select url, dup_group from articles")}
    assert found == groups_of_fixture()


def stored_corpus(path: Path, articles: list, pending: PendingGroups | None = None) -> None:
    """Store generated articles through upsert_article (the crawl's writer), in their arrival order."""
    db = open_db(path)
    for a in articles:
        doc = Document(url=a.url, site=a.site, parts=[Fetched(a.url, 200, {}, b"", "", now())])
        ext = Extraction(kind="article", title=f"标题{a.text_id}", text=a.text, truncated=bool(a.truncated))
        with db.atomic():
            upsert_article(db, doc, ext, None, pending=pending)
        if pending is not None:
            pending.db = db
            pending.flush()
    if pending is not None:
        pending.flush(force=True)
    db.close()


def test_grouping_a_batch_at_a_time_gives_the_groups_of_one_article_at_a_time(tmp_path):
    # 400 hard generated articles (shared 公文 formulas, 10% planted copies, some copied dozens of times).
    articles = corpus(400, 0.10)
    assert sum(a.copy for a in articles) >= 30
    stored_corpus(tmp_path / "one.db", articles)
    db = open_db(tmp_path / "batch.db")
    stored_corpus(tmp_path / "batch.db", articles, PendingGroups(db, every=150))
    db.close()
    one, batch = groups(tmp_path / "one.db"), groups(tmp_path / "batch.db")
    assert one == batch
    truth = {a.url: a.text_id for a in articles}
    grouped = {url: group for url, group in one.items() if group}
    assert len(grouped) >= 30
    for url, group in grouped.items():  # every group holds copies of one text only
        assert truth[url] == truth[group]


def test_articles_a_killed_crawl_did_not_group_are_grouped_by_fanwen_dedupe(tmp_path):
    path = tmp_path / "killed.db"
    db = open_db(path)
    pending = PendingGroups(db)  # the crawl's batch, never flushed: the process died first
    for page in PAGES:
        body = (SITE / page.lstrip("/")).read_bytes()
        doc = Document(url=BASE + page, site=PAGES[page],
                       parts=[Fetched(BASE + page, 200, {"Content-Type": "text/html"}, body, "", now())])
        doc.extraction = process_document(doc)
        assert store_document(db, doc, None, pending) == "new"
    db.close()
    assert set(groups(path).values()) == {None}  # stored, not grouped yet
    result = fanwen("dedupe", "--db", str(path))
    assert result.returncode == 0, result.stderr
    assert "5 articles fingerprinted; 1 groups of near-duplicates hold 3 articles" in result.stdout
    assert groups(path) == groups_of_fixture()


def test_a_changed_text_leaves_its_group_at_once_and_joins_its_new_one_with_the_batch(tmp_path):
    db = open_db(tmp_path / "a.db")
    for page in PAGES:
        store(db, page)
    pending = PendingGroups(db)
    z = (SITE / OTHERS[1].lstrip("/")).read_bytes()
    doc = Document(url=BASE + SPEECH_X[0], site="diyifanwen",
                   parts=[Fetched(BASE + SPEECH_X[0], 200, {"Content-Type": "text/html"}, z, "", now())])
    doc.extraction = process_document(doc)
    assert store_document(db, doc, None, pending) == "updated"
    found = groups(tmp_path / "a.db")
    assert found[SPEECH_X[0]] is None and found[SPEECH_X[1]] == found[SPEECH_X[2]] == SPEECH_X[2]
    assert pending.flush(force=True) == 1
    db.close()
    found = groups(tmp_path / "a.db")
    assert found[SPEECH_X[0]] == found[OTHERS[1]] is not None


def test_a_taken_down_copy_leaves_the_index_and_its_group_and_undo_brings_it_back(archive, tmp_path):
    copy = tmp_path / "copy.db"
    with sqlite3.connect(archive) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    down = fanwen("takedown", "--db", str(copy), BASE + SPEECH_X[0], "--reason", "作者要求删除", "--by", "editor")
    assert down.returncode == 0, down.stderr
    found = groups(copy)
    assert SPEECH_X[0] not in found
    # The group no longer names the withheld copy: the next most complete copy leads it.
    assert found[SPEECH_X[1]] == found[SPEECH_X[2]] == SPEECH_X[2]
    with sqlite3.connect(copy) as conn:
        assert conn.execute("select count(*) from dedupe_docs where url = ?", [BASE + SPEECH_X[0]]).fetchone() == (0,)
    undo = fanwen("takedown", "--db", str(copy), "--undo", BASE + SPEECH_X[0], "--by", "editor")
    assert undo.returncode == 0, undo.stderr
    assert groups(copy) == groups_of_fixture()


def test_fingerprints_made_elsewhere_are_used_only_for_their_text_and_parameters(tmp_path):
    # reclean's workers fingerprint the new texts; the writer's batch uses them instead of fingerprinting
    # again, but only for the very text they were made from and while the index keeps those parameters.
    from dataclasses import replace

    from fanwen.pipelines.dedupe import DOCS, load_params
    from fanwen.pipelines.fingerprint import unpack

    db = open_db(tmp_path / "a.db")
    for page in PAGES:
        store(db, page)
    params = load_params(db)
    x, y = BASE + SPEECH_X[0], BASE + OTHERS[0]
    text_x, text_y = (db.execute("select text from articles where url = ?", [u]).fetchone()[0] for u in (x, y))
    marker = {7, 11, 13}  # not what fingerprints() makes of any text: shows whether the given set was used

    def stored_prints(url: str) -> set[int]:
        return unpack(db.execute(f"select prints from {DOCS} where url = ?", [url]).fetchone()[0])

    pending = PendingGroups(db, made_with=params)
    for url in (x, y):
        pending.add(url)
    pending.made.update({text_x: marker, text_y + "（旧）": marker})  # the second is not y's stored text
    assert pending.flush(force=True) == 2
    assert stored_prints(x) == marker and stored_prints(y) != marker
    assert not pending.made  # cleared with its batch

    other = PendingGroups(db, made_with=replace(params, shingle=params.shingle + 1))
    other.add(y)
    other.made[text_y] = marker
    assert other.flush(force=True) == 1
    assert stored_prints(y) != marker  # made with other parameters: fingerprinted again here
    db.close()
