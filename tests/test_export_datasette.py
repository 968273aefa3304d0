"""The Datasette download route and its link, through Datasette's real app, on more than 1,000 rows."""

from __future__ import annotations

import csv
import io
import json
import random
import re
import sqlite3
from pathlib import Path
from urllib.parse import unquote

import pytest
from datasette.app import Datasette

from fanwen.browse.export import DEFAULT_COLUMNS
from fanwen.browse.search_index import search_sql
from fanwen.pipelines.store import open_db

ROWS = 1_500  # above Datasette's max_returned_rows (1,000), which caps its own CSV of a search
SENTENCES = ["　　为深入贯彻落实党的二十大精神，", "我校开展了“书香校园”读书月活动，", "现将有关情况总结如下：",
             "全体师生积极参与，效果显著。", "=SUM(A1) 是表格里的公式，", "“双减”政策落地以来，",
             "家长们纷纷表示：“孩子的作业少了，笑容多了。”"]


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ds-export") / "fanwen.db"
    db = open_db(path)
    rng = random.Random(7)
    sites = ["diyifanwen", "ruiwen", "xuexila"]
    db["articles"].insert_all(
        {
            "url": f"https://www.{sites[n % 3]}.com/fanwen/xindetihui/{720000 + n}.html",
            "site": sites[n % 3],
            "title": f"读书月活动总结{n}，“书香校园”",
            "published": f"2023-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
            "category": rng.choice(["心得体会", "活动总结"]),
            "author": None,
            "text": "\n".join(rng.choice(SENTENCES) for _ in range(rng.randint(2, 12))),
            "char_count": n,
            "truncated": int(n % 10 == 0),
        }
        for n in range(ROWS)
    )
    db.conn.close()
    return path


@pytest.fixture(scope="module")
def ds(archive) -> Datasette:
    return Datasette([str(archive)])


def _db(archive: Path, where: str = "1", params=()) -> list[dict]:
    conn = sqlite3.connect(archive)
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute(
        f"select {', '.join(DEFAULT_COLUMNS)} from articles where {where} order by rowid", params)]
    conn.close()
    return rows


def _csv(body: bytes) -> list[dict]:
    assert body.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def _same(got: list[dict], expected: list[dict]) -> None:
    assert [(r["url"], r["title"], r["text"]) for r in got] == [(e["url"], e["title"], e["text"]) for e in expected]


async def test_download_is_the_full_bom_csv(ds, archive):
    response = await ds.client.get("/-/fanwen-export.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith("attachment;")
    rows = _csv(response.content)
    assert len(rows) == ROWS
    _same(rows, _db(archive))


async def test_filters_and_search_select_the_same_rows_as_sql(ds, archive):
    fragment, params = search_sql("书香校园 效果")
    response = await ds.client.get(
        "/-/fanwen-export.csv?site=diyifanwen&site=ruiwen&_search=书香校园 效果&since=2023-03-01"
        "&char_count__gt=100&truncated=0&_sort=title&_next=50&_size=10"
    )
    assert response.status_code == 200
    expected = _db(archive, "site in ('diyifanwen', 'ruiwen') and published >= '2023-03-01' and char_count > 100"
                            f" and truncated = 0 and {fragment}", params)
    assert len(expected) > 300
    _same(_csv(response.content), expected)


async def test_search_download_is_not_capped_at_max_returned_rows(ds, archive):
    fragment, params = search_sql("书香")
    response = await ds.client.get("/-/fanwen-export.csv?_search=书香")
    expected = _db(archive, fragment, params)
    assert len(expected) > 1_000
    _same(_csv(response.content), expected)


async def test_table_page_link_downloads_its_full_result(ds, archive):
    page = await ds.client.get("/fanwen/articles?site=ruiwen&category=活动总结&_sort=char_count")
    assert page.status_code == 200
    hrefs = re.findall(r'a\.href = ("[^"]+")', page.text)
    assert len(hrefs) == 1
    href = json.loads(hrefs[0])
    assert href.startswith("/-/fanwen-export.csv?_db=fanwen&")
    assert "/-/fanwen-export.csv?_db=fanwen&amp;site=ruiwen" in page.text  # the table actions menu entry
    rows = _csv((await ds.client.get(href)).content)
    expected = _db(archive, "site = 'ruiwen' and category = '活动总结'")
    assert len(rows) == len(expected) > 200
    _same(rows, expected)


async def test_column_choice_and_safe_formulas(ds, archive):
    response = await ds.client.get("/-/fanwen-export.csv?_col=text&_col=url&_safe_formulas=1&site=xuexila")
    with_formula = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert with_formula[0] == ["text", "url"]
    expected = _db(archive, "site = 'xuexila'")
    assert [r[1] for r in with_formula[1:]] == [e["url"] for e in expected]
    neutralised = [("'" if e["text"].startswith("=") else "") + e["text"] for e in expected]
    assert [r[0] for r in with_formula[1:]] == neutralised
    assert any(r[0].startswith("'=SUM") for r in with_formula[1:])


async def test_other_tables_get_no_link(ds):
    page = await ds.client.get("/fanwen/crawls")
    assert page.status_code == 200 and "fanwen-export.csv" not in page.text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("_where=1", "Error: _where cannot be used with the full export; remove it and retry"),
        ("since=2023-02-30", "Error: since: '2023-02-30' is not a date"),
        ("_col=body", "Error: unknown column body (choose from: url, site,"),
        ("truncated=maybe", "Error: truncated: 'maybe' is not 1 or 0"),
        ("_db=nope", "Error: no database named 'nope' with an articles table"),
    ],
)
async def test_bad_arguments_get_a_one_line_400(ds, query, message):
    response = await ds.client.get("/-/fanwen-export.csv?" + query)
    assert response.status_code == 400
    assert unquote(response.text).startswith(message) and response.text.count("\n") == 1
