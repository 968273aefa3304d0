"""Cleaning rules as data: load pipelines/rules/*.toml (and site files' [[rules]]), validate, compile once.

A rule removes junk from an essay. Line rules (kind "literal" / "regex") look at one cleaned line at a time,
matching on width-folded text (`fold`), so `,` and `，`, `:` and `：`, 簡體 and 繁體 all match the same pattern;
the stored text is never folded (`unfolded = true` matches the line as written, for marks whose width is the
evidence). Selector rules (kind "selector") drop whole elements in the boilerplate step.
Scope fields keep rules safe: a paywall template only fires in the last lines, an intro only in the first lines,
and `max_len` spares long real sentences that merely mention 微信, 会员 or 下载.
"""

from __future__ import annotations

import re
import re._constants as _sre  # the regex parser: which characters an anchored rule can start with
import re._parser as _parser
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from cssselect import SelectorError
from lxml.cssselect import CSSSelector

from fanwen.errors import ConfigError
from fanwen.pipelines.backtrack import hang_problem
from fanwen.pipelines.folding import fold
from fanwen.tomldata import Schema, check_table, read_toml

RULES_DIR = Path(__file__).with_name("rules")

KINDS = ("literal", "regex", "selector")
CATEGORIES = (
    "paywall", "solicitation", "watermark", "navigation", "intro", "hidden", "ad", "source",
    "related", "comment", "meta", "copyright", "garbage", "share",
)
# drop-line: remove the whole line; strip: remove only the matched span (inline watermarks);
# drop-rest: remove the line and everything after it on the page (文库 "全文预览已结束" + garbage).
ACTIONS = ("drop-line", "strip", "drop-rest")

_REQUIRED = ("id", "category", "kind", "pattern", "why")
_OPTIONAL = {
    "examples": list, "keeps": list, "first_n_lines": int, "last_n_lines": int, "max_len": int,
    "action": str, "truncates": bool, "linked_only": bool, "before_notice": bool, "after_n_lines": int,
    "unfolded": bool,
}
_RULE_SCHEMA: Schema = {**{key: (True, str) for key in _REQUIRED}, **{k: (False, t) for k, t in _OPTIONAL.items()}}
_STEP_SCHEMA: Schema = {"id": (True, str), "category": (True, str), "why": (True, str), "step": (True, str)}
_FILE_SCHEMA: Schema = {"precedence": (True, int), "rules": (False, list), "steps": (False, list)}
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_FULLWIDTH = re.compile("[\uff01-\uff5e]")


# eq=False: a rule is compiled once and compared by identity, so rule sets hash in O(rules) cheap steps
# and the per-rule-set caches (selector index, line-rule plan) cost nothing per page.
@dataclass(frozen=True, eq=False)
class Rule:
    """One cleaning rule. `examples` must be removed by it, `keeps` must survive it (tests/test_rules.py)."""

    id: str
    category: str
    kind: str
    pattern: str
    why: str
    source: str = ""
    examples: tuple[str, ...] = ()
    keeps: tuple[str, ...] = ()
    first_n_lines: int | None = None
    last_n_lines: int | None = None
    max_len: int | None = None
    action: str = "drop-line"
    truncates: bool = False
    linked_only: bool = False
    before_notice: bool = False
    after_n_lines: int | None = None
    # Matched against the line as written, not width/繁简-folded: for marks whose width tells junk from text
    # (a converter's half-width "(xié)" against an author's full-width "（yì）").
    unfolded: bool = False
    _regex: re.Pattern[str] | None = field(default=None, repr=False, compare=False)
    # Characters a match must start the line with (None: any); lets the line step skip the rule cheaply.
    first_chars: frozenset[str] | None = field(default=None, repr=False, compare=False)

    @property
    def regex(self) -> re.Pattern[str]:
        """The compiled pattern of a line rule (matched against folded lines unless `unfolded`)."""
        assert self._regex is not None, f"{self.id} is a selector rule"
        return self._regex

    @property
    def is_line_rule(self) -> bool:
        return self.kind != "selector"

    def search(self, folded_line: str) -> re.Match[str] | None:
        """The first match of this line rule in an already folded line (the line as written for an
        `unfolded` rule), or None."""
        assert self._regex is not None, f"{self.id} is a selector rule"
        return self._regex.search(folded_line)

    def in_scope(self, kept: int, index: int, count: int, line: str) -> bool:
        """Whether the rule may look at line `index` of `count`, `kept` lines having survived before it.

        first_n_lines counts surviving lines (junk above the essay does not push the intro out of scope);
        last_n_lines counts from the end of the input. The two limits are OR-ed. after_n_lines keeps a
        rule (a drop-rest one, typically) off the head of the essay until that many lines survived.
        """
        if self.max_len is not None and len(line) > self.max_len:
            return False
        if self.after_n_lines is not None and kept < self.after_n_lines:
            return False
        if self.first_n_lines is None and self.last_n_lines is None:
            return True
        return (self.first_n_lines is not None and kept < self.first_n_lines) or (
            self.last_n_lines is not None and index >= count - self.last_n_lines
        )


