"""Decode, extract, clean and store: from a fetched page to an archived article (and the audit of what was removed)."""
