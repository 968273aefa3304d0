"""Health checks at the end of a run: signs that a site changed or started refusing us, as one-line warnings.

Each check compares this run's numbers with a FANWEN_HEALTH_* limit (overridable per site and with -s).
A run with warnings keeps everything it stored; it is recorded with its warnings and exits with status 3.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlite_utils

from fanwen.crawler import statkeys


@dataclass(frozen=True)
class HealthLimits:
    """The thresholds, from FANWEN_HEALTH_* settings."""

    max_error_ratio: float
    max_lossy_ratio: float
    max_leak_ratio: float
    min_pages: int
    leak_markers: tuple[str, ...]

    @classmethod
    def from_settings(cls, settings: Any) -> HealthLimits:
        """Read the limits from Scrapy settings."""
        return cls(
            max_error_ratio=settings.getfloat("FANWEN_HEALTH_MAX_ERROR_RATIO"),
            max_lossy_ratio=settings.getfloat("FANWEN_HEALTH_MAX_LOSSY_RATIO"),
            max_leak_ratio=settings.getfloat("FANWEN_HEALTH_MAX_LEAK_RATIO"),
            min_pages=settings.getint("FANWEN_HEALTH_MIN_PAGES"),
            leak_markers=tuple(settings.getlist("FANWEN_HEALTH_LEAK_MARKERS")),
        )


@dataclass(frozen=True)
class ArchiveFacts:
    """What the archive says about the site and this run's articles."""

    archived: int  # articles of the site in the archive
    checked: int  # articles this run stored or updated
    leaked: list[str]  # URLs among them whose text still holds a junk marker


def archive_facts(db: sqlite_utils.Database, site: str, crawl_id: int, markers: tuple[str, ...]) -> ArchiveFacts:
    """Count the site's articles, and this run's stored articles whose text still holds junk."""
    archived = db.execute("select count(*) from articles where site = ?", [site]).fetchone()[0]
    run = "from articles where site = ? and crawl_id = ?"
    checked = db.execute(f"select count(*) {run}", [site, crawl_id]).fetchone()[0]
    # SQLite looks for the markers: reading every text of the run into Python took 2-3 KB per article at the end
    # of a crawl (a 100,000-page crawl's peak memory rose from 259 to 456 MB there).
    leaked = []
    if markers:
        holds = " or ".join("instr(text, ?) > 0" for _ in markers)
        leaked = [url for (url,) in db.execute(f"select url {run} and ({holds})", [site, crawl_id, *markers])]
    return ArchiveFacts(archived=archived, checked=checked, leaked=leaked)


def check_health(site: str, stats: dict[str, Any], counters: dict[str, Any], facts: ArchiveFacts,
                 limits: HealthLimits) -> list[str]:
    """The run's warnings, one line each; an empty list is a healthy run."""
    warnings = []
    pages = counters["pages"]
    seen = (counters["articles_new"] + counters["articles_updated"] + counters["articles_unchanged"]
            + counters["skipped"] + counters["not_modified"])
    # With nothing seen, every archived article of the site comes from earlier runs.
    if facts.archived and seen == 0 and pages:
        warnings.append(f"{site}: no articles found this run ({facts.archived} archived before): "
                        "the site's layout changed or it is blocking us")
    kinds = counters["error_kinds"]
    attempts = pages + sum(v for k, v in kinds.items() if k.startswith("download_errors/"))
    failures = counters["errors"]  # dead links (404/410) are not counted there
    if attempts >= limits.min_pages and failures / attempts > limits.max_error_ratio:
        warnings.append(f"{site}: {failures} failed requests of {attempts} (more than "
                        f"{limits.max_error_ratio:.0%}; 404/410 not counted)")
    decoded = sum(v for k, v in stats.items() if k.startswith(statkeys.DECODE))
    lossy = stats.get(statkeys.DECODE_LOSSY, 0)
    if decoded >= limits.min_pages and lossy / decoded > limits.max_lossy_ratio:
        warnings.append(f"{site}: {lossy} of {decoded} pages decoded lossily (more than "
                        f"{limits.max_lossy_ratio:.0%}): the site's encoding changed?")
    if facts.leaked and len(facts.leaked) / max(facts.checked, 1) > limits.max_leak_ratio:
        warnings.append(f"{site}: {len(facts.leaked)} of {facts.checked} stored articles still hold junk "
                        f"text (e.g. {facts.leaked[0]}): a cleaning rule is missing")
    return warnings
