"""The `platform` command line."""
