"""Datasette plugin for the archive (entry point ``fanwen``): Chinese search, article view, chart, year facet.

* Search: registers the index's SQL functions and, on databases that carry our index, replaces
  Datasette's ``escape_fts`` so any ``fts_table`` search queries the bigram index. The articles table's
  search box and ``?_search=`` are the plugin's own clause, which stops after the page's matches
  (browse/table_search.py).
* Article view: row pages of ``articles`` get the text as escaped paragraphs, links to the article's
  near-duplicates (``dup_group``) and the removal audit (templates/row.html). Scraped HTML is never
  rendered: every value goes through autoescaping.
* Snippets: ``fanwen_snippet(text, q)`` marks matches with two private-use characters, which the cell
  renderer turns into ``<mark>`` after escaping everything else, so JSON stays plain text.
* Search in the table page: the search term of the request (kept in a context variable by an ASGI
  wrapper, since ``render_cell`` gets no request) turns the ``text`` cell into a highlighted snippet.
* Links stay in the archive: article URLs in queries and audit tables open the archive's article page,
  with the source URL beside them as a secondary, external link (``article_link``).
* Home page: templates/index.html with the data of browse/home.py. Labels (facets, columns) come from
  metadata.yml's ``plugins.fanwen.labels``.
* Chart: the ``.svg`` output renderer draws (month, site, articles) rows as stacked bars (browse/chart.py),
  legend by site title; the canned query page embeds it (templates/query.html). No JavaScript, no network.
* Takedowns: an authorizer on every connection makes each column of ``withheld`` (the rows takedowns hold
  back, pipelines/takedown.py) read as NULL, in table views and in any SQL alike.
* Facet ``year``: counts by the first four characters of a date column, filters with ``__startswith``.
"""

from __future__ import annotations

import contextvars
import sqlite3
from pathlib import Path
from urllib.parse import parse_qs

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import path_with_added_args, path_with_removed_args, tilde_encode, urlsafe_components
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from fanwen.browse.audit import rule_whys
from fanwen.browse.chart import chart_svg
from fanwen.browse.counts import (
    TABLE_LIST_LIMIT,
    SampledFacet,
    cap_table_counts,
    count_limit,
    row_count,
    skip_exact_count,
)
from fanwen.browse.home import find_archive, front_door
from fanwen.browse.search_index import FTS_TABLE, fts_query, match_spans, register_search_functions
from fanwen.browse.table_search import continue_json

TEMPLATES = Path(__file__).parent / "templates"
MARK_START, MARK_END = "\ue000", "\ue001"
WITHHELD_TABLE = "withheld"  # rows held back by takedowns (pipelines/takedown.py)
SNIPPET_CONTEXT = 40  # characters either side of the first match
MMAP_BYTES = 1 << 30
CHART_COLUMNS = {"month", "site", "articles"}
# Columns that hold an article's canonical URL, per table (None: any canned or custom query).
ARTICLE_URL_COLUMNS = {None: {"url"}, "removals": {"article_url"}, "article_parts": {"article_url"},
                       "revisions": {"url"}}
# The current request's table search (`?_search=`), for render_cell, which is not given the request.
_search_term: contextvars.ContextVar[str | None] = contextvars.ContextVar("fanwen_search_term", default=None)
# Per request: database → site titles, read once for all the `site` cells of a page.
_titles_cache: contextvars.ContextVar[dict | None] = contextvars.ContextVar("fanwen_titles", default=None)


def snippet(text: str | None, query: str | None) -> str | None:
    """An excerpt of text around the first match, each match wrapped in MARK_START/MARK_END."""
    if text is None:
        return None
    spans = match_spans(text, query or "")
    if not spans:
        return text[: 2 * SNIPPET_CONTEXT].replace("\n", " ")
    start = max(0, spans[0][0] - SNIPPET_CONTEXT)
    end = min(len(text), spans[0][1] + SNIPPET_CONTEXT)
    out, at = [], start
    for s, e in spans:
        if s >= end:
            break
        e = min(e, end)
        out += [text[at:s], MARK_START, text[s:e], MARK_END]
        at = e
    out.append(text[at:end])
    excerpt = "".join(out).replace("\n", " ")
    return ("…" if start else "") + excerpt + ("…" if end < len(text) else "")


@hookimpl
def prepare_connection(conn: sqlite3.Connection, database: str, datasette) -> None:
    """SQL functions on every connection; our escape_fts only where the archive's index exists."""
    register_search_functions(conn)
    conn.create_function("fanwen_snippet", 2, snippet, deterministic=True)
    conn.set_authorizer(withhold_taken_down)
    has_index = conn.execute("select 1 from sqlite_master where name = ?", [FTS_TABLE]).fetchone()
    if has_index:
        conn.create_function("escape_fts", 1, fts_query, deterministic=True)
        # Search pages read thousands of scattered rows (count, facets); mapped pages skip a read() each.
        conn.execute(f"pragma mmap_size = {MMAP_BYTES}")


