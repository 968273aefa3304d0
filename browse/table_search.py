"""The articles table's search (``?_search=``, ``?_search_title=``): an FTS5 subquery that can stop early.

Datasette's own table search is ``rowid in (select rowid from fts where fts match ?)``: SQLite builds the
whole match list before the first row is read, so a frequent word costs every matching article (at a
million articles 150 ms for a 2-character word, 0.9 s for a 3-character phrase of two frequent bigrams,
bench/scale.py). FTS5 returns matches in rowid order and evaluates a query lazily, so when the page only
needs the first rows in rowid order the subquery can say so::

    rowid in (select rowid from articles_fts where articles_fts match fanwen_match(:search)
              and rowid > :cursor order by rowid limit :fanwen_search_limit)

and FTS5 stops after ``page size + 1`` matches. The limit is a parameter so the sampled facets
(browse/counts.py) can run the same SQL with ``count_limit + 1`` instead.

Column filters (``site=``, ``category__exact=``, ``published__gte=``…, what facet links produce) are per-row
tests, so they are applied while walking: the subquery reads matches in rowid order and keeps those whose
article passes every filter (``exists (select 1 from articles where rowid = … and "site" = …)``), and stops
at the page's rows again. A rare filter with a frequent word could still walk nearly every match, so a
filtered walk goes at most ``search_walk_limit`` matches (plugin setting, 20,000 by default) past the
cursor: a first query finds that match (the *horizon*), the subquery stops there (``rowid <= :horizon``),
and when the page is not full by then it ends with a "continue" link whose cursor is the horizon
(``_next``, as Datasette writes it), so paging carries on from where the walk stopped and the pages
together are still exactly the full result. The sampled count and facets read up to the same horizon, so
they are lower bounds ("10,000+", "37+") whenever a horizon was set. JSON gets the link as ``next`` /
``next_url`` (and the ``Link`` header), HTML as the page's "next page" link (``continue_json``,
templates/_table.html). A CSV page has nowhere to put that link, so its walk has no limit.

A filter no article passes at all (``site=nosuchsite``) is answered 0 at once: one ``limit 1`` query over the
filters alone (an index lookup for ``site``), given up after ``PRECHECK_MS`` when no index answers it.

A search sorted by another column (``_sort_desc=published``, ``_sort=first_seen``…: the metadata's sortable
columns) finds its page's rows by walking that column's index (browse/sorted_search.py); the clause names
them (``url in (…)``), and the sampled count reads the first matches in rowid order instead
(``sample_query``), a lower bound when more match than it read.

The short form is used only when nothing else needs every match — otherwise the clause is Datasette's
full form, with the same results:

* no filter but Datasette's column filters (no ``_where``, no ``_filter_column`` form), and a single search
  argument;
* the order is rowid (the metadata's default sort, or ``_sort``/``_sort_desc=rowid``): a cursor of
  ``_next`` is applied inside the subquery — or a sortable column, as above;
* no exact count (``_nocount`` — which capped HTML pages get, browse/counts.py — or ``_shape=array``/
  ``object``; the JSON API without ``_nocount`` keeps its exact count over the full form);
* no facet but the sampled ones (``_nofacet``, or the metadata's facets all ``sampled``) and no suggested
  facets;
* not a streamed CSV (Datasette pages ``_stream`` internally, without ``_next`` in the request).

Datasette's own search clause is not used for this table (metadata.yml names no ``fts_table`` for it);
this hook adds the search box (``supports_search``) and the same "search matches" description. Every
query goes through ``fts_query`` (browse/search_index.py), so the search semantics are those of the index.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.filters import FilterArguments, Filters
from datasette.utils import escape_sqlite, path_with_replaced_args, tilde_encode, urlsafe_components
from datasette.utils.asgi import BadRequest, Request

from fanwen.browse.search_index import FTS_TABLE
from fanwen.browse.sorted_search import SETTINGS as SORT_SETTINGS
from fanwen.browse.sorted_search import SortedWalk, next_token, sorted_page

SEARCH_TABLES = ("articles",)
FTS_COLUMNS = ("title", "text")
LIMIT_PARAM = "fanwen_search_limit"
HORIZON_PARAM = "fanwen_search_horizon"
PRECHECK_MS = 20  # the zero-row check of a search's filters gives up after this (then the walk answers)
DEFAULT_WALK_LIMIT = 20_000  # matches a filtered walk reads per request (plugin setting search_walk_limit)
SAMPLE_KEY = "fanwen_search_sample"  # request.scope: a sorted search's page clause and its sample's (counts)
NEXT_KEY = "fanwen_search_next"  # request.scope and template context: the continuation cursor of a short page
# Arguments that neither filter, reorder nor need every matching row (besides the search itself).
ROW_ONLY_ARGS = {
    "_search", "_size", "_next", "_nocount", "_nofacet", "_nosuggest", "_col", "_nocol", "_shape", "_labels",
    "_nolabels", "_json", "_trace", "_timelimit", "_facet_size", "_facet_sampled", "_sort", "_sort_desc",
    "_searchmode",
}


@dataclass
class EarlyStop:
    """How the search subquery stops: order, cursor (a rowid), rows to read, column filters to apply.

    ``column`` is the sort column: ``rowid`` here, another one for a sorted search (browse/sorted_search.py),
    whose cursor is then ``(sort value, url)`` as Datasette's ``_next`` gives it."""

    descending: bool
    cursor: Any
    limit: int
    filters: list[tuple[str, str]] = field(default_factory=list)
    column: str = "rowid"


