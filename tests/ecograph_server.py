"""Start a real ``ecograph serve`` on a free 127.0.0.1 port, for the server tests.

The server runs in its own process, exactly as a user starts it (the CLI, uvicorn, worker
processes), and the tests talk to it over HTTP with real clients.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .serving import start_server

#: How long a server may take to start its workers (the machine may be busy).
START_TIMEOUT = 90.0
TOKEN = "test-token-0123456789-abcdefghij"
#: What uvicorn writes once it listens.
READY = "Uvicorn running on"


@dataclass(frozen=True)
class RunningServer:
    """A running server: its base URL and its log file (shown when a test fails)."""

    base: str
    log: Path
    pid: int

    @property
    def sparql(self) -> str:
        return self.base + "/sparql"

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def ecograph_server(
    workspace: Path, log_dir: Path, *args: str, env: Mapping[str, str] | None = None
) -> Iterator[RunningServer]:
    """Run ``ecograph --store WORKSPACE serve ARGS`` until the block ends.

    Ready once uvicorn says it runs: it says so after the app's startup (the workers) and
    after binding its socket."""

    def command(port: int) -> list[str]:
        return [
            sys.executable,
            "-c",
            "from ecograph.cli import app; app()",
            "--store",
            str(workspace),
            "serve",
            "--port",
            str(port),
            *args,
        ]

    started = start_server(
        command,
        log_dir,
        ready=READY,
        name="serve",
        seconds=START_TIMEOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
    )
    try:
        yield RunningServer(f"http://127.0.0.1:{started.port}", started.log, started.process.pid)
    finally:
        started.stop(lambda process: process.send_signal(signal.SIGINT), 20)
