"""`fanwen export` and fanwen.browse.export on a real SQLite archive: round trips, BOM, quoting, filters, errors."""

from __future__ import annotations

import csv
import io
import json
import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from fanwen.browse.export import DEFAULT_COLUMNS, ExportFilter, export_progress, export_rows
from fanwen.cli import cli
from fanwen.pipelines.records import Document, Extraction, Fetched
from fanwen.pipelines.store import open_db, upsert_article

BOM = "\ufeff".encode()
PHRASES = [
    "　　时光飞逝，转眼间一年的工作即将结束。",
    "在局党组的正确领导下，我认真学习习近平新时代中国特色社会主义思想，",
    "坚持以人民为中心的发展思想，紧紧围绕市委、市政府确定的各项任务目标，",
    "现将本人一年来的思想、工作情况总结如下：",
    "一、加强政治理论学习，提高思想认识。",
    "我的妈妈是一名老师，她每天都很忙。",
    "“不忘初心、牢记使命”主题教育开展以来，",
    "（一）存在的问题：学习不够深入，调查研究不够扎实；",
    "以上就是小编为大家整理的范文，希望对大家有所帮助！",
    "2023年10月1日，我们一行20人来到革命老区参观学习。",
]
# Cells that break naive CSV writers, or that Excel would evaluate as formulas.
TRICKY_TITLE = '关于"创先争优",活动的总结，第一部分'
TRICKY_TEXT = '第一段，含有逗号, 和"英文引号"。\n=SUM(A1)\n第三段\r\n第四段：👉 联系老师\u2028行分隔符之后'
FORMULA_CELLS = ["=SUM(A1)", "+1的力量", "-5℃的清晨，我们出发了。", "@某某老师"]


def _article(db, n: int, site: str, **fields) -> None:
    url = f"https://www.{site}.com/fanwen/gongzuozongjie/{3476300 + n}.html"
    fetched = Fetched(url, 200, {"Content-Type": "text/html; charset=gbk"}, b"<html></html>", "gb18030",
                      "2024-05-01T08:00:00Z")
    upsert_article(db, Document(url, site, [fetched]), Extraction(kind="article", **fields), crawl_id=None)


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """A seeded archive: ordinary essays plus rows with quotes, newlines, formulas, NULLs, a 40k-char text."""
    path = tmp_path_factory.mktemp("export") / "fanwen.db"
    db = open_db(path)
    rng = random.Random(20240501)
    sites = ["diyifanwen", "ruiwen", "huaboedu"]
    categories = ["工作总结", "心得体会", "演讲稿", None]
    for n in range(240):
        day = f"{rng.randint(2021, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        published = None if n % 17 == 0 else day
        if published and n % 5 == 0:
            published += f" {rng.randint(0, 23):02d}:30:00"
        _article(db, n, sites[n % 3], title=f"{rng.choice(['2023年', '最新'])}个人工作总结（通用{n % 9 + 1}篇）",
                 published=published, category=categories[n % 4], author=rng.choice([None, "佚名", "张老师"]),
                 text="\n".join(rng.choice(PHRASES) for _ in range(rng.randint(3, 30))), truncated=n % 7 == 0)
    specials = [(TRICKY_TITLE, TRICKY_TEXT, "王，老师")] + [(c, c + "\n正文第二段。", c) for c in FORMULA_CELLS]
    specials.append(("超长范文", "".join(PHRASES) * 80, None))
    for n, (title, text, author) in enumerate(specials, start=1000):
        _article(db, n, "diyifanwen", title=title, published="2023-10-01", category="工作总结", author=author,
                 text=text, truncated=False)
    db.conn.close()
    return path


def _db_rows(archive: Path, columns=DEFAULT_COLUMNS, where: str = "1", params=()) -> list[dict]:
    conn = sqlite3.connect(archive)
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute(f"select {', '.join(columns)} from articles where {where} order by rowid",
                                           params)]
    conn.close()
    return rows


def _run(archive: Path, *args: str):
    return CliRunner().invoke(cli, ["export", "--db", str(archive), *args], catch_exceptions=False)


