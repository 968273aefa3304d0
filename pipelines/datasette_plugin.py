"""Datasette plugin for the archive (entry point ``fanwen``): Chinese search, article view, chart."""
