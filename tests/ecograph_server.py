"""Start a real ``ecograph serve`` on a free 127.0.0.1 port, for the server tests.

The server runs in its own process, exactly as a user starts it (the CLI, uvicorn, worker
processes), and the tests talk to it over HTTP with real clients.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

#: How long a server may take to start its workers (the machine may be busy).
START_TIMEOUT = 90.0
TOKEN = "test-token-0123456789-abcdefghij"


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


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def ecograph_server(
    workspace: Path, log_dir: Path, *args: str, env: Mapping[str, str] | None = None
) -> Iterator[RunningServer]:
    """Run ``ecograph --store WORKSPACE serve ARGS`` until the block ends."""
    port = free_port()
    log = log_dir / f"serve-{port}.log"
    command = [
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
    environment = {**os.environ, **(env or {})}
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=environment)
    server = RunningServer(f"http://127.0.0.1:{port}", log, process.pid)
    try:
        _wait_until_up(server, process)
        yield server
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(server: RunningServer, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"ecograph serve exited ({process.returncode}):\n{server.log_text()}"
            )
        try:
            with urllib.request.urlopen(server.base + "/queries.json", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise RuntimeError(
        f"ecograph serve did not start in {START_TIMEOUT:.0f} s:\n{server.log_text()}"
    )
