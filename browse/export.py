"""Export archived articles as CSV or JSONL, streaming (the last stage: store → serve/**export**).

Rows come from a read-only cursor one at a time and leave as small text chunks, so memory stays flat
whatever the archive size. The same chunk generator feeds `fanwen export` (a file or stdout) and the
Datasette download route (fanwen.browse.datasette_export).

CSV is RFC 4180: every record ends in CRLF, fields with commas, quotes or newlines are quoted, and
newlines inside a field are kept as they are. Byte-order mark policy: a UTF-8 BOM is written by default
when the output is a file whose name ends in ``.csv`` — those files are meant to be double-clicked in
Excel, which otherwise decodes Chinese as the ANSI code page (mojibake). stdout and other names get no
BOM unless asked (``bom=True``); ``bom=False`` always wins.
Python's ``utf-8-sig``, pandas and sqlite-utils all read a BOM-prefixed file transparently.
The BOM never changes a cell; only ``safe_formulas`` does, by prefixing ``'`` to text cells that
Excel would run as a formula.

JSONL is one UTF-8 JSON object per line, non-ASCII unescaped, keys in column order.
"""

from __future__ import annotations

import csv
import fcntl
import glob
import io
import json
import os
import sqlite3
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import BinaryIO, TextIO

from fanwen.errors import ExportError, UsageError
from fanwen.pipelines.migrations import SchemaTooNew, check_version
from fanwen.progress import Progress

FORMATS = ("csv", "jsonl")
DEFAULT_COLUMNS = (
    "url", "site", "title", "published", "category", "author", "truncated", "char_count", "text",
)
# OWASP "CSV injection": these first characters make Excel/LibreOffice evaluate a cell.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
CHUNK_ROWS = 200


@dataclass(frozen=True)
class ExportFilter:
    """Which articles to export. Empty fields mean "no restriction".

    `since`/`until` are inclusive YYYY-MM-DD bounds on `published` (rows without a date are then left
    out); `search` uses the archive's search semantics (fanwen.browse.search_index.search_sql);
    `where` holds extra SQL conditions with positional parameters (Datasette column filters).
    """

    sites: tuple[str, ...] = ()
    category: str | None = None
    since: str | None = None
    until: str | None = None
    search: str | None = None
    truncated: bool | None = None
    one_per_group: bool = False  # only the most complete member of each near-duplicate group
    where: tuple[tuple[str, tuple[object, ...]], ...] = ()


def parse_date(value: str, label: str) -> str:
    """Validate a YYYY-MM-DD date given for `label`; returns it in canonical form."""
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise UsageError(f"{value!r} is not a date (expected YYYY-MM-DD, e.g. 2023-10-01)", field=label) from None


def parse_columns(spec: str | Sequence[str] | None) -> tuple[str, ...]:
    """Turn "a,b,c" (or a list) into a column tuple; None or empty gives DEFAULT_COLUMNS."""
    if not spec:
        return DEFAULT_COLUMNS
    names = spec.split(",") if isinstance(spec, str) else list(spec)
    columns = tuple(n.strip() for n in names if n.strip())
    if not columns:
        return DEFAULT_COLUMNS
    duplicates = sorted({c for c in columns if columns.count(c) > 1})
    if duplicates:
        raise UsageError(f"{', '.join(duplicates)} given more than once", field="columns")
    return columns


def wants_bom(fmt: str, output: str, bom: bool | None) -> bool:
    """The BOM policy (see module docstring): explicit choice, else only for a ``*.csv`` file."""
    if fmt != "csv":
        if bom:
            raise UsageError("a BOM only applies to the csv format", field="bom")
        return False
    if bom is not None:
        return bom
    return output != "-" and output.lower().endswith(".csv")


def open_archive(db_path: str | Path) -> sqlite3.Connection:
    """Open the archive read-only (an export never writes, and may run next to a crawl)."""
    path = Path(db_path)
    if not path.is_file():
        raise ExportError(f"database {path} does not exist (crawl something first)", field="db")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    try:
        found = conn.execute(
            "select 1 from sqlite_master where type = 'table' and name = 'articles'"
        ).fetchone()
    except sqlite3.DatabaseError as e:
        conn.close()
        raise ExportError(f"cannot read database {path}: {e}") from None
    if not found:
        conn.close()
        raise ExportError(f"database {path} has no articles table (is it a fanwen archive?)")
    try:
        check_version(conn, str(path))  # read-only: an older archive is read as it is, a newer one refused
    except SchemaTooNew:
        conn.close()
        raise
    return conn


