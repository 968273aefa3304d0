"""One progress reporter for every long-running command (crawl, export, reclean): count work, print a line
when one is due, say the rate. Off (no stream) it only counts."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

# Between count-triggered reports the clock is read every this many ticks: reading it on every row of an
# export would cost more than formatting the row.
CLOCK_EVERY = 500


class Progress:
    """Counts ticks; writes `describe(count, per_second)` to `stream` every `every` ticks (0: never by count)
    or every `every_seconds` seconds, whichever comes first."""

    def __init__(self, stream: TextIO | None, describe: Callable[[int, float], str], *, every: int = 0,
                 every_seconds: float = 2.0, clock_every: int = CLOCK_EVERY) -> None:
        self.stream = stream
        self.describe = describe
        self.every = every
        self.every_seconds = every_seconds
        self.clock_every = clock_every
        self.count = 0
        self.started = self._last = time.monotonic()

    def tick(self) -> None:
        """Count one unit of work, and report if a report is due."""
        self.count += 1
        if self.stream is None:
            return
        due = bool(self.every) and self.count % self.every == 0
        if not due and self.count % self.clock_every == 0:
            due = time.monotonic() - self._last >= self.every_seconds
        if due:
            self._last = time.monotonic()
            rate = self.count / max(self._last - self.started, 1e-9)
            print(self.describe(self.count, rate), file=self.stream, flush=True)
