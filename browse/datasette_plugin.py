"""Datasette plugin for the archive (entry point ``fanwen``): Chinese search, article view, chart, year facet.

* Search: registers the index's SQL functions and, on databases that carry our index, replaces
  Datasette's ``escape_fts`` so the table search box and ``?_search=`` query the bigram index.
* Article view: row pages of ``articles`` get the text as escaped paragraphs, links to the article's
  near-duplicates (``dup_group``) and the removal audit (templates/row.html). Scraped HTML is never
  rendered: every value goes through autoescaping.
* Snippets: ``fanwen_snippet(text, q)`` marks matches with two private-use characters, which the cell
  renderer turns into ``<mark>`` after escaping everything else, so JSON stays plain text.
* Chart: the ``.svg`` output renderer draws (month, site, articles) rows as stacked bars; the canned
  query page embeds it (templates/query.html). No JavaScript, no network.
* Takedowns: an authorizer on every connection makes each column of ``withheld`` (the rows takedowns hold
  back, pipelines/takedown.py) read as NULL, in table views and in any SQL alike.
* Facet ``year``: counts by the first four characters of a date column, filters with ``__startswith``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import path_with_added_args, path_with_removed_args, tilde_encode, urlsafe_components
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from fanwen.browse.counts import SampledFacet, row_count, skip_exact_count
from fanwen.browse.search_index import FTS_TABLE, fts_query, match_spans, register_search_functions

TEMPLATES = Path(__file__).parent / "templates"
MARK_START, MARK_END = "\ue000", "\ue001"
WITHHELD_TABLE = "withheld"  # rows held back by takedowns (pipelines/takedown.py)
SNIPPET_CONTEXT = 40  # characters either side of the first match
MMAP_BYTES = 1 << 30
CHART_COLUMNS = {"month", "site", "articles"}
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
           "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")


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
def prepare_jinja2_environment(env, datasette) -> None:
    """Make templates/ visible after any --template-dir but before Datasette's defaults.

    Datasette finds plugin templates only for packages; this plugin is a module.
    """
    searchpath = env.loader.loaders[0].searchpath
    if str(TEMPLATES) not in searchpath:
        searchpath.insert(len(searchpath) - 1, str(TEMPLATES))


@hookimpl
def render_cell(value, column, table, database, datasette):
    """Highlight snippet matches; everything else in the value is escaped."""
    if isinstance(value, str) and MARK_START in value:
        return Markup(str(escape(value)).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))
    return None


@hookimpl
def extra_template_vars(view_name, database, table, request, datasette):
    """On an article's row page: the article split into paragraphs, and what the cleaner removed.
    On a capped table page: the row count counted from the facet sample (fanwen.browse.counts)."""
    if view_name == "table":
        count = row_count(request)
        return {"filtered_table_rows_count": count} if count is not None else {}
    if view_name != "row" or table != "articles":
        return {}

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
        return {
            "fanwen_article": article,
            "fanwen_copies": copies,
            "fanwen_paragraphs": [p.strip() for p in (article["text"] or "").split("\n") if p.strip()],
            "fanwen_removals": [dict(r) for r in removals.rows],
            # Only web links become hrefs; anything else is shown as text.
            "fanwen_source_href": url if url.startswith(("http://", "https://")) else None,
        }

    return article_vars


def chart_svg(rows: list[dict]) -> str:
    """Stacked bars: one bar per month, one colour per site, with a legend. Plain SVG, escaped text."""
    months = sorted({r["month"] for r in rows})
    sites = sorted({r["site"] or "" for r in rows})
    counts: dict[tuple[str, str], int] = {}
    for r in rows:
        counts[(r["month"], r["site"] or "")] = counts.get((r["month"], r["site"] or ""), 0) + r["articles"]
    totals = {m: sum(counts.get((m, s), 0) for s in sites) for m in months}
    top = max(totals.values(), default=0) or 1
    bar, gap, left, plot_h, legend_h = 18, 6, 48, 220, 22 * ((len(sites) + 3) // 4)
    width = max(480, left + len(months) * (bar + gap) + 20)
    height = legend_h + plot_h + 60
    base = legend_h + plot_h + 10
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Noto Sans CJK SC, sans-serif" font-size="11" '
        'role="img" aria-label="Articles per month per site">',
        f'<line x1="{left}" y1="{base}" x2="{width - 10}" y2="{base}" stroke="#333"/>',
    ]
    for tick in sorted({0, top // 2, top}):
        y = base - tick / top * plot_h
        out.append(f'<text x="{left - 6}" y="{y + 4:.0f}" text-anchor="end">{tick}</text>')
    for i, site in enumerate(sites):
        x, y = 10 + (i % 4) * 150, 16 + (i // 4) * 22
        out.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{PALETTE[i % len(PALETTE)]}"/>')
        out.append(f'<text x="{x + 16}" y="{y}">{escape(site)}</text>')
    label_every = max(1, len(months) // 12)
    for j, month in enumerate(months):
        x, y = left + 6 + j * (bar + gap), base
        for i, site in enumerate(sites):
            n = counts.get((month, site), 0)
            if not n:
                continue
            h = n / top * plot_h
            y -= h
            out.append(
                f'<rect x="{x}" y="{y:.1f}" width="{bar}" height="{h:.1f}" '
                f'fill="{PALETTE[i % len(PALETTE)]}"><title>{escape(month)} {escape(site)}: {n}</title></rect>'
            )
        if j % label_every == 0:
            out.append(f'<text x="{x + bar / 2}" y="{base + 16}" text-anchor="middle">{escape(month)}</text>')
    out.append("</svg>")
    return "\n".join(out)


@hookimpl
def register_output_renderer(datasette):
    """``.svg``: a chart of any result with month, site and articles columns."""
    return {
        "extension": "svg",
        "render": lambda rows: Response(chart_svg([dict(r) for r in rows]), content_type="image/svg+xml"),
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


@hookimpl
def asgi_wrapper(datasette):
    """Table pages with a search or filter count a sample instead of every row (fanwen.browse.counts)."""
    return skip_exact_count