def walk_limit(datasette) -> int:
    """Matches a filtered search walks per request (plugin setting ``search_walk_limit``), or 20,000."""
    config = datasette.plugin_config("fanwen") or {}
    return int(config.get("search_walk_limit", DEFAULT_WALK_LIMIT))


def _column_filters(args) -> list[tuple[str, str]]:
    # As Datasette's table view picks them: arguments without a leading "_", or with "__" (``_x__exact``).
    return [(k, v) for k in args if not (k.startswith("_") and "__" not in k) for v in args.getlist(k)]


def _search_args(args) -> dict[str, str]:
    return {k: args[k] for k in args if k.startswith("_search") and k != "_searchmode"}


def _page_size(args, datasette, metadata: dict) -> int | None:
    size = args.get("_size") or metadata.get("size") or datasette.page_size
    if size == "max":
        return datasette.max_returned_rows
    try:
        return int(size)
    except (TypeError, ValueError):
        return None  # Datasette answers with its own error


def _facets_only_sampled(args, datasette, metadata: dict) -> bool:
    if args.get("_nofacet"):
        return True
    if datasette.setting("suggest_facets") and not args.get("_nosuggest") and not args.get("_next"):
        return False
    return all(isinstance(f, dict) and list(f) == ["sampled"] for f in metadata.get("facets") or [])


def early_stop(args, datasette, metadata: dict) -> EarlyStop | None:
    """How to stop when the page needs only the first (filtered) matches in rowid order, else None."""
    filters = _column_filters(args)
    others = [k for k in args if k not in ROW_ONLY_ARGS and not k.startswith("_search")
              and (k.startswith("_") and "__" not in k)]
    if others or len(_search_args(args)) != 1:
        return None
    if not (args.get("_nocount") or args.get("_shape") in ("array", "object")):
        return None  # Datasette counts every match
    if not _facets_only_sampled(args, datasette, metadata):
        return None
    sort, sort_desc = args.get("_sort"), args.get("_sort_desc")
    if not sort and not sort_desc:
        sort, sort_desc = metadata.get("sort"), metadata.get("sort_desc")
    column = sort or sort_desc
    if not column or (sort and sort_desc):
        return None
    if column != "rowid" and column not in (metadata.get("sortable_columns") or ()):
        return None  # Datasette answers "Cannot sort table by …"
    size = _page_size(args, datasette, metadata)
    if size is None or size < 0:
        return None
    cursor = None
    if args.get("_next"):
        try:  # "sort value,primary key": with rowid order, the first component is the last row's rowid
            components = urlsafe_components(args["_next"])
            if column == "rowid":
                cursor = int(components[0])
            else:
                if len(components) != 2:
                    return None
                value = None if args["_next"].split(",")[0] == "$null" else components[0]
                cursor = (value, components[1])
        except (ValueError, IndexError):
            return None
    return EarlyStop(bool(sort_desc), cursor, size + 1, filters, column)


def _filter_sql(pairs: list[tuple[str, str]], table: str) -> tuple[list[str], dict]:
    """Datasette's own where clauses for the column filters, with parameters renamed apart from its :pN."""
    clauses, params = Filters(sorted(pairs)).build_where_clauses(table)
    return ([re.sub(r":p(\d+)\b", r":fanwen_f\1", c) for c in clauses],
            {f"fanwen_f{k[1:]}": v for k, v in params.items()})


async def _horizon(db, target: str, term: str, stop: EarlyStop, walk: int) -> int | None:
    """The rowid of the ``walk``-th match past the cursor, when more matches follow it; else None."""
    sql = f"select rowid from {FTS_TABLE} where {target} match fanwen_match(:search)"
    if stop.cursor is not None:
        sql += f" and rowid {'<' if stop.descending else '>'} :cursor"
    sql += f" order by rowid{' desc' if stop.descending else ''} limit 2 offset {max(walk - 1, 0)}"
    rows = (await db.execute(sql, {"search": term, "cursor": stop.cursor})).rows
    return rows[0][0] if len(rows) == 2 else None


