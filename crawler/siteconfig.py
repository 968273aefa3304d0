"""Site configs: one TOML file per site under crawler/sites/ (or a user's --sites-dir), validated on load.

Every problem is a one-line ConfigError naming the file and the key, so a user editing a config sees
exactly what to fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fanwen.errors import ConfigError
from fanwen.pipelines.backtrack import RUNS, hang_problem
from fanwen.pipelines.decode import normalise_label
from fanwen.tomldata import Schema, check_table, read_toml

if TYPE_CHECKING:
    from fanwen.pipelines.rules import Rule

# Compiling selectors and rules loads lxml, BeautifulSoup and OpenCC (the cleaning code): it is imported
# where a config is checked in full, so `fanwen sites` and the commands that only check a SITE name start
# without them (bench/startup.py).

BUILTIN_DIR = Path(__file__).parent / "sites"
SELECTOR_KEYS = {"title", "date", "body", "category", "author"}
SOURCE_KEYS = {"notes", "checked", "verified", "evidence"}
NAME_RE = re.compile(r"^[a-z][a-z0-9_-]*$")


@dataclass(frozen=True)
class SiteConfig:
    """A validated site: where to start, which links are lists/articles, optional selectors and rules."""

    name: str
    title: str
    start_urls: tuple[str, ...]
    allowed_hosts: tuple[str, ...]
    article_urls: tuple[re.Pattern, ...] = ()
    list_urls: tuple[re.Pattern, ...] = ()
    deny_urls: tuple[re.Pattern, ...] = ()
    encoding: str | None = None
    selectors: dict[str, str] = field(default_factory=dict)
    rules: tuple[Rule, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)
    source: dict[str, Any] = field(default_factory=dict)
    path: str = ""


_SCHEMA: Schema = {
    "name": (True, str),
    "title": (True, str),
    "start_urls": (True, list),
    "allowed_hosts": (True, list),
    "article_urls": (False, list),
    "list_urls": (False, list),
    "deny_urls": (False, list),
    "encoding": (False, str),
    "selectors": (False, dict),
    "rules": (False, list),
    "settings": (False, dict),
    "source": (True, dict),
}


def load_site(path: str | Path, *, full: bool = True) -> SiteConfig:
    """Read and validate one site file (see parse_site for `full`)."""
    return parse_site(read_toml(path), str(path), full=full)


def parse_site(raw: dict[str, Any], where: str, *, full: bool = True) -> SiteConfig:
    """Validate an already-parsed site mapping; `where` names it in errors.

    Without `full`, the selectors and rules are neither compiled nor proven against their examples (the
    config's `rules` are then empty): for listing the shipped configs, which the test suite checks in full.
    """
    check_table(raw, _SCHEMA, where)
    if not NAME_RE.match(raw["name"]):
        raise ConfigError(f"{where}: name: '{raw['name']}' must be lower-case letters, digits, '-' or '_'")
    start_urls = _strings(raw, "start_urls", where, nonempty=True)
    for i, url in enumerate(start_urls):
        if not re.match(r"^https?://[^/]+", url):
            raise ConfigError(f"{where}: start_urls[{i}]: '{url}' is not an http(s) URL")
    selectors = raw.get("selectors", {})
    for key, value in selectors.items():
        if key not in SELECTOR_KEYS:
            allowed = ", ".join(sorted(SELECTOR_KEYS))
            raise ConfigError(f"{where}: selectors.{key}: unknown selector (allowed: {allowed})")
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{where}: selectors.{key}: expected a non-empty CSS selector string")
        if full:
            _check_css(value, f"{where}: selectors.{key}")
    for key in raw["source"]:
        if key not in SOURCE_KEYS:
            raise ConfigError(f"{where}: source.{key}: unknown key (allowed: {', '.join(sorted(SOURCE_KEYS))})")
    encoding = raw.get("encoding")
    if encoding is not None:
        if normalise_label(encoding) is None:
            raise ConfigError(f"{where}: encoding: unknown encoding '{encoding}'")
    # What the URL patterns are probed with: the site's own URLs, each carrying on with a long near-match.
    like_links = [url + run for url in start_urls for run in RUNS]
    return SiteConfig(
        name=raw["name"],
        title=raw["title"],
        start_urls=tuple(start_urls),
        allowed_hosts=tuple(h.lower() for h in _strings(raw, "allowed_hosts", where, nonempty=True)),
        article_urls=_patterns(raw, "article_urls", where, like_links),
        list_urls=_patterns(raw, "list_urls", where, like_links),
        deny_urls=_patterns(raw, "deny_urls", where, like_links),
        encoding=encoding,
        selectors=dict(selectors),
        rules=_checked_rules(raw.get("rules", []), where) if full else (),
        settings=dict(raw.get("settings", {})),
        source=dict(raw["source"]),
        path=where,
    )


def _checked_rules(raw: list, where: str) -> tuple[Rule, ...]:
    """The site's rules, each proven against its own examples and keeps (a user rule is tested nowhere else)."""
    if not raw:
        return ()
    from fanwen.pipelines.rulecheck import rule_problem
    from fanwen.pipelines.rules import validate_rules

    rules = tuple(validate_rules(raw, where))
    for i, rule in enumerate(rules):
        problem = rule_problem(rule)
        if problem:
            raise ConfigError(f"{where}: rules[{i}] ({rule.id}): {problem}")
    return rules


def load_sites(dirs: list[str | Path] | None = None, *, listing: bool = False) -> dict[str, SiteConfig]:
    """All site configs: the built-in ones, then each extra directory (a later file may not reuse a name).

    With `listing` (`fanwen sites`, a SITE name checked before an export), the shipped configs are read
    without compiling their selectors and rules (parse_site's `full`): the test suite checks them in full
    and a crawl compiles them. The configs of `dirs`, a user's, are always checked in full.
    """
    sites: dict[str, SiteConfig] = {}
    for directory in [BUILTIN_DIR, *(Path(d) for d in dirs or [])]:
        if not directory.is_dir():
            raise ConfigError(f"{directory}: sites directory does not exist")
        for path in sorted(directory.glob("*.toml")):
            site = load_site(path, full=not (listing and directory == BUILTIN_DIR))
            if site.name in sites:
                raise ConfigError(f"{path}: name: '{site.name}' is already defined in {sites[site.name].path}")
            sites[site.name] = site
    return sites


def _strings(raw: dict, key: str, where: str, *, nonempty: bool = False) -> list[str]:
    values = raw.get(key, [])
    if nonempty and not values:
        raise ConfigError(f"{where}: {key}: must not be empty")
    for i, value in enumerate(values):
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{where}: {key}[{i}]: expected a non-empty string")
    return values


def _patterns(raw: dict, key: str, where: str, like_links: list[str]) -> tuple[re.Pattern, ...]:
    """The URL regexes under `key`, compiled, each probed for catastrophic backtracking on `like_links`
    (a pattern that hangs on one link would freeze the crawl)."""
    compiled = []
    for i, value in enumerate(_strings(raw, key, where)):
        try:
            regex = re.compile(value)
        except re.error as e:
            raise ConfigError(f"{where}: {key}[{i}]: bad regex '{value}': {e}") from e
        problem = hang_problem(regex, like_links)
        if problem:
            raise ConfigError(f"{where}: {key}[{i}]: pattern '{value}' {problem}")
        compiled.append(regex)
    return tuple(compiled)


def _check_css(selector: str, where: str) -> None:
    from fanwen.pipelines.selectors import css

    try:
        css(selector)  # the compiler the extractor uses, so a selector that loads also runs
    except ConfigError as e:
        raise ConfigError(f"{where}: bad CSS {e}") from e
