"""`fanwen extract`: the crawl's decode + extract + clean on saved pages, for debugging one page."""

import json
from pathlib import Path

from conftest import fanwen

PAGES = Path(__file__).parent / "pages"


def gold(name: str) -> dict:
    return json.loads((PAGES / f"{name}.json").read_text(encoding="utf-8"))


def test_gbk_page_declared_gb2312_prints_correct_chinese():
    page = PAGES / "diyifanwen-1.html"
    assert b"gb2312" in page.read_bytes()[:2000].lower()
    result = fanwen("extract", str(page))
    assert result.returncode == 0, result.stderr
    expected = gold("diyifanwen-1")
    assert expected["title"] in result.stdout
    assert any(ch in result.stdout for ch in "镕堃")
    assert "\ufffd" not in result.stdout
    for line in expected["text"].splitlines()[:3]:
        assert line in result.stdout


def test_json_one_object_per_file_in_argument_order():
    names = ["huabo-1", "laowenmi-1", "dede-1"]
    result = fanwen("extract", "--json", *(str(PAGES / f"{n}.html") for n in names))
    assert result.returncode == 0, result.stderr
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert [Path(o["source"]).stem for o in objects] == names
    for name, obj in zip(names, objects, strict=True):
        assert {"title", "published", "text", "truncated", "removed"} <= set(obj)
        assert obj["title"] == gold(name)["title"]
        assert obj["truncated"] == gold(name)["truncated"]
        assert all({"rule", "text"} <= set(r) for r in obj["removed"])
    paywall = [r for r in objects[0]["removed"] if "联系老师" in r["text"]]
    assert paywall and all(r["rule"] for r in paywall), objects[0]["removed"]


def test_site_config_dry_run():
    result = fanwen("extract", "--site", "diyifanwen", "--json", str(PAGES / "diyifanwen-2.html"))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["title"] == gold("diyifanwen-2")["title"]


def test_missing_file_is_one_line_error():
    result = fanwen("extract", "/nonexistent/page.html")
    assert result.returncode == 2
    assert result.stderr.strip().startswith("Error: cannot read /nonexistent/page.html")


def test_a_rejected_page_says_why():
    names = [p.stem for p in sorted(PAGES.glob("*.json")) if gold(p.stem)["kind"] == "list"][:1]
    assert names, "tests/pages has a list page"
    result = fanwen("extract", str(PAGES / f"{names[0]}.html"))
    assert result.returncode == 0, result.stderr
    head = result.stdout.splitlines()[0]
    assert head.startswith(f"== {PAGES / names[0]}.html [list: ") and "]" in head, head
    result = fanwen("extract", "--json", str(PAGES / f"{names[0]}.html"))
    obj = json.loads(result.stdout)
    assert obj["kind"] == "list" and obj["reason"] and obj["text"] == ""
