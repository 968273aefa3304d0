"""The archive in Datasette: metadata, article page, canned queries, chart, XSS safety, read-only serving."""

from __future__ import annotations

import sqlite3
import threading
import xml.etree.ElementTree as ET
from collections import Counter
from urllib.parse import quote

import pytest
from test_search_corpus import add_article, make_archive, substring_scan

from fanwen.browse.audit import rule_whys
from fanwen.browse.serve import make_datasette
from fanwen.errors import StoreError
from fanwen.pipelines.store import finish_crawl, open_db, start_crawl

XSS_URL = "https://www.xuexila.com/yc/c343402.html"
TRUNCATED_URL = "https://m.huaboedu.com/news/762.html"


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    path = make_archive(tmp_path_factory.mktemp("views") / "fanwen.db")
    db = open_db(path)
    add_article(db, XSS_URL, "xuexila", '<script>alert("title")</script>标题', "2023-08-08",
                '第一段<img src=x onerror=alert(1)>\n<script>alert("text")</script>第二段', False)
    ok = start_crawl(db, "crawl ruiwen", ["ruiwen"])
    finish_crawl(db, ok, pages=10, errors=0, finish_reason="finished", exit_status=0)
    bad = start_crawl(db, "crawl huaboedu", ["huaboedu"])
    finish_crawl(db, bad, pages=3, errors=2, error_kinds={"TimeoutError": 2}, finish_reason="finished",
                 exit_status=0)
    db.close()
    return path


@pytest.fixture(scope="module")
def ds(archive):
    return make_datasette(str(archive))


