"""Shim so `python cli.py …` works from a checkout: the same app as the `platform` console script."""

from campusbot.cli.main import main

if __name__ == "__main__":
    main()
