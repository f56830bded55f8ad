"""A deadline for each request's headers, so slow clients cannot hold the server's sockets.

uvicorn closes a kept-alive connection that stays silent after an answer
(``timeout_keep_alive``, set from ``--idle-timeout``), but it sets no deadline on a request
that is still arriving: a client that connects and sends nothing, or sends its headers a byte
every few seconds ("slowloris"), keeps its connection, and enough of them exhaust the server's
sockets. This protocol class is uvicorn's own HTTP/1.1 protocol with one addition: from the
moment a connection opens (or an answer on it is complete) the client has ``header_timeout``
seconds to send a complete request line and headers, or the connection is closed. The body
then has its own limit, on silence between its parts (``limits.read_capped``).
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol


class _HeaderDeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing connections whose request headers come too late."""

    header_timeout: float = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # the request line and headers are in
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._arm()  # the next request on this connection has the same deadline

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._header_deadline = self.loop.call_later(self.header_timeout, self._too_late)

    def _disarm(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _too_late(self) -> None:
        self._header_deadline = None
        if not self.transport.is_closing():
            self.transport.close()


def header_deadline_protocol(header_timeout: float) -> type[H11Protocol]:
    """uvicorn's HTTP protocol class with a ``header_timeout`` (seconds) on request headers."""
    return type(
        "HeaderDeadlineProtocol", (_HeaderDeadlineProtocol,), {"header_timeout": header_timeout}
    )
