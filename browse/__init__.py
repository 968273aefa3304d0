"""Browse and export the archive: the Datasette plugin and its Chinese search index, serving, CSV/JSONL export."""
