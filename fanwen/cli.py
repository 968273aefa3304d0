"""`fanwen`: the command line. Each command parses options and calls the library function of the same job.

Exit status (README): 0 success, 1 runtime failure, 2 usage or configuration error, 3 finished with
health warnings, 4 another crawl holds the database's lock. Errors are one line; `--debug` shows tracebacks.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from fanwen import DEFAULT_DB
from fanwen.errors import FanwenError, StoreError, UsageError

# Commands import what they use inside their bodies: `fanwen --help`, `fanwen sites` and `fanwen export`
# never load Scrapy or Twisted (bench/startup.py measures the start-up time).

db_option = click.option("--db", "db_path", default=DEFAULT_DB, show_default=True,
                         help="The SQLite archive.")
sites_dir_option = click.option("--sites-dir", "sites_dirs", multiple=True, type=click.Path(),
                                help="Extra directory of site configs (*.toml); repeatable.")


# A library error's `field` is named here by the option that sets it.
_OPTION_FOR_FIELD = {"bom": "--excel", "safe_formulas": "--safe-formulas"}


def _one_line(error: FanwenError) -> str:
    """The error as the command line says it: the field at fault named by its option."""
    message = Exception.__str__(error)
    if not error.field:
        return message
    return f"{_OPTION_FOR_FIELD.get(error.field, '--' + error.field.replace('_', '-'))}: {message}"


class _OneLineError(click.ClickException):
    """A FanwenError shown as click's one-line `Error: …`, keeping the error's exit status."""

    def __init__(self, error: FanwenError):
        super().__init__(_one_line(error))
        self.exit_code = error.exit_code


class _Commands(click.Group):
    """The command group: a FanwenError from any command becomes one `Error: …` line (a traceback with --debug)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except FanwenError as error:
            if (ctx.obj or {}).get("debug") or os.environ.get("FANWEN_DEBUG"):
                raise
            raise _OneLineError(error) from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(package_name="fanwen-archive")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """fanwen-archive: crawl Chinese model-essay sites into a clean, searchable SQLite archive."""
    ctx.obj = {"debug": debug}


@cli.command()
@sites_dir_option
def sites(sites_dirs: tuple[str, ...]) -> None:
    """List the site configs (built-in and from --sites-dir); a config from --sites-dir is checked in full
    (selectors, rules against their examples and keeps), so this is how to try one.

    Example: fanwen sites
    """
    from fanwen.crawler.siteconfig import load_sites

    for site in load_sites(list(sites_dirs), listing=True).values():
        verified = "verified" if site.source.get("verified") else "unverified"
        click.echo(f"{site.name:<14} {site.title}\t{', '.join(site.allowed_hosts)}\t"
                   f"({verified}, checked {site.source.get('checked', '?')})")


@cli.command()
@click.argument("site_names", nargs=-1, metavar="[SITE]...")
@click.option("--start-url", "start_urls", multiple=True, metavar="URL",
              help="Crawl from this URL; without SITE the generic spider crawls its host. Repeatable.")
@db_option
@click.option("-s", "settings", multiple=True, metavar="NAME=VALUE", help="Override a Scrapy setting.")
@sites_dir_option
@click.option("--quiet", "-q", is_flag=True, help="Print only warnings and errors (for cron).")
@click.option("--verbose", "-v", is_flag=True, help="Show Scrapy's own log (INFO).")
@click.option("--refresh", is_flag=True,
              help="Also re-check every archived article (conditional requests; changed texts keep revisions).")
@click.option("--full", is_flag=True, help="Not incremental: fetch archived articles and 404/410 URLs again.")
@click.option("--redis", "redis_url", metavar="URL",
              help="Run as a worker sharing the crawl through Redis (redis://HOST:PORT/DB); `fanwen ingest` "
                   "stores what it fetches. --db is not used.")
@click.option("--idle-timeout", type=click.FloatRange(min=0), default=30.0, show_default=True, metavar="SECONDS",
              help="With --redis: exit after the shared queue has been idle this long.")
@click.option("--contact", metavar="EMAIL-or-URL",
              help="How site owners reach you, added to the User-Agent (setting FANWEN_CONTACT; none by default).")
