"""Start a real Oxigraph server (PyPI package ``oxigraph``) on 127.0.0.1 for remote tests."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from .serving import start_server

#: What ``oxigraph serve`` writes once it listens.
READY = "Listening for requests at"
START_TIMEOUT = 30.0


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


@contextmanager
def oxigraph_server(
    location: Path, *, union_default_graph: bool = True
) -> Iterator[OxigraphServer]:
    """Run ``oxigraph serve`` until the block ends; skip the test if it is not installed.

    Ready once it says it listens (it says so after binding its socket)."""
    binary = shutil.which("oxigraph")
    if binary is None:
        pytest.skip("the `oxigraph` server (pip install oxigraph) is not installed")

    def command(port: int) -> list[str]:
        bind = ["--bind", f"127.0.0.1:{port}"]
        union = ["--union-default-graph"] if union_default_graph else []
        return [binary, "serve", "--location", str(location), *bind, *union]

    started = start_server(
        command, location.parent, ready=READY, name="oxigraph", seconds=START_TIMEOUT
    )
    try:
        yield OxigraphServer(f"http://127.0.0.1:{started.port}")
    finally:
        started.stop(subprocess.Popen.terminate, 10)
