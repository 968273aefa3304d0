"""Why each piece of removed text was removed: rule id → the rule's `why`, for the audit views.

Rules in pipelines/rules/*.toml and in the shipped site configs carry their own `why`; the cleaning steps
that are code, not data (hidden text, repeated title or summary), are explained here, next to their ids.
"""

from __future__ import annotations

from functools import cache

# Ids that cleaning steps emit themselves (pipelines/clean/hidden.py, lines.py, boilerplate.py, extract.py).
STEP_WHY = {
    "hidden-inline-css": "文字被内联样式隐藏，读者看不到 · hidden by inline CSS (display:none …)",
    "hidden-style-class": "文字被页面样式表里的隐藏类隐藏 · hidden by a class the page's stylesheet hides",
    "hidden-white-font": "白色文字混在正文里防复制 · white-on-white anti-copy text",
    "title-repeat": "正文开头重复了标题 · the title repeated at the top of the text",
    "summary-repeat": "正文前重复的摘要 · the page's summary repeated before the text",
}


@cache
def rule_whys() -> dict[str, str]:
    """Every known rule id and its reason (shared rules, shipped site configs, cleaning steps)."""
    from fanwen.crawler.siteconfig import load_sites
    from fanwen.pipelines.rules import load_rules

    whys = {rule.id: rule.why for rule in load_rules()}
    for site in load_sites().values():
        whys.update({rule.id: rule.why for rule in site.rules})
    whys.update(STEP_WHY)
    return whys