async def _cursor_after(db, table: str, rowid: int) -> str:
    """``_next`` for rows past ``rowid`` in the table's rowid order, as Datasette writes it: sort value, key."""
    url = (await db.execute(f"select url from {escape_sqlite(table)} where rowid = ?", [rowid])).rows[0][0]
    return f"{tilde_encode(str(rowid))},{tilde_encode(str(url))}"


@hookimpl(specname="filters_from_request", trylast=True)  # after Datasette's: our search box context wins
def search_filters(request, database, table, datasette):
    if table not in SEARCH_TABLES:
        return None

    async def inner() -> FilterArguments | None:
        db = datasette.get_database(database)
        if not await db.table_exists(FTS_TABLE):
            return None
        args = request.args
        metadata = datasette.table_metadata(database, table)
        searches = _search_args(args)
        extra: dict = {"supports_search": True}
        if not searches:
            return FilterArguments([], extra_context=extra)
        clauses, params, described = [], {}, []
        stop = early_stop(args, datasette, metadata)
        for i, (key, term) in enumerate(searches.items()):
            column = key[len("_search_"):] if key != "_search" else None
            if column is not None and column not in FTS_COLUMNS:
                raise BadRequest("Cannot search by that column")
            target = escape_sqlite(column) if column else FTS_TABLE
            name = "search" if column is None else f"search_{i}"
            sub = f"select rowid from {FTS_TABLE} where {target} match fanwen_match(:{name})"
            params[name] = term
            if stop is not None and stop.filters and not await _any_row_passes(db, table, stop.filters):
                clauses.append("0")  # no article passes the filters: nothing to walk, the answer is 0 exactly
            elif stop is not None and stop.column != "rowid":
                clause = await _sorted_clause(request, datasette, db, table, sub, stop, params, extra)
                if clause is None:  # a column without its index and too many matches to sort: Datasette's form
                    clauses.append(f"rowid in ({sub})")
                else:
                    clauses.append(clause)
            else:
                if stop is not None:
                    if stop.cursor is not None:
                        sub += f" and rowid {'<' if stop.descending else '>'} :fanwen_search_cursor"
                        params["fanwen_search_cursor"] = stop.cursor
                    if stop.filters:
                        # A CSV page has no link to carry on from, so it walks until its page is full.
                        walk = None if request.path.endswith(".csv") else walk_limit(datasette)
                        sub += await _filtered_walk(db, table, target, term, stop, params, walk)
                        if HORIZON_PARAM in params:
                            _continue(request, extra, await _cursor_after(db, table, params[HORIZON_PARAM]))
                    sub += f" order by rowid{' desc' if stop.descending else ''} limit :{LIMIT_PARAM}"
                    params[LIMIT_PARAM] = stop.limit
                clauses.append(f"rowid in ({sub})")
            described.append(f'search matches "{term}"' if column is None
                             else f'search column "{column}" matches "{term}"')
            extra["search"] = term
        return FilterArguments(clauses, params, described, extra)

    return inner


def _continue(request, extra: dict, token: str) -> None:
    """Carry a short page on from ``token`` (a ``_next``): HTML's "search further" link, JSON's ``next``."""
    extra[NEXT_KEY] = token
    if NEXT_KEY in request.scope:  # a JSON request: continue_json adds the link
        request.scope[NEXT_KEY]["next"] = token


async def _any_row_passes(db, table: str, filters: list[tuple[str, str]]) -> bool:
    """False only when no article at all passes the column filters (``site=nosuchsite``): then a search need
    not walk its matches to find none. Indexed columns answer at once; a check that takes longer than
    ``PRECHECK_MS`` (a scan for a value no row has) is given up, and the walk answers as before."""
    clauses, params = _filter_sql(filters, table)
    if not clauses:
        return True
    sql = f"select 1 from {escape_sqlite(table)} where {' and '.join(clauses)} limit 1"
    try:
        return bool((await db.execute(sql, params, custom_time_limit=PRECHECK_MS)).rows)
    except QueryInterrupted:
        return True


def sort_limits(datasette) -> dict[str, int]:
    """The sorted search's limits (browse/sorted_search.py), from the plugin settings or their defaults."""
    config = datasette.plugin_config("fanwen") or {}
    return {key: int(config.get(key, default)) for key, default in SORT_SETTINGS.items()}