@click.pass_context
def crawl(ctx: click.Context, site_names: tuple[str, ...], start_urls: tuple[str, ...], db_path: str,
          settings: tuple[str, ...], sites_dirs: tuple[str, ...], quiet: bool, verbose: bool, refresh: bool,
          full: bool, redis_url: str | None, idle_timeout: float, contact: str | None) -> None:
    """Crawl SITEs (see `fanwen sites`) or, with --start-url, a site no config knows.

    Incremental by default: archived articles are not fetched again (docs/scheduling.md).
    With --redis, any number of workers on any number of machines share one crawl (README "Running on
    several machines"). The User-Agent names a contact only when you give one (--contact or
    -s FANWEN_CONTACT=you@example.cn).

    Example: fanwen crawl --start-url http://127.0.0.1:8000/ -s DOWNLOAD_DELAY=0 --contact me@example.cn

    Example: fanwen crawl ruiwen --redis redis://10.0.0.5:6379/0 --idle-timeout 60
    """
    from fanwen.crawler.run import crawl as run_crawl
    from fanwen.crawler.run import parse_setting_overrides, project_settings

    if refresh and full:
        raise UsageError("--refresh and --full exclude each other (--full already fetches everything)")
    if refresh and redis_url:
        raise UsageError("--refresh needs the archive: run it as a local crawl, without --redis")
    if db_path == DEFAULT_DB:
        Path(DEFAULT_DB).parent.mkdir(exist_ok=True)  # the default location works from any directory
    overrides = {"LOG_LEVEL": "INFO" if verbose else "WARNING", "FANWEN_PROGRESS": not quiet,
                 "FANWEN_DEBUG": ctx.obj["debug"]}
    if refresh:
        overrides["FANWEN_REFRESH"] = True
    if full:
        overrides["FANWEN_INCREMENTAL"] = False
    if contact is not None:
        overrides["FANWEN_CONTACT"] = contact
    overrides.update(parse_setting_overrides(settings))
    overrides.update({"FANWEN_DB": db_path, "FANWEN_COMMAND": shlex.join(["fanwen", *sys.argv[1:]])})
    if sites_dirs:
        overrides["FANWEN_SITES_DIRS"] = list(sites_dirs)
    if redis_url:
        overrides.update({"FANWEN_REDIS_URL": redis_url, "FANWEN_REDIS_IDLE_TIMEOUT": idle_timeout})
    results = run_crawl(list(site_names), list(start_urls), project_settings(overrides))
    for r in results:
        c = r.counters
        if quiet:
            pass
        elif redis_url:
            click.echo(f"{r.spider}: {c['pages']} pages fetched, {c['skipped']} archived articles skipped, "
                       f"{c['errors']} errors; sent to {redis_url} for `fanwen ingest`")
        else:
            click.echo(f"{r.spider}: {c['pages']} pages, {c['articles_new']} new, {c['articles_updated']} "
                       f"updated, {c['articles_unchanged']} unchanged articles, {c['skipped']} known articles "
                       f"not fetched again, {c['rejected']} non-article "
                       f"pages ({c['garbage']} garbage), {c['dead_links']} dead links, {c['errors']} errors "
                       f"(crawl #{r.crawl_id}, {db_path})")
            if r.pruned_versions:
                click.echo(f"{r.spider}: pruned {r.pruned_versions} old list-page versions, "
                           f"{r.pruned_bytes / 1e3:,.1f} KB reclaimed")
        if r.fatal:
            click.echo(f"Error: {r.fatal}", err=True)
        elif r.exit_status and r.start_error and c["pages"] == 0:
            click.echo(f"Error: could not fetch the start page: {r.start_error}", err=True)
        elif r.exit_status == 3:
            for line in r.warnings:
                click.echo(f"Warning: {line}", err=True)
    status = max((r.exit_status for r in results), default=0)
    if status:
        sys.exit(status)


