"""The articles table's search stops after the page's matches, through Datasette's real app.

The early-stopping form (browse/table_search.py) must give exactly the rows, order and pages of a full
search: paged in rowid order both ways, column searches, and every case that needs all matches (another
sort, exact counts, Datasette's own facets, streamed CSV) falls back to the full form. Searches with
column filters: test_table_search_filters.py.
"""

from __future__ import annotations

import csv
import io
import sqlite3

import pytest
from test_search_corpus import make_archive, substring_scan

from fanwen.browse.serve import make_datasette
from fanwen.browse.table_search import LIMIT_PARAM

EARLY = LIMIT_PARAM  # the early-stopping SQL names its limit parameter


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return make_archive(tmp_path_factory.mktemp("tsearch") / "fanwen.db")


@pytest.fixture(scope="module")
def ds(archive):
    return make_datasette(str(archive), count_limit=20)


def in_rowid_order(archive, urls: set[str]) -> list[str]:
    conn = sqlite3.connect(archive)
    try:
        return [u for (u,) in conn.execute("select url from articles order by rowid") if u in urls]
    finally:
        conn.close()


def local(url: str | None) -> str | None:
    return url and "/" + url.split("://", 1)[-1].split("/", 1)[1]


async def page_through(ds, path: str) -> tuple[list[str], list[str]]:
    """Every row's url over all pages, and the SQL of each page."""
    urls, sqls = [], []
    path += "&_shape=objects"
    while path:
        data = (await ds.client.get(path)).json()
        urls += [row["url"] for row in data["rows"]]
        sqls.append(data["query"]["sql"])
        path = local(data["next_url"])
    return urls, sqls


VARIANTS = {"政协": ["政協"], "民主评议": ["民主評議"], "QQ群": ["ＱＱ群", "qq群", "ｑｑ群"]}


@pytest.mark.parametrize("query", ["的", "老师", "民主评议", "政协 民主评议", "QQ群", "堃", "妈妈是一名老师"])
async def test_pages_of_an_uncounted_search_are_the_full_result_in_rowid_order(ds, archive, query):
    expected = set.intersection(*(substring_scan(archive, t, *VARIANTS.get(t, [])) for t in query.split()))
    urls, sqls = await page_through(ds, f"/fanwen/articles.json?_search={query}&_size=7&_nocount=1&_nofacet=1")
    assert urls == in_rowid_order(archive, expected)
    assert all(EARLY in sql for sql in sqls)  # every page asked FTS5 for its first matches only


async def test_descending_rowid_pages_backwards_through_the_same_rows(ds, archive):
    urls, sqls = await page_through(ds, "/fanwen/articles.json?_search=的&_size=9&_nocount=1&_sort_desc=rowid")
    assert urls == in_rowid_order(archive, substring_scan(archive, "的"))[::-1]
    assert len(urls) > 40 and all(EARLY in sql for sql in sqls)


async def test_column_search_pages_through_that_column_only(ds, archive):
    urls, sqls = await page_through(ds, "/fanwen/articles.json?_search_title=报告&_size=2&_nocount=1")
    conn = sqlite3.connect(archive)
    expected = [u for u, t in conn.execute("select url, title from articles order by rowid")
                if "报告" in t or "報告" in t]
    conn.close()
    assert urls == expected and len(urls) > 2 and all(EARLY in sql for sql in sqls)


async def test_array_shape_without_count_stops_early_too(ds, archive):
    response = await ds.client.get("/fanwen/articles.json", params={"_search": "的", "_shape": "array",
                                                                     "_size": "5", "_col": "title"})
    assert [r["url"] for r in response.json()] == in_rowid_order(archive, substring_scan(archive, "的"))[:5]


@pytest.mark.parametrize("extra", [
    "",                              # JSON counts every match exactly
    "&_nocount=1&site=ruiwen&_sort=published",  # a filter and another order (filters alone: next file)
    "&_nocount=1&_sort=published",   # another order
    "&_nocount=1&_facet=site",       # Datasette's own facet counts every match
])
async def test_whatever_needs_every_match_uses_the_full_search(ds, archive, extra):
    matching = substring_scan(archive, "的")
    data = (await ds.client.get(f"/fanwen/articles.json?_search=的&_size=max&_shape=objects{extra}")).json()
    assert EARLY not in data["query"]["sql"]
    expected = matching
    if "site=" in extra:
        expected = {u for u in matching if "ruiwen" in u}
    assert {r["url"] for r in data["rows"]} == expected
    if not extra:
        assert data["filtered_table_rows_count"] == len(matching)
    if "_facet=site" in extra:
        assert sum(f["count"] for f in data["facet_results"]["site"]["results"]) == len(matching)
    if "_sort=published" in extra:
        dates = [r["published"] for r in data["rows"] if r["published"]]
        assert dates == sorted(dates)


async def test_streamed_csv_of_a_search_holds_every_match(ds, archive):
    # Streaming fetches page after page internally (three rows each here), without _next in the request.
    response = await ds.client.get("/fanwen/articles.csv?_search=老师&_stream=1&_size=3")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["url"] for r in rows} == substring_scan(archive, "老师")
    assert len(rows) > 3


async def test_capped_page_counts_its_sample_not_the_page(ds, archive):
    # The table page reads the first rows early; the sampled count still reads up to count_limit + 1 matches.
    html = (await ds.client.get("/fanwen/articles", params={"_search": "老师"})).text
    n = len(substring_scan(archive, "老师"))
    assert n > 20 and "20+ rows where search matches" in html
    few = substring_scan(archive, "民主评议", "民主評議")
    html = (await ds.client.get("/fanwen/articles", params={"_search": "民主评议", "_size": "2"})).text
    assert f"{len(few)} rows where search matches" in html and len(few) > 2
    assert 'name="_search" value="民主评议"' in html


async def test_search_box_is_shown_on_the_unsearched_table(ds):
    html = (await ds.client.get("/fanwen/articles")).text
    assert 'name="_search"' in html


async def test_unknown_search_column_is_refused(ds):
    response = await ds.client.get("/fanwen/articles.json", params={"_search_url": "x"})
    assert response.status_code == 400


async def test_sampled_facets_of_a_short_page_count_the_whole_sample(ds, archive):
    # Five rows a page, but the facets still count the first count_limit (20) matches, marked as lower bounds.
    data = (await ds.client.get("/fanwen/articles.json?_search=的&_size=5&_nocount=1&_shape=objects")).json()
    assert EARLY in data["query"]["sql"] and len(data["rows"]) == 5
    site = data["facet_results"]["site"]
    assert site["lower_bound"] and sum(f["count"] for f in site["results"]) == 20
