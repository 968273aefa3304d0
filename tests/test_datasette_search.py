"""Chinese search through Datasette's real app: the table search box / JSON API and the snippet query."""

from __future__ import annotations

import pytest
from test_search_corpus import make_archive, substring_scan

from fanwen.browse.datasette_plugin import MARK_END, MARK_START
from fanwen.browse.serve import make_datasette


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return make_archive(tmp_path_factory.mktemp("ds") / "fanwen.db")


@pytest.fixture(scope="module")
def ds(archive):
    return make_datasette(str(archive))


async def search(ds, query: str, extra: str = "") -> set[str]:
    response = await ds.client.get("/fanwen/articles.json", params={"_search": query, "_shape": "array",
                                                                     "_size": "max", "_col": "title"})
    assert response.status_code == 200, response.text
    return {row["url"] for row in response.json()}


@pytest.mark.parametrize(("query", "variants"), [
    ("政协", ["政協"]),
    ("民主评议", ["民主評議"]),
    ("堃", []),
    ("QQ群", ["ＱＱ群", "qq群", "ｑｑ群"]),
    ("的", []),
    ("老师", []),
    ("妈妈是一名老师", []),
])
async def test_search_box_finds_exactly_the_rows_containing_the_query(ds, archive, query, variants):
    assert await search(ds, query) == substring_scan(archive, query, *variants)


async def test_traditional_full_width_and_several_terms(ds, archive):
    assert await search(ds, "政協") == await search(ds, "政协")
    assert await search(ds, "ｑｑ群 家長") == {"https://www.ruiwen.com/wenxue/beiying/696905.html",
                                              "https://www.xuexila.com/fwn/xindetihuifwn/c627042.html"}
    assert await search(ds, "政协 民主评议") == substring_scan(archive, "政协", "政協") & substring_scan(
        archive, "民主评议", "民主評議")


async def test_html_table_page_uses_the_same_search(ds, archive):
    response = await ds.client.get("/fanwen/articles", params={"_search": "民主评议"})
    assert response.status_code == 200
    expected = substring_scan(archive, "民主评议", "民主評議")
    assert f"<title>fanwen: articles: {len(expected)} rows where search matches &#34;民主评议&#34;" in response.text
    assert 'name="_search"' in response.text  # Datasette's own search box is shown


async def test_column_search_looks_only_in_that_column(ds, archive):
    response = await ds.client.get("/fanwen/articles.json", params={"_search_title": "报告", "_shape": "array",
                                                                     "_size": "max"})
    titles = {row["title"] for row in response.json()}
    assert titles and all("报告" in t or "報告" in t for t in titles)
    assert "https://www.cnrencai.com/jiyu/3.html" in {row["url"] for row in response.json()}


async def test_snippet_query_highlights_matches(ds, archive):
    response = await ds.client.get("/fanwen/search.json", params={"q": "民主评议", "_shape": "array"})
    rows = response.json()
    assert {r["url"] for r in rows} == substring_scan(archive, "民主评议", "民主評議")
    for row in rows:
        assert f"{MARK_START}民主" in row["snippet"] or f"{MARK_START}民主評議{MARK_END}" in row["snippet"]
    html = (await ds.client.get("/fanwen/search", params={"q": "堃"})).text
    assert "我叫李<mark>堃</mark>，是一名乡村教师。" in html


async def test_empty_search_matches_nothing_instead_of_failing(ds):
    response = await ds.client.get("/fanwen/articles.json", params={"_search": "\u200b", "_shape": "array"})
    assert response.status_code == 200 and response.json() == []


async def test_search_results_page_through_completely(ds, archive):
    seen, path = [], "/fanwen/articles.json?_search=的&_size=20&_shape=objects"
    while path:
        data = (await ds.client.get(path)).json()
        seen += [row["url"] for row in data["rows"]]
        path = data["next_url"] and data["next_url"].split("localhost", 1)[1]
    assert len(seen) == len(set(seen)) and set(seen) == substring_scan(archive, "的")
    assert len(seen) > 40