@cli.command()
@click.argument("sources", nargs=-1, required=True, metavar="FILE-or-URL...")
@click.option("--url", help="The page's original URL (for a single FILE).")
@click.option("--site", "site_name", help="Use this site config's selectors, rules and encoding.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per input, one per line.")
@sites_dir_option
def extract(sources: tuple[str, ...], url: str | None, site_name: str | None, as_json: bool,
            sites_dirs: tuple[str, ...]) -> None:
    """Decode, extract and clean saved pages (or URLs) exactly as a crawl would: a dry run for one page.

    Example: fanwen extract --json page.html
    """
    import json

    from fanwen.crawler.siteconfig import load_sites
    from fanwen.pipelines.extract import extraction_to_dict
    from fanwen.pipelines.process import process_document

    site = None
    if site_name:
        known = load_sites(list(sites_dirs))
        if site_name not in known:
            raise UsageError(f"unknown site '{site_name}' (see `fanwen sites`)")
        site = known[site_name]
    for source in sources:
        doc = _document_from(source, url if len(sources) == 1 else None, site.name if site else "")
        ext = process_document(doc, selectors=site.selectors if site else None,
                               rules=site.rules if site else (), encoding=site.encoding if site else None)
        data = {"source": source, "url": doc.url, "kind": ext.kind, **extraction_to_dict(ext)}
        if as_json:
            click.echo(json.dumps(data, ensure_ascii=False))
            continue
        kind = f"{ext.kind}: {ext.reason}" if ext.reason else ext.kind
        click.echo(f"== {source} [{kind}] {ext.title} {ext.published or ''}"
                   f"{' (truncated)' if ext.truncated else ''}")
        click.echo(ext.text)
        for r in ext.removed:
            click.echo(f"  - removed [{r.rule}] {r.text[:80]}", err=True)


def _document_from(source: str, url: str | None, site: str):
    """The Document a crawl would have made of a saved file or a fetched URL."""
    import urllib.request

    from fanwen.crawler.run import project_settings
    from fanwen.pipelines.records import Document, Fetched
    from fanwen.pipelines.store import now

    if source.startswith(("http://", "https://")):
        request = urllib.request.Request(source, headers={"User-Agent": project_settings().get("USER_AGENT")})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                body, status, headers = response.read(), response.status, dict(response.headers.items())
        except OSError as e:
            raise FanwenError(f"cannot fetch {source}: {e}") from e
        url = url or source
    else:
        try:
            body = Path(source).read_bytes()
        except OSError as e:
            raise UsageError(f"cannot read {source}: {e.strerror}") from e
        status, headers = 200, {}
        url = url or Path(source).resolve().as_uri()
    return Document(url=url, site=site, parts=[Fetched(url, status, headers, body, "", now())])


@cli.command()
@click.option("--redis", "redis_url", required=True, metavar="URL", help="The workers' Redis (redis://HOST:PORT/DB).")
@db_option
@click.option("--follow", is_flag=True, help="Keep waiting for more (until Ctrl-C or SIGTERM) instead of "
                                             "exiting once the queue is empty.")
@click.option("--batch-size", type=click.IntRange(min=1), default=200, show_default=True,
              help="Documents per transaction.")
@click.option("--quiet", "-q", is_flag=True, help="Print only warnings and errors.")
def ingest(redis_url: str, db_path: str, follow: bool, batch_size: int, quiet: bool) -> None:
    """The single writer for workers (`fanwen crawl --redis`): store their documents and run records.

    Messages are acknowledged only after they are committed: a writer killed mid-way loses nothing,
    and the next one carries on.

    Example: fanwen ingest --redis redis://10.0.0.5:6379/0 --db data/fanwen.db --follow
    """
    import logging
    import signal
    import threading

    from fanwen.pipelines.ingest import ingest as run_ingest

    if db_path == DEFAULT_DB:
        Path(DEFAULT_DB).parent.mkdir(exist_ok=True)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):  # finish the batch in hand, then stop
        signal.signal(sig, lambda *_: stop.set())
    result = run_ingest(redis_url, db_path, follow=follow, batch_size=batch_size, stop=stop,
                        command=" ".join(["fanwen", *sys.argv[1:]]))
    o = result.outcomes
    if not quiet:
        click.echo(f"ingested {result.documents} documents: {o['articles_new']} new, {o['articles_updated']} "
                   f"updated, {o['articles_unchanged']} unchanged articles, {o['rejected']} non-article pages; "
                   f"{result.runs_finished} worker runs recorded (crawl #{result.crawl_id}, {db_path})")
    if result.taken_down:
        click.echo(f"{result.taken_down} documents not stored: an active takedown matches them", err=True)
    if result.set_aside:
        click.echo(f"Warning: {result.set_aside} unreadable messages set aside in Redis (fanwen:items:rejected)",
                   err=True)
        sys.exit(3)


@cli.command()
@db_option
@click.option("--site", help="Only this site's articles.")
@sites_dir_option
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Cleaning processes (default: one per core); results are written by one writer.")
@click.option("--restart", is_flag=True, help="Start from the first article even if an earlier run was interrupted.")
@click.option("--progress", is_flag=True, help="Report progress on stderr even when it is not a terminal.")
@click.option("--rejected", is_flag=True,
              help="Also revisit the pages extraction rejected (list, captcha, not-found …, stored with their "
                   "reason): those that read as articles now are stored as articles.")
