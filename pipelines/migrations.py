"""Schema versions: every archive records its schema in ``PRAGMA user_version`` and is migrated forward.

The schema is a list of ordered steps; step N brings an archive from version N-1 to N. Version 0 is an
empty file or an archive made by 0.1.0, which had no version (step 1 creates exactly the 0.1.0 tables, and
is a no-op on a 0.1.0 archive). To change the schema, append a step — never edit a released one — and
commit an archive made by the release before it under ``tests/archives/`` (tests/test_migrations.py
migrates every one of them).

Opening an older archive (``open_db``) first writes a backup copy next to it, then applies the missing
steps in one transaction (all or nothing) and records each in ``schema_migrations``. An archive newer than
this code is refused with a one-line error (exit status 2), never opened as if it were older.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fanwen.errors import StoreError
from fanwen.pipelines.dedupe import ensure_dedupe_schema


class SchemaTooNew(StoreError):
    """The archive was written by a newer fanwen-archive than this one."""

    exit_code = 2


@dataclass(frozen=True)
class Step:
    version: int
    name: str
    apply: Callable[[sqlite3.Connection], None]


# The 0.1.0 tables, frozen: (columns as SQL, primary key). Columns added later go in their own steps.
_BASELINE = {
    "articles": ({"url": "TEXT NOT NULL", "site": "TEXT", "title": "TEXT", "published": "TEXT", "category": "TEXT",
                  "author": "TEXT", "text": "TEXT", "char_count": "INTEGER", "truncated": "INTEGER",
                  "page_count": "INTEGER", "content_hash": "TEXT", "encoding": "TEXT", "first_seen": "TEXT",
                  "last_seen": "TEXT", "fetched_at": "TEXT", "crawl_id": "INTEGER", "gone_at": "TEXT"}, "url"),
    "pages": ({"url": "TEXT NOT NULL", "article_url": "TEXT", "part": "INTEGER", "site": "TEXT",
               "status": "INTEGER", "kind": "TEXT", "encoding": "TEXT", "headers": "TEXT", "body": "BLOB",
               "size": "INTEGER", "fetched_at": "TEXT", "crawl_id": "INTEGER"}, "url"),
    "crawls": ({"id": "INTEGER", "started": "TEXT", "finished": "TEXT", "command": "TEXT", "sites": "TEXT",
                "pages": "INTEGER", "articles_new": "INTEGER", "articles_updated": "INTEGER",
                "articles_unchanged": "INTEGER", "rejected": "INTEGER", "dead_links": "INTEGER",
                "errors": "INTEGER", "error_kinds": "TEXT", "warnings": "TEXT", "finish_reason": "TEXT",
                "exit_status": "INTEGER", "skipped": "INTEGER", "not_modified": "INTEGER", "gone": "INTEGER",
                "pid": "INTEGER", "host": "TEXT"}, "id"),
    "revisions": ({"id": "INTEGER", "url": "TEXT NOT NULL", "title": "TEXT", "text": "TEXT",
                   "content_hash": "TEXT", "char_count": "INTEGER", "published": "TEXT", "fetched_at": "TEXT",
                   "replaced_at": "TEXT", "crawl_id": "INTEGER"}, "id"),
    "gone_urls": ({"url": "TEXT NOT NULL", "status": "INTEGER", "first_gone": "TEXT", "last_checked": "TEXT",
                   "crawl_id": "INTEGER"}, "url"),
    "removals": ({"article_url": "TEXT", "ordinal": "INTEGER", "rule": "TEXT", "category": "TEXT",
                  "text": "TEXT"}, ("article_url", "ordinal")),
    "article_parts": ({"article_url": "TEXT", "ordinal": "INTEGER", "heading": "TEXT", "text": "TEXT"},
                      ("article_url", "ordinal")),
}


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f'pragma table_info("{table}")')]


def _create_table(conn: sqlite3.Connection, name: str, columns: dict[str, str], pk: str | tuple[str, ...]) -> None:
    """CREATE TABLE in sqlite-utils' layout; on an existing table, add the columns it lacks."""
    existing = _columns(conn, name)
    if existing:
        for col, decl in columns.items():
            if col not in existing:
                conn.execute(f'alter table "{name}" add column "{col}" {decl.replace(" NOT NULL", "")}')
        return
    lines = []
    for col, decl in columns.items():
        if isinstance(pk, str) and col == pk:
            decl = decl.replace(" NOT NULL", "") + " PRIMARY KEY" + (" NOT NULL" if "NOT NULL" in decl else "")
        lines.append(f'   "{col}" {decl}')
    if not isinstance(pk, str):
        lines.append(f"   PRIMARY KEY ({', '.join(f'{c}' for c in pk)})")
    conn.execute(f'CREATE TABLE "{name}" (\n' + ",\n".join(lines) + "\n)")


