"""Counts and facets that stop early, so a table page stays interactive at a million articles.

Datasette counts every matching row and runs one facet query per column over every matching row; a
1-character search matches nearly the whole archive, so at 1,000,000 articles that is seconds per click
(bench/scale.py). Instead, on the HTML page of a capped table (``articles``) with a search or a filter:

* Datasette's own count is skipped (the ASGI wrapper below adds ``_nocount=1``, and the facet removes it
  again once Datasette has read it, so no link carries it);
* one query reads the first ``count_limit`` + 1 matching rows (only the facet columns), and the row
  count and every ``sampled`` facet are counted from that sample in Python (a search that stops early,
  browse/table_search.py, is asked for that many matches instead of a page's);
* when more rows match than the limit (or a filtered search stopped at its walk limit), every number is
  a ``LowerBound``: it prints as ``10,000+``,
  and facet blocks carry ``lower_bound: true`` (JSON too).

The unfiltered table keeps Datasette's exact count (``count(*)`` over the narrowest index), and the JSON
API keeps it for every query (within ``sql_time_limit_ms``), so an exact number is always one request away.
The limit is the plugin setting ``count_limit`` (metadata.yml, ``plugins: fanwen:``), 10,000 by default.
"""

from __future__ import annotations

import sqlite3
import urllib.parse
from collections import Counter
from typing import Any

from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args

from fanwen.browse.table_search import sample_query

DEFAULT_COUNT_LIMIT = 10_000
TABLE_LIST_LIMIT = 1_000  # the database page's per-table counts stop here (or at count_limit, if lower)
CAPPED_TABLES = ("articles",)
SCOPE_KEY = "fanwen_capped"  # request.scope entry: marks a capped page, later holds its sample's count


class LowerBound(int):
    """A count that stopped early: the true number is at least this. Formats as ``10,000+``."""

    def __format__(self, spec: str) -> str:
        return int.__format__(self, spec) + "+"

    def __str__(self) -> str:
        return f"{int(self)}+"


def count_limit(datasette) -> int:
    """The configured limit (plugin setting ``count_limit``), or 10,000."""
    config = datasette.plugin_config("fanwen") or {}
    return int(config.get("count_limit", DEFAULT_COUNT_LIMIT))


def cap_table_counts(db, limit: int) -> None:
    """Make the database page's per-table counts stop at ``limit`` rows (a ``LowerBound`` above that).

    Datasette counts every table with ``select count(*)`` under a 5 ms time limit, but a bare count is one
    SQLite instruction, which the time limit cannot interrupt: at 1,000,000 articles the page counted the
    pages, the index's blocks and the near-duplicate postings in full, 2.5 s (bench/scale.py). Counting
    the rows of a bounded subquery is a scan the limit can stop, and reads at most ``limit`` + 1 rows a
    table (3 ms at most at 10,000 articles). Immutable databases keep Datasette's exact counts, made once
    at start-up.
    """
    exact = db.table_counts

    async def table_counts(limit_ms: int = 10) -> dict[str, int | None]:
        if not db.is_mutable:
            return await exact(limit_ms)
        counts: dict[str, int | None] = {}
        for table in await db.table_names():
            try:
                n = (await db.execute(f"select count(*) from (select 1 from {escape_sqlite(table)} limit {limit + 1})",
                                      custom_time_limit=limit_ms)).rows[0][0]
                counts[table] = LowerBound(limit) if n > limit else n
            except (QueryInterrupted, sqlite3.OperationalError, sqlite3.DatabaseError):
                counts[table] = None  # shown as "Many rows", as Datasette does
        return counts

    db.table_counts = table_counts


def capped_page(path: str, query_string: str) -> bool:
    """True for the HTML page of a capped table with a search or filter (not the unfiltered table)."""
    parts = [urllib.parse.unquote(p) for p in path.strip("/").split("/")]
    if len(parts) != 2 or parts[1] not in CAPPED_TABLES:
        return False  # .json, .csv, row pages, other tables: Datasette's exact counts
    args = urllib.parse.parse_qs(query_string, keep_blank_values=True)
    if "_nocount" in args:
        return False
    return any((not k.startswith("_") or "__" in k or k.startswith("_search") or k == "_where") for k in args)