def reclean(db_path: str, site: str | None, sites_dirs: tuple[str, ...], workers: int | None, restart: bool,
            progress: bool, rejected: bool) -> None:
    """Re-run extraction and cleaning on the stored raw pages (after a rules change); no re-crawl.

    Uses every core. Interrupted (Ctrl-C, kill, power cut), it resumes where it stopped when run again
    with the same --site; --restart starts over.

    Example: fanwen reclean --site diyifanwen --workers 2 --rejected
    """
    import time

    from fanwen.crawler.siteconfig import load_sites
    from fanwen.pipelines.reclean import reclean as run_reclean
    from fanwen.pipelines.reclean import revisit_rejected
    from fanwen.pipelines.store import open_db
    from fanwen.progress import Progress

    db = open_db(db_path, create=False)
    if site:
        _require_sites([site], sites_dirs, db_path)
    workers = workers or os.cpu_count() or 1
    report = Progress(sys.stderr if progress or sys.stderr.isatty() else None,
                      lambda n, rate: f"reclean: {n:,} articles ({rate:,.0f}/s)", clock_every=50)
    started = time.perf_counter()
    try:
        summary = run_reclean(db, load_sites(list(sites_dirs)), site, workers=workers, restart=restart,
                              progress=report)
    except KeyboardInterrupt:
        raise FanwenError("interrupted; finished batches are saved, run fanwen reclean again to resume") from None
    seconds = time.perf_counter() - started
    if report.stream:  # the last line, however short the run
        print(report.describe(report.count, report.count / max(seconds, 1e-9)), file=report.stream, flush=True)
    resumed = summary.pop("resumed-after", 0)
    done = sum(summary.values()) - resumed
    line = ", ".join(f"{n} {k}" for k, n in sorted(summary.items())) or "no articles to re-clean"
    click.echo(f"{line} ({done:,} articles in {seconds:.1f} s, {done / max(seconds, 1e-9):,.0f}/s, "
               f"{workers} worker{'s' if workers > 1 else ''}{f'; resumed after {resumed:,}' if resumed else ''})")
    if rejected:
        revisited = revisit_rejected(db, load_sites(list(sites_dirs)), site)
        click.echo(f"rejected pages: {revisited['now-article']:,} now articles, "
                   f"{revisited['still-rejected']:,} still rejected")


@cli.command()
@db_option
@click.option("--rebuild", is_flag=True, help="Recompute every group from scratch (with the options below).")
@click.option("--threshold", type=float, help="Share of the shorter text's fingerprints found in the other "
                                              "[0.5] (--rebuild).")
@click.option("--shingle", type=int, help="Characters per shingle [10] (--rebuild).")
@click.option("--sample", type=int, help="Keep about one shingle in N [8] (--rebuild).")
@click.option("--min-shared", type=int, help="Fingerprints two texts must share at least [5] (--rebuild).")
@click.option("--common", type=int, help="A probe listed for more texts weighs less [4] (--rebuild).")
@click.option("--postings-cap", type=int, help="Texts listed per probe [32] (--rebuild).")
@click.option("--probe", type=int, help="Index and look up one fingerprint in N [3] (--rebuild).")
@click.option("--gate", type=float, help="Weight of shared probes that makes a candidate [0.5] (--rebuild).")
@click.option("--weighted", type=float, help="Share of the shorter text's probe weight shared [0.5] (--rebuild).")
def dedupe(db_path: str, rebuild: bool, **options: float | int | None) -> None:
    """Group near-duplicate articles (articles.dup_group); crawls keep the groups up to date as they go.

    Without --rebuild: fingerprint the articles not yet indexed (an archive from before this feature, or
    the last batch of a crawl that was killed: crawls group their articles a batch at a time).
    With --rebuild: drop the index and regroup everything, e.g. with a stricter --threshold; later crawls
    use the same settings. Takes the crawl lock.

    Example: fanwen dedupe --rebuild --threshold 0.6
    """
    import dataclasses

    from fanwen.crawler.lock import acquire_crawl_lock, release_crawl_lock
    from fanwen.pipelines.dedupe import group_summary, index_missing, load_params
    from fanwen.pipelines.dedupe import rebuild as run_rebuild
    from fanwen.pipelines.store import open_db

    given = {name: value for name, value in options.items() if value is not None}
    if given and not rebuild:
        flags = ", ".join("--" + name.replace("_", "-") for name in given)
        raise UsageError(f"{flags} only apply with --rebuild (the index keeps the settings it was built with)")
    open_db(db_path, create=False).close()  # a missing archive is an error, not created empty
    acquire_crawl_lock(db_path, "fanwen dedupe")
    db = None
    try:
        db = open_db(db_path)
        params = dataclasses.replace(load_params(db), **given)
        count = run_rebuild(db, params) if rebuild else index_missing(db, params)
        groups, members = group_summary(db)
    finally:
        release_crawl_lock(db_path)
        if db is not None:
            db.close()
    click.echo(f"{count:,} articles fingerprinted; {groups:,} groups of near-duplicates hold {members:,} articles "
               f"({db_path})")


