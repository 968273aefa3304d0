"""Scrapyd runner for fanwen eggs (`runner = fanwen.crawler.scrapyd_runner` in scrapyd.conf; docs/scheduling.md).

Like scrapyd.runner, but it unpacks the deployed egg into a temporary directory instead of importing it from
the zip: the project reads its site configs and cleaning rules (TOML files) from its package directories,
which do not exist inside a zipped egg. Scrapyd starts it as `python -m fanwen.crawler.scrapyd_runner crawl …`.
"""

from __future__ import annotations

import os
import sys
import tempfile
import zipfile
from configparser import ConfigParser


def _unpack(project: str, target: str) -> bool:
    """Unpack the project's egg (the version Scrapyd asked for) into `target`; False when none is deployed."""
    from scrapyd import Config
    from scrapyd.utils import initialize_component

    storage = initialize_component(Config(), "eggstorage", "scrapyd.eggstorage.FilesystemEggStorage")
    _, egg = storage.get(project, os.environ.get("SCRAPYD_EGG_VERSION"))
    if egg is None:
        return False
    with egg, zipfile.ZipFile(egg) as archive:
        archive.extractall(target)
    return True


def main() -> None:
    """Unpack the egg, put it first on sys.path, then run Scrapy's command line."""
    project = os.environ["SCRAPY_PROJECT"]
    with tempfile.TemporaryDirectory(prefix=f"{project}-egg-") as unpacked:
        if _unpack(project, unpacked):
            sys.path.insert(0, unpacked)
            # This module was imported from the installed package; the egg's code must win from here on.
            for name in [m for m in sys.modules if m == "fanwen" or m.startswith("fanwen.")]:
                del sys.modules[name]
            entry_points = ConfigParser()
            entry_points.read(os.path.join(unpacked, "EGG-INFO", "entry_points.txt"), encoding="utf-8")
            os.environ.setdefault("SCRAPY_SETTINGS_MODULE", entry_points.get("scrapy", "settings"))
        from scrapy.cmdline import execute

        execute()


if __name__ == "__main__":
    main()
