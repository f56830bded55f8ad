"""The W3C SPARQL 1.1 Protocol tests against a running ``ecograph serve``.

The tests come from ``tests/fixtures/w3c/sparql11-protocol/protocol/`` (``summary.json`` is
the manifest flattened: requests, expected status classes and result checks). Each test runs
against the server it applies to:

- query tests and every ``bad_*`` test: a read-only server whose workspace holds
  ``data1.nt``, ``data2.nt`` and ``data3.nt`` in the named graphs the manifest names;
- update tests (and the ``bad_update_*`` ones again): a server started with
  ``--enable-update`` over a scratch workspace. The runner adds ``Authorization: Bearer`` to
  every request there — the manifest's requests carry no credentials, and an endpoint that
  takes updates without any is exactly what ecograph refuses to be.

The manifest's ``/sparql/`` path is replaced by the server's ``/sparql``, as its overview asks
of a runner. Every test not run is in ``SKIPPED`` with the reason.
"""

from __future__ import annotations

import http.client
import json
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
import pytest

from ecograph.server import protocol
from ecograph.store import open_store

from .conftest import FIXTURES
from .ecograph_server import TOKEN, RunningServer, ecograph_server

SUITE = FIXTURES / "w3c" / "sparql11-protocol" / "protocol"

TESTS: list[dict[str, Any]] = json.loads((SUITE / "summary.json").read_text(encoding="utf-8"))

#: Tests not run in a mode, and why.
SKIPPED: dict[tuple[str, str], str] = {
    (
        "read-only",
        "query_multiple_dataset",
    ): "its query uses FROM, which ecograph refuses by policy (DESIGN §8: engines may fetch "
    "FROM graphs by URL); the same dataset through named-graph-uri/default-graph-uri is "
    "covered by query_dataset_full",
}
for _test in TESTS:
    _is_update = _test["id"].startswith("update_")
    _is_query = not _test["id"].startswith(("update_", "bad_update_"))
    if _is_update:
        SKIPPED[("read-only", _test["id"])] = (
            "an update test: the read-only server answers every update with 403 by design; it "
            "runs against the --enable-update server"
        )
    if _is_query:
        SKIPPED[("update", _test["id"])] = (
            "a query test: it runs against the read-only server with the manifest's data"
        )

_RESULTS_FORMATS = {
    protocol.SPARQL_JSON: ox.QueryResultsFormat.JSON,
    protocol.SPARQL_XML: ox.QueryResultsFormat.XML,
    protocol.CSV: ox.QueryResultsFormat.CSV,
    protocol.TSV: ox.QueryResultsFormat.TSV,
}
_RDF_FORMATS = {
    protocol.TURTLE: ox.RdfFormat.TURTLE,
    protocol.N_TRIPLES: ox.RdfFormat.N_TRIPLES,
    protocol.JSON_LD: ox.RdfFormat.JSON_LD,
    protocol.RDF_XML: ox.RdfFormat.RDF_XML,
}


@pytest.fixture(scope="module")
def read_only_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A read-only server over the manifest's three data files, each in its named graph."""
    folder = tmp_path_factory.mktemp("w3c") / "ws"
    graphs = {data["file"]: data["label"] for test in TESTS for data in test["graphData"]}
    with open_store(folder) as store:
        for file, label in sorted(graphs.items()):
            store.load(SUITE / file, format=ox.RdfFormat.N_TRIPLES, graph=label)
    with ecograph_server(
        folder, tmp_path_factory.mktemp("logs"), "--query-timeout", "10", "--workers", "1"
    ) as running:
        yield running


