"""Package data: Datasette metadata (metadata.yml) and the bundled demo site (demo/)."""
