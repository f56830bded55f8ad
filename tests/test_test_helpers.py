"""The tests' own synchronisation helpers: a server's readiness line, a port taken meanwhile,
a file created by a child process."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .serving import start_server
from .watching import wait_for_file

#: A stand-in server: the first run finds its port taken, the next ones listen until killed.
FAKE_SERVER = r"""
import pathlib, signal, sys
marker = pathlib.Path(sys.argv[1])
if not marker.exists():
    marker.write_text("ran")
    print("ERROR: [Errno 98] address already in use", flush=True)
    sys.exit(1)
print("Uvicorn running on port", sys.argv[2], flush=True)
signal.pause()
"""


def _fake(marker: Path) -> Callable[[int], list[str]]:
    return lambda port: [sys.executable, "-c", FAKE_SERVER, str(marker), str(port)]


def test_a_server_is_ready_on_its_line_and_restarted_when_its_port_was_taken(
    tmp_path: Path,
) -> None:
    started = start_server(
        _fake(tmp_path / "marker"),
        tmp_path,
        ready="Uvicorn running on",
        name="fake",
        seconds=60,
    )
    try:
        assert started.process.poll() is None
        assert f"Uvicorn running on port {started.port}" in started.log.read_text()
        logs = sorted(tmp_path.glob("fake-*.log"))
        assert len(logs) == 2  # the failed attempt kept its own log
    finally:
        started.stop(subprocess.Popen.terminate, 10)
    assert started.process.returncode is not None


def test_a_server_that_exits_for_another_reason_fails_with_its_log(tmp_path: Path) -> None:
    def command(port: int) -> list[str]:
        return [sys.executable, "-c", "print('no workspace here'); raise SystemExit(2)"]

    with pytest.raises(RuntimeError, match=r"fake exited \(2\):\nno workspace here"):
        start_server(command, tmp_path, ready="Uvicorn running on", name="fake", seconds=60)


def test_a_file_created_by_a_child_is_seen(tmp_path: Path) -> None:
    target = tmp_path / "bulk-000001.sst"
    child = subprocess.Popen(
        [sys.executable, "-c", f"import sys; sys.stdin.readline(); open({str(target)!r}, 'w')"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write(b"go\n")
        child.stdin.flush()
        assert wait_for_file(tmp_path, "bulk-*.sst", seconds=60, until_closed=child.stdout)
    finally:
        child.communicate()


def test_a_child_that_exits_without_the_file_ends_the_wait(tmp_path: Path) -> None:
    (tmp_path / "other.sst").write_text("not a bulk table")
    child = subprocess.Popen([sys.executable, "-c", "pass"], stdout=subprocess.PIPE)
    try:
        assert child.stdout is not None
        assert not wait_for_file(tmp_path, "bulk-*.sst", seconds=60, until_closed=child.stdout)
    finally:
        child.communicate()


def test_the_wait_has_a_bound(tmp_path: Path) -> None:
    with pytest.raises(TimeoutError, match=r"no bulk-\*\.sst"):
        wait_for_file(tmp_path, "bulk-*.sst", seconds=0.2)
