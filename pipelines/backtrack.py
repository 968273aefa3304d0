"""Catastrophic backtracking: a regex from a data file (a cleaning rule, a site's URL patterns) is tried on
inputs that almost match it before it is used, so a pattern that would freeze a crawl on one 40-character
line (`(\\d+\\s*){2,}` on a run of digits) fails to load with one line instead.

A safe pattern answers each probe in microseconds; one with ambiguous nested repeats does not answer for
hours. The time budget only turns that hang into an error, it is not a speed bar: BUDGET is far above what
any sane pattern needs on these short inputs, even on a loaded machine. The shipped rules are probed by
tests/test_rules.py with a longer budget.
"""

from __future__ import annotations

import re
import signal
import threading
import time
from collections.abc import Iterable

BUDGET = 1.0  # seconds for all the probes of one pattern

# Long runs that almost match a pattern built from digits, spaces, letters or path separators.
RUNS = ("6" * 36 + ".cn", "1 " * 24 + "x", " " * 40 + "x", "a" * 40 + "!", "/ " * 24 + "x")


def probes(texts: Iterable[str]) -> list[str]:
    """Near-matching inputs: the generic runs, and each of `texts` (what the pattern is meant to match: a
    rule's examples and keeps, a site's URLs) repeated and stretched, each ending where it fails."""
    found = list(RUNS)
    for text in texts:
        found += [text * 4 + "\x00", "".join(c * 3 for c in text) + "\x00", text[: len(text) // 2] * 6 + "。"]
    return found


class _Hang(Exception):
    pass


def hang_problem(regex: re.Pattern[str], texts: Iterable[str], budget: float = BUDGET) -> str | None:
    """What is wrong when `regex.search` is still busy on a probe when `budget` seconds run out (the probe
    is named); None when it answered them all. Every pattern is probed: telling the risky shapes apart with
    the regex parser costs more than the probes (about 0.1 ms a pattern).

    The clock is SIGALRM, which only the main thread can handle (the command line and `scrapy crawl` load
    their configs there); elsewhere nothing is probed and the answer is None. A timer already set (pytest's
    timeout, say) is put back afterwards.
    """
    if threading.current_thread() is not threading.main_thread():
        return None
    armed = True

    def hang(signum: int, frame: object) -> None:
        if armed:  # a tick that arrives after the last probe answered is not a hang
            raise _Hang

    previous = signal.signal(signal.SIGALRM, hang)
    started = time.monotonic()
    outer = signal.setitimer(signal.ITIMER_REAL, budget)
    probe = None
    try:
        for probe in probes(texts):
            regex.search(probe)
        armed = False
        return None
    except _Hang:
        return (f"backtracks without end on {probe[:40]!r} (no answer within {budget:g} s): use possessive "
                "repeats (\\d++) or atomic groups ((?>…))")
    finally:
        armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer[0]:
            signal.setitimer(signal.ITIMER_REAL, max(outer[0] - (time.monotonic() - started), 1e-3), outer[1])