@pytest.fixture(scope="module")
def update_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A writable scratch server (the update tests start with CLEAR ALL / DROP ALL)."""
    folder = tmp_path_factory.mktemp("w3c-update") / "ws"
    open_store(folder).close()
    with ecograph_server(
        folder,
        tmp_path_factory.mktemp("logs"),
        "--enable-update",
        "--query-timeout",
        "10",
        env={"ECOGRAPH_UPDATE_TOKEN": TOKEN},
    ) as running:
        yield running


def _send(
    server: RunningServer, spec: dict[str, Any], *, authorise: bool
) -> tuple[int, str, bytes]:
    path = spec["path_raw"].replace("/sparql/", "/sparql", 1)
    headers = {name.title(): value for name, value in spec["headers"].items()}
    if authorise:
        headers["Authorization"] = f"Bearer {TOKEN}"
    body = spec["body"]
    data = None
    if body is not None:
        charset = "utf-8"
        for parameter in headers.get("Content-Type", "").split(";")[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "charset":
                charset = value.strip()
        data = body.encode(charset)
    parts = urllib.parse.urlsplit(server.base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(spec["method"], path, body=data, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type") or "", response.read()
    finally:
        connection.close()


def _check(
    test_id: str, number: int, expect: dict[str, Any], status: int, content_type: str, body: bytes
) -> None:
    where = f"{test_id} request {number}: {status} {body[:300]!r}"
    classes = {
        f"StatusCode{status // 100}xx",
        {200: "OK", 201: "Created", 204: "NoContent", 404: "NotFound"}.get(status, ""),
    }
    assert classes & set(expect["status"]), where
    media = content_type.split(";")[0].strip().lower()
    expected_format = expect.get("expectedFormat")
    if expected_format in ("boolean", "tabular"):
        assert media in _RESULTS_FORMATS, where
        parsed = ox.parse_query_results(body, _RESULTS_FORMATS[media])
        if expected_format == "boolean":
            assert isinstance(parsed, ox.QueryBoolean), where
            if "expectedBoolean" in expect:
                assert bool(parsed) is (expect["expectedBoolean"] == "true"), where
        else:
            assert isinstance(parsed, ox.QuerySolutions), where
            list(parsed)
    elif expected_format == "RDF":
        assert media in _RDF_FORMATS, where
        list(ox.parse(body, _RDF_FORMATS[media]))


def _cases() -> list[Any]:
    return [
        pytest.param(mode, test, id=f"{mode}-{test['id']}")
        for mode in ("read-only", "update")
        for test in TESTS
    ]


@pytest.mark.slow
@pytest.mark.parametrize(("mode", "test"), _cases())
def test_w3c_protocol(mode: str, test: dict[str, Any], request: pytest.FixtureRequest) -> None:
    reason = SKIPPED.get((mode, test["id"]))
    if reason:
        pytest.skip(reason)
    fixture = "read_only_server" if mode == "read-only" else "update_server"
    server: RunningServer = request.getfixturevalue(fixture)
    for number, spec in enumerate(test["requests"], start=1):
        status, content_type, body = _send(server, spec, authorise=mode == "update")
        _check(test["id"], number, spec["expect"], status, content_type, body)
        if status >= 400:
            payload = json.loads(body)
            assert isinstance(payload.get("error"), str), body
            assert "Traceback" not in payload["error"]


def test_the_summary_lists_the_manifests_tests_in_order() -> None:
    """``summary.json`` is derived from ``manifest.ttl``: both must name the same tests."""
    from rdflib import Graph, Namespace
    from rdflib.collection import Collection

    mf = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
    manifest = Graph().parse(SUITE / "manifest.ttl", format="turtle")
    entries = [
        entry
        for listed in manifest.objects(None, mf.entries)
        for entry in Collection(manifest, listed)
    ]
    assert [str(entry).rsplit("#", 1)[1] for entry in entries] == [test["id"] for test in TESTS]
    assert [str(manifest.value(entry, mf.name)) for entry in entries] == [
        test["name"] for test in TESTS
    ]


def test_every_skip_names_a_known_test() -> None:
    ids = {test["id"] for test in TESTS}
    assert {test_id for _, test_id in SKIPPED} <= ids
    assert len(TESTS) == 34
