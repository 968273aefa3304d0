# scrapyd-deploy builds its egg with `python setup.py bdist_egg` and writes a setup.py of its own (which
# ignores pyproject.toml's package mapping) only where none exists; everything is configured in pyproject.toml.
from setuptools import setup

setup()
