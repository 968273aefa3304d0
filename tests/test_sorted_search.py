"""A search sorted by another column finds its page without sorting every match, and pages exactly.

Through Datasette's real app on a real archive with many equal dates and empty ones: every page set of a
sorted search (both directions, every sortable column, with filters) equals a plain SQL reference — the
substring scan's matches, the filters, ``order by column, url`` — whichever walk browse/sorted_search.py
chose (sort the few matches, walk the index against the match set, or ask FTS5 row by row), including walks
cut short at their limit that link on; counts of a sorted page are lower bounds when matches were left
unread; a filter no article passes answers 0 at once.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import sqlite3

import pytest
import yaml
from conftest import ROOT
from test_search_corpus import make_archive
from test_table_search import VARIANTS, local, page_through
from test_table_search_filters import expected

from fanwen.browse.search_index import FTS_TABLE, register_search_functions
from fanwen.browse.serve import make_datasette
from fanwen.browse.sorted_search import SETTINGS, SortedWalk, sorted_page
from fanwen.pipelines import migrations
from fanwen.pipelines.store import open_db

# Small limits, so the 160-article corpus takes every walk: up to 3 matches sorted, up to 90 as a set (the
# index walk reads 25 entries a request), more asked of FTS5 row by row (30 entries and 12 tests a request).
SMALL = {"sort_small_limit": 3, "sort_set_limit": 90, "sort_scan_limit": 25, "sort_probe_rows": 30,
         "sort_probe_limit": 12}
WORDS = {"的": "probe", "老师": "set", "民主评议": "sort"}  # (checked below) the walk each word takes
SORTS = ["_sort_desc=published", "_sort=published", "_sort_desc=char_count", "_sort=char_count",
         "_sort_desc=first_seen", "_sort=first_seen"]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    path = make_archive(tmp_path_factory.mktemp("tsorted") / "fanwen.db")
    conn = sqlite3.connect(path)
    # Ties and empty values at page boundaries: a third of the dates shared, some missing, char_count in
    # buckets, first_seen in three batches (as crawls write it), so only url orders equal rows.
    conn.execute("update articles set published = '2022-05-01' where rowid % 3 = 0")
    conn.execute("update articles set published = null where rowid % 7 = 0")
    conn.execute("update articles set char_count = (char_count / 500) * 500 where rowid % 2 = 0")
    conn.execute("update articles set char_count = null where rowid % 11 = 0")
    conn.execute("update articles set first_seen = '2026-01-0' || (rowid % 3 + 1) || 'T00:00:00Z'")
    conn.commit()
    conn.close()
    return path


@pytest.fixture(scope="module")
def ds(archive):
    return make_datasette(str(archive), count_limit=20, plugin_settings=SMALL)


@pytest.fixture(scope="module")
def ds_default(archive):
    return make_datasette(str(archive), count_limit=20)


def reference(archive, query: str, sort: str, filters: str = "") -> list[str]:
    """The oracle: the matches that pass the filters (substring scan), ordered by plain SQL as Datasette's
    keyset pages order them: the column (ascending: empty first; descending: empty last), then url."""
    urls = expected(archive, query, filters, query, *VARIANTS.get(query, []))
    key, column = sort.split("=")
    conn = sqlite3.connect(archive)
    try:
        conn.execute("create temp table picked (url text)")
        conn.executemany("insert into picked values (?)", [(u,) for u in urls])
        order = f"{column} desc, url" if key == "_sort_desc" else f"{column}, url"
        return [u for (u,) in conn.execute(f"select url from articles where url in (select url from picked) "
                                           f"order by {order}")]
    finally:
        conn.close()


def walk_of(archive, query: str, sort: str) -> str:
    """Which walk browse/sorted_search.py takes for the query's first page, under SMALL."""
    key, column = sort.split("=")
    conn = sqlite3.connect(archive)
    register_search_functions(conn)
    try:
        walk = SortedWalk(column, key == "_sort_desc", None, 4,
                          f"select rowid from {FTS_TABLE} where {FTS_TABLE} match fanwen_match(:search)", [],
                          {"search": query}, {**SETTINGS, **SMALL})
        return sorted_page(conn, walk).walk
    finally:
        conn.close()


def test_the_words_take_every_walk(archive):
    assert {word: walk_of(archive, word, "_sort_desc=published") for word in WORDS} == WORDS


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("query", list(WORDS))
async def test_sorted_pages_are_the_plain_sql_order_with_ties_and_empty_values(ds, archive, query, sort):
    urls, sqls = await page_through(ds, f"/fanwen/articles.json?_search={query}&{sort}&_size=4&_nocount=1")
    assert urls == reference(archive, query, sort)
    assert all("fanwen_match" not in sql for sql in sqls)  # every page named its rows; none read every match


@pytest.mark.parametrize("sort", SORTS[:2])
@pytest.mark.parametrize("query", list(WORDS))
async def test_sorted_pages_without_walk_limits(ds_default, archive, query, sort):
    urls, _ = await page_through(ds_default, f"/fanwen/articles.json?_search={query}&{sort}&_size=5&_nocount=1")
    assert urls == reference(archive, query, sort)


FILTERS = ["site=ruiwen", "site=diyifanwen&truncated=1", "published__gte=2022-06-01", "site=yjbys",
           "truncated__not=1&site=xuexila"]