def build_query(conn: sqlite3.Connection, columns: Sequence[str], filters: ExportFilter) -> tuple[str, list]:
    """SELECT for `columns` of the matching articles in archive order; validates the column names."""
    known = [row[1] for row in conn.execute("pragma table_info(articles)")]
    unknown = [c for c in columns if c not in known]
    if unknown:
        raise UsageError(f"unknown column {', '.join(unknown)} (choose from: {', '.join(known)})")
    where: list[str] = []
    params: list[object] = []
    if filters.sites:
        where.append(f"site in ({', '.join('?' * len(filters.sites))})")
        params.extend(filters.sites)
    if filters.category is not None:
        where.append("category = ?")
        params.append(filters.category)
    since = parse_date(filters.since, "since") if filters.since else None
    until = parse_date(filters.until, "until") if filters.until else None
    if since and until and since > until:
        raise UsageError(f"{since} is after until {until}", field="since")
    if since:
        where.append("published >= ?")
        params.append(since)
    if until:
        # `published` may carry a time ("2023-10-01 08:30"), so compare against the next day.
        where.append("published < ?")
        params.append((date.fromisoformat(until) + timedelta(days=1)).isoformat())
    if filters.truncated is not None:
        where.append("coalesce(truncated, 0) = ?")
        params.append(int(filters.truncated))
    if filters.one_per_group:
        if "dup_group" not in known:
            raise UsageError("--one-per-group: this archive has no near-duplicate groups yet (run `fanwen dedupe`)")
        where.append("(dup_group is null or dup_group = url)")
    if filters.search:
        from fanwen.browse.search_index import search_sql

        fragment, search_params = search_sql(filters.search)
        where.append(f"({fragment})")
        params.extend(search_params)
    for fragment, extra in filters.where:
        where.append(f"({fragment})")
        params.extend(extra)
    select = ", ".join(f'"{c}"' for c in columns)
    sql = f"select {select} from articles"
    if where:
        sql += " where " + " and ".join(where)
    return sql + " order by rowid", params


def export_progress(stream: TextIO | None, every_rows: int = 10_000, every_seconds: float = 2.0) -> Progress:
    """The export's progress reporter: "exported N rows (R rows/s)" every `every_rows` rows or `every_seconds`."""
    return Progress(stream, lambda rows, rate: f"exported {rows:,} rows ({rate:,.0f} rows/s)", every=every_rows,
                    every_seconds=every_seconds)


def _neutralise(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_chunks(rows: Iterable[Sequence], columns: Sequence[str], *, bom: bool = False,
               safe_formulas: bool = False) -> Iterator[str]:
    """RFC 4180 CSV text (header first, CRLF records) in chunks of CHUNK_ROWS rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if bom:
        buffer.write(BOM)
    writer.writerow(columns)
    for n, row in enumerate(rows, start=1):
        writer.writerow([_neutralise(v) for v in row] if safe_formulas else row)
        if n % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def jsonl_chunks(rows: Iterable[Sequence], columns: Sequence[str]) -> Iterator[str]:
    """One JSON object per line, in chunks of CHUNK_ROWS rows."""
    lines: list[str] = []
    for row in rows:
        line = json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False)
        # Raw U+2028/2029 are valid JSON but str.splitlines() breaks a record on them.
        lines.append(line.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
        if len(lines) == CHUNK_ROWS:
            yield "\n".join(lines) + "\n"
            lines.clear()
    if lines:
        yield "\n".join(lines) + "\n"


def _counted(cursor: sqlite3.Cursor, db_label: str, progress: Progress) -> Iterator[tuple]:
    try:
        for row in cursor:
            progress.tick()
            yield row
    except sqlite3.DatabaseError as e:
        raise ExportError(f"reading {db_label} failed after {progress.count:,} rows: {e}") from None


def prepare_export(
    db_path: str | Path, columns: Sequence[str], filters: ExportFilter
) -> tuple[sqlite3.Connection, str, list]:
    """Open the archive and validate the request; returns (connection, sql, params) before any output."""
    conn = open_archive(db_path)
    try:
        sql, params = build_query(conn, columns, filters)
        conn.execute(f"explain {sql}", params)
    except sqlite3.DatabaseError as e:
        conn.close()
        raise ExportError(f"cannot query {db_path}: {e}") from None
    except BaseException:
        conn.close()
        raise
    return conn, sql, params


def check_format(fmt: str, safe_formulas: bool = False) -> None:
    """Reject an unknown format, or a CSV-only switch given for JSONL."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r} (choose from: {', '.join(FORMATS)})")
    if safe_formulas and fmt != "csv":
        raise UsageError("only applies to the csv format", field="safe_formulas")


