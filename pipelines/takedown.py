"""Takedowns: hold articles back from every view without losing them, and record who asked, why and when.

A takedown names a URL or a pattern (SQLite GLOB: `*` any run of characters, `?` one character). Taking
down moves each matching article — with its raw pages and their earlier versions, its removals, essay parts
and revisions — out of the tables that Datasette, search, exports and WARC read into `withheld` (one JSON row
each), in one transaction. So nothing downstream needs a filter, and nothing is deleted: `undo` moves the
rows back. The crawler refuses to fetch a URL that matches an active takedown (crawler/takedowns.py).

`purge` is for legal removals: the withheld text and raw pages are deleted with SQLite's secure_delete (the
freed pages are zeroed) and the search index is optimised so no token of them remains; what is left is the
takedown row and a tombstone per article (URL, site, dates, content hash), which the crawler still honours.
"""

from __future__ import annotations

import base64
import getpass
import json
import socket
import sqlite3
from dataclasses import dataclass

import sqlite_utils

from fanwen.browse.search_index import FTS_TABLE
from fanwen.errors import UsageError
from fanwen.pipelines.dedupe import forget_article, index_articles
from fanwen.pipelines.store import now

# Table -> the condition tying its rows to the withheld articles (temp table `_withheld_urls`) or the pattern.
_SOURCES = {
    "articles": "url in (select url from _withheld_urls)",
    "removals": "article_url in (select url from _withheld_urls)",
    "article_parts": "article_url in (select url from _withheld_urls)",
    "revisions": "url in (select url from _withheld_urls)",
    "pages": "article_url in (select url from _withheld_urls) or url glob :pattern",
    "page_versions": "article_url in (select url from _withheld_urls) or url glob :pattern",
}
TOMBSTONE_COLUMNS = ("url", "site", "first_seen", "last_seen", "content_hash")


@dataclass(frozen=True)
class TakedownResult:
    id: int
    pattern: str
    articles: int
    rows: int  # every row moved (articles, pages, versions, removals, parts, revisions)