@pytest.mark.parametrize("filters", FILTERS)
@pytest.mark.parametrize("sort", ["_sort_desc=published", "_sort=first_seen"])
@pytest.mark.parametrize("query", ["的", "老师"])
async def test_sorted_and_filtered_pages_are_the_plain_sql_order(ds, archive, query, sort, filters):
    urls, _ = await page_through(ds, f"/fanwen/articles.json?_search={query}&{sort}&{filters}&_size=3&_nocount=1")
    assert urls == reference(archive, query, sort, filters)


async def test_a_walk_cut_short_links_on_from_where_it_stopped(ds, archive):
    # 12 rows a request tested against FTS5: site=yjbys holds one article, so the first pages come back empty
    # with a cursor at the last row read, and carrying on finds it.
    path = "/fanwen/articles.json?_search=的&_sort_desc=published&site=yjbys&_nocount=1&_shape=objects"
    data = (await ds.client.get(path)).json()
    assert data["rows"] == [] and data["next"] and data["next_url"]
    urls, sqls = await page_through(ds, path.replace("&_shape=objects", ""))
    assert urls == reference(archive, "的", "_sort_desc=published", "site=yjbys") and len(urls) == 1
    assert len(sqls) > 3


async def test_html_sorted_page_links_on_and_counts_lower_bounds(ds, ds_default, archive):
    html = (await ds.client.get("/fanwen/articles?_search=的&_sort_desc=published&site=yjbys")).text
    link = re.search(r'class="fanwen-search-continue"><a href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "_sort_desc=published" in link and "_nocount" not in link
    # A frequent word: 20 counted of more (count_limit 20): every number a lower bound.
    html = (await ds_default.client.get("/fanwen/articles?_search=的&_sort_desc=published")).text
    assert "20+ rows" in html
    data = (await ds_default.client.get("/fanwen/articles.json?_search=的&_sort_desc=published&_nocount=1"
                                        "&_shape=objects")).json()
    assert data["facet_results"]["site"]["lower_bound"]
    # A rare word: every match counted, exactly.
    n = len(reference(archive, "民主评议", "_sort_desc=published"))
    html = (await ds_default.client.get("/fanwen/articles?_search=民主评议&_sort_desc=published")).text
    assert 0 < n < 20 and re.search(rf"\b{n} rows?\b", html) and f"{n}+ row" not in html
    # A word with more matches than the sort's count limit (90 here) is a lower bound even on a later page.
    data = (await ds.client.get("/fanwen/articles.json?_search=的&_sort=published&_nocount=1&_size=2"
                                "&_shape=objects")).json()
    later = (await ds.client.get(local(data["next_url"]) + "&_shape=objects")).json()
    assert later["facet_results"]["site"]["lower_bound"]


async def test_first_page_breaks_ties_by_url_as_the_next_pages_do(ds_default, archive):
    # Datasette orders a first page by the column alone; the page's rows come in url order for equal values.
    want = reference(archive, "的", "_sort=first_seen")
    data = (await ds_default.client.get("/fanwen/articles.json?_search=的&_sort=first_seen&_size=7&_nocount=1"
                                        "&_shape=objects")).json()
    assert [r["url"] for r in data["rows"]] == want[:7]
    conn = sqlite3.connect(archive)
    plan = " ".join(r[3] for r in conn.execute("explain query plan " + data["query"]["sql"], data["query"]["params"]))
    conn.close()
    assert "sqlite_autoindex_articles_1 (url=?)" in plan, plan


@pytest.mark.parametrize("sort", ["", "&_sort_desc=published"])
async def test_a_filter_no_article_passes_answers_zero_at_once(ds, sort):
    data = (await ds.client.get(f"/fanwen/articles.json?_search=的&site=nosuchsite{sort}&_nocount=1"
                                "&_shape=objects")).json()
    assert data["rows"] == [] and not data["next"] and "fanwen_match" not in data["query"]["sql"]
    html = (await ds.client.get(f"/fanwen/articles?_search=的&site=nosuchsite{sort}")).text
    assert re.search(r"\b0 rows\b", html) and "0+ rows" not in html and "fanwen-search-continue" not in html


async def test_a_csv_page_of_a_sorted_search_is_full_without_walk_limits(ds, archive):
    # CSV has no "search further" link, so its walk goes on until the page is full.
    response = await ds.client.get("/fanwen/articles.csv?_search=的&_sort_desc=published&site=yjbys&_size=3")
    urls = [row["url"] for row in csv.DictReader(io.StringIO(response.text))]
    assert urls == reference(archive, "的", "_sort_desc=published", "site=yjbys")[:3] and urls


def test_every_sortable_column_has_its_index_in_new_and_migrated_archives(tmp_path):
    metadata = yaml.safe_load((ROOT / "data" / "metadata.yml").read_text(encoding="utf-8"))
    columns = metadata["databases"]["fanwen"]["tables"]["articles"]["sortable_columns"]
    assert columns[0] == "rowid" and tuple(columns[1:]) == migrations.SORT_COLUMNS
    shutil.copy(ROOT / "tests" / "archives" / "fanwen-0.1.0.db", tmp_path / "old.db")
    for path in (tmp_path / "new.db", tmp_path / "old.db"):
        db = open_db(path)
        indexes = {r[0] for r in db.execute("select name from sqlite_master where type = 'index'")}
        db.close()
        assert {migrations.sort_index(c) for c in migrations.SORT_COLUMNS} <= indexes
        assert "idx_articles_published" not in indexes  # the prefix of (published, url)