@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=click.IntRange(1, 65535))
@click.option("--public", is_flag=True,
              help="Serving to the world: anonymous visitors see no takedown list and cannot run their own SQL.")
def serve(db_path: str, host: str, port: int, public: bool) -> None:
    """Browse and search the archive in Datasette (read-only; works while a crawl writes).

    Example: fanwen serve --db data/fanwen.db --port 8001
    """
    from fanwen.browse.serve import serve as serve_datasette
    from fanwen.pipelines.store import open_db

    open_db(db_path, create=False).close()
    serve_datasette(db_path, host=host, port=port, public=public)  # a busy port: one line, exit status 1


@cli.command()
@click.option("--db", "db_path", default="data/demo.db", show_default=True)
@click.option("--port", default=8001, show_default=True, type=click.IntRange(1, 65535),
              help="Datasette's port on 127.0.0.1 (`make demo PORT=8002`); checked before the crawl.")
@click.option("--no-serve", is_flag=True, help="Stop after the crawl.")
def demo(db_path: str, port: int, no_serve: bool) -> None:
    """Serve the bundled demo site on 127.0.0.1, crawl it as site `demo`, then browse the result in Datasette.

    The demo's articles keep the same URLs and site key on every run, so running it again adds nothing.

    Example: fanwen demo --port 8002
    """
    import importlib.resources
    import subprocess

    from fanwen.siteserver import serve_site

    # The port first: a busy port is one line and exit 1 before a crawl, not a bind error after it.
    sock = None
    if not no_serve:
        from fanwen.browse.serve import bind_port

        sock = bind_port("127.0.0.1", port)
    demo_root = Path(str(importlib.resources.files("fanwen.data") / "demo"))
    Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    with serve_site(demo_root) as site:
        click.echo(f"demo site: data/demo, served at {site.url}")
        # The crawl runs in a child process: Scrapy's reactor cannot be restarted, and Datasette needs a clean
        # event loop afterwards. The demo config's URLs name www.jinbi-fanwen.invalid; the site server answers
        # them as a proxy, so the stored URLs are the same whatever port it got.
        env = {**os.environ, "http_proxy": site.url, "HTTP_PROXY": site.url, "no_proxy": "", "NO_PROXY": ""}
        code = subprocess.call([sys.executable, "-m", "fanwen.cli", "crawl", "demo",
                                "--sites-dir", str(demo_root / "_sites"), "--db", db_path,
                                "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
                                "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8"], env=env)
    if code not in (0, 3):
        if sock is not None:
            sock.close()
        sys.exit(code)
    if sock is not None:
        from fanwen.browse.serve import serve as serve_datasette

        click.echo(f"Datasette: http://127.0.0.1:{port}/ (Ctrl-C to stop)")
        serve_datasette(db_path, host="127.0.0.1", port=port, sock=sock)