# Character classes wider than this are treated as "any character".
_MAX_CLASS = 400


def _class_chars(items: list) -> set[str] | None:
    chars: set[str] = set()
    for op, av in items:
        if op is _sre.LITERAL:
            chars.add(chr(av))
        elif op is _sre.RANGE and av[1] - av[0] <= _MAX_CLASS:
            chars.update(chr(c) for c in range(av[0], av[1] + 1))
        elif op is _sre.CATEGORY and av is _sre.CATEGORY_DIGIT:
            chars.update("0123456789")
        else:
            return None
    return chars


def _first_of(seq: list) -> tuple[set[str] | None, bool]:
    """(characters a match of `seq` can start with or None for any, whether it can match empty)."""
    found: set[str] = set()
    for op, av in seq:
        if op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):  # zero-width: the next item decides
            continue
        if op is _sre.LITERAL:
            chars, empty = {chr(av)}, False
        elif op is _sre.IN:
            chars, empty = _class_chars(av), False
        elif op is _sre.SUBPATTERN:
            chars, empty = _first_of(av[3])
        elif op is _sre.BRANCH:
            chars, empty = set(), False
            for branch in av[1]:
                sub, sub_empty = _first_of(branch)
                if sub is None:
                    return None, False
                chars |= sub
                empty |= sub_empty
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
            chars, empty = _first_of(av[2])
            empty = empty or av[0] == 0
        else:
            return None, False
        if chars is None:
            return None, False
        found |= chars
        if not empty:
            return found, False
    return found, True


def first_chars(regex: re.Pattern[str]) -> frozenset[str] | None:
    """The characters a line must start with for a `^`-anchored regex to match it; None when unknown."""
    try:
        parsed = list(_parser.parse(regex.pattern, regex.flags))
    except re.error:
        return None
    if not parsed or parsed[0] != (_sre.AT, _sre.AT_BEGINNING):
        return None
    chars, empty = _first_of(parsed[1:])
    if chars is None or empty:
        return None
    if regex.flags & re.IGNORECASE:
        chars |= {c.lower() for c in chars} | {c.upper() for c in chars}
    return frozenset(chars)


def _fail(source: str, where: str, message: str) -> ConfigError:
    return ConfigError(f"{source}: {where}: {message}")


def _compile(raw: dict, where: str, source: str) -> re.Pattern[str] | None:
    kind, pattern = raw["kind"], raw["pattern"]
    if kind == "selector":
        try:
            CSSSelector(pattern, translator="html")
        except SelectorError as e:
            raise _fail(source, f"{where}.pattern", f"bad selector: {str(e).splitlines()[0]}") from e
        return None
    if kind == "literal":
        return re.compile(re.escape(fold(pattern)), re.IGNORECASE)
    if _FULLWIDTH.search(pattern) and not raw.get("unfolded", False):
        raise _fail(source, f"{where}.pattern", "write regexes half-width (lines are matched width-folded)")
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as e:
        raise _fail(source, f"{where}.pattern", f"bad regex: {e.msg}") from e


def validate_rules(raw: list[dict], source: str) -> list[Rule]:
    """Check and compile raw rule tables; any problem raises ConfigError naming `source` and the key."""
    if not isinstance(raw, list):
        raise _fail(source, "rules", "must be an array of tables ([[rules]])")
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        where = f"rules[{i}]"
        check_table(item, _RULE_SCHEMA, source, f"{where}.")
        for key in _REQUIRED:
            if not item[key].strip():
                raise _fail(source, f"{where}.{key}", "must be a non-empty string")
        for key, typ in _OPTIONAL.items():
            if key in ("examples", "keeps") and key in item and not all(isinstance(x, str) for x in item[key]):
                raise _fail(source, f"{where}.{key}", "must be a list of strings")
            if typ is int and key in item and item[key] < 1:
                raise _fail(source, f"{where}.{key}", "must be ≥ 1")
        if not _ID.match(item["id"]):
            raise _fail(source, f"{where}.id", f"{item['id']!r} is not kebab-case")
        if item["id"] in seen:
            raise _fail(source, f"{where}.id", f"duplicate id {item['id']!r}")
        seen.add(item["id"])
        if item["kind"] not in KINDS:
            raise _fail(source, f"{where}.kind", f"{item['kind']!r} is not one of {', '.join(KINDS)}")
        if item["category"] not in CATEGORIES:
            raise _fail(source, f"{where}.category", f"{item['category']!r} is not one of {', '.join(CATEGORIES)}")
        action = item.get("action", "drop-line")
        if action not in ACTIONS:
            raise _fail(source, f"{where}.action", f"{action!r} is not one of {', '.join(ACTIONS)}")
        regex = _compile(item, where, source)
        rule = Rule(
            id=item["id"], category=item["category"], kind=item["kind"], pattern=item["pattern"],
            why=item["why"], source=source, examples=tuple(item.get("examples", ())),
            keeps=tuple(item.get("keeps", ())), first_n_lines=item.get("first_n_lines"),
            last_n_lines=item.get("last_n_lines"), max_len=item.get("max_len"), action=action,
            truncates=item.get("truncates", False), linked_only=item.get("linked_only", False),
            before_notice=item.get("before_notice", False), after_n_lines=item.get("after_n_lines"),
            unfolded=item.get("unfolded", False),
            # first characters are read off the folded line when rules are grouped
            _regex=regex, first_chars=first_chars(regex) if regex is not None and not item.get("unfolded") else None,
        )
        if rule.kind == "regex":  # a literal is escaped, a selector is no regex: neither can backtrack
            _check_backtracking(rule, source, where)
        rules.append(rule)
    return rules


