"""Why each piece of removed text was removed: rule id → the rule's `why`, for the audit views.

Every id the cleaner writes is declared with its `why` in pipelines/rules/*.toml (rules, and [[steps]] for
the removals code makes); shipped site configs add their own rules.
"""

from __future__ import annotations

from functools import cache


@cache
def rule_whys() -> dict[str, str]:
    """Every known removal id and its reason (shared rules and steps, shipped site configs)."""
    from fanwen.crawler.siteconfig import load_sites
    from fanwen.pipelines.rules import declared_ids

    whys = {rule_id: item.why for rule_id, item in declared_ids().items()}
    for site in load_sites().values():
        whys.update({rule.id: rule.why for rule in site.rules})
    return whys
