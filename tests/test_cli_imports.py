"""Commands import their heavy dependencies inside the command that needs them: asking for help, listing the
sites and exporting start without Scrapy, Twisted, lxml, BeautifulSoup or OpenCC (bench/startup.py times it),
and a user's site config is still checked in full."""

from __future__ import annotations

import pytest
from conftest import DEMO, fanwen

from bench.startup import heavy_imports
from fanwen.pipelines.store import open_db


@pytest.mark.parametrize("args", [["--help"], ["sites"], ["export", "--help"]], ids=" ".join)
def test_help_and_the_site_list_load_no_heavy_library(args):
    assert heavy_imports(args) == []


def test_an_export_loads_no_crawling_or_cleaning_library(tmp_path):
    db = tmp_path / "a.db"
    open_db(db).close()
    args = ["export", "--db", str(db), "--site", "diyifanwen", "-o", str(tmp_path / "a.jsonl")]
    assert set(heavy_imports(args)) <= {"sqlite_utils"}


def test_a_users_site_config_is_still_checked_in_full(tmp_path):
    # The demo config, with a selector that does not compile: `fanwen sites --sites-dir` is how to try a config.
    sites = tmp_path / "sites"
    sites.mkdir()
    config = (DEMO / "_sites" / "demo.toml").read_text(encoding="utf-8")
    (sites / "demo.toml").write_text(config.replace("[source]", '[selectors]\nbody = "div[["\n\n[source]'),
                                     encoding="utf-8")
    result = fanwen("sites", "--sites-dir", str(sites))
    assert result.returncode == 2 and "demo.toml: selectors.body: bad CSS" in result.stderr, result.stderr