def probe_texts(rule: Rule) -> list[str]:
    """What the backtracking probes of a rule are made of: its examples and keeps, as it sees lines."""
    return [text if rule.unfolded else fold(text) for text in (*rule.examples, *rule.keeps)]


def _check_backtracking(rule: Rule, source: str, where: str) -> None:
    problem = hang_problem(rule.regex, probe_texts(rule))
    if problem:
        raise _fail(source, f"{where}.pattern", f"rule {rule.id}: pattern '{rule.pattern}' {problem}")


@dataclass(frozen=True)
class Step:
    """A removal id that a cleaning step applies in code (no pattern to match), declared beside the rules so
    every id in the audit can be looked up in pipelines/rules/ with its category and why."""

    id: str
    category: str
    why: str
    step: str  # where it is applied: module and function
    source: str = ""


@dataclass(frozen=True)
class RuleFile:
    """One rules file: its precedence (lower claims a line first), rules and declared step ids."""

    precedence: int
    rules: tuple[Rule, ...]
    steps: tuple[Step, ...]


def _validate_steps(raw: list, source: str) -> tuple[Step, ...]:
    steps = []
    for n, item in enumerate(raw):
        check_table(item, _STEP_SCHEMA, source, f"steps[{n}].")
        if item["category"] not in CATEGORIES:
            raise _fail(source, f"steps[{n}].category", f"must be one of {', '.join(CATEGORIES)}")
        steps.append(Step(item["id"], item["category"], item["why"], item["step"], source))
    return tuple(steps)


@cache
def _load_file(path: Path) -> RuleFile:
    source = f"{path.parent.name}/{path.name}"
    data = read_toml(path, source)
    check_table(data, _FILE_SCHEMA, source)
    precedence = data["precedence"]
    return RuleFile(precedence, tuple(validate_rules(data.get("rules", []), source)),
                    _validate_steps(data.get("steps", []), source))


@cache
def _default_files() -> tuple[Path, ...]:
    return tuple(p.resolve() for p in sorted(RULES_DIR.glob("*.toml")))


@cache
def _combine(files: tuple[Path, ...]) -> tuple[tuple[Rule, ...], dict[str, Rule | Step]]:
    """The rules of `files` in precedence order, and every declared id (rules and steps)."""
    loaded = sorted(((_load_file(path), path) for path in files), key=lambda fp: fp[0].precedence)
    for (first, a), (second, b) in zip(loaded, loaded[1:], strict=False):
        if first.precedence == second.precedence:
            raise ConfigError(f"rules/{b.name}: precedence {second.precedence} is also rules/{a.name}'s "
                              "(which file's rule claims a line first must be explicit)")
    declared: dict[str, Rule | Step] = {}
    for rule_file, _ in loaded:
        for item in (*rule_file.rules, *rule_file.steps):
            if item.id in declared:
                raise ConfigError(f"{item.source}: id {item.id!r} is already declared in {declared[item.id].source}")
            declared[item.id] = item
    return tuple(r for rule_file, _ in loaded for r in rule_file.rules), declared


def load_rules(paths: Iterable[str | Path] | None = None) -> list[Rule]:
    """Rules from `paths` (default: every pipelines/rules/*.toml, listed once per process), each file
    parsed and compiled once."""
    files = _default_files() if paths is None else tuple(Path(p).resolve() for p in paths)
    return list(_combine(files)[0])


def declared_ids() -> dict[str, Rule | Step]:
    """Every removal id the shipped rules files declare (rules and code steps), with its category and why."""
    return _combine(_default_files())[1]


def merge_rules(defaults: Sequence[Rule], extra: Sequence[Rule]) -> list[Rule]:
    """Default rules plus site rules; a site rule with a default rule's id replaces it (site file wins)."""
    override = {r.id: r for r in extra}
    merged = [override.pop(r.id, r) for r in defaults]
    return merged + [r for r in extra if r.id in override]
