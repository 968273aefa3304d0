"""A throw-away redis-server for tests and benchmarks: a free loopback port, no persistence, stopped on exit.

The binary comes from Debian's redis-server package (scripts/system-deps.sh installs it for `make test`).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def redis_binary() -> str | None:
    """The redis-server executable, or None where it is not installed (Debian puts it in /usr/bin)."""
    return shutil.which("redis-server") or ("/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists()
                                            else None)


@contextmanager
def redis_server(workdir: Path) -> Iterator[str]:
    """Run redis-server bound to 127.0.0.1 on a free port, without RDB or AOF files; yields its redis:// URL."""
    binary = redis_binary()
    if binary is None:
        raise RuntimeError("redis-server is not installed (run scripts/system-deps.sh)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(workdir), "--protected-mode", "yes"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on port {port}") from None
                time.sleep(0.02)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
