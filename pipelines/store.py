"""SQLite storage through sqlite-utils: schema, upserts by canonical URL, raw pages, audit, run history.

One file, WAL mode, one writer (the crawl) and any number of readers (Datasette, export).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import socket
import sqlite3
import zlib
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from fanwen.browse.search_index import ensure_search_index
from fanwen.errors import StoreError
from fanwen.pipelines.dedupe import PendingGroups, forget_article, index_article
from fanwen.pipelines.migrations import Migration, SchemaTooNew, check_version, migrate
from fanwen.pipelines.records import Document, Extraction


def now() -> str:
    """UTC timestamp in ISO 8601 with seconds, the one format every table uses."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

def open_db(path: str | Path, *, create: bool = True) -> sqlite_utils.Database:
    """Open (and if needed create) the archive, in WAL mode, migrated to the current schema.

    With create=False the file must exist, and only a fanwen archive (one with an `articles` table) is
    migrated. Raises StoreError with a one-line reason when the file cannot be opened, written or migrated,
    and SchemaTooNew (exit status 2) for an archive made by a newer fanwen-archive.
    """
    path = Path(path)
    if not create and not path.exists():
        raise StoreError(f"database {path} does not exist (crawl something first, or pass --db)")
    if not path.parent.exists():
        raise StoreError(f"cannot create database {path}: directory {path.parent} does not exist")
    try:
        conn = sqlite3.connect(str(path), timeout=30)
        db = sqlite_utils.Database(conn)
        try:
            check_version(conn, str(path))  # before any write, even switching to WAL
        except SchemaTooNew:
            conn.close()
            raise
        if create:
            db.enable_wal()
        if create or db["articles"].exists():
            ensure_schema(db, path)
        # In WAL mode NORMAL stays crash-safe (a power cut may lose the last commits, never corrupt the file;
        # kill -9 loses nothing committed) and saves an fsync per article: `reclean` commits one article at a
        # time too. The setting is per connection, so every opening sets it (never outside WAL, where it is not).
        if db.execute("pragma journal_mode").fetchone()[0] == "wal":
            db.execute("pragma synchronous = normal")
    except sqlite3.DatabaseError as e:
        raise StoreError(f"cannot use database {path}: {e}") from e
    return db


def ensure_schema(db: sqlite_utils.Database, path: str | Path) -> Migration:
    """Migrate the archive to the current schema (pipelines/migrations.py) and bring its search index up to date."""
    migration = migrate(db.conn, Path(path))
    ensure_search_index(db)
    return migration


