"""fanwen-archive: crawl Chinese model-essay sites, clean them, archive them in SQLite, browse them in Datasette.

The one installed package. Its parts live in the repository's top-level folders, one per stage of the data
flow (pyproject.toml maps them):

    fanwen.crawler    crawler/    fetch: Scrapy spiders, site configs, politeness, incremental crawls
    fanwen.pipelines  pipelines/  decode, extract, clean, store
    fanwen.browse     browse/     Datasette plugin, Chinese search index, serving, export
    fanwen.data       data/       Datasette metadata and the bundled demo site

This folder holds what they share: the command line (cli), errors and the demo/test site server.
"""

DEFAULT_DB = "data/fanwen.db"  # the archive every command uses unless given --db
