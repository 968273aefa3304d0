"""`fanwen export`: the click command over pipelines.export.export_rows (added to the `fanwen` group)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .errors import FanwenError, UsageError
from .export import FORMATS, ExportFilter, Progress, export_rows, parse_columns
from .store import DEFAULT_DB


class _CommandError(click.ClickException):
    """A FanwenError shown as click's one-line `Error: …`, keeping the error's exit status."""

    def __init__(self, error: FanwenError):
        super().__init__(str(error))
        self.exit_code = error.exit_code


def _format_from(output: str, fmt: str | None) -> str:
    if fmt:
        return fmt
    suffix = Path(output).suffix.lower().lstrip(".")
    if output != "-" and suffix in FORMATS:
        return suffix
    raise UsageError("--format is required (csv or jsonl) unless -o ends in .csv or .jsonl")


@click.command("export")
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, help="Archive database file.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Output format [default: -o's suffix].")
@click.option("-o", "--output", default="-", show_default=True, help="Output file, or - for stdout.")
@click.option("--site", "sites", multiple=True, help="Only this site (repeatable).")
@click.option("--category", help="Only this category.")
@click.option("--since", help="Published on or after YYYY-MM-DD.")
@click.option("--until", help="Published on or before YYYY-MM-DD.")
@click.option("--search", help="Only articles matching this search (same as the Datasette search box).")
@click.option("--truncated/--no-truncated", default=None, help="Only truncated (paywalled) / only complete.")
@click.option("--columns", help="Comma-separated columns [default: url,site,title,published,category,"
                                "author,truncated,char_count,text].")
@click.option("--excel", is_flag=True, help="Write a UTF-8 BOM so Excel decodes Chinese (CSV only).")
@click.option("--no-bom", is_flag=True, help="Never write a BOM, even for -o *.csv.")
@click.option("--safe-formulas", is_flag=True, help="Prefix ' to cells starting with = + - @ (CSV only).")
@click.option("--progress", is_flag=True, help="Report progress on stderr even when it is not a terminal.")
def export_command(db_path: str, fmt: str | None, output: str, sites: tuple[str, ...], category: str | None,
                   since: str | None, until: str | None, search: str | None, truncated: bool | None,
                   columns: str | None, excel: bool, no_bom: bool, safe_formulas: bool,
                   progress: bool) -> None:
    """Export articles as CSV (opens right in Excel) or JSONL, streaming any number of rows.

    A BOM is written by default when -o ends in .csv (for Excel); stdout gets none unless --excel.
    The output file appears only when the export is complete.

    Example: fanwen export --format csv -o 范文.csv --site diyifanwen --since 2023-01-01
    """
    try:
        if excel and no_bom:
            raise UsageError("--excel and --no-bom contradict each other; give one")
        report = Progress(sys.stderr if progress or sys.stderr.isatty() else None)
        count = export_rows(
            db_path,
            _format_from(output, fmt),
            output,
            parse_columns(columns),
            ExportFilter(sites=tuple(sites), category=category, since=since, until=until, search=search,
                         truncated=truncated),
            bom=True if excel else (False if no_bom else None),
            safe_formulas=safe_formulas,
            progress=report,
        )
    except FanwenError as e:
        raise _CommandError(e) from None
    where = "stdout" if output == "-" else output
    click.echo(f"exported {count:,} rows to {where}", err=True)
