"""Shared fixtures: fixture sites served over real HTTP, and the `fanwen` CLI run as a real subprocess."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import fanwen.crawler
from fanwen.siteserver import SiteServer, serve_site

ROOT = Path(__file__).resolve().parent.parent
# The editable install maps fanwen.* to one checkout's folders: tests run from another checkout (a git
# worktree) with this environment would silently test the other checkout's code.
if Path(fanwen.crawler.__file__).resolve().parent != ROOT / "crawler":
    raise pytest.UsageError(f"fanwen is installed from {Path(fanwen.crawler.__file__).parent.parent}, not this "
                            f"checkout ({ROOT}): run `make install` here")
sys.path.insert(0, str(ROOT))
from bench.redisserver import redis_binary, redis_server  # noqa: E402

SITES = Path(__file__).parent / "sites"
DEMO = ROOT / "data" / "demo"
BLIND_ROOTS = sorted(p for p in (Path(__file__).parent / "blind_sites").iterdir() if (p / "_expected.json").is_file())


@pytest.fixture
def site_server() -> Iterator[Callable[[str | Path], SiteServer]]:
    """Start a fixture site (a name under tests/sites/ or a path) on 127.0.0.1; stopped after the test."""
    servers: list[SiteServer] = []

    def start(name: str | Path) -> SiteServer:
        root = Path(name) if isinstance(name, Path) else SITES / name
        server = serve_site(root)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def fanwen(*args: str, timeout: float = 120, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the CLI in a child process (Scrapy's reactor cannot restart inside the test process)."""
    return subprocess.run([sys.executable, "-m", "fanwen.cli", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd or ROOT)


FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8"]



@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A real redis-server of our own on a free loopback port, without persistence; stopped after the test.
    Installed by scripts/system-deps.sh (`make test`); the test is skipped, saying so, where it is missing."""
    if redis_binary() is None:
        pytest.skip("redis-server is not installed (scripts/system-deps.sh installs it)")
    with redis_server(tmp_path) as url:
        yield url


@contextlib.contextmanager
def datasette_server(db: str | Path) -> Iterator[str]:
    """The archive's real Datasette app (fanwen serve's) under uvicorn on 127.0.0.1 and an OS-chosen port,
    in a thread; yields its base URL and stops it afterwards."""
    import uvicorn

    from fanwen.browse.serve import make_datasette

    uv = uvicorn.Server(uvicorn.Config(make_datasette(str(db)).app(), host="127.0.0.1", port=0,
                                       log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "Datasette server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{uv.servers[0].sockets[0].getsockname()[1]}"
    finally:
        uv.should_exit = True
        thread.join(10)


def processes(where: Callable[[Path], bool]) -> list[int]:
    """Pids of the running processes whose /proc/PID entry `where` accepts (one gone meanwhile is skipped)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if where(entry):
                    found.append(int(entry.name))
            except (OSError, IndexError):  # gone meanwhile, or its stat line read half-written
                pass
    return found
