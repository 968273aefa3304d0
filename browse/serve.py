"""Serve the archive read-only in Datasette, with the packaged metadata and our plugin.

Datasette opens the file with ``mode=ro``; the archive is in WAL mode, so a crawl can keep writing
while pages are served (readers see the last committed state, nothing waits on a lock).
"""

from __future__ import annotations

import copy
import errno
import importlib.resources
import socket
import sqlite3
from functools import cache
from pathlib import Path

import uvicorn
import yaml
from datasette.app import Datasette

from fanwen.browse.search_index import ensure_search_index
from fanwen.errors import FanwenError, StoreError
from fanwen.pipelines.store import open_db

# Table pages show 50 rows with essays cut to a preview; the row page shows the whole text.
SETTINGS = {
    "truncate_cells_html": 160,
    "default_page_size": 50,
    # A 1-character search over a large archive counts many rows; give it room before Datasette
    # gives up on the count (the rows themselves come first).
    "sql_time_limit_ms": 3000,
    # Suggestions run one query per column on every search page (80% of its time in bench/search.py);
    # the useful facets are configured in metadata.yml.
    "suggest_facets": False,
}
METADATA_DB_KEY = "fanwen"


@cache
def packaged_metadata() -> dict:
    """data/metadata.yml as shipped in the package (fanwen.data)."""
    text = (importlib.resources.files("fanwen.data") / "metadata.yml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


# Served publicly, these need a signed-in actor (any id; Datasette's --root or an auth plugin): anonymous
# visitors see neither the takedown list nor arbitrary SQL (which could read it). Canned queries stay open.
SIGNED_IN = {"id": "*"}
PRIVATE_TABLES = ("takedowns", "withheld", "schema_migrations")
PRIVATE_QUERIES = ("takedown_list",)


def metadata_for(db_name: str, public: bool = False, *, count_limit: int | None = None,
                 search_walk_limit: int | None = None, plugin_settings: dict | None = None) -> dict:
    """The packaged metadata with its database block applied to the database named db_name.

    public=True hides the takedown list and arbitrary SQL from anonymous users; count_limit, if given,
    is the row count at which searched table pages stop counting (browse/counts.py); search_walk_limit the
    matches a search with column filters reads per request (browse/table_search.py); plugin_settings any
    other ``plugins: fanwen:`` settings (the sorted search's limits, browse/sorted_search.py).
    """
    metadata = copy.deepcopy(packaged_metadata())
    block = metadata["databases"][METADATA_DB_KEY]
    if public:
        block["allow_sql"] = SIGNED_IN
        for name in PRIVATE_TABLES:
            block["tables"].setdefault(name, {})["allow"] = SIGNED_IN
        for name in PRIVATE_QUERIES:
            block["queries"][name]["allow"] = SIGNED_IN
    metadata["databases"] = {db_name: block}
    if count_limit is not None:
        metadata.setdefault("plugins", {}).setdefault("fanwen", {})["count_limit"] = count_limit
    if search_walk_limit is not None:
        metadata.setdefault("plugins", {}).setdefault("fanwen", {})["search_walk_limit"] = search_walk_limit
    metadata.setdefault("plugins", {}).setdefault("fanwen", {}).update(plugin_settings or {})
    return metadata


def prepare_archive(db_path: str) -> None:
    """Check db_path is an archive and bring its search index up to date (the only write serving makes)."""
    db = open_db(db_path, create=False)
    try:
        if not db["articles"].exists():
            raise StoreError(f"database {db_path} has no articles table (is it a fanwen archive?)")
        try:
            ensure_search_index(db)
        except sqlite3.Error as e:  # read-only file, or locked past the timeout
            raise StoreError(f"cannot prepare the search index of {db_path}: {e}") from e
        refresh_planner_stats(db.conn)
    finally:
        db.close()


# Index entries ANALYZE reads per index: a few milliseconds at a million articles, enough for row estimates.
ANALYSIS_LIMIT = 1_000


def refresh_planner_stats(conn: sqlite3.Connection) -> None:
    """Give SQLite's planner row estimates for the articles indexes (sqlite_stat1, sampled by ANALYZE).

    Without them SQLite assumes ``site = ?`` matches 10 rows, so for a search with a site filter
    (``site=…&_search=…``) it walked the site's whole (site, published) index and sorted, instead of looking
    up the 51 rows the search subquery names (browse/table_search.py): 130 ms instead of 1 ms for the largest
    site at a million articles. Refreshed on every start, as the archive grows. A file this process cannot
    write, or one a crawl holds locked, keeps the statistics it has: they only steer plans, never results.
    """
    try:
        conn.execute(f"pragma analysis_limit = {ANALYSIS_LIMIT}")
        conn.execute("analyze articles")
        conn.commit()
    except sqlite3.OperationalError:
        conn.rollback()


def make_datasette(db_path: str, public: bool = False, *, count_limit: int | None = None,
                   search_walk_limit: int | None = None, plugin_settings: dict | None = None) -> Datasette:
    """A Datasette instance serving db_path read-only with the archive's metadata and settings.

    count_limit: searched/filtered table pages count at most this many rows (browse/counts.py);
    search_walk_limit: a search with column filters reads at most this many matches a request
    (browse/table_search.py); plugin_settings: other plugin settings (browse/sorted_search.py).
    """
    prepare_archive(db_path)
    return Datasette(
        [db_path],
        metadata=metadata_for(Path(db_path).stem, public, count_limit=count_limit,
                              search_walk_limit=search_walk_limit, plugin_settings=plugin_settings),
        settings=SETTINGS,
    )


def bind_port(host: str, port: int) -> socket.socket:
    """A listening socket on host:port, taken before any slow work (a crawl) so a busy port fails first.

    Raises FanwenError (exit status 1) with one line naming the port and how to pick another.
    """
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    # As uvicorn does: a port left in TIME_WAIT by the previous run is free; a listening one is not.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError as e:
        sock.close()
        reason = "is in use" if e.errno == errno.EADDRINUSE else f"cannot be opened ({e.strerror})"
        raise FanwenError(f"port {port} on {host} {reason}; choose another with --port "
                          f"(make demo PORT={port + 1})") from e
    return sock


def serve(db_path: str, host: str = "127.0.0.1", port: int = 8001, public: bool = False,
          sock: socket.socket | None = None) -> None:
    """Serve db_path at http://host:port/ until interrupted (blocking); `sock` is a socket from bind_port."""
    sock = sock or bind_port(host, port)
    ds = make_datasette(db_path, public)
    print(f"Serving {db_path} at http://{host}:{port}/  (Ctrl-C to stop)", flush=True)
    uvicorn.Server(uvicorn.Config(ds.app(), log_level="warning")).run(sockets=[sock])