def rows(archive, sql: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(archive)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def row_path(url: str) -> str:
    """Datasette's tilde-encoding of a text primary key."""
    return "/fanwen/articles/" + quote(url, safe="").replace("%", "~").replace(".", "~2E").replace("-", "~2D")


async def test_metadata_titles_hidden_tables_and_facets(ds, archive):
    home = (await ds.client.get("/fanwen.json")).json()
    tables = {t["name"]: t for t in home["tables"]}
    assert tables["pages"]["hidden"] and tables["articles_fts"]["hidden"] and tables["articles_fts_meta"]["hidden"]
    assert not tables["articles"]["hidden"] and not tables["removals"]["hidden"]
    data = (await ds.client.get("/fanwen/articles.json?_size=1")).json()
    facets = data["facet_results"]
    assert {"site", "category", "published", "truncated"} <= set(facets)
    years = {f["value"]: f["count"] for f in facets["published"]["results"]}
    assert years == dict(Counter(p[:4] for (p,) in rows(archive, "select published from articles "
                                                                  "where published is not null")))
    assert (await ds.client.get("/fanwen/articles.json?_sort=text")).json()["error"] == "Cannot sort table by text"
    newest = (await ds.client.get("/fanwen/articles.json?_sort_desc=published&_shape=array&_size=1")).json()
    assert newest[0]["published"] == rows(archive, "select max(published) from articles")[0][0]
    page = (await ds.client.get("/")).text
    assert "范文档案 fanwen-archive" in page and "仅供研究" in page


async def test_year_facet_link_filters_by_year(ds, archive):
    data = (await ds.client.get("/fanwen/articles.json?_size=1")).json()
    year_2022 = next(f for f in data["facet_results"]["published"]["results"] if f["value"] == "2022")
    assert "published__startswith=2022" in year_2022["toggle_url"]
    query = year_2022["toggle_url"].split("?", 1)[1]
    filtered = (await ds.client.get(f"/fanwen/articles.json?{query}")).json()
    assert filtered["filtered_table_rows_count"] == year_2022["count"]


async def test_table_view_truncates_long_text(ds, archive):
    url, text = rows(archive, "select url, text from articles order by length(text) desc limit 1")[0]
    assert len(text) > 200
    html = (await ds.client.get("/fanwen/articles", params={"url": url})).text
    assert text[:100] in html and text[-60:] not in html  # cut at 160 characters; the row page has it all


async def test_article_page_shows_readable_text_source_badge_and_removals(ds):
    html = (await ds.client.get(row_path(TRUNCATED_URL))).text
    assert "<h1>在全市民主评议政风行风工作会议上的讲话</h1>" in html
    assert "<p>今天召开全市民主评议政风行风工作会议，主要任务是总结去年工作、部署今年任务。</p>" in html
    assert f'href="{TRUNCATED_URL}"' in html and "<time>2023-03-05</time>" in html
    assert 'class="fanwen-badge"' in html
    why = rule_whys()["paywall-preview-ended"]
    assert (f'<td><code>paywall-preview-ended</code></td><td>paywall</td><td class="fanwen-why">{why}</td>'
            "<td>预览阅读已结束,若您需要全文或代笔。</td>") in html
    complete = (await ds.client.get(row_path("https://www.liuxue86.com/a/4.html"))).text
    assert 'class="fanwen-badge"' in complete  # 我的妈妈 is marked truncated in HAND_WRITTEN
    whole = (await ds.client.get(row_path("https://www.ruiwen.com/zuowen/5.html"))).text
    assert 'class="fanwen-badge"' not in whole and "Nothing was removed." in whole


async def test_scraped_html_is_never_rendered(ds):
    for path in [row_path(XSS_URL), "/fanwen/articles?_search=第一段", "/fanwen/search?q=第二段",
                 "/fanwen/latest"]:
        html = (await ds.client.get(path)).text
        assert "<script>alert(" not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;alert(" in html or "&lt;img src=x" in html, path


async def test_canned_queries(ds, archive):
    latest = (await ds.client.get("/fanwen/latest.json?_shape=array")).json()
    assert len(latest) == 100
    dates = [r["published"] for r in latest]
    assert None not in dates and dates == sorted(dates, reverse=True)
    assert dates[0] == rows(archive, "select max(published) from articles")[0][0]
    truncated = (await ds.client.get("/fanwen/truncated.json?_shape=array")).json()
    assert {r["url"] for r in truncated} == {u for (u,) in rows(archive, "select url from articles "
                                                                         "where truncated = 1")}
    history = (await ds.client.get("/fanwen/crawl_history.json?_shape=array")).json()
    assert [(h["command"], h["status"], h["error_kinds"]) for h in history] == [
        ("crawl huaboedu", "check", '{"TimeoutError": 2}'), ("crawl ruiwen", "ok", None)]


async def test_articles_per_month_and_its_svg_chart(ds, archive):
    per_month = (await ds.client.get("/fanwen/articles_per_month.json?_shape=array")).json()
    expected = Counter((p[:7], s) for p, s in rows(archive, "select published, site from articles "
                                                            "where published is not null"))
    assert {(r["month"], r["site"]): r["articles"] for r in per_month} == expected
    response = await ds.client.get("/fanwen/articles_per_month.svg")
    assert response.headers["content-type"] == "image/svg+xml"
    svg = ET.fromstring(response.text)
    ns = "{http://www.w3.org/2000/svg}"
    bars = [r for r in svg.iter(f"{ns}rect") if r.find(f"{ns}title") is not None]
    assert len(bars) == len(expected)
    labels = {t.text for t in svg.iter(f"{ns}text")}
    assert {site for _, site in expected} <= labels
    tallest = max(float(b.get("height")) for b in bars)
    month_totals = Counter()
    for (month, _), n in expected.items():
        month_totals[month] += n
    ticks = [int(t.text) for t in svg.iter(f"{ns}text") if t.get("class") == "y-tick"]
    assert tallest <= 220 and ticks[0] == 0 and ticks[-1] >= max(month_totals.values())
    page = (await ds.client.get("/fanwen/articles_per_month")).text
    assert '<img src="/fanwen/articles_per_month.svg"' in page
    assert "articles_per_month.svg" not in (await ds.client.get("/fanwen/latest")).text


async def test_served_read_only(ds, archive):
    before = rows(archive, "select count(*) from articles")[0][0]
    response = await ds.client.get("/fanwen.json", params={"sql": "delete from articles"})
    assert response.status_code == 400
    db = ds.get_database("fanwen")
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await db.execute_fn(lambda conn: conn.execute("delete from articles"))
    assert rows(archive, "select count(*) from articles")[0][0] == before


async def test_search_while_a_crawl_writes(tmp_path):
    path = make_archive(tmp_path / "fanwen.db", random_articles=50)
    ds = make_datasette(str(path))
    done, errors = threading.Event(), []

    def crawl() -> None:
        db = open_db(path)
        try:
            for i in range(150):
                with db.atomic():  # a batch holds the write lock for a while, like a pipeline flush
                    for j in range(3):
                        add_article(db, f"https://www.ruiwen.com/live/{i}-{j}.html", "ruiwen", f"实时{i}",
                                    "2023-09-01", f"第{i}批政协会议纪要，民主评议第{j}项。", False)
        except Exception as e:  # the assertion below reports it
            errors.append(e)
        finally:
            db.close()
            done.set()

    writer = threading.Thread(target=crawl)
    writer.start()
    statuses = []
    while not done.is_set():
        for path_qs in ["/fanwen/articles.json?_search=政协", "/fanwen/articles?_search=民主评议",
                        "/fanwen/search.json?q=会议纪要"]:
            statuses.append((await ds.client.get(path_qs)).status_code)
    writer.join()
    assert not errors and statuses and set(statuses) == {200}
    response = await ds.client.get("/fanwen/articles.json", params={"_search": "会议纪要", "_shape": "array",
                                                                     "_size": "max"})
    assert {r["url"] for r in response.json()} == substring_scan(path, "会议纪要")
    assert len(substring_scan(path, "会议纪要")) == 450


def test_serving_a_missing_or_foreign_file_is_a_one_line_error(tmp_path):
    with pytest.raises(StoreError, match=r"^database .*nope.db does not exist"):
        make_datasette(str(tmp_path / "nope.db"))
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table t (x)").connection.close()
    with pytest.raises(StoreError, match="has no articles table"):
        make_datasette(str(other))
