"""User-facing errors. Each message is one line that names the thing and, where possible, the fix.

The CLI maps every subclass to its exit status (README: "Exit status").
"""


class FanwenError(Exception):
    """Base class: a problem the user can act on, shown as one line without a traceback.

    Messages speak of the library's own terms (a filter's field name, a format), never of command-line
    flags: the same error reaches a web user through Datasette. `field` names the parameter at fault, so a
    front end can point at its own control for it (the CLI shows `--since: …`, Datasette `since: …`).
    """

    exit_code = 1

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field

    def __str__(self) -> str:
        message = super().__str__()
        return f"{self.field}: {message}" if self.field else message


class ConfigError(FanwenError):
    """A site config, rules file or setting is malformed."""

    exit_code = 2


class UsageError(FanwenError):
    """Bad command-line input (unknown column, bad date, unknown site)."""

    exit_code = 2


class StoreError(FanwenError):
    """The database cannot be opened or written."""


class StoreLocked(FanwenError):
    """Another crawl holds the database's crawl lock."""

    exit_code = 4


class ExportError(FanwenError):
    """An export cannot be written."""
