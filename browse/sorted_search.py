"""A search sorted by another column (``?_search=…&_sort_desc=published``): its page without sorting every match.

Datasette's form sorts every match (2.4–3.0 s for a frequent word at a million articles, some over the 3 s
time limit: bench/scale.py). Here the page's rows are found first, by one of three walks chosen by how many
articles match — counted only up to ``sort_set_limit`` + 1, a bounded FTS5 read:

* **few matches** (up to ``sort_small_limit``, 5,000): sort them (their rows, in the page's order);
* **some** (up to ``sort_set_limit``, 50,000): walk the sort column's ``(column, url)`` index in the page's
  order and keep the entries in the match set (SQLite builds it once a query): a rare word costs the set, a
  common one the first few thousand index entries;
* **many** (more): walk the index and ask FTS5 about each row (``rowid = ?`` with the match, 30–300 µs a
  row), which stops after about page / share-of-matching-articles rows — the match list of a word in every
  twentieth article or more is what the set cannot afford to build.

Column filters are tested on each entry of the walk (a row read), before FTS5 is asked. A walk reads at most
``sort_scan_limit`` (set walk, 50,000) or ``sort_probe_rows`` (FTS5 walk, 10,000) index entries past the
cursor and asks FTS5 at most ``sort_probe_limit`` (3,000) times; a page still short by then (a rare filter)
ends with a "search further" cursor at the last entry read, as the filtered search does
(browse/table_search.py). A CSV page, which has no such link, walks on until it is full.

Rows come in Datasette's order: the column (ascending with empty values first, or descending with them
last), then ``url``, the primary key Datasette's ``_next`` breaks ties with; the cursor (``_next`` =
``value,url``, ``$null`` for an empty value) is read and written as Datasette does, so its links page on.
The walks need ``migrations.sort_index(column)``; without it only the few-matches sort is possible.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from datasette.utils import escape_sqlite, tilde_encode

from fanwen.pipelines.migrations import sort_index

SMALL_LIMIT = 5_000  # matches sorted as rows (plugin setting sort_small_limit)
SET_LIMIT = 50_000  # matches read into a set for the index walk (sort_set_limit); above it, FTS5 per row
SCAN_LIMIT = 50_000  # index entries a set walk reads per request (sort_scan_limit): up to about 150 ms
PROBE_ROWS = 10_000  # index entries an FTS5 walk reads per request (sort_probe_rows): a filter reads each row
PROBE_LIMIT = 3_000  # FTS5 tests an FTS5 walk makes per request (sort_probe_limit): 30–300 µs each
SETTINGS = {"sort_small_limit": SMALL_LIMIT, "sort_set_limit": SET_LIMIT, "sort_scan_limit": SCAN_LIMIT,
            "sort_probe_rows": PROBE_ROWS, "sort_probe_limit": PROBE_LIMIT}

Key = tuple[Any, str]  # (sort value or None, url): a position in the page order


@dataclass
class SortedWalk:
    """What a sorted search needs: its column and direction, cursor, rows to find, the FTS5 match and filters."""

    column: str
    descending: bool
    cursor: Key | None
    need: int
    match_sql: str  # "select rowid from articles_fts where … match …", with its parameters in params
    filter_clauses: list[str]
    params: dict
    limits: dict[str, int]
    bounded: bool = True  # False for a CSV page: no link to carry a short page on, so no walk limit


@dataclass
class SortedPage:
    urls: list[str]  # the page's rows (up to need), in order
    horizon: Key | None  # where a walk cut short stopped: the next request carries on after it
    matches: int  # the match count, read up to a limit: more matches than that when it is above the limit
    walk: str  # "sort", "set" or "probe": which walk found the rows (for bench/ and tests)


def next_token(key: Key) -> str:
    """Datasette's ``_next`` for rows after ``key``: sort value (``$null`` when empty), then the url."""
    value, url = key
    return f"{'$null' if value is None else tilde_encode(str(value))},{tilde_encode(str(url))}"


def after_clause(column: str, descending: bool, cursor: Key) -> tuple[str, dict]:
    """Rows after ``cursor`` in the page order, as Datasette's ``_next`` clause says it."""
    c = escape_sqlite(column)
    value, url = cursor
    params = {"fanwen_sort_url": url}
    if value is None:
        sql = (f"({c} is null and url > :fanwen_sort_url)" if descending
               else f"({c} is not null or ({c} is null and url > :fanwen_sort_url))")
    else:
        params["fanwen_sort_value"] = value
        sql = (f"({c} {'<' if descending else '>'} :fanwen_sort_value{f' or {c} is null' if descending else ''}"
               f" or ({c} = :fanwen_sort_value and url > :fanwen_sort_url))")
    return sql, params


