"""Headless Debian Chromium against a real Datasette server: type a Chinese query, read the rows, screenshot.

Needs /usr/bin/chromium and CJK fonts (scripts/system-deps.sh installs both); never downloads a browser.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import datasette_server
from test_search_corpus import make_archive, substring_scan

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed (make system-deps)"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """A real Datasette server for a fresh archive on 127.0.0.1 and an OS-chosen port."""
    archive = make_archive(tmp_path_factory.mktemp("browser") / "fanwen.db", random_articles=60)
    with datasette_server(archive) as url:
        yield url, archive


@pytest.fixture(scope="module")
def page(server):
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser.new_page(viewport={"width": 1100, "height": 1400}, locale="zh-CN")
        browser.close()


def test_cjk_fonts_are_installed():
    assert shutil.which("fc-list"), "fontconfig is missing"
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts or "WenQuanYi" in fonts, "no Chinese font: pages would render as tofu"


def test_typing_a_two_character_query_shows_exactly_the_matching_rows(server, page):
    base, archive = server
    page.goto(f"{base}/fanwen/articles")
    page.fill('input[name="_search"]', "家长")
    page.press('input[name="_search"]', "Enter")
    page.wait_for_url("**_search=*")
    urls = set(page.locator("td.col-url").all_inner_texts())
    expected = substring_scan(archive, "家长", "家長")
    assert len(expected) == 2 and urls == expected


def test_article_page_renders_chinese_text_not_tofu(server, page):
    base, _ = server
    page.goto(f"{base}/fanwen/articles")
    page.fill('input[name="_search"]', "政协工作报告")
    page.press('input[name="_search"]', "Enter")
    page.wait_for_url("**_search=*")
    page.locator("td.type-pk a").first.click()
    page.wait_for_selector("article.fanwen-article")
    heading = page.locator("article.fanwen-article h1")
    assert heading.inner_text() == "政协工作报告（2023年）"
    assert heading.evaluate("h => h.getBoundingClientRect().width") > 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "article.png"), full_page=True)
    # Ask Chromium which font drew the glyphs: tofu would come from no CJK font at all.
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "article.fanwen-article .fanwen-text p"})
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
    cjk = [f for f in fonts if "CJK" in f["familyName"] or "WenQuanYi" in f["familyName"]]
    first = page.locator("article.fanwen-article .fanwen-text p").first.inner_text()
    assert first == "各位委员："
    assert sum(f["glyphCount"] for f in cjk) == len(first), fonts  # every glyph from a CJK font
