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

The short form is used only when nothing else needs every match — otherwise the clause is Datasette's
full form, with the same results:

* no other filter (column filters, ``_where``…), and a single search argument: the first matches are then
  exactly the page's rows;
* the order is rowid (the metadata's default sort, or ``_sort``/``_sort_desc=rowid``): a cursor of
  ``_next`` is applied inside the subquery;
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

from datasette import hookimpl
from datasette.filters import FilterArguments
from datasette.utils import escape_sqlite, urlsafe_components
from datasette.utils.asgi import BadRequest

from fanwen.browse.search_index import FTS_TABLE

SEARCH_TABLES = ("articles",)
FTS_COLUMNS = ("title", "text")
LIMIT_PARAM = "fanwen_search_limit"
# Arguments that neither filter, reorder nor need every matching row (besides the search itself).
ROW_ONLY_ARGS = {
    "_search", "_size", "_next", "_nocount", "_nofacet", "_nosuggest", "_col", "_nocol", "_shape", "_labels",
    "_nolabels", "_json", "_trace", "_timelimit", "_facet_size", "_facet_sampled", "_sort", "_sort_desc",
    "_searchmode",
}


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


def early_stop(args, datasette, metadata: dict) -> tuple[bool, int | None, int] | None:
    """(descending, cursor, limit) when the page needs only the first matches in rowid order, else None."""
    if any(k not in ROW_ONLY_ARGS and not k.startswith("_search") for k in args) or len(_search_args(args)) != 1:
        return None
    if not (args.get("_nocount") or args.get("_shape") in ("array", "object")):
        return None  # Datasette counts every match
    if not _facets_only_sampled(args, datasette, metadata):
        return None
    sort, sort_desc = args.get("_sort"), args.get("_sort_desc")
    if not sort and not sort_desc:
        sort, sort_desc = metadata.get("sort"), metadata.get("sort_desc")
    if (sort or sort_desc) != "rowid" or (sort and sort_desc):
        return None
    size = _page_size(args, datasette, metadata)
    if size is None or size < 0:
        return None
    cursor = None
    if args.get("_next"):
        try:  # "sort value,primary key": with rowid order, the first component is the last row's rowid
            cursor = int(urlsafe_components(args["_next"])[0])
        except (ValueError, IndexError):
            return None
    return bool(sort_desc), cursor, size + 1


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
            if stop is not None:
                descending, cursor, limit = stop
                if cursor is not None:
                    sub += f" and rowid {'<' if descending else '>'} :fanwen_search_cursor"
                    params["fanwen_search_cursor"] = cursor
                sub += f" order by rowid{' desc' if descending else ''} limit :{LIMIT_PARAM}"
                params[LIMIT_PARAM] = limit
            clauses.append(f"rowid in ({sub})")
            params[name] = term
            described.append(f'search matches "{term}"' if column is None
                             else f'search column "{column}" matches "{term}"')
            extra["search"] = term
        return FilterArguments(clauses, params, described, extra)

    return inner


def sample_params(params: dict, rows: int) -> dict:
    """The table SQL's parameters with an early-stopping search reading ``rows`` matches instead of a page's."""
    return {**params, LIMIT_PARAM: rows} if LIMIT_PARAM in params else params
