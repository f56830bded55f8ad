"""``python -m ecograph``: the same command line as ``ecograph``."""

from ecograph.cli import app

app()
