"""Start a server process for a test and know when it listens, without guessing a delay.

A server says it listens on its output (uvicorn's ``Uvicorn running on``, Oxigraph's
``Listening for requests at``), after binding its socket. :func:`start_server` copies that
output to a log file on a thread, which sets an event on the readiness line or when the
output ends (the process exited): the test waits on the event, not on a polling loop.

Ports: a free port is picked, then handed to the server, so another process may take it in
between (seven test runs share the machine). A server that exits because its address is in
use is started again on another port.
"""

from __future__ import annotations

import socket
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

#: What servers write when they could not bind their port (uvicorn, Oxigraph).
ADDRESS_IN_USE = ("address already in use", "Address already in use")
#: How many ports to try before giving up.
ATTEMPTS = 5


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class OutputWatcher:
    """Copies a process's output, line by line, into ``log``; :meth:`wait` returns once a
    line contains ``ready`` or the output ends."""

    def __init__(self, stream: IO[bytes], log: Path, ready: str) -> None:
        self._stream = stream
        self._log = log
        self._ready = ready.encode()
        self._event = threading.Event()
        self.seen = False
        self._thread = threading.Thread(target=self._copy, daemon=True)
        self._thread.start()

    def _copy(self) -> None:
        with self._log.open("ab") as sink:
            for line in self._stream:
                sink.write(line)
                sink.flush()
                if not self.seen and self._ready in line:
                    self.seen = True
                    self._event.set()
        self._event.set()

    def wait(self, seconds: float) -> bool:
        """True once the readiness line came; False if the output ended without it.

        Raises TimeoutError when neither happened within ``seconds``."""
        if not self._event.wait(seconds):
            raise TimeoutError(f"no {self._ready.decode()!r} line within {seconds:g} s")
        return self.seen

    def close(self, seconds: float = 10.0) -> None:
        """Wait for the copy to finish (call once the process has ended)."""
        self._thread.join(seconds)


@dataclass
class StartedServer:
    """A server process that said it listens on ``port``, and its output's copier."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path
    watcher: OutputWatcher

    def stop(self, stop: Callable[[subprocess.Popen[bytes]], None], seconds: float) -> None:
        """Ask the process to end with ``stop``; kill it after ``seconds``."""
        if self.process.poll() is None:
            stop(self.process)
        try:
            self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.watcher.close()


def start_server(
    command: Callable[[int], Sequence[str]],
    log_dir: Path,
    *,
    ready: str,
    name: str,
    seconds: float,
    env: Mapping[str, str] | None = None,
) -> StartedServer:
    """Run ``command(port)`` on a free port until it writes ``ready``; another port if the
    first is taken meanwhile. Raises RuntimeError, with the log, when the server exits or
    stays silent for ``seconds``."""
    for _ in range(ATTEMPTS):
        port = free_port()
        log = log_dir / f"{name}-{port}.log"
        process = subprocess.Popen(
            list(command(port)),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
        )
        assert process.stdout is not None
        started = StartedServer(process, port, log, OutputWatcher(process.stdout, log, ready))
        try:
            listening = started.watcher.wait(seconds)
        except TimeoutError:
            started.stop(subprocess.Popen.kill, 10)
            raise RuntimeError(f"{name} did not start in {seconds:g} s:\n{_text(log)}") from None
        if listening:
            return started
        started.stop(subprocess.Popen.kill, 10)
        if not any(words in _text(log) for words in ADDRESS_IN_USE):
            raise RuntimeError(f"{name} exited ({process.returncode}):\n{_text(log)}")
    raise RuntimeError(f"{name}: {ATTEMPTS} ports in a row were taken")


def _text(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