def requester() -> str:
    """Who is asking, for the record: the login name and the host."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


def _encode(row: sqlite3.Row) -> str:
    return json.dumps({k: {"base64": base64.b64encode(row[k]).decode()} if isinstance(row[k], bytes) else row[k]
                       for k in row.keys()}, ensure_ascii=False)


def _decode(text: str) -> dict:
    return {k: base64.b64decode(v["base64"]) if isinstance(v, dict) else v for k, v in json.loads(text).items()}


def active(conn: sqlite3.Connection, pattern: str) -> list[int]:
    """Ids of the active (not undone) takedowns with exactly this pattern."""
    return [r[0] for r in conn.execute("select id from takedowns where pattern = ? and undone_at is null "
                                       "order by id", [pattern])]


def is_taken_down(conn: sqlite3.Connection, url: str) -> bool:
    """True when an active takedown matches the URL (the crawler asks before every request)."""
    return conn.execute("select 1 from takedowns where undone_at is null and ? glob pattern limit 1",
                        [url]).fetchone() is not None


def take_down(conn: sqlite3.Connection, pattern: str, reason: str, by: str | None = None) -> TakedownResult:
    """Record a takedown and move the matching articles and everything derived from them into `withheld`."""
    if not pattern.strip():
        raise UsageError("give the URL or pattern to take down")
    if not reason.strip():
        raise UsageError("--reason is required: say why (it is recorded with the takedown)")
    if existing := active(conn, pattern):
        raise UsageError(f"{pattern} is already taken down (#{existing[0]}; see `fanwen takedown --list`)")
    factory, conn.row_factory = conn.row_factory, sqlite3.Row
    try:
        with conn:
            cursor = conn.execute("insert into takedowns (pattern, reason, requested_by, created_at) "
                                  "values (?, ?, ?, ?)", [pattern, reason, by or requester(), now()])
            takedown_id = cursor.lastrowid
            conn.execute("create temp table if not exists _withheld_urls (url text primary key)")
            conn.execute("delete from _withheld_urls")
            conn.execute("insert into _withheld_urls select url from articles where url glob ?", [pattern])
            urls = [r[0] for r in conn.execute("select url from _withheld_urls order by url")]
            for url in urls:  # out of the near-duplicate index and groups: no group is led by a withheld copy
                forget_article(sqlite_utils.Database(conn), url)
            moved = 0
            for table, where in _SOURCES.items():
                rows = conn.execute(f"select * from {table} where {where}", {"pattern": pattern}).fetchall()
                conn.executemany("insert into withheld (takedown_id, source_table, url, row) values (?, ?, ?, ?)",
                                 [(takedown_id, table, r["url"] if "url" in r.keys() else r["article_url"],
                                   _encode(r)) for r in rows])
                conn.execute(f"delete from {table} where {where}", {"pattern": pattern})
                moved += len(rows)
            conn.execute("update takedowns set articles = ?, urls = ? where id = ?",
                         [len(urls), json.dumps(urls, ensure_ascii=False), takedown_id])
    finally:
        conn.row_factory = factory
    return TakedownResult(takedown_id, pattern, len(urls), moved)


def undo(conn: sqlite3.Connection, pattern: str, by: str | None = None) -> tuple[int, int]:
    """Lift the active takedowns with this pattern: their rows go back where they came from.

    Returns (takedowns lifted, articles restored). Rows that another active takedown still matches stay
    withheld, under that takedown. Purged takedowns have only tombstones, which are not restored.
    """
    ids = active(conn, pattern)
    if not ids:
        raise UsageError(f"no active takedown of {pattern} (see `fanwen takedown --list`)")
    restored_urls: list[str] = []
    with conn:
        for takedown_id in ids:
            conn.execute("update takedowns set undone_at = ?, undone_by = ? where id = ?",
                         [now(), by or requester(), takedown_id])
            purged = conn.execute("select purged_at from takedowns where id = ?", [takedown_id]).fetchone()[0]
            rows = conn.execute("select id, source_table, url, row from withheld where takedown_id = ?",
                                [takedown_id]).fetchall()
            for withheld_id, table, url, text in rows:
                other = conn.execute("select id from takedowns where undone_at is null and ? glob pattern "
                                     "order by id limit 1", [url]).fetchone()
                if other:
                    conn.execute("update withheld set takedown_id = ? where id = ?", [other[0], withheld_id])
                    continue
                if purged:
                    continue  # a tombstone stays with its takedown
                row = _decode(text)
                columns = [c for c in row if c in {r[1] for r in conn.execute(f"pragma table_info({table})")}]
                conn.execute(f"insert or replace into {table} ({', '.join(columns)}) "
                             f"values ({', '.join('?' for _ in columns)})", [row[c] for c in columns])
                conn.execute("delete from withheld where id = ?", [withheld_id])
                if table == "articles":
                    restored_urls.append(url)
        index_articles(sqlite_utils.Database(conn), restored_urls)  # back into their near-duplicate groups
    return len(ids), len(restored_urls)


def purge(conn: sqlite3.Connection, pattern: str, by: str | None = None) -> int:
    """Delete the withheld text and raw pages of the active takedowns with this pattern, keeping tombstones.

    Returns the number of withheld rows deleted.
    """
    ids = active(conn, pattern)
    if not ids:
        raise UsageError(f"no active takedown of {pattern} to purge (take it down first)")
    marks = ", ".join("?" for _ in ids)
    conn.execute("pragma secure_delete = on")
    try:
        with conn:
            for withheld_id, text in conn.execute(f"select id, row from withheld where takedown_id in ({marks}) "
                                                  "and source_table = 'articles'", ids).fetchall():
                row = _decode(text)
                tombstone = {c: row.get(c) for c in TOMBSTONE_COLUMNS}
                conn.execute("update withheld set source_table = 'tombstone', row = ? where id = ?",
                             [json.dumps(tombstone, ensure_ascii=False), withheld_id])
            deleted = conn.execute(f"delete from withheld where takedown_id in ({marks}) "
                                   "and source_table != 'tombstone'", ids).rowcount
            conn.execute(f"update takedowns set purged_at = ?, purged_by = ? where id in ({marks})",
                         [now(), by or requester(), *ids])
            # The index is contentless but its tokens spell the text: merge segments so none stays behind.
            conn.execute(f"insert into {FTS_TABLE}({FTS_TABLE}) values ('optimize')")
        conn.execute("pragma wal_checkpoint(truncate)")  # the WAL held copies of the deleted pages
    finally:
        conn.execute("pragma secure_delete = off")
    return deleted


def takedowns(conn: sqlite3.Connection) -> list[dict]:
    """Every takedown, newest first, as dicts (for `fanwen takedown --list`)."""
    factory, conn.row_factory = conn.row_factory, sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("select id, pattern, articles, reason, requested_by, created_at, "
                                              "undone_at, undone_by, purged_at, purged_by from takedowns "
                                              "order by id desc")]
    finally:
        conn.row_factory = factory