def export_chunks(conn: sqlite3.Connection, sql: str, params: list, fmt: str, columns: Sequence[str], *,
                  bom: bool = False, safe_formulas: bool = False, progress: Progress | None = None,
                  db_label: str = "the archive") -> Iterator[str]:
    """Stream the export as text chunks from a query made by prepare_export; closes `conn` when done."""
    progress = progress or export_progress(None)
    try:
        rows = _counted(conn.execute(sql, params), db_label, progress)
        if fmt == "csv":
            yield from csv_chunks(rows, columns, bom=bom, safe_formulas=safe_formulas)
        else:
            yield from jsonl_chunks(rows, columns)
    finally:
        conn.close()


def _sweep_dead_parts(target: Path) -> None:
    """Remove the temp files of exports to `target` whose writer is gone (kill -9, power loss).

    A writer holds an exclusive flock(2) on its temp file until the file has its final name, and the kernel
    drops the lock when the process dies however it dies: a temp file nobody holds is dead. (The pid in the
    name cannot tell: after a restart, or in a container, the next export may get the dead one's pid.)
    """
    for part in target.parent.glob(f"{glob.escape(f'.{target.name}.')}*.part"):
        try:
            fd = os.open(part, os.O_RDONLY)
        except OSError:
            continue  # gone meanwhile, or not ours to open
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            part.unlink(missing_ok=True)
        except OSError:
            pass  # a live export holds it (or the directory refuses): leave it
        finally:
            os.close(fd)


def _locked_temp_file(target: Path) -> tuple[int, str]:
    """A new temp file next to `target` (its name tells what it is for), flock-ed by this process."""
    while True:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.{os.getpid()}.", suffix=".part")
        fcntl.flock(fd, fcntl.LOCK_EX)
        if os.fstat(fd).st_nlink:  # a concurrent sweep took it for dead before the lock: make another
            return fd, tmp
        os.close(fd)


@contextmanager
def atomic_output(output: str) -> Iterator[BinaryIO]:
    """Yield a binary stream for `output`; a file appears only complete (temp file + os.replace).

    Any failure or interruption (Ctrl-C, or SIGTERM where the command turns it into KeyboardInterrupt)
    removes the temp file and leaves `output` as it was; a temp file left by a kill -9 is removed by the
    next export to the same file.
    """
    if output == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    target = Path(output)
    if target.is_dir():
        raise ExportError(f"cannot write {output}: it is a directory")
    _sweep_dead_parts(target)
    try:
        fd, tmp = _locked_temp_file(target)
    except OSError as e:
        raise ExportError(f"cannot write {output}: {e.strerror} ({target.parent})") from None
    try:
        # The stream closes its own copy of the descriptor: the lock lasts until the file has its name.
        with os.fdopen(os.dup(fd), "wb") as stream:
            yield stream
        # mkstemp makes the file 0600; give the export the permissions a normal open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise ExportError(f"cannot write {output}: {e.strerror or e}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    finally:
        os.close(fd)


def export_rows(db_path: str | Path, fmt: str, output: str = "-", columns: Sequence[str] = DEFAULT_COLUMNS,
                filters: ExportFilter | None = None, *, bom: bool | None = None, safe_formulas: bool = False,
                progress: Progress | None = None) -> int:
    """Export matching articles from `db_path` to `output` (a path, or "-" for stdout); returns the row count.

    Everything is validated before the output is touched; a failed export leaves no file behind.
    """
    check_format(fmt, safe_formulas)
    with_bom = wants_bom(fmt, output, bom)
    progress = progress or export_progress(None)
    conn, sql, params = prepare_export(db_path, columns, filters or ExportFilter())
    chunks = export_chunks(conn, sql, params, fmt, columns, bom=with_bom, safe_formulas=safe_formulas,
                           progress=progress, db_label=str(db_path))
    try:
        with atomic_output(output) as stream:
            for chunk in chunks:
                stream.write(chunk.encode("utf-8"))
    finally:
        chunks.close()
        conn.close()
    return progress.count