def _add_column(conn: sqlite3.Connection, table: str, column: str, decl: str) -> None:
    if column not in _columns(conn, table):
        conn.execute(f'alter table "{table}" add column "{column}" {decl}')


def _baseline(conn: sqlite3.Connection) -> None:
    """The 0.1.0 schema. Also completes archives of development versions before 0.1.0 (missing columns)."""
    for name, (columns, pk) in _BASELINE.items():
        _create_table(conn, name, columns, pk)
    for table, column in (("articles", "site"), ("articles", "published"), ("pages", "article_url"),
                          ("revisions", "url")):
        conn.execute(f'create index if not exists "idx_{table}_{column}" on "{table}" ("{column}")')


def _page_versions(conn: sqlite3.Connection) -> None:
    """Earlier raw versions of pages (`pages` keeps the latest of each URL); pruned for non-article pages."""
    _create_table(conn, "page_versions", {"id": "INTEGER", **_BASELINE["pages"][0], "replaced_at": "TEXT"}, "id")
    conn.execute('create index if not exists "idx_page_versions_url" on "page_versions" ("url", "fetched_at")')
    _add_column(conn, "crawls", "pruned_versions", "INTEGER")
    _add_column(conn, "crawls", "pruned_bytes", "INTEGER")


def _takedowns(conn: sqlite3.Connection) -> None:
    """Takedowns (who/why/when, what matched) and the rows they hold back from every view, kept as JSON."""
    _create_table(conn, "takedowns", {
        "id": "INTEGER", "pattern": "TEXT NOT NULL", "reason": "TEXT", "requested_by": "TEXT",
        "created_at": "TEXT", "articles": "INTEGER", "undone_at": "TEXT", "undone_by": "TEXT",
        "purged_at": "TEXT", "purged_by": "TEXT", "urls": "TEXT",
    }, "id")
    _create_table(conn, "withheld", {"id": "INTEGER", "takedown_id": "INTEGER", "source_table": "TEXT",
                                     "url": "TEXT", "row": "TEXT"}, "id")
    conn.execute('create index if not exists "idx_withheld_takedown_id" on "withheld" ("takedown_id")')


def _reclean_runs(conn: sqlite3.Connection) -> None:
    """Progress of `fanwen reclean` runs, committed with each batch, so an interrupted run resumes."""
    _create_table(conn, "reclean_runs", {"id": "INTEGER", "started": "TEXT", "finished": "TEXT", "site": "TEXT",
                                         "last_rowid": "INTEGER", "done": "INTEGER", "counts": "TEXT",
                                         "pid": "INTEGER"}, "id")


def _garbage(conn: sqlite3.Connection) -> None:
    """Pages that are no text (binary, undecodable, mojibake) are kept raw with the reason; crawls count them."""
    _add_column(conn, "pages", "reason", "TEXT")
    _add_column(conn, "crawls", "garbage", "INTEGER")


def _sites(conn: sqlite3.Connection) -> None:
    """One row per site key with the title readers see (pipelines/store.py record_site)."""
    _create_table(conn, "sites", {"name": "TEXT NOT NULL", "title": "TEXT", "title_from": "TEXT",
                                  "updated": "TEXT"}, "name")


def _site_dates(conn: sqlite3.Connection) -> None:
    """The home page's articles per site and each site's latest date, read from one index (at a million
    articles the count by site read every row for its date: 1.7 s)."""
    conn.execute('create index if not exists "idx_articles_site_published" on "articles" ("site", "published")')
    conn.execute('drop index if exists "idx_articles_site"')  # its prefix: site lookups use the new one


SORT_COLUMNS = ("published", "char_count", "first_seen")  # the articles' sort orders besides rowid (metadata.yml)


def sort_index(column: str) -> str:
    """The index a search sorted by ``column`` walks (browse/sorted_search.py)."""
    return f"idx_articles_{column}_url"