def _read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_excel_csv_round_trip_gives_every_article_unchanged(archive, tmp_path):
    out = tmp_path / "范文.csv"
    result = _run(archive, "--format", "csv", "--excel", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(BOM + b"url,site,title")
    rows, expected = _read_csv(out), _db_rows(archive)
    assert [(r["url"], r["title"], r["text"]) for r in rows] == [(e["url"], e["title"], e["text"]) for e in expected]
    assert result.stderr.strip().splitlines()[-1] == f"exported {len(expected):,} rows to {out}"


def test_jsonl_round_trip_is_identical_to_the_database(archive, tmp_path):
    out = tmp_path / "articles.jsonl"
    assert _run(archive, "--format", "jsonl", "-o", str(out)).exit_code == 0
    raw = out.read_bytes()
    assert "个人工作总结".encode() in raw and not raw.startswith(BOM)
    lines = raw.decode("utf-8").splitlines()
    assert [json.loads(line) for line in lines] == _db_rows(archive)
    assert list(json.loads(lines[0])) == list(DEFAULT_COLUMNS)


def test_csv_records_end_in_crlf_and_keep_embedded_newlines(archive, tmp_path):
    out = tmp_path / "a.csv"
    assert _run(archive, "--format", "csv", "-o", str(out), "--columns", "title,text").exit_code == 0
    raw = out.read_bytes().decode("utf-8-sig")
    assert raw.startswith("title,text\r\n")
    quoted = TRICKY_TEXT.replace('"', '""')
    assert f'"{TRICKY_TITLE.replace(chr(34), chr(34) * 2)}","{quoted}"\r\n' in raw


@pytest.mark.parametrize("switches", [["--excel"], []])
def test_formula_cells_survive_unchanged_without_safe_formulas(archive, tmp_path, switches):
    out = tmp_path / "a.csv"
    assert _run(archive, "--format", "csv", *switches, "-o", str(out)).exit_code == 0
    by_url = {r["url"]: r for r in _read_csv(out)}
    for expected in _db_rows(archive, where="title in (?, ?, ?, ?, ?)", params=[TRICKY_TITLE, *FORMULA_CELLS]):
        got = by_url[expected["url"]]
        assert (got["title"], got["text"], got["author"]) == (expected["title"], expected["text"], expected["author"])


def test_safe_formulas_prefixes_only_cells_excel_would_evaluate(archive, tmp_path):
    out = tmp_path / "a.csv"
    assert _run(archive, "--format", "csv", "--safe-formulas", "-o", str(out)).exit_code == 0
    by_url = {r["url"]: r for r in _read_csv(out)}
    for expected in _db_rows(archive):
        got = by_url[expected["url"]]
        for column in ("title", "text", "author"):
            value = expected[column] or ""
            assert got[column] == ("'" + value if value[:1] in "=+-@" and value else value)
    assert sum(by_url[e["url"]]["title"].startswith("'") for e in _db_rows(archive)) == len(FORMULA_CELLS)


@pytest.mark.parametrize(
    ("name", "switches", "has_bom"),
    [
        ("out.csv", [], True),
        ("OUT.CSV", [], True),
        ("out.csv", ["--no-bom"], False),
        ("out.txt", [], False),
        ("out.txt", ["--excel"], True),
    ],
)
def test_bom_is_default_only_for_csv_files(archive, tmp_path, name, switches, has_bom):
    out = tmp_path / name
    assert _run(archive, "--format", "csv", *switches, "-o", str(out)).exit_code == 0
    assert out.read_bytes().startswith(BOM) is has_bom


@pytest.mark.parametrize(("switches", "has_bom"), [([], False), (["--excel"], True)])
def test_stdout_export(archive, switches, has_bom):
    result = _run(archive, "--format", "csv", *switches, "-o", "-")
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(BOM) is has_bom
    rows = list(csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"), newline="")))
    assert [r["text"] for r in rows] == [r["text"] for r in _db_rows(archive)]
    assert result.stderr.strip() == f"exported {len(rows):,} rows to stdout"


def test_filters_select_the_same_rows_as_sql(archive, tmp_path):
    out = tmp_path / "a.jsonl"
    args = ["--site", "ruiwen", "--site", "huaboedu", "--category", "工作总结", "--since", "2022-03-01",
            "--until", "2023-10-01", "--no-truncated"]
    assert _run(archive, "--format", "jsonl", "-o", str(out), *args).exit_code == 0
    got = [json.loads(line)["url"] for line in out.read_text("utf-8").splitlines()]
    expected = [r["url"] for r in _db_rows(archive, where=(
        "site in ('ruiwen', 'huaboedu') and category = '工作总结' and truncated = 0"
        " and substr(published, 1, 10) between '2022-03-01' and '2023-10-01'"))]
    assert got == expected and got


def test_until_includes_articles_published_later_that_day(archive, tmp_path):
    day = _db_rows(archive, where="length(published) > 10")[0]["published"][:10]
    out = tmp_path / "a.jsonl"
    assert _run(archive, "--format", "jsonl", "-o", str(out), "--since", day, "--until", day).exit_code == 0
    got = [json.loads(line)["published"] for line in out.read_text("utf-8").splitlines()]
    assert got == [r["published"] for r in _db_rows(archive, where="published like ?", params=[day + "%"])]
    assert any(len(p) > 10 for p in got)


def test_truncated_switch(archive, tmp_path):
    out = tmp_path / "a.jsonl"
    assert _run(archive, "--format", "jsonl", "-o", str(out), "--truncated").exit_code == 0
    got = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [r["url"] for r in got] == [r["url"] for r in _db_rows(archive, where="truncated = 1")]


def test_columns_choose_and_order_the_fields(archive, tmp_path):
    out = tmp_path / "a.csv"
    assert _run(archive, "--format", "csv", "-o", str(out), "--columns", "text, title,content_hash").exit_code == 0
    with open(out, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["text", "title", "content_hash"]
    assert rows[1:] == [[r["text"], r["title"], r["content_hash"]]
                        for r in _db_rows(archive, columns=("text", "title", "content_hash"))]


def test_search_uses_the_archive_search(archive, tmp_path):
    search_index = pytest.importorskip("fanwen.browse.search_index")
    fragment, params = search_index.search_sql("工作总结")
    out = tmp_path / "a.jsonl"
    result = _run(archive, "--format", "jsonl", "-o", str(out), "--search", "工作总结")
    assert result.exit_code == 0, result.output
    got = [json.loads(line)["url"] for line in out.read_text("utf-8").splitlines()]
    assert got == [r["url"] for r in _db_rows(archive, where=fragment, params=params)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--columns", "title,body"], "Error: unknown column body (choose from: url, site, title,"),
        (["--since", "2023-13-01"], "Error: --since: '2023-13-01' is not a date (expected YYYY-MM-DD"),
        (["--until", "2023/10/01"], "Error: --until: '2023/10/01' is not a date"),
        (["--since", "2024-01-02", "--until", "2024-01-01"], "Error: --since: 2024-01-02 is after until 2024-01-01"),
        (["--excel", "--no-bom"], "Error: --excel and --no-bom contradict each other"),
        (["--format", "jsonl", "--safe-formulas"], "Error: --safe-formulas: only applies to the csv format"),
        (["--format", "jsonl", "--excel"], "Error: --excel: a BOM only applies to the csv format"),
    ],
)
def test_bad_input_is_one_line_and_leaves_the_old_file(archive, tmp_path, args, message):
    out = tmp_path / "out.csv"
    out.write_bytes(b"previous export")
    result = _run(archive, "-o", str(out), *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1
    assert out.read_bytes() == b"previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_unwritable_outputs(archive, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    for target in (tmp_path / "missing" / "a.csv", blocker / "a.csv", tmp_path):
        result = _run(archive, "--format", "csv", "-o", str(target))
        assert result.exit_code == 1
        assert result.stderr.startswith(f"Error: cannot write {target}: ") and result.stderr.count("\n") == 1


def test_missing_or_foreign_database(tmp_path):
    result = CliRunner().invoke(cli, ["export", "--db", str(tmp_path / "nope.db"), "--format", "csv"])
    assert result.exit_code == 1
    missing = tmp_path / "nope.db"
    assert result.stderr == f"Error: --db: database {missing} does not exist (crawl something first)\n"
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table t (x)").connection.close()
    result = CliRunner().invoke(cli, ["export", "--db", str(other), "--format", "csv"])
    assert result.stderr == f"Error: database {other} has no articles table (is it a fanwen archive?)\n"


def test_failure_mid_export_leaves_no_partial_file(archive, tmp_path):
    broken = tmp_path / "broken.db"
    sqlite3.connect(archive).backup(target := sqlite3.connect(broken))
    # Bytes that are not UTF-8 in the last row: the export fails after writing several chunks.
    last = "(select max(rowid) from articles)"
    target.execute(f"update articles set author = cast(x'e8bf99ff' as text) where rowid = {last}")
    target.commit()
    target.close()
    out = tmp_path / "out.csv"
    out.write_bytes(b"previous export")
    result = CliRunner().invoke(cli, ["export", "--db", str(broken), "--format", "csv", "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: reading {broken} failed after ") and result.stderr.count("\n") == 1
    assert out.read_bytes() == b"previous export"
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("broken.db")] == ["out.csv"]


def test_format_follows_the_output_suffix(archive, tmp_path):
    out = tmp_path / "a.jsonl"
    assert _run(archive, "-o", str(out)).exit_code == 0
    assert len(out.read_text("utf-8").splitlines()) == len(_db_rows(archive))
    assert _run(archive, "-o", "-").stderr.startswith("Error: --format is required")


def test_progress_reports_every_n_rows(archive, tmp_path):
    report = io.StringIO()
    count = export_rows(archive, "jsonl", str(tmp_path / "a.jsonl"), filters=ExportFilter(),
                        progress=export_progress(report, every_rows=50, every_seconds=3600))
    assert count == len(_db_rows(archive))
    lines = report.getvalue().splitlines()
    assert [line.split(" rows")[0] for line in lines] == [f"exported {n:,}" for n in range(50, count + 1, 50)]


def test_reader_closing_the_pipe_early_is_not_a_crash(archive):
    # A real pipe to a reader that quits after the first bytes, as with `fanwen export -o - | head`.
    code = "import sys; from fanwen.cli import main; main(['export', *sys.argv[1:]])"
    proc = subprocess.Popen([sys.executable, "-c", code, "--db", str(archive), "--format", "jsonl"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.read(100)
    proc.stdout.close()
    assert proc.wait(timeout=60) == 1
    assert proc.stderr.read() == b""