def skip_exact_count(app):
    """ASGI middleware: capped pages get ``_nocount=1`` (the sample below counts instead)."""

    async def wrapped(scope, receive, send):
        if scope.get("type") == "http" and scope.get("method") == "GET":
            query = scope.get("query_string", b"").decode("latin-1")
            if capped_page(scope.get("path", ""), query):
                scope = dict(scope)
                scope[SCOPE_KEY] = {"query_string": scope.get("query_string", b"")}
                scope["query_string"] = (query + ("&" if query else "") + "_nocount=1").encode("latin-1")
        await app(scope, receive, send)

    return wrapped


def row_count(request) -> int | None:
    """The sampled count of a capped page (a LowerBound when counting stopped), or None."""
    state = request.scope.get(SCOPE_KEY) if request is not None else None
    return state.get("count") if state else None


class SampledFacet(Facet):
    """Facets counted over the first ``count_limit`` + 1 matching rows, in one query for all of them.

    Config in metadata.yml: ``sampled: site`` (values of a column) or ``sampled: {column: published,
    by: year}`` (first four characters, selected with ``published__startswith``).
    """

    type = "sampled"

    async def suggest(self) -> list:
        return []

    async def facet_results(self) -> tuple[list, list]:
        state = self.request.scope.get(SCOPE_KEY)
        if state is not None and "query_string" in state:
            # Datasette has read _nocount by now (it counts before faceting); links built from here on
            # (facets, pagination, "as JSON") get the user's query string, so JSON keeps its exact count.
            self.request.scope["query_string"] = state.pop("query_string")
        configs = [(sc["source"], sc["config"]) for sc in self.get_configs()]
        if not configs and state is None:
            return [], []
        columns = list(dict.fromkeys(c.get("column") or c["simple"] for _, c in configs))
        limit = count_limit(self.ds)
        select = ", ".join(escape_sqlite(c) for c in columns) or "1"
        table_sql, params, partial = sample_query(self.request, self.sql, self.params, limit + 1)
        sql = f"select {select} from ({table_sql}) limit {limit + 1}"
        try:
            # One bounded query stands in for the count and every facet, so it gets the query time limit,
            # not the per-facet one: a 1-character search must still fetch its whole match list first.
            rows = (await self.ds.execute(self.database, sql, params, truncate=False,
                                          custom_time_limit=self.ds.setting("sql_time_limit_ms"))).rows
        except QueryInterrupted:
            return [], columns
        # A filtered search that stopped at its walk horizon did not read every match: a lower bound too.
        stopped = len(rows) > limit or partial
        rows = rows[:limit]
        number = LowerBound if stopped else int
        if state is not None:
            state["count"] = number(len(rows))
        results = []
        for source, config in configs:
            column = config.get("column") or config["simple"]
            by_year = config.get("by") == "year"
            results.append(self._facet(column, source, by_year, rows, number))
        return results, []

    def _facet(self, column: str, source: str, by_year: bool, rows: list, number: type) -> dict[str, Any]:
        # One Counter pass over the raw values (10,000 rows), then drop NULLs and fold dates to years.
        raw = Counter(row[column] for row in rows)
        raw.pop(None, None)
        values: Counter = Counter()
        if by_year:
            for value, n in raw.items():
                if isinstance(value, str) and len(value) >= 4 and value[:4].isdigit():
                    values[value[:4]] += n
        else:
            values = raw
        size = self.get_facet_size()
        ordered = sorted(values.items(), key=lambda kv: (-kv[1], str(kv[0])))
        if by_year:
            ordered = sorted(values.items(), key=lambda kv: kv[0], reverse=True)
        key = f"{column}__startswith" if by_year else (f"{column}__exact" if column.startswith("_") else column)
        args = urllib.parse.parse_qs(self.request.query_string, keep_blank_values=True)
        out = []
        for value, n in ordered[:size]:
            selected = str(value) in args.get(key, [])
            change = path_with_removed_args if selected else path_with_added_args
            out.append({
                "value": value, "label": value, "count": number(n), "selected": selected,
                "toggle_url": self.ds.absolute_url(self.request, change(self.request, {key: str(value)})),
            })
        return {
            # "column"/"year" is what the facet block shows next to the name.
            "name": column, "type": "year" if by_year else "column", "results": out,
            "hideable": source != "metadata", "truncated": len(ordered) > size,
            "toggle_url": path_with_removed_args(self.request, {"_facet_sampled": column}),
            "lower_bound": number is LowerBound,
        }
