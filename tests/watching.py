"""Wait until a file appears in a folder, on the kernel's word (Linux inotify), not by polling.

For the tests that must act at the moment a child process creates a file it does not announce
(pyoxigraph's ``bulk-*.sst`` tables during a load): the watch is set before looking, so a file
created in between is not missed, and the wait ends at once when the child's output ends (it
exited) instead of running out its time.
"""

from __future__ import annotations

import ctypes
import fnmatch
import os
import select
import struct
import time
from pathlib import Path
from typing import IO

IN_MOVED_TO = 0x00000080
IN_CREATE = 0x00000100
IN_CLOEXEC = 0o2000000
_EVENT = struct.Struct("iIII")  # struct inotify_event: wd, mask, cookie, len; then the name


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def wait_for_file(
    folder: Path, pattern: str, *, seconds: float, until_closed: IO[bytes] | None = None
) -> bool:
    """True once a file whose name matches ``pattern`` exists in ``folder``; False if
    ``until_closed`` (a child's stdout) reaches its end first. TimeoutError after
    ``seconds``, which only stops a hung child from hanging the suite."""
    libc = _libc()
    fd = libc.inotify_init1(IN_CLOEXEC)
    if fd < 0:
        raise OSError(ctypes.get_errno(), "inotify_init1 failed")
    try:
        if libc.inotify_add_watch(fd, os.fsencode(folder), IN_CREATE | IN_MOVED_TO) < 0:
            raise OSError(ctypes.get_errno(), f"cannot watch {folder}")
        if any(folder.glob(pattern)):
            return True
        deadline = time.monotonic() + seconds
        watched: list[int | IO[bytes]] = [fd]
        if until_closed is not None:
            watched.append(until_closed)
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select(watched, [], [], left)
            if fd in ready and any(fnmatch.fnmatch(name, pattern) for name in _names(fd)):
                return True
            if until_closed in ready and os.read(until_closed.fileno(), 1) == b"":
                return False  # the child exited (its unread output, if any, is not needed)
        raise TimeoutError(f"no {pattern} in {folder} within {seconds:g} s")
    finally:
        os.close(fd)


def _names(fd: int) -> list[str]:
    """The file names of the events waiting on the inotify descriptor ``fd``."""
    data = os.read(fd, 64 * 1024)
    names, offset = [], 0
    while offset < len(data):
        _, _, _, length = _EVENT.unpack_from(data, offset)
        offset += _EVENT.size
        names.append(os.fsdecode(data[offset : offset + length].rstrip(b"\0")))
        offset += length
    return names
