"""An advisory lock on a workspace folder, so two writers never share one RocksDB store.

RocksDB refuses a second writer with "No locks available", which says nothing about who holds
the store or what to do. We take an ``flock`` on ``writer.lock`` first: the kernel releases it
when the holder dies (even by SIGKILL), and the file records who holds it so the error can say.
Readers take a shared lock: pyoxigraph's read-only mode is undefined while another process
writes, so a reader waits for no one but keeps writers out while it reads.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import time
from pathlib import Path


class LockHeldError(Exception):
    """Another process holds the workspace lock; ``holder`` describes it when known."""

    def __init__(self, path: Path, holder: dict[str, object] | None) -> None:
        self.path = path
        self.holder = holder or {}
        super().__init__(str(path))


class WorkspaceLock:
    """An ``flock`` on one file: exclusive for writers, shared for readers."""

    def __init__(self, path: Path, *, exclusive: bool) -> None:
        self.path = path
        self.exclusive = exclusive
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock without waiting; raise ``LockHeldError`` when someone else has it."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        mode = fcntl.LOCK_EX if self.exclusive else fcntl.LOCK_SH
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise LockHeldError(self.path, holder) from None
        self._fd = fd
        if self.exclusive:
            record = {
                "pid": os.getpid(),
                "command": " ".join(Path(sys.argv[0]).name.split() + sys.argv[1:])[:200],
                "since": time.strftime("%Y-%m-%d %H:%M:%S"),
            }
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(record).encode(), 0)

    def release(self) -> None:
        """Drop the lock; safe to call twice."""
        if self._fd is None:
            return
        if self.exclusive:
            os.ftruncate(self._fd, 0)
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None


def _read_holder(fd: int) -> dict[str, object] | None:
    """What the writer wrote about itself, or None for a reader or an unreadable file."""
    try:
        raw = os.pread(fd, 4096, 0)
        return json.loads(raw) if raw else None
    except (OSError, ValueError):
        return None
