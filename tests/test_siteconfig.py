"""Site configs: shipped ones load; malformed ones fail with one line naming the file and the key."""

from pathlib import Path

import pytest

from fanwen.crawler.siteconfig import BUILTIN_DIR, load_site, load_sites
from fanwen.errors import ConfigError

GOOD = '''
name = "mysite"
title = "我的范文网"
start_urls = ["http://127.0.0.1:1/"]
allowed_hosts = ["127.0.0.1:1"]
article_urls = ['/a/\\d+\\.html$']
[source]
checked = "2026-11-26"
verified = false
'''


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mysite.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_configs_load_and_say_where_knowledge_comes_from():
    sites = load_sites()
    assert {"diyifanwen", "ruiwen", "huaboedu"} <= set(sites)
    for site in sites.values():
        assert site.source.get("verified") is False, site.name
        assert site.source.get("checked") and site.source.get("evidence"), site.name


def test_good_config(tmp_path):
    site = load_site(write(tmp_path, GOOD))
    assert site.name == "mysite" and site.article_urls[0].search("/a/12.html")


@pytest.mark.parametrize("old,new,message", [
    ("[source]", 'colour = "red"\n[source]', "colour: unknown key"),
    ('title = "我的范文网"\n', "", "title: missing key"),
    ("'/a/\\d+\\.html$'", "'/a/[0-9+'", "article_urls[0]: bad regex"),
    ('start_urls = ["http://127.0.0.1:1/"]', 'start_urls = "x"', "start_urls: expected list, got str"),
    ("[source]", '[selectors]\nbody = "div..x"\n[source]', "selectors.body: bad CSS selector"),
    ("[source]", 'encoding = "klingon"\n[source]', "encoding: unknown encoding"),
    ("verified = false", "verified = false\nwho = 1", "source.who: unknown key"),
    ("[source]", "[[rules]]\nid = 'x'\n[source]", "rules[0]"),
    ("name =", "name = =", "invalid TOML"),
])
def test_malformed_configs_name_file_and_key(tmp_path, old, new, message):
    assert old in GOOD
    with pytest.raises(ConfigError) as err:
        load_site(write(tmp_path, GOOD.replace(old, new)))
    line = str(err.value)
    assert "\n" not in line
    assert line.startswith(str(tmp_path / "mysite.toml")) and message in line, line


def test_duplicate_name_across_directories(tmp_path):
    write(tmp_path, GOOD.replace('"mysite"', '"ruiwen"'))
    with pytest.raises(ConfigError, match="already defined"):
        load_sites([tmp_path])


def test_builtin_dir_holds_only_toml():
    assert all(p.suffix == ".toml" for p in BUILTIN_DIR.iterdir())
