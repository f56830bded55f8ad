"""Limits on what a client may send: the size of a request and how slowly it may send it.

What a request may *ask* (no SERVICE, FROM or LOAD) is decided on its parse, in a worker:
see ``screen.py``. Here is only what the server process checks as bytes arrive, before any
worker is involved: a body over ``max_body_bytes`` is refused as soon as it passes the cap
(413), and a body that stops arriving for ``idle_timeout`` seconds is given up on (408), so a
slow client cannot hold a connection and its buffer forever. The request line and headers
have their own deadline, kept by the HTTP protocol class (``connections.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterable

import anyio


class BodyTooLarge(ValueError):
    """A request body (or query string) over the ``max_body_bytes`` setting."""


class BodyTimeout(ValueError):
    """A request body that stopped arriving for longer than the ``idle_timeout`` setting."""


async def read_capped(
    chunks: AsyncIterable[bytes],
    declared_length: str | None,
    cap: int,
    *,
    idle_timeout: float | None = None,
) -> bytes:
    """A request body, refused with ``BodyTooLarge`` as soon as it passes ``cap`` bytes, and
    with ``BodyTimeout`` when no byte of it arrives for ``idle_timeout`` seconds.

    A declared ``Content-Length`` over the cap is refused before reading anything; a body sent
    without one (chunked) is counted as it arrives, so memory never holds more than the cap.
    """
    if declared_length is not None:
        try:
            declared = int(declared_length)
        except ValueError:
            raise BodyTooLarge("the Content-Length header is not a number") from None
        if declared > cap:
            raise BodyTooLarge(_too_large(cap))
    body = bytearray()
    iterator = aiter(chunks)
    while True:
        try:
            with anyio.fail_after(idle_timeout):
                chunk = await anext(iterator)
        except StopAsyncIteration:
            return bytes(body)
        except TimeoutError:
            raise BodyTimeout(
                f"No part of the request body arrived for {idle_timeout:g} s; "
                "the limit is set by --idle-timeout."
            ) from None
        body += chunk
        if len(body) > cap:
            raise BodyTooLarge(_too_large(cap))


def check_query_string(query_string: str, cap: int) -> None:
    """Apply the body cap to a GET request's query string as well."""
    if len(query_string.encode("utf-8", "replace")) > cap:
        raise BodyTooLarge(_too_large(cap))


def _too_large(cap: int) -> str:
    return (
        f"The request is larger than {cap:,} bytes; the limit is set by --max-body-bytes "
        "(setting max_body_bytes)."
    )
