"""Scheduling recipes: a crontab line or a systemd service + timer pair that runs `fanwen crawl --quiet`.

Both wrap the crawl in `flock -n -E 4` on `<db>.schedule.lock`, so a run that finds the previous one still
going exits at once with status 4 (the same status the crawl's own lock gives). The crawl lock itself is
`<db>.lock`; flock(1) must use another file, because its lock would otherwise block the crawl it starts.
"""

from __future__ import annotations

import re
import shlex
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from fanwen.errors import UsageError

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Job:
    """What to run and when: sites or start URLs, the archive, a daily time (HH:MM)."""

    sites: tuple[str, ...]
    start_urls: tuple[str, ...]
    db: Path
    at: str = "03:17"
    workdir: Path = field(default_factory=Path.cwd)
    fanwen: str = field(default_factory=lambda: str(Path(sys.executable).with_name("fanwen")))
    extra: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _TIME.match(self.at):
            raise UsageError(f"{self.at!r}: expected HH:MM (24-hour), e.g. 03:17", field="at")
        if not self.sites and not self.start_urls:
            raise UsageError("name a SITE (see `fanwen sites`) or give --start-url URL")


def crawl_argv(job: Job) -> list[str]:
    """The guarded command: flock on the schedule lock, then `fanwen crawl --quiet …`."""
    db = job.db.resolve()
    argv = [shutil.which("flock") or "/usr/bin/flock", "-n", "-E", "4", f"{db}.schedule.lock",
            job.fanwen, "crawl", "--quiet", "--db", str(db)]
    for url in job.start_urls:
        argv += ["--start-url", url]
    return argv + list(job.extra) + list(job.sites)


def cron_line(job: Job) -> str:
    """One crontab line (daily at job.at); cron mails whatever it prints, and --quiet prints only problems."""
    hour, minute = (int(x) for x in job.at.split(":"))
    command = shlex.join(crawl_argv(job))
    return f"{minute} {hour} * * * cd {shlex.quote(str(job.workdir.resolve()))} && {command}"


def systemd_units(job: Job, name: str = "fanwen-crawl") -> dict[str, str]:
    """`<name>.service` and `<name>.timer` file contents (install under ~/.config/systemd/user/ or /etc/)."""
    # systemd's ExecStart quoting follows shell rules for the simple cases we produce.
    command = shlex.join(crawl_argv(job))
    service = f"""[Unit]
Description=fanwen-archive crawl ({', '.join(job.sites) or ', '.join(job.start_urls)})
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
WorkingDirectory={job.workdir.resolve()}
# Exit 3 (health warnings) and 4 (previous run still going) count as failures on purpose: both need a look.
ExecStart={command}
Nice=10
"""
    timer = f"""[Unit]
Description=Run {name}.service daily at {job.at}

[Timer]
OnCalendar=*-*-* {job.at}:00
RandomizedDelaySec=10m
Persistent=true

[Install]
WantedBy=timers.target
"""
    return {f"{name}.service": service, f"{name}.timer": timer}