def _sort_indexes(conn: sqlite3.Connection) -> None:
    """An index on (column, url) for each column the articles can be sorted by: a search sorted by date walks
    the dates in order, url breaking ties as Datasette's pages do, instead of sorting every match (2.4-3.0 s
    at a million articles); each is about 60 MB there and takes 5-13 s to build."""
    for column in SORT_COLUMNS:
        conn.execute(f'create index if not exists "{sort_index(column)}" on "articles" ("{column}", "url")')
    conn.execute('drop index if exists "idx_articles_published"')  # its prefix: date lookups use the new one


STEPS: tuple[Step, ...] = (
    Step(1, "0.1.0 schema: articles, pages, crawls, revisions, gone_urls, removals, article_parts", _baseline),
    Step(2, "page_versions: earlier raw page versions; crawls.pruned_versions/pruned_bytes", _page_versions),
    Step(3, "takedowns and withheld rows", _takedowns),
    Step(4, "reclean_runs: resumable reclean progress", _reclean_runs),
    Step(5, "near-duplicate groups: articles.dup_group, dedupe_docs, dedupe_fingerprints, dedupe_settings",
         ensure_dedupe_schema),
    Step(6, "pages.reason (why a page is garbage), crawls.garbage", _garbage),
    Step(7, "sites: each site key's title (from its config, or read from its pages)", _sites),
    Step(8, "articles (site, published) index for the home page's per-site counts and dates", _site_dates),
    Step(9, "articles (column, url) indexes for searches sorted by published, char_count, first_seen", _sort_indexes),
)
SCHEMA_VERSION = STEPS[-1].version
HISTORY_TABLE = "schema_migrations"


@dataclass(frozen=True)
class Migration:
    """What opening the archive did to its schema."""

    from_version: int
    to_version: int
    backup: Path | None = None


def tool_version() -> str:
    """The installed fanwen-archive's version, recorded with each applied step."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("fanwen-archive")
    except PackageNotFoundError:
        return "unknown"


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("pragma user_version").fetchone()[0]


def check_version(conn: sqlite3.Connection, label: str) -> int:
    """The archive's schema version; raises SchemaTooNew when this code cannot understand it."""
    version = schema_version(conn)
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(f"{label} has schema version {version}, newer than this fanwen-archive ({tool_version()}, "
                           f"schema {SCHEMA_VERSION}) understands: upgrade fanwen-archive to open it")
    return version


def _is_empty(conn: sqlite3.Connection) -> bool:
    return conn.execute("select count(*) from sqlite_master").fetchone()[0] == 0


def backup_path_for(path: Path, version: int) -> Path:
    """Where the copy made before migrating away from `version` goes: next to the archive."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return path.with_name(f"{path.name}.schema{version}-{stamp}.bak")


def migrate(conn: sqlite3.Connection, path: Path) -> Migration:
    """Bring the archive at `path` (open on `conn`, outside any transaction) to SCHEMA_VERSION."""
    from fanwen.pipelines.backup import backup_database

    version = check_version(conn, str(path))
    if version == SCHEMA_VERSION:
        return Migration(version, version)
    backup = None
    if not _is_empty(conn):
        backup = backup_path_for(path, version)
        backup_database(conn, backup)
    if conn.in_transaction:
        conn.commit()
    conn.execute("begin immediate")  # one writer; another process migrating at once waits, then sees it done
    try:
        version = check_version(conn, str(path))
        conn.execute(f'create table if not exists "{HISTORY_TABLE}" (version INTEGER PRIMARY KEY, name TEXT, '
                     "applied_at TEXT, tool_version TEXT)")
        for step in STEPS:
            if step.version > version:
                step.apply(conn)
                conn.execute(f'insert or replace into "{HISTORY_TABLE}" values (?, ?, ?, ?)',
                             [step.version, step.name, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                              tool_version()])
        conn.execute(f"pragma user_version = {SCHEMA_VERSION}")
        conn.commit()
    except sqlite3.Error as e:
        conn.rollback()
        kept = f"; a copy from before is at {backup}" if backup else ""
        raise StoreError(f"could not migrate {path} from schema {version} to {SCHEMA_VERSION}: {e}; "
                         f"the archive is unchanged{kept}") from e
    return Migration(version, SCHEMA_VERSION, backup)
