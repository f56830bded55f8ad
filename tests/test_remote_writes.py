"""The parts of remote writes that need no server: batches of a load, and credentials."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pyoxigraph as ox
import pytest

from ecograph.store import StoreError
from ecograph.store.base import rdf_stream
from ecograph.store.credentials import (
    PASSWORD_VARIABLE,
    USER_VARIABLE,
    Challenge,
    Credentials,
    challenge,
)
from ecograph.store.triple_batches import TripleBatches

# ------------------------------------------------------------------ batches


def _lines(batch: bytes) -> list[str]:
    return batch.decode().splitlines()


def test_batches_hold_every_triple_and_count_repeats_once() -> None:
    body = "".join(f'<https://e.org/s{i % 9}> <https://e.org/p> "{i % 9}" .\n' for i in range(20))
    batches = TripleBatches(body.encode(), ox.RdfFormat.N_TRIPLES, per_request=4)
    sent = [_lines(batch) for batch in batches]
    assert all(len(lines) <= 4 for lines in sent)
    assert sum(len(lines) for lines in sent) == 20  # a repeat is sent again: harmless
    assert batches.distinct == 9
    assert batches.requests == len(sent) == 5


def test_blank_nodes_travel_together_in_the_last_batch() -> None:
    """A blank node's label names one node only inside one request."""
    body = b"""
    @prefix e: <https://e.org/> .
    e:a e:p "1" ; e:q [ e:name "x" ] .
    e:b e:p "2" ; e:q _:shared .
    e:c e:p "3" ; e:q _:shared .
    _:shared e:name "y" .
    """
    batches = list(TripleBatches(body, ox.RdfFormat.TURTLE, per_request=2))
    last = list(ox.parse(batches[-1], ox.RdfFormat.N_TRIPLES))
    with_blanks = [
        q for q in last if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)
    ]
    assert len(with_blanks) == len(last) == 5
    for batch in batches[:-1]:
        assert "_:" not in batch.decode()


class _Chunks(io.RawIOBase):
    """A file read only in the chunks asked for, which remembers the largest chunk."""

    def __init__(self, body: bytes) -> None:
        super().__init__()
        self._body = io.BytesIO(body)
        self.largest = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._body.readinto(buffer)
        self.largest = max(self.largest, n)
        return n


def test_a_load_is_read_as_a_stream_with_its_provenance_after_it() -> None:
    """A graph of a national register is parsed as it is read, never held whole."""
    body = "".join(f'<https://e.org/s{i}> <https://e.org/p> "{i}" .\n' for i in range(30_000))
    raw = _Chunks(body.encode())
    provenance = '<https://e.org/graph> <https://e.org/version> "2" .'
    with rdf_stream(io.BufferedReader(raw), provenance) as stream:
        batches = TripleBatches(stream, ox.RdfFormat.N_TRIPLES, per_request=10_000)
        sent = [_lines(batch) for batch in batches]
    assert batches.distinct == 30_001 == sum(len(lines) for lines in sent)
    assert sent[-1][-1] == provenance
    assert 0 < raw.largest < len(body) // 10


def test_a_syntax_error_is_a_store_error_naming_the_input() -> None:
    body = b'<https://e.org/a> <https://e.org/p> "1" .\n<broken\n'
    batches = TripleBatches(body, ox.RdfFormat.N_TRIPLES, where="grants.nt: ", per_request=1)
    with pytest.raises(StoreError, match=r"^grants\.nt: .*nothing was loaded"):
        list(batches)


# ------------------------------------------------------------------ credentials


def test_credentials_come_from_the_environment_only_when_both_are_set() -> None:
    assert Credentials.from_environment({}) is None
    both = Credentials.from_environment({USER_VARIABLE: "writer", PASSWORD_VARIABLE: "s3cret"})
    assert both == Credentials("writer", "s3cret")
    assert "s3cret" not in repr(both)
    with pytest.raises(StoreError, match=PASSWORD_VARIABLE):
        Credentials.from_environment({USER_VARIABLE: "writer"})
    with pytest.raises(StoreError, match=USER_VARIABLE):
        Credentials.from_environment({PASSWORD_VARIABLE: "s3cret"})


@contextmanager
def _answering(status: int, header: str | None) -> Iterator[str]:
    """A server on 127.0.0.1 answering every GET with ``status`` and a challenge."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(status)
            if header is not None:
                self.send_header("WWW-Authenticate", header)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql-auth"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('Digest realm="SPARQL", nonce="abc", qop="auth"', Challenge("digest", "SPARQL")),
        ('Basic realm="fuseki"', Challenge("basic", "fuseki")),
        ("Basic", Challenge("basic", "")),
    ],
)
def test_the_scheme_is_read_from_the_endpoints_challenge(header: str, expected: Challenge) -> None:
    with _answering(401, header) as url:
        assert challenge(url, timeout=5) == expected


def test_an_endpoint_that_does_not_ask_gets_no_password() -> None:
    with _answering(200, None) as url:
        assert challenge(url, timeout=5) is None


def test_an_unknown_scheme_is_refused_in_words() -> None:
    with (
        _answering(401, 'Bearer realm="api"') as url,
        pytest.raises(StoreError, match="Basic and Digest only"),
    ):
        challenge(url, timeout=5)
