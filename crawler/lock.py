"""The single-crawl lock: at most one crawl writes to a given archive at a time.

The lock is an advisory flock(2) on `<db>.lock`. The kernel drops it when its process ends for any
reason (normal exit, crash, SIGKILL), so a killed run never leaves a lock that blocks the next one; the
JSON in the file (pid, host, start time, command) is only there to name the holder in the error message.
Within one process the lock is re-entrant, because `fanwen crawl SITE1 SITE2` runs several spiders on the
same database at once.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from fanwen.errors import StoreLocked
from fanwen.pipelines.store import now


@dataclass
class _Held:
    fd: int
    users: int


_held: dict[str, _Held] = {}


def lock_path(db_path: str | Path) -> Path:
    """The lock file that guards `db_path`."""
    return Path(str(db_path) + ".lock")


def acquire_crawl_lock(db_path: str | Path, command: str) -> None:
    """Take the crawl lock of `db_path` for this process, or raise StoreLocked naming the holder."""
    key = os.path.realpath(lock_path(db_path))
    if key in _held:
        _held[key].users += 1
        return
    fd = os.open(key, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise StoreLocked(f"another crawl is writing to {db_path} ({describe_holder(db_path)}); "
                          "this run did nothing, try again when it has finished") from None
    info = {"pid": os.getpid(), "host": socket.gethostname(), "started": now(), "command": command}
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(info, ensure_ascii=False).encode("utf-8"), 0)
    _held[key] = _Held(fd, 1)


def release_crawl_lock(db_path: str | Path) -> None:
    """Give back one use of the lock; the last one unlocks the file (which is left in place)."""
    key = os.path.realpath(lock_path(db_path))
    held = _held.get(key)
    if held is None:
        return
    held.users -= 1
    if held.users == 0:
        del _held[key]
        fcntl.flock(held.fd, fcntl.LOCK_UN)
        os.close(held.fd)


def describe_holder(db_path: str | Path) -> str:
    """'pid 123 on host, since …: command' from the lock file, for messages."""
    try:
        info = json.loads(lock_path(db_path).read_text(encoding="utf-8"))
        return f"pid {info['pid']} on {info['host']} since {info['started']}: {info['command']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "holder unknown"
