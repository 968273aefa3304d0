"""The project's PEP 517 build backend: setuptools' own, minus one notice (pyproject.toml `backend-path`).

pyproject.toml maps the repository's stage folders (crawler/, pipelines/, browse/, data/) into the one package
`fanwen`, so an editable install needs setuptools' import finder, and setuptools then prints a boxed
"Editable installation … be careful with folders in your working directory" notice on every
`pip install -e`. The mapping is deliberate, so that notice (setuptools' InformationOnly category, never a
deprecation or an error) is silenced here; every other warning still shows.
"""

import warnings

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F403 — the PEP 517 hooks, re-exported unchanged
from setuptools.warnings import InformationOnly


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InformationOnly)
        return _setuptools.build_editable(wheel_directory, config_settings, metadata_directory)
