"""The archive's front door (templates/index.html): what the home page shows, read in a few small queries.

A search box, articles per site (with the site's title), the latest articles, the latest crawls and their
health, every canned query, and the tables — the reader's first, internal ones folded away.
"""

from __future__ import annotations

from typing import Any

# Tables a reader opens; everything else (audit, raw pages, the search index's shadow tables …) is internal.
READER_TABLES = ("articles", "sites", "crawls")
LATEST = 10
CRAWLS = 5


async def find_archive(datasette) -> str | None:
    """The name of the first served database that is a fanwen archive (has articles and crawls)."""
    for name, db in datasette.databases.items():
        if name == "_internal":
            continue
        tables = set(await db.table_names())
        if {"articles", "crawls"} <= tables:
            return name
    return None


def crawl_health(row: dict) -> tuple[str, str]:
    """(css class, label) for a crawl's outcome, by the exit statuses the README documents."""
    if row["finished"] is None:
        return "running", "进行中 running"
    status = row["exit_status"]
    if status == 0:
        return "ok", "正常 ok"
    if status == 3:
        return "warn", "有警告 warnings"
    return "fail", f"失败 failed ({row['finish_reason'] or status})"


async def front_door(datasette, name: str, actor: Any) -> dict:
    """Everything templates/index.html shows for the archive database `name`."""
    db = datasette.get_database(name)
    tables = await db.table_names()
    titles = "(select title from sites where name = a.site)" if "sites" in tables else "null"
    per_site = await db.execute(
        f"select a.site, coalesce({titles}, a.site) as title, count(*) as articles, max(a.published) as latest "
        "from articles a group by a.site order by articles desc, a.site"
    )
    latest = await db.execute(
        f"select a.url, a.title, a.site, coalesce({titles}, a.site) as site_title, a.published, a.truncated "
        f"from articles a where a.published is not null order by a.published desc limit {LATEST}"
    )
    crawls = await db.execute(
        "select id, started, finished, sites, pages, articles_new, errors, warnings, finish_reason, exit_status "
        f"from crawls order by id desc limit {CRAWLS}"
    )
    queries = await datasette.get_canned_queries(name, actor)
    table_meta = (datasette.metadata("databases") or {}).get(name, {}).get("tables", {})
    hidden = set(await db.hidden_table_names())

    def table_entry(table: str) -> dict:
        meta = table_meta.get(table, {})
        return {"name": table, "title": meta.get("title") or table, "description": meta.get("description", ""),
                "url": datasette.urls.table(name, table)}

    return {
        "database": name,
        "search_url": datasette.urls.table(name, "articles"),
        "sites": [dict(r) for r in per_site.rows],
        "total": sum(r["articles"] for r in per_site.rows),
        "latest": [dict(r) | {"href": article_href(datasette, name, r["url"])} for r in latest.rows],
        "crawls": [dict(r) | dict(zip(("health", "health_label"), crawl_health(dict(r)), strict=True))
                   for r in crawls.rows],
        "queries": [{"name": q, "title": meta.get("title") or q, "description": meta.get("description", ""),
                     "url": datasette.urls.query(name, q)} for q, meta in queries.items()],
        "reader_tables": [table_entry(t) for t in READER_TABLES if t in tables],
        # Audit, raw pages, gone URLs, the search index's shadow tables: folded away on the home page.
        "internal_tables": [table_entry(t) for t in sorted(tables, key=lambda t: (t in hidden, t))
                            if t not in READER_TABLES],
    }


def article_href(datasette, database: str, url: str) -> str:
    """The archive's own page for the article stored under `url`."""
    from datasette.utils import tilde_encode

    return datasette.urls.row(database, "articles", tilde_encode(url))
