"""A load that stops in the middle of its input, for the tests that SIGKILL a writer mid-load.

Waiting a fixed time after "the load started" and then killing is a guess: on a fast machine the
load is already over, on a loaded one it has not begun. Instead the child process reads its
input through :class:`HaltingReader`, which, once ``halt_at`` bytes have gone into the load,
says ``halted`` on stdout and waits on stdin. The test reads that line and kills the process:
it is then certainly inside the load, halfway through it.

The child scripts (``python -c``) import this file as a top-level module: they put this folder
on ``sys.path`` and ``from halting import ...``.
"""

from __future__ import annotations

import io
import os
import select
import signal
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

#: The folder to put on a child's ``sys.path`` so that ``from halting import ...`` works.
HERE = str(Path(__file__).parent)
HALTED = "halted"


class HaltingReader(io.RawIOBase):
    """``inner`` until ``halt_at`` bytes have been taken; then it says ``halted`` on stdout
    and waits for a line on stdin, which the test never sends: it kills the process."""

    def __init__(self, inner: IO[bytes], halt_at: int) -> None:
        super().__init__()
        self._inner = inner
        self._halt_at = halt_at
        self._taken = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._taken >= self._halt_at:
            print(HALTED, flush=True)
            sys.stdin.readline()  # until the test kills this process (or closes the pipe)
            self._halt_at = sys.maxsize
        taken = self._inner.readinto(buffer)  # type: ignore[attr-defined]
        self._taken += taken
        return taken

    def close(self) -> None:
        self._inner.close()
        super().close()


def halfway(path: Path) -> HaltingReader:
    """The file at ``path`` as a stream that halts after half of its bytes."""
    return HaltingReader(path.open("rb"), path.stat().st_size // 2)


def read_line(child: subprocess.Popen[str], seconds: float) -> str:
    """The next line ``child`` writes on stdout (stripped), waiting at most ``seconds``.

    An empty string means the child closed its stdout (it exited). For children that say one
    line and then wait: a line already read ahead into the pipe's buffer is not seen by select.
    """
    assert child.stdout is not None
    ready, _, _ = select.select([child.stdout], [], [], seconds)
    if not ready:
        raise AssertionError(f"the child process said nothing in {seconds:g} s")
    return child.stdout.readline().strip()


def kill_when_halted(script: str, *args: str, seconds: float = 300) -> None:
    """Run ``python -c script args… HERE``; once it says ``halted`` (its load is halfway
    through its input), SIGKILL it, and check that the kill is what ended it."""
    child = subprocess.Popen(
        [sys.executable, "-c", script, *args, HERE],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert read_line(child, seconds) == HALTED
        os.kill(child.pid, signal.SIGKILL)
        child.wait(60)
    finally:
        child.kill()
        child.communicate()
    assert child.returncode == -signal.SIGKILL