def content_hash(text: str) -> str:
    """Stable fingerprint of the cleaned text (exact-duplicate detection, change detection)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()

def save_pages(db: sqlite_utils.Database, doc: Document, kind: str, crawl_id: int | None,
               reason: str | None = None) -> None:
    """Store every fetched part of a document raw (zlib-compressed), so cleaning can be re-run."""
    rows = []
    for i, part in enumerate(doc.parts, start=1):
        rows.append({
            "url": part.url,
            "article_url": doc.url if kind == "article" else None,
            "part": i,
            "site": doc.site,
            "status": part.status,
            "kind": kind if i == 1 else f"{kind}-part",
            "reason": reason,
            "encoding": part.encoding,
            "headers": json.dumps(part.headers, ensure_ascii=False),
            "body": zlib.compress(part.body, 6),
            "size": len(part.body),
            "fetched_at": part.fetched_at,
            "crawl_id": crawl_id,
        })
    keep_page_versions(db, rows)
    _upsert(db, "pages", rows)


_PAGE_FIELDS = "url, article_url, part, site, status, kind, encoding, headers, body, size, fetched_at, crawl_id"


def keep_page_versions(db: sqlite_utils.Database, rows: list[dict]) -> None:
    """Before new fetches replace stored pages, copy each stored page whose body differs into `page_versions`.

    Article pages keep every distinct version this way; other pages are cut back by `prune_page_versions`.
    """
    stamp = now()
    db.conn.executemany(
        f"insert into page_versions ({_PAGE_FIELDS}, replaced_at) select {_PAGE_FIELDS}, ? from pages"
        " where url = ? and body is not ?",
        [(stamp, r["url"], r["body"]) for r in rows],
    )


def store_document(db: sqlite_utils.Database, doc: Document, crawl_id: int | None,
                   pending: PendingGroups | None = None) -> str | None:
    """Store one extracted document in one transaction: its raw pages, and the article when it is one.
    Returns upsert_article's outcome, or None for a page that is not an article. Used by the crawl's store
    pipeline and by `fanwen ingest`, so both write exactly alike."""
    ext = doc.extraction
    with db.atomic():
        save_pages(db, doc, ext.kind, crawl_id, ext.reason or None)
        return upsert_article(db, doc, ext, crawl_id, pending=pending) if ext.is_article else None


def page_body(row: dict) -> bytes:
    """The raw bytes of a stored page."""
    return zlib.decompress(row["body"])

# What makes a stored article the same as a new extraction of it: its text (by hash), title, truncation and
# metadata. A rules change that moves only the category, author or date must reach the archive too.
STORED_STATE = "content_hash, title, truncated, published, category, author"


def stored_state(ext: Extraction) -> tuple:
    """`ext` as the STORED_STATE columns would hold it."""
    return content_hash(ext.text), ext.title, int(ext.truncated), ext.published, ext.category, ext.author


def upsert_article(
    db: sqlite_utils.Database, doc: Document, ext: Extraction, crawl_id: int | None, *, seen: bool = True,
    pending: PendingGroups | None = None,
) -> str:
    """Insert or update one article by canonical URL. Returns "new", "updated" or "unchanged".

    `seen=False` (re-cleaning stored pages) leaves `last_seen`/`crawl_id` as the last crawl set them.
    A new or changed text is grouped with its near-duplicates now, or with `pending`'s next batch.
    """
    digest = content_hash(ext.text)
    existing = db.execute(
        f"select {STORED_STATE}, first_seen, last_seen, crawl_id, gone_at from articles where url = ?", [doc.url],
    ).fetchone()
    # STORED_STATE's columns (content_hash first), then what a visit sets
    state, (first_seen, last_seen, last_crawl, gone_at) = (
        (tuple(existing[:-4]), existing[-4:]) if existing else (None, (None,) * 4))
    if seen or not existing:
        seen_at = now()
    else:
        seen_at, crawl_id = last_seen, last_crawl
    row = {
        "url": doc.url,
        "site": doc.site,
        "title": ext.title,
        "published": ext.published,
        "category": ext.category,
        "author": ext.author,
        "text": ext.text,
        "char_count": len(ext.text.replace("\n", "")),
        "truncated": int(ext.truncated),
        "page_count": len(doc.parts),
        "content_hash": digest,
        "encoding": doc.parts[0].encoding,
        "first_seen": first_seen if existing else seen_at,
        "last_seen": seen_at,
        "fetched_at": doc.parts[0].fetched_at,
        "crawl_id": crawl_id,
        # A page that answers again is no longer gone; re-cleaning stored pages says nothing about that.
        "gone_at": None if seen or not existing else gone_at,
    }
    if state == stored_state(ext):
        db.execute("update articles set last_seen = ?, crawl_id = ?, gone_at = ? where url = ?",
                   [seen_at, crawl_id, row["gone_at"], doc.url])
        return "unchanged"
    if existing and seen and existing[0] != digest:
        keep_revision(db, doc.url, crawl_id)
    _upsert(db, "articles", [row])
    _replace_children(db, doc.url, ext)
    if not existing or existing[0] != digest:  # near-duplicate groups follow the text (pipelines/dedupe.py)
        if pending is None:
            index_article(db, doc.url)
        else:
            if existing:
                forget_article(db, doc.url)  # its old group must not keep it until the batch runs
            pending.add(doc.url)
    return "updated" if existing else "new"

def keep_revision(db: sqlite_utils.Database, url: str, crawl_id: int | None) -> None:
    """Copy an article's current text into `revisions` before a re-fetch replaces it.

    Only crawls keep revisions: `reclean` re-derives the text from the same stored page.
    """
    db.execute(
        "insert into revisions (url, title, text, content_hash, char_count, published, fetched_at, replaced_at,"
        " crawl_id) select url, title, text, content_hash, char_count, published, fetched_at, ?, ?"
        " from articles where url = ?",
        [now(), crawl_id, url],
    )

def mark_gone(db: sqlite_utils.Database, url: str, status: int, crawl_id: int | None) -> bool:
    """Remember that `url` answered 404/410; an archived article gets `gone_at` (it is never deleted).

    Returns True when the URL is an archived article.
    """
    stamp = now()
    db.execute(
        "insert into gone_urls (url, status, first_gone, last_checked, crawl_id) values (?, ?, ?, ?, ?)"
        " on conflict(url) do update set status = excluded.status, last_checked = excluded.last_checked,"
        " crawl_id = excluded.crawl_id",
        [url, status, stamp, stamp, crawl_id],
    )
    cursor = db.execute("update articles set gone_at = coalesce(gone_at, ?) where url = ?", [stamp, url])
    return cursor.rowcount > 0

def forget_gone(db: sqlite_utils.Database, url: str) -> None:
    """The URL answers again: drop it from the 404/410 memory."""
    db.execute("delete from gone_urls where url = ?", [url])

def _replace_children(db: sqlite_utils.Database, url: str, ext: Extraction) -> None:
    with db.atomic():
        db.execute("delete from removals where article_url = ?", [url])
        db.conn.executemany(
            "insert into removals (article_url, ordinal, rule, category, text) values (?, ?, ?, ?, ?)",
            [(url, i, r.rule, r.category, r.text) for i, r in enumerate(ext.removed, start=1)],
        )
        db.execute("delete from article_parts where article_url = ?", [url])
        db.conn.executemany(
            "insert into article_parts (article_url, ordinal, heading, text) values (?, ?, ?, ?)",
            [(url, p.ordinal, p.heading, p.text) for p in ext.parts],
        )

@functools.cache
def _upsert_sql(table: str, columns: tuple[str, ...]) -> str:
    cols = ", ".join(f'"{c}"' for c in columns)
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in columns[1:])
    marks = ", ".join("?" for _ in columns)
    return f'insert into "{table}" ({cols}) values ({marks}) on conflict("{columns[0]}") do update set {updates}'

def _upsert(db: sqlite_utils.Database, table: str, rows: list[dict]) -> None:
    """Upsert rows keyed by their first column. The crawl's hot path: sqlite-utils' upsert introspects the
    table on every call, which cost more than the extraction itself (bench/crawl_throughput.py)."""
    if rows:
        columns = tuple(rows[0])
        with db.atomic():  # commits when the caller has no transaction open (sqlite3's implicit one would not)
            db.conn.executemany(_upsert_sql(table, columns), [tuple(r[c] for c in columns) for r in rows])

def record_site(db: sqlite_utils.Database, name: str, title: str, title_from: str) -> None:
    """Remember a site's title (table `sites`, schema step 7): from its config (always wins) or read from its
    pages (never replaces a config's); `title_from` says which."""
    with db.atomic():
        db.execute(
            "insert into sites (name, title, title_from, updated) values (?, ?, ?, ?) "
            "on conflict(name) do update set title = excluded.title, title_from = excluded.title_from, "
            "updated = excluded.updated where sites.title_from != 'config' or excluded.title_from = 'config'",
            [name, title, title_from, now()],
        )

def start_crawl(db: sqlite_utils.Database, command: str, sites: list[str], *, started: str | None = None,
                pid: int | None = None, host: str | None = None) -> int:
    """Open a run-history row and return its id. A run of another process (a worker whose statistics reach
    the archive through `fanwen ingest`) gives its own start time, pid and host."""
    db["crawls"].insert({"started": started or now(), "command": command, "sites": ",".join(sites),
                         "exit_status": None, "pid": pid or os.getpid(), "host": host or socket.gethostname()})
    return db.execute("select max(id) from crawls").fetchone()[0]

def close_abandoned_crawls(db: sqlite_utils.Database) -> int:
    """Close the rows of runs that died without finishing (killed, power loss). Call only while holding the
    crawl lock: then no other process is crawling, so an open row of another process is a dead run."""
    cursor = db.execute(
        "update crawls set finished = ?, finish_reason = 'abandoned', exit_status = 1"
        " where finished is null and not (pid is ? and host is ?)",
        [now(), os.getpid(), socket.gethostname()],
    )
    return cursor.rowcount

def finish_crawl(db: sqlite_utils.Database, crawl_id: int, **values: object) -> None:
    """Close a run-history row with its counters and outcome."""
    values = {k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v for k, v in values.items()}
    db["crawls"].update(crawl_id, {"finished": now(), **values})
