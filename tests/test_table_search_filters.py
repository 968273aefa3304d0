"""A search with column filters (facet links: ``site=``, ``truncated=``, dates…) stops early too, exactly.

Through Datasette's real app: every page set equals a plain substring scan plus the filter, in rowid order
both ways, including a rare site, a filter that matches nothing, and walks cut short at the walk limit,
which continue from where they stopped (JSON ``next_url``, the ``Link`` header, the HTML "search further"
link) and make every sampled count a lower bound.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from urllib.parse import parse_qsl

import pytest
from test_search_corpus import make_archive, substring_scan
from test_table_search import page_through

from fanwen.browse.search_index import register_search_functions
from fanwen.browse.serve import make_datasette
from fanwen.browse.table_search import HORIZON_PARAM, LIMIT_PARAM

WALK = 15  # matches a filtered request reads here: small, so the walks stop short of the 160-article corpus


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return make_archive(tmp_path_factory.mktemp("tfilter") / "fanwen.db")


@pytest.fixture(scope="module")
def ds(archive):
    return make_datasette(str(archive), count_limit=20, search_walk_limit=WALK)


@pytest.fixture(scope="module")
def ds_unbounded(archive):
    return make_datasette(str(archive), count_limit=20)  # the default walk limit, above the corpus


def expected(archive, query: str, filters: str, *variants: str) -> list[str]:
    """The oracle: substring matches that pass the filters (checked in Python), in rowid order."""
    matching = substring_scan(archive, query, *variants)
    conn = sqlite3.connect(archive)
    conn.row_factory = sqlite3.Row
    rows = [r for r in conn.execute("select * from articles order by rowid") if r["url"] in matching]
    conn.close()
    for key, value in parse_qsl(filters):
        column, _, op = key.partition("__")
        test = {"": lambda v, x: str(v) == x, "exact": lambda v, x: str(v) == x,
                "gte": lambda v, x: v is not None and v >= x, "startswith": lambda v, x: str(v).startswith(x),
                "contains": lambda v, x: x in str(v), "not": lambda v, x: str(v) != x}[op]
        rows = [r for r in rows if test(r[column], value)]
    return [r["url"] for r in rows]


CASES = [
    ("的", "site=ruiwen"),
    ("的", "site__exact=xuexila"),
    ("老师", "site=diyifanwen&truncated=1"),
    ("的", "site=yjbys"),                      # a rare site: one article
    ("的", "site=nosuchsite"),                 # a filter that matches nothing
    ("工作", "published__gte=2023-01-01"),
    ("的", "published__startswith=2022&site=huaboedu"),  # the year facet's link plus a site
    ("报告", "title__contains=工作"),            # a filter on a column the index also has
    ("的", "truncated__not=1&site=xuexila"),
]


@pytest.mark.parametrize("query,filters", CASES)
async def test_filtered_pages_are_the_scan_with_the_filter_in_rowid_order(ds, archive, query, filters):
    urls, sqls = await page_through(ds, f"/fanwen/articles.json?_search={query}&{filters}&_size=3&_nocount=1")
    assert urls == expected(archive, query, filters)
    if filters == "site=nosuchsite":  # no article passes the filter: answered without walking (test_sorted_search)
        assert urls == [] and len(sqls) == 1 and "fanwen_match" not in sqls[0]
        return
    assert all(LIMIT_PARAM in sql for sql in sqls)  # every page stopped early
    assert any(HORIZON_PARAM in sql for sql in sqls)  # and the walk limit cut some walks short


@pytest.mark.parametrize("query,filters", CASES[:4])
async def test_filtered_pages_without_a_horizon_when_the_walk_limit_is_not_reached(ds_unbounded, archive, query,
                                                                                    filters):
    urls, sqls = await page_through(ds_unbounded, f"/fanwen/articles.json?_search={query}&{filters}&_size=4"
                                                  "&_nocount=1")
    assert urls == expected(archive, query, filters)
    assert all(LIMIT_PARAM in sql and HORIZON_PARAM not in sql for sql in sqls)


async def test_descending_filtered_pages_walk_backwards(ds, archive):
    urls, sqls = await page_through(ds, "/fanwen/articles.json?_search=的&site=ruiwen&_size=4&_nocount=1"
                                        "&_sort_desc=rowid")
    assert urls == expected(archive, "的", "site=ruiwen")[::-1]
    assert len(urls) > 8 and all(LIMIT_PARAM in sql for sql in sqls)


async def test_a_short_page_continues_where_the_walk_stopped(ds, archive):
    # One yjbys article among ~150 matches of 的: the first request walks 15 and finds nothing, yet links on.
    data = (await ds.client.get("/fanwen/articles.json?_search=的&site=yjbys&_nocount=1&_shape=objects")).json()
    first = data["rows"]
    assert data["next_url"] and data["next"]
    rowid = int(data["next"].split(",")[0])
    conn = sqlite3.connect(archive)
    walked = conn.execute("select count(*) from articles where rowid <= ?", [rowid]).fetchone()[0]
    conn.close()
    assert len(first) <= 1 and walked >= WALK  # the cursor is past the walked matches, not a shown row
    response = await ds.client.get("/fanwen/articles.json?_search=的&site=yjbys&_nocount=1&_shape=array")
    assert 'rel="next"' in response.headers["link"]


async def test_sampled_facets_of_a_cut_walk_are_lower_bounds(ds, ds_unbounded, archive):
    path = "/fanwen/articles.json?_search=的&site=ruiwen&_size=2&_nocount=1&_shape=objects"
    cut = (await ds.client.get(path)).json()["facet_results"]["site"]
    assert cut["lower_bound"] and cut["results"][0]["value"] == "ruiwen"
    full = (await ds_unbounded.client.get(path)).json()["facet_results"]["site"]
    assert full["lower_bound"]  # 20 counted, more match
    rare = (await ds_unbounded.client.get(path.replace("ruiwen", "yjbys"))).json()["facet_results"]["site"]
    assert not rare["lower_bound"] and rare["results"][0]["count"] == 1 == len(expected(archive, "的", "site=yjbys"))


async def test_html_page_says_when_its_count_is_a_lower_bound_and_links_on(ds, ds_unbounded, archive):
    n = len(expected(archive, "老师", "site=diyifanwen&truncated=1"))
    html = (await ds_unbounded.client.get("/fanwen/articles?_search=老师&site=diyifanwen&truncated=1")).text
    assert f"{n} row" in html and f"{n}+ row" not in html and "fanwen-search-continue" not in html
    html = (await ds.client.get("/fanwen/articles?_search=的&site=yjbys")).text
    counted = re.search(r"(\d+)\+ rows? where", html)
    assert counted and int(counted.group(1)) <= 1
    link = re.search(r'class="fanwen-search-continue"><a href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "_nocount" not in link  # the link is the user's query, moved on
    seen = []
    while link:
        page = (await ds.client.get(link)).text
        seen += re.findall(r'<td class="col-url[^"]*"><a href="[^"]*">([^<]+)</a>', page)
        more = re.search(r'class="fanwen-search-continue"><a href="([^"]+)"', page)
        link = more and more.group(1).replace("&amp;", "&")
    first = re.findall(r'<td class="col-url[^"]*"><a href="[^"]*">([^<]+)</a>', html)
    assert first + seen == expected(archive, "的", "site=yjbys") and len(first) == 1


async def test_streamed_csv_of_a_filtered_search_is_exact(ds, archive):
    response = await ds.client.get("/fanwen/articles.csv?_search=的&site=ruiwen&_stream=1&_size=3")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["url"] for r in rows] == expected(archive, "的", "site=ruiwen")


async def test_exact_json_count_and_other_orders_read_every_match(ds, archive):
    want = expected(archive, "的", "site=ruiwen")
    data = (await ds.client.get("/fanwen/articles.json?_search=的&site=ruiwen&_size=max&_shape=objects")).json()
    assert data["filtered_table_rows_count"] == len(want) and LIMIT_PARAM not in data["query"]["sql"]
    data = (await ds.client.get("/fanwen/articles.json?_search=的&site=ruiwen&_size=max&_nocount=1"
                                "&_sort=published&_shape=objects")).json()
    assert LIMIT_PARAM not in data["query"]["sql"] and {r["url"] for r in data["rows"]} == set(want)



async def test_the_planner_looks_up_the_searched_rows_not_the_whole_site(ds, archive):
    # Serving refreshes sqlite_stat1 (browse/serve.py): without it SQLite guessed that `site = ?` matches 10
    # rows and walked the site's whole index, sorting it, for a 51-row page of a search.
    data = (await ds.client.get("/fanwen/articles.json?_search=的&site=ruiwen&_nocount=1&_shape=objects")).json()
    conn = sqlite3.connect(archive)
    register_search_functions(conn)
    try:
        assert conn.execute("select count(*) from sqlite_stat1 where tbl = 'articles'").fetchone()[0] > 0
        plan = [row[3] for row in conn.execute("explain query plan " + data["query"]["sql"], data["query"]["params"])]
    finally:
        conn.close()
    assert "SEARCH articles USING INTEGER PRIMARY KEY (rowid=?)" in plan[0] and not any("site" in p for p in plan)


async def test_a_csv_page_of_a_filtered_search_is_full_without_a_walk_limit(ds, archive):
    # CSV has no "next" link to carry a short page on, so its walk is not cut: the first rows, exactly.
    want = expected(archive, "的", "truncated=1&site=xuexila")
    response = await ds.client.get("/fanwen/articles.csv?_search=的&truncated=1&site=xuexila&_nocount=1&_size=3")
    assert [r["url"] for r in csv.DictReader(io.StringIO(response.text))] == want[:3] and len(want) >= 3
    response = await ds.client.get("/fanwen/articles.csv?_search=的&site=ruiwen&_nocount=1&_size=3")
    assert [r["url"] for r in csv.DictReader(io.StringIO(response.text))] == expected(archive, "的", "site=ruiwen")[:3]


async def test_newline_delimited_rows_of_a_filtered_search_are_exact(ds, archive):
    # _nl is not a row-only argument, so the full form answers: every match, nothing to link on.
    response = await ds.client.get("/fanwen/articles.json?_search=的&site=ruiwen&_nocount=1&_shape=array&_nl=on"
                                   "&_size=max")
    urls = [json.loads(line)["url"] for line in response.text.splitlines()]
    assert urls == expected(archive, "的", "site=ruiwen") and "link" not in response.headers
