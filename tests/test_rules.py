"""Every rule removes its `examples` and spares its `keeps`; bad rule files fail with one precise line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fanwen.errors import ConfigError
from fanwen.pipelines.backtrack import hang_problem
from fanwen.pipelines.clean.blocks import Line
from fanwen.pipelines.clean.lines import apply_line_rules
from fanwen.pipelines.folding import fold
from fanwen.pipelines.rulecheck import removes, run_rule, spares
from fanwen.pipelines.rules import declared_ids, load_rules, merge_rules, probe_texts, validate_rules

RULES = load_rules()
PIPELINES = Path(__file__).resolve().parent.parent / "pipelines"
EXAMPLES = [pytest.param(r, ex, id=f"{r.id}:{i}") for r in RULES for i, ex in enumerate(r.examples)]
KEEPS = [pytest.param(r, k, id=f"{r.id}:{i}") for r in RULES for i, k in enumerate(r.keeps)]


def test_every_rule_has_examples_and_keeps():
    lacking = [r.id for r in RULES if not r.examples or not r.keeps]
    assert lacking == []


@pytest.mark.parametrize("rule,example", EXAMPLES)
def test_rule_removes_its_examples(rule, example):
    assert removes(rule, example), rule.pattern
    if rule.kind != "selector":
        assert run_rule(rule, example).truncated == rule.truncates


@pytest.mark.parametrize("rule,keep", KEEPS)
def test_rule_spares_its_keeps(rule, keep):
    assert spares(rule, keep), rule.pattern


def test_matching_is_width_and_script_folded_but_text_is_not():
    rule = next(r for r in RULES if r.id == "paywall-preview-ended")
    assert run_rule(rule, "预览阅读已结束，若您需要全文或代笔。").removed
    assert fold("以下是小編整理的，歡迎閱讀") == "以下是小编整理的,欢迎阅读"
    kept = run_rule(rule, "全文共三章，欢迎阅读。")
    assert kept.lines[0].text == "全文共三章，欢迎阅读。"


def test_scope_limits_last_lines():
    rule = next(r for r in RULES if r.id == "paywall-view-more")
    lines = [Line("继续免费阅读")] + [Line(f"第{i}段正文内容,写得很好。") for i in range(10)]
    assert apply_line_rules(lines, [rule]).removed == []
    assert apply_line_rules(lines[1:] + lines[:1], [rule]).removed[0].text == "继续免费阅读"


def test_linked_only_rule_ignores_plain_text():
    rule = next(r for r in RULES if r.id == "nav-link-only-line")
    assert apply_line_rules([Line("年终工作总结")], [rule]).removed == []


def test_site_rule_with_same_id_replaces_default():
    site = validate_rules([{"id": "nav-pagination", "category": "navigation", "kind": "literal",
                            "pattern": "翻页", "why": "site"}], "crawler/sites/x.toml")
    merged = merge_rules(RULES, site)
    assert len(merged) == len(RULES)
    assert next(r for r in merged if r.id == "nav-pagination").source == "crawler/sites/x.toml"


GOOD = {"id": "x-rule", "category": "ad", "kind": "regex", "pattern": "^广告$", "why": "test"}


@pytest.mark.parametrize("change,message", [
    ({"colour": "red"}, "crawler/sites/ruiwen.toml: rules[1].colour: unknown key"),
    ({"pattern": "[abc"}, "crawler/sites/ruiwen.toml: rules[1].pattern: bad regex: unterminated character set"),
    ({"category": "misc"}, "crawler/sites/ruiwen.toml: rules[1].category: 'misc' is not one of"),
    ({"kind": "xpath"}, "crawler/sites/ruiwen.toml: rules[1].kind: 'xpath' is not one of"),
    ({"why": ""}, "crawler/sites/ruiwen.toml: rules[1].why: must be a non-empty string"),
    ({"max_len": "5"}, "crawler/sites/ruiwen.toml: rules[1].max_len: expected int, got str"),
    ({"id": "Bad_Id"}, "crawler/sites/ruiwen.toml: rules[1].id: 'Bad_Id' is not kebab-case"),
    ({"id": "ok-rule"}, "crawler/sites/ruiwen.toml: rules[1].id: duplicate id 'ok-rule'"),
    ({"kind": "selector", "pattern": "div[["}, "crawler/sites/ruiwen.toml: rules[1].pattern: bad selector"),
    ({"pattern": "^预览结束，"}, "crawler/sites/ruiwen.toml: rules[1].pattern: write regexes half-width"),
    ({"action": "explode"}, "crawler/sites/ruiwen.toml: rules[1].action: 'explode' is not one of"),
])
def test_validate_rules_reports_source_and_key(change, message):
    raw = [dict(GOOD, id="ok-rule"), {**GOOD, **change}]
    with pytest.raises(ConfigError) as info:
        validate_rules(raw, "crawler/sites/ruiwen.toml")
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


def test_missing_key_is_named():
    raw = [{k: v for k, v in GOOD.items() if k != "pattern"}]
    with pytest.raises(ConfigError, match=r"^s\.toml: rules\[0\]\.pattern: missing key$"):
        validate_rules(raw, "s.toml")


def _rule(rule_id: str, pattern: str = "广告") -> str:
    return f'[[rules]]\nid = "{rule_id}"\ncategory = "ad"\nkind = "literal"\npattern = "{pattern}"\nwhy = "w"\n'


def test_load_rules_reads_given_files_and_rejects_bad_toml(tmp_path):
    good = tmp_path / "extra.toml"
    good.write_text("precedence = 1\n" + _rule("a-b"), encoding="utf-8")
    assert [r.id for r in load_rules([good])] == ["a-b"]
    bad = tmp_path / "bad.toml"
    bad.write_text("[[rules]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.toml: invalid TOML"):
        load_rules([bad])
    dup = tmp_path / "dup.toml"
    dup.write_text("precedence = 2\n" + _rule("a-b"), encoding="utf-8")
    with pytest.raises(ConfigError, match="already declared"):
        load_rules([good, dup])


def test_precedence_is_data_not_file_names(tmp_path):
    # Which file's rule claims a line first is its `precedence`, whatever the files are called.
    first, second = tmp_path / "zz.toml", tmp_path / "aa.toml"
    first.write_text("precedence = 1\n" + _rule("from-zz"), encoding="utf-8")
    second.write_text("precedence = 2\n" + _rule("from-aa"), encoding="utf-8")
    assert [r.id for r in load_rules([second, first])] == ["from-zz", "from-aa"]
    clash = tmp_path / "clash.toml"  # files are read once per process: a new name, not a rewrite
    clash.write_text("precedence = 1\n" + _rule("from-clash"), encoding="utf-8")
    with pytest.raises(ConfigError, match="precedence 1 is also"):
        load_rules([first, clash])
    missing = tmp_path / "none.toml"
    missing.write_text(_rule("no-precedence"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"none\.toml: precedence: missing"):
        load_rules([missing])


def test_every_audit_id_the_code_can_write_is_declared_in_the_rules_data():
    # Removal ids written by code steps (string literals in pipelines/) are [[steps]] in pipelines/rules/,
    # with the category the code gives them, so grepping the rules for an id seen in the audit finds it.
    declared = declared_ids()
    source = "\n".join(p.read_text(encoding="utf-8") for p in PIPELINES.rglob("*.py"))
    written = dict(re.findall(r'Removal\("([a-z0-9-]+)", "([a-z]+)"', source))
    written.update({rule_id: "hidden" for rule_id in re.findall(r'return "(hidden-[a-z-]+)"', source)})
    assert len(written) >= 8
    for rule_id, category in written.items():
        assert rule_id in declared, f"{rule_id} is written by code but declared in no pipelines/rules/*.toml"
        assert declared[rule_id].category == category
        assert declared[rule_id].why


def test_default_rules_load_once_and_ids_are_unique():
    ids = [r.id for r in load_rules()]
    assert len(ids) == len(set(ids)) > 40
    assert load_rules()[0] is RULES[0]


def test_after_n_lines_keeps_a_rule_off_the_head():
    rule = next(r for r in RULES if r.id == "comment-thread-start")
    header = Line("小明 2008-03-12 11:00:00 [回复]")
    assert apply_line_rules([header, Line("正文。"), Line("正文。")], [rule]).removed == []
    late = apply_line_rules([Line("一。"), Line("二。"), Line("三。"), header, Line("写得真好!")], [rule])
    assert [line.text for line in late.lines] == ["一。", "二。", "三。"] and len(late.removed) == 2


@pytest.mark.parametrize("rule", [r for r in load_rules() if r.is_line_rule], ids=lambda r: r.id)
def test_no_line_rule_backtracks_catastrophically(rule):
    # A hang detector, not a speed bar: a safe rule answers each probe in microseconds, a rule with
    # exponential backtracking does not answer within the minute (a 39-character line of digits froze a
    # whole crawl). Loading probes every regex rule the same way with a 1 s budget; this allows 20 s.
    assert hang_problem(rule.regex, probe_texts(rule), budget=20) is None


def test_a_rules_file_with_a_pattern_that_backtracks_without_end_is_refused(tmp_path):
    slow = tmp_path / "slow.toml"
    slow.write_text("precedence = 1\n[[rules]]\nid = \"digits\"\ncategory = \"ad\"\nkind = \"regex\"\n"
                    "pattern = '^(\\d+\\s*){2,}$'\nwhy = \"w\"\nexamples = [\"1 2\"]\n", encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_rules([slow])
    assert str(refused.value).startswith(f"{tmp_path.name}/slow.toml: rules[0].pattern: rule digits: pattern "
                                         r"'^(\d+\s*){2,}$' backtracks without end on ")