@cli.command()
@click.argument("site_names", nargs=-1, metavar="[SITE]...")
@click.option("--start-url", "start_urls", multiple=True, metavar="URL", help="As for `fanwen crawl`.")
@db_option
@click.option("--cron", "form", flag_value="cron", default=True, help="Print a crontab line (default).")
@click.option("--systemd", "form", flag_value="systemd", help="Print a systemd service and timer.")
@click.option("--at", default="03:17", show_default=True, help="Daily start time, HH:MM.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Write the systemd units to this directory.")
@click.option("-s", "settings", multiple=True, metavar="NAME=VALUE", help="Setting for the scheduled crawl.")
def schedule(site_names: tuple[str, ...], start_urls: tuple[str, ...], db_path: str, form: str, at: str,
             out_dir: str | None, settings: tuple[str, ...]) -> None:
    """Print a ready schedule for nightly incremental crawls; overlapping runs exit with status 4.

    Example: fanwen schedule --systemd ruiwen --at 02:30 --out ~/.config/systemd/user
    """
    from fanwen.crawler.run import parse_setting_overrides
    from fanwen.crawler.schedule import Job, cron_line, systemd_units

    overrides = parse_setting_overrides(settings)  # reject a malformed -s now, not at 3 a.m.
    _require_sites(site_names, tuple(filter(None, overrides.get("FANWEN_SITES_DIRS", "").split(","))))
    extra = tuple(arg for pair in settings for arg in ("-s", pair))
    job = Job(sites=site_names, start_urls=start_urls, db=Path(db_path), at=at, extra=extra)
    if form == "cron":
        click.echo(cron_line(job))
        return
    for name, text in systemd_units(job).items():
        if out_dir:
            Path(out_dir).mkdir(parents=True, exist_ok=True)
            (Path(out_dir) / name).write_text(text, encoding="utf-8")
            click.echo(f"wrote {Path(out_dir) / name}")
        else:
            click.echo(f"# {name}\n{text}")


@cli.command()
@db_option
@click.argument("dest", type=click.Path())
def backup(db_path: str, dest: str) -> None:
    """Copy the archive to DEST consistently, even while a crawl writes; the copy is integrity-checked.

    DEST is a new file, or a directory (the copy is then named after the archive and the time).

    Example: fanwen backup --db data/fanwen.db /mnt/backup/
    """
    import time

    from fanwen.pipelines.backup import backup_database
    from fanwen.pipelines.store import now, open_db

    target = Path(dest)
    if target.is_dir():
        target = target / f"{Path(db_path).stem}-{now().replace(':', '')}.db"
    started = time.monotonic()
    db = open_db(db_path, create=False)
    try:
        result = backup_database(db.conn, target)
    finally:
        db.close()
    click.echo(f"backed up {db_path} to {result.path}: {result.articles:,} articles, schema {result.schema_version}, "
               f"{result.size / 1e6:.1f} MB, integrity ok, {time.monotonic() - started:.1f} s")


@cli.command()
@db_option
@click.option("--keep", type=click.IntRange(min=1), default=None,
              help="Versions to keep of each list/pagination page, the current one included "
                   "[default: FANWEN_PRUNE_KEEP_VERSIONS, 3].")
@click.option("--vacuum", is_flag=True, help="Then rewrite the file so it shrinks (needs a moment alone with it).")
def prune(db_path: str, keep: int | None, vacuum: bool) -> None:
    """Drop old versions of list and pagination pages; article pages keep every version.

    A crawl prunes by itself when it finishes; this is for a different --keep or --vacuum.

    Example: fanwen prune --keep 2 --vacuum
    """
    import sqlite3

    from fanwen.crawler.settings import FANWEN_PRUNE_KEEP_VERSIONS
    from fanwen.pipelines.retention import prune_page_versions
    from fanwen.pipelines.retention import vacuum as vacuum_db
    from fanwen.pipelines.store import open_db

    db = open_db(db_path, create=False)
    try:
        result = prune_page_versions(db.conn, keep or FANWEN_PRUNE_KEEP_VERSIONS or 1)
        shrunk = vacuum_db(db.conn) if vacuum else 0
    except sqlite3.Error as e:  # e.g. --vacuum while a crawl holds a write lock past the busy timeout
        raise StoreError(f"cannot prune {db_path}: {e}") from e
    finally:
        db.close()
    line = (f"pruned {result.versions:,} old versions of {result.urls:,} pages ({result.body_bytes / 1e3:,.1f} KB "
            f"of raw pages); {result.reclaimed / 1e3:,.1f} KB reclaimed in the file")
    click.echo(line + (f", file shrank by {shrunk / 1e3:,.1f} KB" if vacuum else " (--vacuum shrinks the file)"))


@cli.command("export")
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, help="Archive database file.")
@click.option("--format", "fmt", type=click.Choice(("csv", "jsonl")), help="Output format [default: -o's suffix].")
@click.option("-o", "--output", default="-", show_default=True, help="Output file, or - for stdout.")
@click.option("--site", "sites", multiple=True, help="Only this site (repeatable).")
@click.option("--category", help="Only this category.")
@click.option("--since", help="Published on or after YYYY-MM-DD.")
@click.option("--until", help="Published on or before YYYY-MM-DD.")
@click.option("--search", help="Only articles matching this search (same as the Datasette search box).")
@click.option("--truncated/--no-truncated", default=None, help="Only truncated (paywalled) / only complete.")
@click.option("--one-per-group", is_flag=True,
              help="Of each group of near-duplicates (see `fanwen dedupe`), only the most complete copy.")