def _segments(column: str, descending: bool, cursor: Key | None) -> list[tuple[str, dict, str]]:
    """The page order after ``cursor`` as index ranges (where, params, order by), each a plain range of
    ``(column, url)``: the empty values (url order) come first ascending, last descending."""
    c = escape_sqlite(column)
    ordered = f"{c}{' desc' if descending else ''}, url"
    nulls: list = [(f"{c} is null", {}, "url")]
    values: list = [(f"{c} is not null", {}, ordered)]
    if cursor is not None:
        value, url = cursor
        if value is None:
            nulls = [(f"{c} is null and url > :fanwen_sort_url", {"fanwen_sort_url": url}, "url")]
            values = [] if descending else values
        else:
            nulls = nulls if descending else []
            both = {"fanwen_sort_value": value, "fanwen_sort_url": url}
            values = [(f"{c} = :fanwen_sort_value and url > :fanwen_sort_url", both, "url"),
                      (f"{c} {'<' if descending else '>'} :fanwen_sort_value", {"fanwen_sort_value": value}, ordered)]
    return values + nulls if descending else nulls + values


def _has_index(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("select 1 from sqlite_master where type = 'index' and name = ?", [name]).fetchone() is not None


def _count(conn: sqlite3.Connection, walk: SortedWalk, limit: int) -> int:
    sql = f"select count(*) from ({walk.match_sql} limit {limit + 1})"
    return conn.execute(sql, walk.params).fetchone()[0]


def _sort_matches(conn: sqlite3.Connection, walk: SortedWalk) -> list[str]:
    """The page's rows by sorting the (few) matches: ``not indexed`` keeps SQLite on the matches' rowids."""
    where = [f"rowid in ({walk.match_sql})", *walk.filter_clauses]
    params = dict(walk.params)
    if walk.cursor is not None:
        clause, cursor_params = after_clause(walk.column, walk.descending, walk.cursor)
        where.append(clause)
        params.update(cursor_params)
    c = escape_sqlite(walk.column)
    sql = (f"select url from articles not indexed where {' and '.join(where)} "
           f"order by {c}{' desc' if walk.descending else ''}, url limit {walk.need}")
    return [url for (url,) in conn.execute(sql, params)]


def _walk(conn: sqlite3.Connection, walk: SortedWalk, in_set: bool, rows: int | None,
          probes: int | None) -> tuple[list[str], Key | None]:
    """Walk the sort index in the page order, a window of at most ``rows`` entries past the cursor, keeping
    the rows that pass the filters and match: ``in_set``, by the match set SQLite builds once a query; else
    by asking FTS5 about each row that passed the filters (``rowid = ?``, at most ``probes`` of them).
    The window's order is kept, so the first rows kept are the page's. Returns them and, when the window
    or the probes ran out before the page was full, the last entry read: the next request starts after it."""
    urls: list[str] = []
    c = escape_sqlite(walk.column)
    index = escape_sqlite(sort_index(walk.column))
    test = " and w.rowid in (" + walk.match_sql + ")" if in_set else ""
    if walk.filter_clauses:
        test += (" and exists (select 1 from articles where articles.rowid = w.rowid and "
                 f"{' and '.join(walk.filter_clauses)})")
    probe = walk.match_sql.replace("select rowid from", "select 1 from", 1) + " and rowid = :fanwen_rowid"
    tested = 0
    last: Key | None = None
    left = rows
    for where, params, order in _segments(walk.column, walk.descending, walk.cursor):
        window = f"select rowid, url, {c} from articles indexed by {index} where {where} order by {order}"
        limited = window if left is None else f"{window} limit {left}"
        for rowid, url, value in conn.execute(f"select w.* from ({limited}) w where 1{test}",
                                              {**walk.params, **params}):
            if not in_set:
                if probes is not None and tested >= probes:
                    return urls, last
                tested += 1
                last = (value, url)
                if conn.execute(probe, {**walk.params, "fanwen_rowid": rowid}).fetchone() is None:
                    continue
            urls.append(url)
            if len(urls) >= walk.need:
                return urls, None
        if left is not None:
            end = conn.execute(f"{window} limit 1 offset {left - 1}", params).fetchone()
            if end is not None:  # the window was full: the budget ran out in this segment
                return urls, (end[2], end[1])
            left -= conn.execute(f"select count(*) from ({window})", params).fetchone()[0]  # a short segment
    return urls, None


def sorted_page(conn: sqlite3.Connection, walk: SortedWalk) -> SortedPage:
    """The rows of one page of a sorted search (run in Datasette's database thread: ``db.execute_fn``)."""
    small, large = walk.limits["sort_small_limit"], walk.limits["sort_set_limit"]
    matches = _count(conn, walk, max(small, large))
    if matches <= small or not _has_index(conn, sort_index(walk.column)):
        if matches > small:
            raise LookupError(f"no index to walk for {walk.column}")
        return SortedPage(_sort_matches(conn, walk), None, matches, "sort")
    kind = "set" if matches <= large else "probe"
    rows = walk.limits["sort_scan_limit" if kind == "set" else "sort_probe_rows"] if walk.bounded else None
    probes = walk.limits["sort_probe_limit"] if walk.bounded else None
    urls, horizon = _walk(conn, walk, kind == "set", rows, probes)
    return SortedPage(urls, horizon, matches, kind)
