"""Every user mistake, through the real CLI: one `Error: …` line on stderr and nothing else (no traceback, no
Scrapy log line above it), exit 2 for usage and configuration errors, 1 for runtime failures; the archive
is left as it was."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from conftest import FAST, fanwen
from test_cli_errors import archive_with_one_article, count, free_port


def only_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), stderr
    return lines[0]


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "a.db"
    archive_with_one_article(path)
    yield path
    assert count(path) == 1  # nothing lost, nothing added


def user_sites(tmp_path, rule: str) -> str:
    sites = tmp_path / "sites"
    sites.mkdir()
    (sites / "mine.toml").write_text(
        'name = "mine"\ntitle = "我的站"\nstart_urls = ["http://127.0.0.1:9/"]\nallowed_hosts = ["127.0.0.1:9"]\n'
        f'[source]\nevidence = "test"\n[[rules]]\n{rule}', encoding="utf-8")
    return str(sites)


RULE = ('id = "mine-footer"\ncategory = "watermark"\nkind = "regex"\npattern = "^本文由某某范文网整理$"\n'
        'why = "footer"\n')

URL = "http://127.0.0.1:9/"
USAGE = [  # (arguments, words the error line must hold)
    (["crawl", "--start-url", "not-a-url"], ["--start-url 'not-a-url'", "http(s) URL"]),
    (["crawl", "--start-url", "ftp://example.cn/"], ["--start-url 'ftp://example.cn/'"]),
    (["crawl", "--start-url", "http://"], ["--start-url 'http://'"]),
    (["crawl", "--start-url", URL, "-s", "DOWNLOAD_DELAY=abc"], ["DOWNLOAD_DELAY", "a number"]),
    (["crawl", "--start-url", URL, "-s", "CONCURRENT_REQUESTS=many"], ["CONCURRENT_REQUESTS", "a number"]),
    (["crawl", "--start-url", URL, "-s", "ROBOTSTXT_OBEY=maybe"], ["ROBOTSTXT_OBEY", "true or false"]),
    (["crawl", "--start-url", URL, "-s", "FANWEN_INCREMENTL=0"], ["did you mean FANWEN_INCREMENTAL"]),
    (["crawl", "--start-url", "http://127.0.0.1:9/", "--contact", "nobody"], ["FANWEN_CONTACT", "e-mail"]),
    (["crawl", "--start-url", "http://127.0.0.1:9/", "--refresh", "--full"], ["--refresh and --full"]),
    (["crawl", "--no-such-option"], ["No such option '--no-such-option'", "fanwen crawl --help"]),
    (["crawl", "nosuch"], ["unknown site 'nosuch'"]),
    (["reclean", "--site", "nosuch"], ["unknown site 'nosuch'"]),
    (["export", "--site", "nosuch", "--format", "csv"], ["unknown site 'nosuch'"]),
    (["export", "--since", "2024-13-01", "--format", "csv"], ["--since", "not a date"]),
    (["export", "--format", "xml"], ["'xml' is not one of"]),
    (["export", "--columns", "url,nosuch", "--format", "csv"], ["nosuch"]),
    (["extract", "--site", "nosuch", "page.html"], ["unknown site 'nosuch'"]),
    (["schedule", "nosuch"], ["unknown site 'nosuch'"]),
    (["schedule", "--start-url", "http://127.0.0.1:9/", "-s", "DOWNLOAD_DELAY=abc"], ["DOWNLOAD_DELAY"]),
    (["serve", "--port", "99999"], ["--port", "99999"]),
    (["demo", "--port", "-1"], ["--port"]),
]


@pytest.mark.parametrize(("args", "words"), USAGE, ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_usage_mistakes_are_one_line_and_exit_2(db, args, words):
    db_args = [] if args[0] in ("schedule", "extract", "demo") else ["--db", str(db)]
    result = fanwen(*args, *db_args)
    line = only_error_line(result.stderr)
    assert result.returncode == 2, (result.returncode, line)
    for word in words:
        assert word in line, line


def test_a_user_rule_that_misses_its_own_example_is_a_config_error(db, tmp_path):
    sites = user_sites(tmp_path, RULE + 'examples = ["本文由某某范文网整理。欢迎转载"]\n')
    result = fanwen("crawl", "mine", "--sites-dir", sites, "--db", str(db))
    line = only_error_line(result.stderr)
    assert result.returncode == 2 and "mine.toml" in line and "mine-footer" in line and "examples[0]" in line


def test_a_user_rule_that_removes_its_own_keep_is_a_config_error(db, tmp_path):
    rule = RULE.replace("^本文由某某范文网整理$", "整理")
    rule += 'examples = ["本文由某某范文网整理"]\nkeeps = ["我把笔记整理好了。"]\n'
    result = fanwen("sites", "--sites-dir", user_sites(tmp_path, rule))
    line = only_error_line(result.stderr)
    assert result.returncode == 2 and "keeps[0]" in line


def test_a_user_rule_that_does_what_it_says_loads(tmp_path):
    rule = RULE + 'examples = ["本文由某某范文网整理"]\nkeeps = ["这篇文章由我们整理成册。"]\n'
    result = fanwen("sites", "--sites-dir", user_sites(tmp_path, rule))
    assert result.returncode == 0 and "mine" in result.stdout


def test_a_refused_start_url_is_one_line_after_no_scrapy_log(db):
    url = f"http://127.0.0.1:{free_port()}/"
    result = fanwen("crawl", "--start-url", url, "--db", str(db), *FAST, "-s", "RETRY_TIMES=1")
    line = only_error_line(result.stderr)
    assert result.returncode == 1 and "could not fetch the start page" in line and url in line


def test_serve_on_a_port_in_use_is_one_line_and_exit_1(db):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = fanwen("serve", "--db", str(db), "--port", str(port), timeout=60)
    line = only_error_line(result.stderr)
    assert result.returncode == 1 and str(port) in line


def test_a_missing_database_is_one_line_and_exit_1(tmp_path):
    for args in (["reclean"], ["export", "--format", "csv"], ["serve"]):
        result = fanwen(*args, "--db", str(tmp_path / "none.db"))
        assert result.returncode == 1 and "does not exist" in only_error_line(result.stderr), args


# Ambiguous nested repeats: on a long run of digits that fails at its end this tries every way of cutting it.
HANGING = r"^(\d+\s*){2,}$"


def test_a_user_rule_that_backtracks_without_end_is_a_config_error(db, tmp_path):
    rule = RULE.replace('"^本文由某某范文网整理$"', f"'{HANGING}'") + 'examples = ["2023 10 01"]\nkeeps = ["正文。"]\n'
    sites = user_sites(tmp_path, rule)
    for args in (["crawl", "mine", "--sites-dir", sites, "--db", str(db)], ["sites", "--sites-dir", sites]):
        result = fanwen(*args)
        line = only_error_line(result.stderr)
        assert result.returncode == 2, line
        assert "mine.toml" in line and "mine-footer" in line and HANGING in line and "backtracks" in line, line


def test_a_site_url_pattern_that_backtracks_without_end_is_a_config_error(tmp_path):
    sites = user_sites(tmp_path, RULE + 'examples = ["本文由某某范文网整理"]\nkeeps = ["这篇文章由我们整理成册。"]\n')
    config = Path(sites) / "mine.toml"
    hanging = r"list_urls = ['/(\w+/?)+\.html$']"
    config.write_text(config.read_text(encoding="utf-8").replace("[source]", hanging + "\n[source]"), encoding="utf-8")
    result = fanwen("sites", "--sites-dir", sites)
    line = only_error_line(result.stderr)
    assert result.returncode == 2 and "mine.toml: list_urls[0]" in line and r"'/(\w+/?)+\.html$'" in line, line