@click.option("--columns", help="Comma-separated columns [default: url,site,title,published,category,"
                                "author,truncated,char_count,text].")
@click.option("--excel", is_flag=True, help="Write a UTF-8 BOM so Excel decodes Chinese (CSV only).")
@click.option("--no-bom", is_flag=True, help="Never write a BOM, even for -o *.csv.")
@click.option("--safe-formulas", is_flag=True, help="Prefix ' to cells starting with = + - @ (CSV only).")
@click.option("--progress", is_flag=True, help="Report progress on stderr even when it is not a terminal.")
def export(db_path: str, fmt: str | None, output: str, sites: tuple[str, ...], category: str | None,
           since: str | None, until: str | None, search: str | None, truncated: bool | None, one_per_group: bool,
           columns: str | None, excel: bool, no_bom: bool, safe_formulas: bool, progress: bool) -> None:
    """Export articles as CSV (opens right in Excel) or JSONL, streaming any number of rows.

    A BOM is written by default when -o ends in .csv (for Excel); stdout gets none unless --excel.
    The output file appears only when the export is complete: stopped (Ctrl-C, SIGTERM), the export
    removes its hidden temp file and leaves the output as it was; the next export replaces a temp file
    that a kill -9 left.

    Example: fanwen export --format csv -o 范文.csv --site diyifanwen --since 2023-01-01
    """
    from fanwen.browse.export import ExportFilter, export_progress, export_rows, parse_columns

    if excel and no_bom:
        raise UsageError("--excel and --no-bom contradict each other; give one")
    if sites:
        _require_sites(sites, (), db_path)
    report = export_progress(sys.stderr if progress or sys.stderr.isatty() else None)
    with _interruptible(output):
        count = export_rows(
            db_path,
            _format_from(output, fmt),
            output,
            parse_columns(columns),
            ExportFilter(sites=tuple(sites), category=category, since=since, until=until, search=search,
                         truncated=truncated, one_per_group=one_per_group),
            bom=True if excel else (False if no_bom else None),
            safe_formulas=safe_formulas,
            progress=report,
        )
    where = "stdout" if output == "-" else output
    click.echo(f"exported {count:,} rows to {where}", err=True)


@cli.command()
@db_option
@click.option("--site", help="Only this site's pages.")
@click.option("--since", metavar="DATE", help="Only pages fetched on or after YYYY-MM-DD.")
@click.option("-o", "--output", required=True, metavar="FILE.warc.gz", help="The WARC file to write.")
def warc(db_path: str, site: str | None, since: str | None, output: str) -> None:
    """Write the stored raw responses (every version) as WARC 1.1 records, for web-archiving tools.

    Like `fanwen export`, the file appears only complete; stopped, it leaves an earlier file as it was.

    Example: fanwen warc --site diyifanwen --since 2026-01-01 -o diyifanwen.warc.gz
    """
    from fanwen.browse.warc import WarcFilter, write_warc

    if site:
        _require_sites([site], (), db_path)
    with _interruptible(output):
        count = write_warc(db_path, output, WarcFilter(site=site, since=since))
    click.echo(f"wrote {count:,} response records to {output}", err=True)


@cli.command()
@db_option
@click.argument("pattern", required=False, metavar="URL-or-PATTERN")
@click.option("--reason", help="Why (recorded with the takedown; required to take down).")
@click.option("--by", "by", help="Who asked [default: login@host].")
@click.option("--list", "list_all", is_flag=True, help="List every takedown (active, undone, purged).")
@click.option("--undo", is_flag=True, help="Lift the takedown of URL-or-PATTERN: its articles come back.")
@click.option("--purge", is_flag=True,
              help="Delete the stored text and raw pages for good (legal removals); a tombstone row stays.")
