"""One way to read and check the project's TOML data (site configs, rules files, fixture-site manifests).

Errors are one line, ConfigError (exit status 2), and name the file and the key path:
`sites/x.toml: start_urls: expected list, got str`, `rules/paywall.toml: rules[3].why: missing key`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fanwen.errors import ConfigError

# key → (required, expected type or types)
Schema = Mapping[str, tuple[bool, type | tuple[type, ...]]]


def read_toml(path: str | Path, label: str | None = None) -> dict[str, Any]:
    """The parsed file; `label` (default: the path) names it in errors."""
    where = label or str(path)
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(f"{where}: cannot read: {e.strerror or e}") from e
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{where}: invalid TOML: {e}") from e


def type_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(k.__name__ for k in kinds)


def is_a(value: Any, kind: type | tuple[type, ...]) -> bool:
    """isinstance, except that a TOML boolean is not an integer."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds:
        return False
    return isinstance(value, kinds)


def check_table(raw: Any, schema: Schema, where: str, prefix: str = "") -> None:
    """Reject a non-table, unknown keys, missing required keys and values of the wrong type.

    `where` names the file, `prefix` the table inside it (`rules[2].`)."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: {prefix.rstrip('.') or 'file'}: expected a table")
    for key in raw:
        if key not in schema:
            raise ConfigError(f"{where}: {prefix}{key}: unknown key (allowed: {', '.join(sorted(schema))})")
    for key, (required, kind) in schema.items():
        if key not in raw:
            if required:
                raise ConfigError(f"{where}: {prefix}{key}: missing key")
            continue
        if not is_a(raw[key], kind):
            raise ConfigError(f"{where}: {prefix}{key}: expected {type_name(kind)}, got {type(raw[key]).__name__}")
