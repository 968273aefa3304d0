"""Datasette plugin: an Excel-ready CSV of the FULL articles result (serve stage of the flow).

Datasette's own CSV has no BOM (Excel shows Chinese as mojibake) and its "all rows" stream stops at
`max_returned_rows` for searches. This module adds the route ``/-/fanwen-export.csv`` that streams the
whole result through fanwen.browse.export (BOM always on), and a link to it on the articles table page —
via the `extra_body_script` and `table_actions` hooks, so no template is overridden.

Query arguments mirror the table page, so the link simply carries the page's own query string:
``_search`` (archive search semantics), ``site`` (repeatable: any of), ``category``, ``truncated`` (1/0),
``since``/``until`` (YYYY-MM-DD), ``_col`` (repeatable column choice) or ``_nocol``, any Datasette
column filter such as ``published__gte=2023-01-01``, ``_db`` (database; default: the first with an
articles table) and ``_safe_formulas=1``. Paging and display arguments (``_sort``, ``_next``, ``_size``…)
are ignored — the download is the full result in archive order; arguments that would change the result
in a way the export cannot reproduce (``_where``, ``_searchmode``…) get a 400 with a one-line reason.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.filters import Filters
from datasette.utils.asgi import AsgiStream, Response

from fanwen.browse.export import DEFAULT_COLUMNS, ExportFilter, export_chunks, prepare_export
from fanwen.errors import FanwenError, UsageError

ROUTE = "/-/fanwen-export.csv"
LINK_LABEL = "CSV for Excel（全部结果）"
# Table-page arguments that only change paging or presentation, never which rows match.
DISPLAY_ARGS = {
    "_sort", "_sort_desc", "_size", "_next", "_facet", "_facet_array", "_facet_date", "_labels",
    "_nolabels", "_nofacet", "_nocount", "_nosuggest", "_trace", "_dl", "_stream", "_shape",
    "_json", "_header", "_timelimit",
}
HANDLED_ARGS = {"_db", "_search", "_col", "_nocol", "_safe_formulas", "site", "category", "truncated",
                "since", "until"}
logger = logging.getLogger(__name__)


def _column_filters(pairs: list[tuple[str, str]]) -> tuple[tuple[str, tuple[object, ...]], ...]:
    """Datasette's own filter SQL for `col__op=value` pairs, rebound to positional parameters."""
    clauses, named = Filters(sorted(pairs)).build_where_clauses("articles")
    converted = []
    for clause in clauses:
        values: list[object] = []

        def bind(match: re.Match, values: list[object] = values) -> str:
            values.append(named[match[1]])
            return "?"

        converted.append((re.sub(r":(p\d+)\b", bind, clause), tuple(values)))
    return tuple(converted)


def _flag(value: str | None, name: str) -> bool | None:
    if value in (None, ""):
        return None
    if value.lower() in ("1", "on", "true", "yes"):
        return True
    if value.lower() in ("0", "off", "false", "no"):
        return False
    raise UsageError(f"{name}: {value!r} is not 1 or 0")


def export_request(args: dict[str, list[str]]) -> tuple[tuple[str, ...], ExportFilter, bool]:
    """Map the route's query arguments to (columns, filter, safe_formulas); raises UsageError."""
    unsupported = sorted(k for k in args if k.startswith("_") and k not in DISPLAY_ARGS | HANDLED_ARGS)
    if unsupported:
        raise UsageError(f"{', '.join(unsupported)} cannot be used with the full export; remove it and retry")

    def one(name: str) -> str | None:
        values = args.get(name) or [None]
        return values[-1] or None

    dropped = args.get("_nocol", ())
    columns = tuple(args.get("_col", ())) or tuple(c for c in DEFAULT_COLUMNS if c not in dropped)
    pairs = [(k, v) for k, values in args.items() if not k.startswith("_") and k not in HANDLED_ARGS
             for v in values]
    filters = ExportFilter(
        sites=tuple(v for v in args.get("site", ()) if v),
        category=one("category"),
        since=one("since"),
        until=one("until"),
        search=one("_search"),
        truncated=_flag(one("truncated"), "truncated"),
        where=_column_filters(pairs),
    )
    return columns, filters, bool(_flag(one("_safe_formulas"), "_safe_formulas"))


async def _archive(datasette, name: str | None):
    """The Datasette database holding the articles table (named, or the first that has one)."""
    candidates = [datasette.databases[name]] if name in datasette.databases else []
    if name is None:
        candidates = list(datasette.databases.values())
    for db in candidates:
        if db.path and await db.table_exists("articles"):
            return db
    raise UsageError(f"no database {'named ' + repr(name) + ' ' if name else ''}with an articles table")


async def export_csv(datasette, request) -> Response | AsgiStream:
    """The route: stream the full, BOM-prefixed CSV for the request's filters."""
    args = {key: request.args.getlist(key) for key in request.args.keys()}
    try:
        db = await _archive(datasette, (args.get("_db") or [None])[-1])
        permissions = [("view-table", (db.name, "articles")), ("view-database", db.name), "view-instance"]
        await datasette.ensure_permissions(request.actor, permissions)
        columns, filters, safe_formulas = export_request(args)
        conn, sql, params = await asyncio.to_thread(prepare_export, db.path, columns, filters)
    except FanwenError as e:
        return Response.text(f"Error: {e}\n", status=400)
    chunks = export_chunks(conn, sql, params, "csv", columns, bom=True, safe_formulas=safe_formulas,
                           db_label=db.name)

    async def stream(writer) -> None:
        try:
            # Each step reads SQLite, so it runs off the event loop; the cursor's connection allows that.
            while (chunk := await asyncio.to_thread(next, chunks, None)) is not None:
                await writer.write(chunk)
        except FanwenError as e:
            # Headers are gone already; like Datasette's CSV stream, end with the error as the last line.
            logger.warning("export of %s failed: %s", db.name, e)
            await writer.write(f"\r\nError: {e}\r\n")
        finally:
            await asyncio.to_thread(chunks.close)

    return AsgiStream(
        stream,
        headers={"content-disposition": 'attachment; filename="fanwen-articles.csv"'},
        content_type="text/csv; charset=utf-8",
    )


def export_href(datasette, database: str, request) -> str:
    """The download URL for the current table page: its own query string plus the database name."""
    pairs = [("_db", database)]
    if request is not None:
        pairs += [(k, v) for k in request.args.keys() if k != "_db" for v in request.args.getlist(k)]
    return datasette.urls.path(ROUTE) + "?" + urlencode(pairs)


@hookimpl
def register_routes():
    return [(re.escape(ROUTE) + "$", export_csv)]


@hookimpl
def table_actions(datasette, actor, database, table, request):
    if table != "articles":
        return None
    return [{"href": export_href(datasette, database, request), "label": LINK_LABEL}]


@hookimpl
def extra_body_script(template, database, table, view_name, request, datasette):
    if view_name != "table" or table != "articles":
        return None
    href = json.dumps(export_href(datasette, database, request)).replace("</", "<\\/")
    label = json.dumps(LINK_LABEL)
    # Next to Datasette's "This data as json, CSV" links; above the table if a template dropped them.
    return f"""(function () {{
  var a = document.createElement("a");
  a.href = {href}; a.textContent = {label}; a.className = "fanwen-export";
  var links = document.querySelector(".export-links");
  if (links) {{ links.appendChild(document.createTextNode(" · ")); links.appendChild(a); return; }}
  var p = document.createElement("p"); p.appendChild(a);
  var table = document.querySelector("table.rows-and-columns");
  (table ? table.parentNode : document.body).insertBefore(p, table || null);
}})();"""
