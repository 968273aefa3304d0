"""Start-up time of the command line: `fanwen --help` against `sqlite-utils --help` in the same run.

Each command runs REPEATS times as a fresh process; the median wall time is reported, with the ratio to
sqlite-utils (target ≤ 2). It also lists which heavy libraries each fanwen command imports
(python -X importtime), since `--help`, `sites` and `export` must not load Scrapy or Twisted.

    .venv/bin/python bench/startup.py [--repeats 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
HEAVY = ("scrapy", "twisted", "bs4", "lxml", "datasette", "sqlite_utils", "opencc")
COMMANDS = {
    "fanwen --help": [str(BIN / "fanwen"), "--help"],
    "fanwen sites": [str(BIN / "fanwen"), "sites"],
    "fanwen export --help": [str(BIN / "fanwen"), "export", "--help"],
    "sqlite-utils --help": [str(BIN / "sqlite-utils"), "--help"],
    "datasette --help": [str(BIN / "datasette"), "--help"],
}


def wall(command: list[str], repeats: int) -> float:
    """Median seconds of `repeats` runs of `command` (output discarded)."""
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def heavy_imports(args: list[str]) -> list[str]:
    """Top-level heavy packages a `fanwen` command imports."""
    trace = subprocess.run([sys.executable, "-X", "importtime", "-m", "fanwen", *args], capture_output=True,
                           text=True).stderr
    loaded = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in trace.splitlines() if "|" in line}
    return sorted(loaded & set(HEAVY))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    times = {name: wall(command, args.repeats) for name, command in COMMANDS.items()}
    base = times["sqlite-utils --help"]
    print(f"median wall time of {args.repeats} runs; ratio to sqlite-utils --help")
    for name, seconds in times.items():
        line = f"{name:<22} {seconds * 1000:7.1f} ms  {seconds / base:5.2f}x"
        if name.startswith("fanwen"):
            line += f"  imports: {', '.join(heavy_imports(COMMANDS[name][1:])) or '-'}"
        print(line)


if __name__ == "__main__":
    main()
