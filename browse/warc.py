"""WARC export: the stored raw responses as WARC 1.1 `response` records (warcio), for web-archiving tools.

Each record carries the request URL (WARC-Target-URI), the fetch time (WARC-Date), the HTTP status line and
headers as received, and the body byte for byte — the current page of every URL from `pages` and its
earlier versions from `page_versions`. Scrapy stores bodies already decompressed, so Content-Encoding and
Transfer-Encoding are kept under `X-Archive-Orig-` names (as pywb does) and Content-Length is the body's.
Taken-down articles are not in these tables, so they are never exported.
"""

from __future__ import annotations

import io
import json
import sqlite3
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from fanwen.browse.export import atomic_output, open_archive, parse_date
from fanwen.errors import UsageError
from fanwen.pipelines.migrations import tool_version

# Headers that describe a transfer form the stored body no longer has.
_RENAMED = {"content-encoding", "transfer-encoding"}
_FIELDS = "url, status, headers, body, fetched_at, site"


@dataclass(frozen=True)
class WarcFilter:
    site: str | None = None
    since: str | None = None  # YYYY-MM-DD: fetched on or after


def _pages(conn: sqlite3.Connection, filters: WarcFilter) -> Iterator[tuple]:
    where, params = [], []
    if filters.site:
        where.append("site = ?")
        params.append(filters.site)
    if filters.since:
        where.append("fetched_at >= ?")
        params.append(parse_date(filters.since, "since"))
    clause = f" where {' and '.join(where)}" if where else ""
    has_versions = conn.execute("select 1 from sqlite_master where name = 'page_versions'").fetchone()
    sql = f"select {_FIELDS} from pages{clause}"
    if has_versions:  # an archive older than schema 2 has none, and is only read here
        sql = f"select * from (select {_FIELDS} from page_versions{clause} union all {sql}) order by fetched_at, url"
        params = params * 2
    else:
        sql += " order by fetched_at, url"
    yield from conn.execute(sql, params)


def http_headers(status: int, headers_json: str | None, body_length: int) -> StatusAndHeaders:
    """The stored status and headers as warcio's HTTP header block."""
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    headers = []
    for name, value in json.loads(headers_json or "{}").items():
        if name.lower() == "content-length":
            continue
        headers.append((f"X-Archive-Orig-{name}" if name.lower() in _RENAMED else name, value))
    headers.append(("Content-Length", str(body_length)))
    return StatusAndHeaders(f"{status} {reason}", headers, protocol="HTTP/1.1")


def write_warc(db_path: str | Path, output: str, filters: WarcFilter | None = None) -> int:
    """Write the archive's raw responses to `output` (.warc.gz, or .warc uncompressed); returns the record count."""
    if output == "-":
        raise UsageError("-o FILE.warc.gz is required (WARC is binary; it is not written to stdout)")
    filters = filters or WarcFilter()
    conn = open_archive(db_path)
    count = 0
    rows = _pages(conn, filters)
    try:
        with atomic_output(output) as stream:
            writer = WARCWriter(stream, gzip=not output.endswith(".warc"), warc_version="1.1")
            writer.write_record(writer.create_warcinfo_record(Path(output).name, {
                "software": f"fanwen-archive {tool_version()}",
                "format": "WARC File Format 1.1",
                "description": f"raw pages of {Path(db_path).name}"
                               + (f", site {filters.site}" if filters.site else "")
                               + (f", fetched since {filters.since}" if filters.since else ""),
            }))
            for url, status, headers, body, fetched_at, _site in rows:
                payload = zlib.decompress(body) if body is not None else b""
                record = writer.create_warc_record(
                    url, "response", payload=io.BytesIO(payload), length=len(payload),
                    http_headers=http_headers(status or 200, headers, len(payload)),
                    warc_headers_dict={"WARC-Date": fetched_at} if fetched_at else None,
                )
                writer.write_record(record)
                count += 1
    finally:
        rows.close()  # before the connection: an interrupted export leaves its cursor open
        conn.close()
    return count