def withhold_taken_down(action: int, arg1: str | None, arg2: str | None, db_name: str | None,
                        trigger: str | None) -> int:
    """SQLite authorizer: every column of `withheld` (taken-down rows) reads as NULL, whatever the SQL."""
    if action == sqlite3.SQLITE_READ and arg1 == WITHHELD_TABLE:
        return sqlite3.SQLITE_IGNORE
    return sqlite3.SQLITE_OK


@hookimpl
def startup(datasette) -> None:
    """The database page counts each table up to 1,000 rows, or the count limit if lower
    (fanwen.browse.counts.cap_table_counts)."""
    for db in datasette.databases.values():
        cap_table_counts(db, min(TABLE_LIST_LIMIT, count_limit(datasette)))


@hookimpl
def prepare_jinja2_environment(env, datasette) -> None:
    """Make templates/ visible after any --template-dir but before Datasette's defaults.

    Datasette finds plugin templates only for packages; this plugin is a module.
    """
    searchpath = env.loader.loaders[0].searchpath
    if str(TEMPLATES) not in searchpath:
        searchpath.insert(len(searchpath) - 1, str(TEMPLATES))


@hookimpl
def asgi_wrapper(datasette):
    """Remember each request's ``_search`` (search-result snippets) and give it a site-title cache, for
    render_cell."""

    def wrap(app):
        # Table pages with a search or filter also count a sample instead of every row (fanwen.browse.counts).
        app = skip_exact_count(app)
        # A JSON page of a filtered search that stopped at its walk limit links to where it stopped.
        app = continue_json(datasette, app)

        async def with_search_term(scope, receive, send):
            term = None
            if scope.get("type") == "http":
                values = parse_qs(scope.get("query_string", b"").decode("utf-8", "replace")).get("_search")
                term = values[0] if values else None
            token, cache_token = _search_term.set(term), _titles_cache.set({})
            try:
                await app(scope, receive, send)
            finally:
                _search_term.reset(token)
                _titles_cache.reset(cache_token)

        return with_search_term

    return wrap


