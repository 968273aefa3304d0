"""Table pages that stop counting early: lower-bound counts and sampled facets, through Datasette's real app.

The archive has 154 articles; the limit is set to 20 so common searches stop early and rare ones do not.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter

import pytest
from test_search_corpus import make_archive, substring_scan

from fanwen.browse.counts import LowerBound, capped_page
from fanwen.browse.serve import make_datasette

LIMIT = 20


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return make_archive(tmp_path_factory.mktemp("counts") / "fanwen.db")


@pytest.fixture(scope="module")
def ds(archive):
    return make_datasette(str(archive), count_limit=LIMIT)


def first_matches(archive, urls: set[str], n: int) -> list[tuple]:
    """(site, published, truncated) of the n matching rows with the smallest rowids: the sample."""
    conn = sqlite3.connect(archive)
    try:
        rows = conn.execute("select url, site, published, truncated from articles order by rowid").fetchall()
    finally:
        conn.close()
    return [r[1:] for r in rows if r[0] in urls][:n]


def heading(html: str) -> str:
    return re.search(r"<h3>(.*?)</h3>", html, re.S).group(1)


async def test_common_search_shows_a_lower_bound_count_and_sampled_facets(ds, archive):
    matching = substring_scan(archive, "的")
    assert len(matching) > LIMIT
    html = (await ds.client.get("/fanwen/articles", params={"_search": "的"})).text
    assert heading(html).startswith(f"{LIMIT}+ rows")
    sample = first_matches(archive, matching, LIMIT)
    sites = Counter(site for site, _, _ in sample)
    for site, n in sites.items():  # each facet count is the sample's, marked with "+"
        assert re.search(rf">{site}</a> {n}\+</li>", html), site
    assert "_nocount" not in html  # links (JSON, facets, next page) keep the user's query: JSON counts exactly


async def test_json_keeps_the_exact_count_and_marks_facets_as_lower_bounds(ds, archive):
    matching = substring_scan(archive, "的")
    data = (await ds.client.get("/fanwen/articles.json", params={"_search": "的"})).json()
    assert data["filtered_table_rows_count"] == len(matching)
    facets = data["facet_results"]
    assert all(facets[name]["lower_bound"] for name in ("site", "category", "published", "truncated"))
    sample = first_matches(archive, matching, LIMIT)
    assert {f["value"]: f["count"] for f in facets["published"]["results"]} == dict(
        Counter(p[:4] for _, p, _ in sample if p))
    assert sum(f["count"] for f in facets["truncated"]["results"]) == LIMIT


async def test_rare_search_counts_exactly(ds, archive):
    matching = substring_scan(archive, "民主评议", "民主評議")
    assert 0 < len(matching) <= LIMIT
    html = (await ds.client.get("/fanwen/articles", params={"_search": "民主评议"})).text
    assert heading(html).startswith(f"{len(matching)} row")
    assert "+ row" not in html
    data = (await ds.client.get("/fanwen/articles.json", params={"_search": "民主评议"})).json()
    assert not data["facet_results"]["site"]["lower_bound"]
    assert sum(f["count"] for f in data["facet_results"]["site"]["results"]) == len(matching)


async def test_unfiltered_table_keeps_the_exact_total(ds, archive):
    total = sqlite3.connect(archive).execute("select count(*) from articles").fetchone()[0]
    html = (await ds.client.get("/fanwen/articles")).text
    assert heading(html).startswith(f"{total:,} rows")


async def test_facet_link_filters_and_the_filtered_page_is_capped_too(ds, archive):
    data = (await ds.client.get("/fanwen/articles.json", params={"_search": "的"})).json()
    site = data["facet_results"]["site"]["results"][0]
    query = site["toggle_url"].split("?", 1)[1]
    assert f"site={site['value']}" in query
    html = (await ds.client.get(f"/fanwen/articles?{query}")).text
    assert "+ rows" in heading(html) or heading(html).startswith(f"{site['count']}")
    rows = (await ds.client.get(f"/fanwen/articles.json?{query}&_shape=array&_size=max")).json()
    assert rows and {r["site"] for r in rows} == {site["value"]}


async def test_rows_are_not_capped_pages_go_on_past_the_limit(ds, archive):
    matching = substring_scan(archive, "的")
    seen, path = set(), "/fanwen/articles.json?_search=%E7%9A%84&_size=15&_col=title"
    while path:
        data = (await ds.client.get(path)).json()
        seen |= {r[0] for r in data["rows"]}
        path = data["next_url"]
        if path:
            path = path.split("://", 1)[-1].split("/", 1)[1]
            path = "/" + path
    assert seen == matching


def test_lower_bound_formats_with_a_plus_and_stays_a_number():
    n = LowerBound(10000)
    assert f"{n:,}" == "10,000+" and n == 10000 and isinstance(n, int)


@pytest.mark.parametrize(("path", "query", "capped"), [
    ("/fanwen/articles", "_search=x", True),
    ("/fanwen/articles", "site=ruiwen", True),
    ("/fanwen/articles", "published__startswith=2022", True),
    ("/fanwen/articles", "", False),
    ("/fanwen/articles", "_sort=published", False),
    ("/fanwen/articles", "_search=x&_nocount=1", False),
    ("/fanwen/articles.json", "_search=x", False),
    ("/fanwen/removals", "rule=x", False),
])
def test_which_pages_are_capped(path, query, capped):
    assert capped_page(path, query) is capped


async def test_the_database_page_counts_each_table_up_to_the_limit(ds, archive):
    conn = sqlite3.connect(archive)
    exact = {t: conn.execute(f"select count(*) from [{t}]").fetchone()[0] for t in ("articles", "removals")}
    conn.close()
    assert exact["articles"] > LIMIT > exact["removals"] > 0
    response = await ds.client.get("/fanwen")
    assert response.status_code == 200
    shown = dict(re.findall(r'<h3><a href="/fanwen/([^"]+)">.*?<p>([^<]*)</p>', response.text, re.S))
    # A bare count(*) cannot be interrupted by Datasette's time limit; a bounded one stops at the limit.
    assert shown["articles"] == f"{LIMIT}+ rows"
    assert shown["removals"] == f"{exact['removals']} rows"