async def _sorted_clause(request, datasette, db, table: str, match_sql: str, stop: EarlyStop, params: dict,
                         extra: dict) -> str | None:
    """A sorted search's clause: its page's rows by url, found by browse/sorted_search.py; None when the
    sort column has no index and too many articles match to sort them."""
    filter_clauses, filter_params = _filter_sql(stop.filters, table)
    params.update(filter_params)
    walk = SortedWalk(stop.column, stop.descending, stop.cursor, stop.limit, match_sql, filter_clauses,
                      dict(params), sort_limits(datasette), bounded=not request.path.endswith(".csv"))
    try:
        page = await db.execute_fn(lambda conn: sorted_page(conn, walk))
    except LookupError:
        return None
    if page.horizon is not None:
        _continue(request, extra, next_token(page.horizon))
    names = [f"fanwen_sorted_{i}" for i in range(len(page.urls))]
    params.update(zip(names, page.urls, strict=True))
    # The page's rows, looked up by url: SQLite reads them in url order and its sort keeps that order for
    # equal values, so Datasette's first page (ordered by the column alone) breaks ties by url as _next does.
    clause = f"url in ({', '.join(':' + n for n in names)})"  # "url in ()" (SQLite's empty list) for none
    # The count and sampled facets (browse/counts.py) count the first matches in rowid order instead.
    sample = f"rowid in ({match_sql} order by rowid limit :{LIMIT_PARAM})"
    request.scope[SAMPLE_KEY] = {"page": clause, "sample": sample, "matches": page.matches,
                                 "capped": page.matches > max(walk.limits["sort_small_limit"],
                                                              walk.limits["sort_set_limit"])}
    return clause


async def _filtered_walk(db, table: str, target: str, term: str, stop: EarlyStop, params: dict,
                         walk: int | None) -> str:
    """The subquery's filter and horizon terms (their parameters go into ``params``) for a search with
    column filters."""
    filter_clauses, filter_params = _filter_sql(stop.filters, table)
    params.update(filter_params)
    sql = ""
    if filter_clauses:
        sql += (f" and exists (select 1 from {escape_sqlite(table)} where {escape_sqlite(table)}.rowid = "
                f"{FTS_TABLE}.rowid and {' and '.join(filter_clauses)})")
    horizon = None if walk is None else await _horizon(db, target, term, stop, walk)
    if horizon is not None:
        sql += f" and rowid {'>=' if stop.descending else '<='} :{HORIZON_PARAM}"
        params[HORIZON_PARAM] = horizon
    return sql


def sample_query(request, sql: str, params: dict, rows: int) -> tuple[str, dict, bool]:
    """The table SQL and parameters to count a sample from, with an early-stopping search reading ``rows``
    matches instead of a page's; and whether matches past the sample were left unread (the counts are then
    lower bounds): a filtered walk that stopped at its horizon, or a sorted search with more matches."""
    sorted_search = request.scope.get(SAMPLE_KEY) if request is not None else None
    if sorted_search is not None and sorted_search["page"] in sql:
        # Every sampled match is tested, so a sample of all the matches counts exactly.
        sql = sql.replace(sorted_search["page"], sorted_search["sample"], 1)
        # (A count stopped at the sort's limit says only "more": a lower bound whatever the sample reads.)
        return sql, {**params, LIMIT_PARAM: rows}, sorted_search["capped"] or sorted_search["matches"] >= rows
    if LIMIT_PARAM in params:
        params = {**params, LIMIT_PARAM: rows}
    return sql, params, HORIZON_PARAM in params


def continue_json(datasette, app):
    """ASGI middleware: a JSON page that a filtered walk ended short gets its continuation as ``next``,
    ``next_url`` and the ``Link`` header, as Datasette gives a full page its next one."""

    async def wrapped(scope, receive, send):
        if scope.get("type") != "http" or not scope.get("path", "").endswith(".json"):
            await app(scope, receive, send)
            return
        # Datasette copies the scope on its way to the view; this dict is shared, search_filters fills it in.
        state: dict = {}
        scope = {**scope, NEXT_KEY: state}
        start: dict | None = None
        body: list[bytes] = []

        async def capture(message):
            nonlocal start
            if "next" not in state:
                await send(message)
            elif message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                body.append(message.get("body", b""))
                if not message.get("more_body"):
                    await send_continued(start, b"".join(body))
            else:
                await send(message)

        async def send_continued(start: dict, payload: bytes) -> None:
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            if start["status"] == 200:
                request = Request(scope, receive)
                url = datasette.absolute_url(request, path_with_replaced_args(request, {"_next": state["next"]}))
                try:
                    data = json.loads(payload)
                except ValueError:  # newline-delimited rows (_nl): the Link header carries it
                    data = None
                if isinstance(data, dict) and not data.get("next"):
                    data["next"], data["next_url"] = state["next"], url
                    payload = json.dumps(data, default=repr).encode("utf-8")
                if not any(k.lower() == b"link" for k, _ in headers):
                    headers.append((b"link", f'<{url}>; rel="next"'.encode("latin-1")))
            headers.append((b"content-length", str(len(payload)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": payload})

        await app(scope, receive, capture)

    return wrapped