def marked(value: str) -> Markup:
    """A snippet with MARK_START/MARK_END as <mark>, everything else escaped."""
    return Markup(str(escape(value)).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def article_link(datasette, database: str, url: str, label: str | None = None, source: bool = True) -> Markup:
    """The archive's article page as the link, the source page beside it as a small external link."""
    href = datasette.urls.row(database, "articles", tilde_encode(url))
    if not source:
        return Markup(f'<a class="fanwen-article-link" href="{escape(href)}">{escape(label or url)}</a>')
    external = ""
    if url.startswith(("http://", "https://")):
        external = (f' <a class="fanwen-source" href="{escape(url)}" rel="nofollow noopener noreferrer" '
                  f'title="{escape(url)}">原网页 ↗</a>')
    return Markup(f'<a class="fanwen-article-link" href="{escape(href)}">{escape(label or url)}</a>{external}')


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """Snippets with <mark>, article links that stay in the archive, each audit rule with its why."""
    if isinstance(value, str) and MARK_START in value:
        return marked(value)
    if not isinstance(value, str) or not value:
        return None
    keys = row.keys() if hasattr(row, "keys") else ()
    if table == "articles" and column == "text" and _search_term.get():
        return marked(snippet(value, _search_term.get()))
    if column in ARTICLE_URL_COLUMNS.get(table, ()) and value.startswith(("http://", "https://")):
        if table is None and "title" in keys:
            # The title is the link into the archive; the URL is the source, external.
            return Markup(f'<a class="fanwen-source" href="{escape(value)}" '
                          f'rel="nofollow noopener noreferrer">{escape(value)} ↗</a>')
        return article_link(datasette, database, value)
    if table is None and column == "title" and "url" in keys and isinstance(row["url"], str):
        return article_link(datasette, database, row["url"], value, source=False)
    if column == "site" and table in (None, "articles", "pages"):
        return _site_cell(datasette, database, value)
    if table == "removals" and column == "rule":
        why = rule_whys().get(value)
        return Markup(f'<code>{escape(value)}</code><br><small class="fanwen-why">{escape(why)}</small>') \
            if why else None
    return None


async def _site_cell(datasette, database: str, key: str) -> Markup | None:
    """A site key shown as its title (the key in the tooltip), when the archive knows one."""
    cache = _titles_cache.get()
    if cache is None:
        cache = {}
    if database not in cache:
        cache[database] = await site_titles(datasette, database)
    title = cache[database].get(key)
    return Markup(f'<span title="{escape(key)}">{escape(title)}</span>') if title and title != key else None


@hookimpl
def extra_template_vars(view_name, database, table, request, datasette):
    """Labels for every page; the front door on the home page; the reading view on an article's row page;
    on a capped table page, the row count counted from the facet sample (fanwen.browse.counts)."""
    labels = (datasette.plugin_config("fanwen") or {}).get("labels", {})
    if view_name == "index":
        async def index_vars() -> dict:
            name = await find_archive(datasette)
            actor = request.actor if request else None
            home = await front_door(datasette, name, actor) if name else None
            return {"fanwen_labels": labels, "fanwen_home": home}

        return index_vars
    if view_name in ("table", "query", "database") and database:
        count = row_count(request) if view_name == "table" else None

        async def titled_vars() -> dict:
            extra = {"fanwen_labels": labels, "fanwen_site_titles": await site_titles(datasette, database)}
            if count is not None:  # a capped table page: counted from the facet sample (fanwen.browse.counts)
                extra["filtered_table_rows_count"] = count
            return extra

        return titled_vars
    if view_name != "row" or table != "articles":
        return {"fanwen_labels": labels}

    async def article_vars() -> dict:
        db = datasette.get_database(database)
        pk = urlsafe_components(request.url_vars["pks"])
        rows = (await db.execute("select * from articles where url = ?", pk[:1])).rows
        if not rows:
            return {}
        article = dict(rows[0])
        removals = await db.execute(
            "select ordinal, rule, category, text from removals where article_url = ? order by ordinal",
            [article["url"]],
        )
        url = article["url"] or ""
        copies = []
        if article.get("dup_group"):
            others = await db.execute(
                "select url, title, site, published, char_count, truncated from articles"
                " where dup_group = ? and url != ? order by url = dup_group desc, published is null, published",
                [article["dup_group"], url],
            )
            base = datasette.urls.table(database, "articles")
            copies = [{**dict(r), "href": f"{base}/{tilde_encode(r['url'])}",
                       "most_complete": r["url"] == article["dup_group"]} for r in others.rows]
        whys = rule_whys()
        titles = await site_titles(datasette, database)
        return {
            "fanwen_labels": labels,
            "fanwen_site_title": titles.get(article["site"]) or article["site"],
            "fanwen_article": article,
            "fanwen_copies": copies,
            "fanwen_paragraphs": [p.strip() for p in (article["text"] or "").split("\n") if p.strip()],
            "fanwen_removals": [dict(r) | {"why": whys.get(r["rule"], "")} for r in removals.rows],
            # Only web links become hrefs; anything else is shown as text.
            "fanwen_source_href": url if url.startswith(("http://", "https://")) else None,
        }

    return article_vars


async def site_titles(datasette, database: str) -> dict[str, str]:
    """Site key → title from the archive's `sites` table (empty for an archive without one)."""
    db = datasette.get_database(database)
    if "sites" not in await db.table_names():
        return {}
    return {r["name"]: r["title"] for r in (await db.execute("select name, title from sites")).rows}


@hookimpl
def register_output_renderer(datasette):
    """``.svg``: a chart of any result with month, site and articles columns."""
    async def render(datasette, database, rows, sql, request):
        if sql and len(rows) >= datasette.setting("max_returned_rows"):
            # The page's rows stop at max_returned_rows (1,000); 120 months of 30 sites are 3,600. The chart
            # needs them all: the same read-only query again, untruncated (its time limit still applies).
            params = {k: request.args.get(k) for k in request.args.keys() if not k.startswith("_")}
            rows = (await datasette.execute(database, sql, params, truncate=False)).rows
        titles = await site_titles(datasette, database)
        return Response(chart_svg([dict(r) for r in rows], titles), content_type="image/svg+xml")

    return {
        "extension": "svg",
        "render": render,
        "can_render": lambda columns: CHART_COLUMNS <= set(columns),
    }


class YearFacet(Facet):
    """Counts rows per year of a date column (values starting YYYY); selecting one adds col__startswith."""

    type = "year"

    async def suggest(self) -> list:
        return []

    async def facet_results(self) -> tuple[list, list]:
        results, timed_out = [], []
        args = dict(self.get_querystring_pairs())
        size = self.get_facet_size()
        for source_and_config in self.get_configs():
            config, source = source_and_config["config"], source_and_config["source"]
            column = config.get("column") or config["simple"]
            quoted = '"' + column.replace('"', '""') + '"'
            sql = (
                f"select substr({quoted}, 1, 4) as value, count(*) as count from ({self.sql}) "
                f"where {quoted} glob '[0-9][0-9][0-9][0-9]*' group by value order by value desc limit {size + 1}"
            )
            try:
                rows = await self.ds.execute(self.database, sql, self.params, truncate=False,
                                             custom_time_limit=self.ds.setting("facet_time_limit_ms"))
            except QueryInterrupted:
                timed_out.append(column)
                continue
            key = f"{column}__startswith"
            values = []
            for row in rows.rows[:size]:
                selected = args.get(key) == row["value"]
                change = path_with_removed_args if selected else path_with_added_args
                values.append({
                    "value": row["value"], "label": row["value"], "count": row["count"], "selected": selected,
                    "toggle_url": self.ds.absolute_url(self.request, change(self.request, {key: row["value"]})),
                })
            results.append({
                "name": column, "type": self.type, "results": values, "hideable": source != "metadata",
                "toggle_url": path_with_removed_args(self.request, {"_facet_year": column}),
                "truncated": len(rows) > size,
            })
        return results, timed_out


@hookimpl
def register_facet_classes():
    """The year facet (``?_facet_year=published``) and the sampled facets used by metadata.yml."""
    return [YearFacet, SampledFacet]
