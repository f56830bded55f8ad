"""Cut a worker process off the network, whatever query it is given.

The endpoint refuses SERVICE, FROM and LOAD after parsing each request (``screen.py``), but a
screen can be wrong, and a query it lets through would make the worker send HTTP requests to
any address the server can reach (DESIGN §8). So each worker also installs a
**seccomp filter** before it opens the store: from then on the kernel refuses, in that process
and every thread it starts, to create any socket but a Unix one (``socket(2)`` fails with
EACCES) and to set up io_uring (which could open sockets without calling ``socket(2)``). A
query that reaches pyoxigraph's HTTP client then fails with an error instead of connecting.
The pipe to the server is a Unix socket pair made before the filter, so it keeps working.

The filter is a classic BPF program handed to ``seccomp(2)`` through ctypes (no dependency):
it checks the architecture first, so a system call made through another ABI (x32, or i386's
``socketcall``) is refused too. ``PR_SET_NO_NEW_PRIVS`` is set first, which lets an
unprivileged process install a filter; ``SECCOMP_FILTER_FLAG_TSYNC`` applies it to threads
that already exist. On a system without seccomp (not Linux, or another CPU), ``enter`` returns
a reason instead and the server logs that the worker runs without this defence.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import socket
import struct
import sys

# linux/filter.h, linux/bpf_common.h
_BPF_LD_W_ABS = 0x00 | 0x00 | 0x20
_BPF_JMP_JEQ_K = 0x05 | 0x10 | 0x00
_BPF_JMP_JGE_K = 0x05 | 0x30 | 0x00
_BPF_RET_K = 0x06 | 0x00
# linux/seccomp.h
_SECCOMP_SET_MODE_FILTER = 1
_SECCOMP_FILTER_FLAG_TSYNC = 1
_SECCOMP_RET_ALLOW = 0x7FFF0000
_SECCOMP_RET_ERRNO = 0x00050000
_PR_SET_NO_NEW_PRIVS = 38
# struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]
_OFFSET_NR = 0
_OFFSET_ARCH = 4
_OFFSET_ARG0 = 16 if sys.byteorder == "little" else 20  # low 32 bits of args[0]
_X32_SYSCALL_BIT = 0x40000000


class _Abi:
    """What the filter needs to know of one CPU architecture's system call table."""

    def __init__(
        self, audit_arch: int, seccomp: int, socket_call: int, io_uring_setup: int, has_x32: bool
    ) -> None:
        self.audit_arch = audit_arch
        self.seccomp = seccomp
        self.socket = socket_call
        self.io_uring_setup = io_uring_setup
        self.has_x32 = has_x32


#: The architectures the filter knows (audit arch from linux/audit.h, numbers from each
#: architecture's unistd.h).
_ABIS = {
    "x86_64": _Abi(0xC000003E, seccomp=317, socket_call=41, io_uring_setup=425, has_x32=True),
    "aarch64": _Abi(0xC00000B7, seccomp=277, socket_call=198, io_uring_setup=425, has_x32=False),
}


def _instruction(code: int, jump_true: int, jump_false: int, k: int) -> bytes:
    return struct.pack("HBBI", code, jump_true, jump_false, k)


def _program(abi: _Abi) -> list[bytes]:
    """The filter: allow everything but non-Unix sockets, io_uring and foreign ABIs."""
    refuse = _SECCOMP_RET_ERRNO | errno.EACCES
    body = [
        _instruction(_BPF_LD_W_ABS, 0, 0, _OFFSET_NR),
        # jump offsets count instructions after this one
        _instruction(_BPF_JMP_JEQ_K, 0, 1, abi.io_uring_setup),
        _instruction(_BPF_RET_K, 0, 0, refuse),
        _instruction(_BPF_JMP_JEQ_K, 1, 0, abi.socket),
        _instruction(_BPF_RET_K, 0, 0, _SECCOMP_RET_ALLOW),
        _instruction(_BPF_LD_W_ABS, 0, 0, _OFFSET_ARG0),
        _instruction(_BPF_JMP_JEQ_K, 0, 1, socket.AF_UNIX),
        _instruction(_BPF_RET_K, 0, 0, _SECCOMP_RET_ALLOW),
        _instruction(_BPF_RET_K, 0, 0, refuse),
    ]
    if abi.has_x32:  # x32 system calls carry this bit: refuse them all
        body[1:1] = [
            _instruction(_BPF_JMP_JGE_K, 0, 1, _X32_SYSCALL_BIT),
            _instruction(_BPF_RET_K, 0, 0, refuse),
        ]
    return [
        _instruction(_BPF_LD_W_ABS, 0, 0, _OFFSET_ARCH),
        _instruction(_BPF_JMP_JEQ_K, 1, 0, abi.audit_arch),
        _instruction(_BPF_RET_K, 0, 0, refuse),
        *body,
    ]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def enter() -> str | None:
    """Forbid this process (and its threads) to open network sockets from now on.

    Returns None when the filter is in place, else the reason it could not be installed.
    Irreversible by design: call it in a worker, never in the server process.
    """
    if not sys.platform.startswith("linux"):
        return f"seccomp is a Linux facility; this is {sys.platform}"
    abi = _ABIS.get(platform.machine())
    if abi is None:
        return f"no seccomp filter is defined for the {platform.machine()} architecture"
    code = b"".join(_program(abi))
    buffer = ctypes.create_string_buffer(code, len(code))
    program = _SockFprog(len(code) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return f"prctl(PR_SET_NO_NEW_PRIVS) failed: {_errno_text()}"
    if (
        libc.syscall(
            abi.seccomp, _SECCOMP_SET_MODE_FILTER, _SECCOMP_FILTER_FLAG_TSYNC, ctypes.byref(program)
        )
        != 0
    ):
        return f"seccomp(SECCOMP_SET_MODE_FILTER) failed: {_errno_text()}"
    return None


def _errno_text() -> str:
    number = ctypes.get_errno()
    return f"{errno.errorcode.get(number, number)} ({number})"