def takedown(db_path: str, pattern: str | None, reason: str | None, by: str | None, list_all: bool, undo: bool,
             purge: bool) -> None:
    """Hide articles matching a URL or pattern (`*` any characters, `?` one) from Datasette, search, exports
    and WARC, and never fetch them again. Nothing is deleted unless --purge.

    Example: fanwen takedown 'https://www.example.cn/fanwen/2023*' --reason "作者要求删除 (mail 2026-12-01)"
    """
    import sqlite3

    from fanwen.pipelines import takedown as takedowns
    from fanwen.pipelines.store import open_db

    if sum((list_all, undo, bool(purge and not reason))) > 1 or (list_all and (pattern or purge)):
        raise UsageError("give one of: URL-or-PATTERN --reason TEXT [--purge], --undo URL-or-PATTERN, "
                         "--purge URL-or-PATTERN, --list")
    if not list_all and not pattern:
        raise UsageError("give the URL or pattern to take down (or --list)")
    db = open_db(db_path, create=False)
    try:
        if list_all:
            for t in takedowns.takedowns(db.conn):
                state = (f"purged {t['purged_at']}" if t["purged_at"] else "") + \
                        (f" undone {t['undone_at']} by {t['undone_by']}" if t["undone_at"] else "")
                click.echo(f"#{t['id']}\t{t['created_at']}\t{t['pattern']}\t{t['articles']} articles\t"
                           f"{t['requested_by']}\t{t['reason']}\t{state.strip() or 'active'}")
            return
        if undo:
            lifted, restored = takedowns.undo(db.conn, pattern, by)
            click.echo(f"lifted {lifted} takedown(s) of {pattern}: {restored} articles restored; "
                       "they may be crawled again")
            return
        if reason or not purge:
            result = takedowns.take_down(db.conn, pattern, reason or "", by)
            click.echo(f"takedown #{result.id}: {result.articles} articles ({result.rows} rows) withheld from "
                       f"Datasette, search and exports; {pattern} will not be fetched again")
        if purge:
            deleted = takedowns.purge(db.conn, pattern, by)
            click.echo(f"purged {deleted} withheld rows of {pattern} (text and raw pages); tombstones kept")
    except sqlite3.Error as e:  # each step is one transaction: a failure leaves the archive as it was
        raise StoreError(f"cannot record the takedown in {db_path}: {e}") from e
    finally:
        db.close()


@contextlib.contextmanager
def _interruptible(output: str) -> Iterator[None]:
    """Ctrl-C or SIGTERM (kill, systemd stop) while writing `output`: the writer's cleanup runs (its temp file
    goes, `output` stays as it was) and the command ends with one `Error: …` line, exit status 1."""
    import signal

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    except KeyboardInterrupt:
        left = "stdout got an incomplete output" if output == "-" else f"{output} was left as it was"
        raise FanwenError(f"interrupted; {left}") from None
    finally:
        signal.signal(signal.SIGTERM, previous)


def _require_sites(names: tuple[str, ...] | list[str], sites_dirs: tuple[str, ...], db_path: str | None = None) -> None:
    """Every SITE must be a configured site (or, for commands that read an archive, a site it holds): a typo
    is a usage error, never a silent run over nothing."""
    from fanwen.crawler.siteconfig import load_sites

    known = set(load_sites(list(sites_dirs), listing=True))
    if db_path and Path(db_path).is_file():
        import sqlite3

        conn = sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True)
        try:
            known |= {row[0] for row in conn.execute("select distinct site from articles")}
        except sqlite3.Error:
            pass  # not an archive: the command itself says so
        finally:
            conn.close()
    for name in names:
        if name not in known:
            listed = ", ".join(sorted(known)[:12]) + (", …" if len(known) > 12 else "")
            raise UsageError(f"unknown site '{name}' (known: {listed}; see `fanwen sites`)")


def _format_from(output: str, fmt: str | None) -> str:
    from fanwen.browse.export import FORMATS

    if fmt:
        return fmt
    suffix = Path(output).suffix.lower().lstrip(".")
    if output != "-" and suffix in FORMATS:
        return suffix
    raise UsageError("--format is required (csv or jsonl) unless -o ends in .csv or .jsonl")


def main(argv: list[str] | None = None) -> None:
    """Console entry point: FanwenError → one `Error: …` line and its exit status."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:]) or bool(os.environ.get("FANWEN_DEBUG"))
    try:
        cli.main(args=argv, prog_name="fanwen", standalone_mode=False)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except click.UsageError as e:
        # One line, like every other error: click would print the usage and a hint above it.
        hint = f" (see `{e.ctx.command_path} --help`)" if e.ctx else ""
        click.echo(f"Error: {e.format_message()}{hint}", err=True)
        sys.exit(e.exit_code)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except FanwenError as e:
        if debug:
            raise
        click.echo(f"Error: {_one_line(e)}", err=True)
        sys.exit(e.exit_code)


if __name__ == "__main__":
    main()
