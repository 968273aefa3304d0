"""Consistent copies of the live archive: `fanwen backup`, and the copy made before a schema migration.

`VACUUM INTO` reads the whole database inside one read transaction, so the copy is the state of one
moment even while a crawl keeps writing (WAL mode: the writer never waits for it). The copy is written
under a temporary name, checked with `PRAGMA integrity_check`, and only then given its name.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from fanwen.errors import StoreError, UsageError


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    articles: int
    schema_version: int


def backup_database(conn: sqlite3.Connection, dest: str | Path) -> BackupResult:
    """Copy the database open on `conn` to `dest` (which must not exist) and verify the copy."""
    dest = Path(dest)
    if dest.exists():
        raise UsageError(f"{dest} already exists: choose another name (a backup never overwrites a file)")
    if not dest.parent.is_dir():
        raise UsageError(f"cannot write {dest}: directory {dest.parent} does not exist")
    tmp = dest.with_name(f".{dest.name}.partial")
    tmp.unlink(missing_ok=True)
    try:
        if conn.in_transaction:
            conn.commit()
        conn.execute("vacuum into ?", [str(tmp)])
        copy = sqlite3.connect(tmp)
        try:
            problems = [row[0] for row in copy.execute("pragma integrity_check")]
            has_articles = copy.execute("select 1 from sqlite_master where name = 'articles'").fetchone()
            articles = copy.execute("select count(*) from articles").fetchone()[0] if has_articles else 0
            version = copy.execute("pragma user_version").fetchone()[0]
        finally:
            copy.close()
        if problems != ["ok"]:
            raise StoreError(f"the copy failed its integrity check ({'; '.join(problems[:3])}); {dest} not written")
        os.replace(tmp, dest)
    except sqlite3.Error as e:
        raise StoreError(f"cannot back up to {dest}: {e}") from e
    finally:
        tmp.unlink(missing_ok=True)
    return BackupResult(dest, dest.stat().st_size, articles, version)
