"""Start a real Oxigraph server (PyPI package ``oxigraph``) on 127.0.0.1 for remote tests."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class OxigraphServer:
    """URLs of a running server."""

    base: str

    @property
    def query(self) -> str:
        return self.base + "/query"

    @property
    def update(self) -> str:
        return self.base + "/update"

    @property
    def store(self) -> str:
        return self.base + "/store"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def oxigraph_server(
    location: Path, *, union_default_graph: bool = True
) -> Iterator[OxigraphServer]:
    """Run ``oxigraph serve`` until the block ends; skip the test if it is not installed."""
    binary = shutil.which("oxigraph")
    if binary is None:
        pytest.skip("the `oxigraph` server (pip install oxigraph) is not installed")
    port = _free_port()
    command = [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    if union_default_graph:
        command.append("--union-default-graph")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    server = OxigraphServer(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(server.query + "?query=ASK%7B%7D", timeout=2):
                    break
            except (urllib.error.URLError, OSError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "oxigraph server did not start: "
                        + (process.stderr.read().decode() if process.stderr else "")
                    ) from None
                time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
