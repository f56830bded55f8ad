"""``ecograph serve`` over HTTP on 127.0.0.1, with real clients: SPARQLWrapper, rdflib's
SPARQLStore, curl and plain http.client — plus the pieces that need no server (the screen, the
negotiation, the result writers, the settings)."""

from __future__ import annotations

import csv
import http.client
import io
import json
import shutil
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
import typer.main
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import (
    CSV,
    JSON,
    POST,
    POSTDIRECTLY,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)
from typer.testing import CliRunner

from ecograph.cli import app as cli_app
from ecograph.namespaces import DEFAULT_BASE_IRI
from ecograph.ontology import load_ontology
from ecograph.queries import load_catalogue
from ecograph.server import ServerSettings, SettingsError, protocol, results
from ecograph.server.screen import Refused, screen
from ecograph.server.settings import setting_default, setting_flags, setting_help
from ecograph.store import open_store

from .ecograph_server import TOKEN, RunningServer, ecograph_server

GRAPHS = {
    DEFAULT_BASE_IRI + f"graph/{name}" for name in ("metrics", "ontology", "sample", "territories")
}
GRAPH_COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
COMMUNES = "PREFIX igeo: <http://rdf.insee.fr/def/geo#> SELECT ?c WHERE { ?c a igeo:Commune }"
#: 35,000 communes cubed: no engine finishes this in seconds.
RUNAWAY = (
    "PREFIX igeo: <http://rdf.insee.fr/def/geo#> SELECT (COUNT(*) AS ?n) WHERE { "
    "?a a igeo:Commune . ?b a igeo:Commune . ?c a igeo:Commune }"
)
MAX_ROWS = 50
MAX_BODY = 4096
TIMEOUT = 2


# ----------------------------------------------------------------------------- servers
@pytest.fixture(scope="module")
def server(
    sample_workspace: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    """The sample workspace, read-only, with tight limits so that the tests can reach them."""
    with ecograph_server(
        sample_workspace,
        tmp_path_factory.mktemp("logs"),
        "--query-timeout",
        str(TIMEOUT),
        "--max-rows",
        str(MAX_ROWS),
        "--max-body-bytes",
        str(MAX_BODY),
        "--workers",
        "2",
    ) as running:
        yield running


@pytest.fixture(scope="module")
def update_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A writable scratch workspace with updates and CORS enabled."""
    folder = tmp_path_factory.mktemp("writable") / "ws"
    with open_store(folder) as store:
        load_ontology(store)
    with ecograph_server(
        folder,
        tmp_path_factory.mktemp("logs"),
        "--enable-update",
        "--cors",
        "--query-timeout",
        str(TIMEOUT),
        env={"ECOGRAPH_UPDATE_TOKEN": TOKEN},
    ) as running:
        yield running


def request(
    url: str,
    method: str = "GET",
    body: bytes | str | None = None,
    headers: Mapping[str, str] | None = None,
    chunked: bool = False,
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request with http.client: status, headers (lower-case names), body."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    data = body.encode() if isinstance(body, str) else body
    try:
        if chunked:
            connection.request(
                method,
                target,
                body=iter([data or b""]),
                headers=dict(headers or {}),
                encode_chunked=True,
            )
        else:
            connection.request(method, target, body=data, headers=dict(headers or {}))
        response = connection.getresponse()
        return (response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


def get_query(
    server: RunningServer, query: str, accept: str | None = None
) -> tuple[int, dict[str, str], bytes]:
    headers = {"Accept": accept} if accept else {}
    return request(server.sparql + "?" + urllib.parse.urlencode({"query": query}), headers=headers)


def post_query(
    server: RunningServer, query: str, accept: str | None = None
) -> tuple[int, dict[str, str], bytes]:
    headers = {"Content-Type": protocol.QUERY_TYPE, **({"Accept": accept} if accept else {})}
    return request(server.sparql, "POST", query, headers)


def error_of(body: bytes) -> dict[str, Any]:
    """The JSON error body, checked to carry no traceback."""
    payload = json.loads(body)
    assert isinstance(payload["error"], str) and payload["error"]
    assert "Traceback" not in payload["error"] and 'File "' not in payload["error"]
    return payload


# ----------------------------------------------------------------------------- clients
@pytest.mark.slow
def test_sparqlwrapper_select_in_every_results_format(server: RunningServer) -> None:
    wrapper = SPARQLWrapper(server.sparql)
    wrapper.setQuery(GRAPH_COUNTS)
    wrapper.setReturnFormat(JSON)
    rows = wrapper.query().convert()["results"]["bindings"]
    assert {row["g"]["value"] for row in rows} == GRAPHS
    counts = {row["g"]["value"]: int(row["n"]["value"]) for row in rows}

    wrapper.setReturnFormat(XML)
    document = wrapper.query().convert()
    uris = {node.firstChild.data for node in document.getElementsByTagName("uri")}
    assert uris == GRAPHS

    wrapper.setReturnFormat(CSV)
    table = list(csv.reader(io.StringIO(wrapper.query().convert().decode())))
    assert table[0] == ["g", "n"]
    assert {row[0]: int(row[1]) for row in table[1:]} == counts

    wrapper.setReturnFormat(TSV)
    lines = wrapper.query().convert().decode().splitlines()
    assert lines[0] == "?g\t?n"
    assert {line.split("\t")[0].strip("<>") for line in lines[1:]} == GRAPHS


@pytest.mark.slow
def test_sparqlwrapper_post_form_post_direct_and_construct(server: RunningServer) -> None:
    query = (
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "CONSTRUCT { ?d skos:prefLabel ?l } WHERE { ?d skos:inScheme ?scheme ; "
        "skos:prefLabel ?l } "
    )
    wrapper = SPARQLWrapper(server.sparql)
    wrapper.setQuery(query)
    wrapper.setReturnFormat(TURTLE)
    graph = rdflib.Graph().parse(data=wrapper.query().convert(), format="turtle")
    assert 0 < len(graph) <= MAX_ROWS
    for method in (URLENCODED, POSTDIRECTLY):
        wrapper = SPARQLWrapper(server.sparql)
        wrapper.setQuery(GRAPH_COUNTS)
        wrapper.setReturnFormat(JSON)
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(method)
        rows = wrapper.query().convert()["results"]["bindings"]
        assert {row["g"]["value"] for row in rows} == GRAPHS, method


@pytest.mark.slow
def test_rdflib_sparqlstore(server: RunningServer) -> None:
    graph = rdflib.Graph(store=SPARQLStore(server.sparql))
    rows = list(graph.query(GRAPH_COUNTS))
    assert {str(row[0]) for row in rows} == GRAPHS
    assert all(int(row[1]) > 0 for row in rows)
    assert graph.query("ASK { ?s a <http://rdf.insee.fr/def/geo#Commune> }").askAnswer is True
    described = graph.query(
        "CONSTRUCT { ?r a <http://rdf.insee.fr/def/geo#Region> } "
        "WHERE { ?r a <http://rdf.insee.fr/def/geo#Region> }"
    ).graph
    assert 0 < len(described) <= MAX_ROWS


@pytest.mark.slow
def test_curl(server: RunningServer) -> None:
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    done = subprocess.run(
        [
            curl,
            "-sS",
            "--fail-with-body",
            "-G",
            server.sparql,
            "--data-urlencode",
            f"query={GRAPH_COUNTS}",
            "-H",
            "Accept: text/csv",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert {row[0] for row in list(csv.reader(io.StringIO(done.stdout)))[1:]} == GRAPHS
    done = subprocess.run(
        [
            curl,
            "-sS",
            "-w",
            "\n%{http_code}",
            "-X",
            "POST",
            server.sparql,
            "-H",
            "Content-Type: application/sparql-query",
            "--data-binary",
            "ASK { ?s ?p ?o",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    body, status = done.stdout.rsplit("\n", 1)
    assert status == "400"
    assert error_of(body.encode())["line"] == 1


# ----------------------------------------------------------------------------- protocol
@pytest.mark.slow
def test_status_codes(server: RunningServer) -> None:
    status, _, body = get_query(server, "SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(\n}")
    assert status == 400
    error = error_of(body)
    assert error["line"] == 4 and error["column"] in (1, 2)  # pyoxigraph's own numbers
    assert "syntax" in error["error"].lower()

    status, headers, body = request(server.sparql + "?query=ASK%7B%7D", "PUT")
    assert status == 405 and "POST" in headers["allow"]
    error_of(body)
    for content_type in ("text/plain", "application/sparql-query; charset=UTF-16"):
        status, _, body = request(server.sparql, "POST", "ASK {}", {"Content-Type": content_type})
        assert status == 415, content_type
        error_of(body)
    status, _, body = request(server.sparql, "POST", "ASK {}")
    assert status == 415
    status, _, _ = request(server.sparql + "?query=ASK%7B%7D&query=ASK%7B%7D")
    assert status == 400
    status, _, _ = request(server.sparql)
    assert status == 400
    status, _, body = request(
        server.sparql, "POST", b"ASK { \xff }", {"Content-Type": protocol.QUERY_TYPE}
    )
    assert status == 400 and "UTF-8" in error_of(body)["error"]
    status, _, body = get_query(server, "ASK {}", accept="image/png")
    assert status == 406
    assert protocol.SPARQL_JSON in error_of(body)["error"]
    status, _, body = request(server.base + "/no-such-page")
    assert status == 404
    error_of(body)
    status, _, body = request(
        server.sparql + "?query=ASK%7B%7D", headers={"Host": "rebound.example:8000"}
    )
    assert status == 400 and "Host" in error_of(body)["error"]
    assert request(server.sparql + "?query=ASK%7B%7D", headers={"Host": "localhost"})[0] == 200


@pytest.mark.slow
def test_media_types_and_relative_iris(server: RunningServer) -> None:
    expected = {
        None: protocol.SPARQL_JSON,
        "application/json": protocol.SPARQL_JSON,
        "application/sparql-results+xml": protocol.SPARQL_XML,
        "text/csv": protocol.CSV,
        "text/tab-separated-values": protocol.TSV,
        "text/html,*/*;q=0.8": protocol.SPARQL_JSON,
    }
    for accept, media in expected.items():
        status, headers, _ = get_query(server, "SELECT (1 AS ?one) {}", accept)
        assert status == 200 and headers["content-type"].startswith(media), accept
    for accept, media, fmt in (
        ("text/turtle", protocol.TURTLE, ox.RdfFormat.TURTLE),
        ("application/n-triples", protocol.N_TRIPLES, ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", protocol.JSON_LD, ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", protocol.RDF_XML, ox.RdfFormat.RDF_XML),
    ):
        status, headers, body = post_query(server, "CONSTRUCT { <s> <p> 1 } WHERE {}", accept)
        assert status == 200 and headers["content-type"].startswith(media)
        triples = list(ox.parse(body, fmt))
        assert triples[0].subject == ox.NamedNode(server.base + "/s")  # base: the endpoint
        assert headers["x-ecograph-truncated"] == "false"
    status, headers, body = get_query(server, "ASK { ?s ?p ?o }", accept="text/csv")
    assert (status, body) == (200, b"true")
    assert "x-ecograph-truncated" not in headers


@pytest.mark.slow
def test_dataset_parameters_name_graphs_of_the_store(server: RunningServer) -> None:
    territories = DEFAULT_BASE_IRI + "graph/territories"
    query = "ASK { ?c a <http://rdf.insee.fr/def/geo#Commune> }"
    for graph, answer in (
        (territories, True),
        (DEFAULT_BASE_IRI + "graph/ontology", False),
        ("http://example.org/absent", False),
    ):
        url = (
            server.sparql
            + "?"
            + urllib.parse.urlencode({"query": query, "default-graph-uri": graph})
        )
        status, _, body = request(url)
        assert status == 200 and json.loads(body)["boolean"] is answer, graph
    url = (
        server.sparql
        + "?"
        + urllib.parse.urlencode(
            {
                "query": "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }",
                "named-graph-uri": territories,
            }
        )
    )
    rows = json.loads(request(url)[2])["results"]["bindings"]
    assert [row["g"]["value"] for row in rows] == [territories]
    url = (
        server.sparql
        + "?"
        + urllib.parse.urlencode({"query": "ASK {}", "default-graph-uri": "not an iri"})
    )
    assert request(url)[0] == 400


# ----------------------------------------------------------------------------- limits
def _worker_cpu(server: RunningServer) -> dict[int, int]:
    """The CPU time (clock ticks) each child process of the server (a worker) has used."""
    ticks = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # what follows "pid (name)"
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[1]) == server.pid:  # ppid; then utime and stime are fields 14 and 15
            ticks[int(stat.parent.name)] = int(fields[11]) + int(fields[12])
    return ticks


def _idle_workers(server: RunningServer, *, within: float = 60.0) -> dict[int, int]:
    """The workers' CPU times, once no worker has used any for 0.2 s (a replaced worker may
    still be starting): a worker whose time grows afterwards is running a job."""
    deadline = time.monotonic() + within
    before = _worker_cpu(server)
    while time.monotonic() < deadline:
        time.sleep(0.2)
        now = _worker_cpu(server)
        if now == before and now:
            return now
        before = now
    raise AssertionError(f"the server's workers stayed busy for {within:g} s: {before}")


def _wait_until_a_worker_runs(
    server: RunningServer, idle: dict[int, int], *, within: float = 30.0
) -> None:
    """Return once one of the ``idle`` workers has used 50 ms of CPU: it has taken a job."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        now = _worker_cpu(server)
        if any(now.get(pid, 0) >= ticks + 5 for pid, ticks in idle.items()):
            return
        time.sleep(0.01)
    raise AssertionError(f"no worker took the job within {within:g} s")


@pytest.mark.slow
def test_runaway_query_is_stopped_and_others_are_served(server: RunningServer) -> None:
    outcome: dict[str, Any] = {}

    def runaway() -> None:
        started = time.monotonic()
        outcome["status"], _, outcome["body"] = post_query(server, RUNAWAY)
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=runaway)
    idle = _idle_workers(server)
    thread.start()
    _wait_until_a_worker_runs(server, idle)  # the runaway holds a worker from here on
    started = time.monotonic()
    status, _, body = get_query(server, "ASK { ?s ?p ?o }")
    assert status == 200 and json.loads(body)["boolean"] is True
    assert time.monotonic() - started < TIMEOUT
    thread.join(30)
    assert outcome["status"] == 503
    error = error_of(outcome["body"])
    assert error["setting"] == "query_timeout" and "--query-timeout" in error["error"]
    assert TIMEOUT <= outcome["seconds"] < TIMEOUT + 5
    # the server keeps answering while the killed worker is replaced
    for _ in range(3):
        status, _, _ = get_query(server, "SELECT (1 AS ?x) {}")
        assert status == 200


@pytest.mark.slow
def test_row_cap_marks_results_truncated(server: RunningServer) -> None:
    status, headers, body = get_query(server, COMMUNES)
    document = json.loads(body)
    assert status == 200 and headers["x-ecograph-truncated"] == "true"
    assert document["truncated"] is True
    assert len(document["results"]["bindings"]) == MAX_ROWS
    status, headers, body = get_query(server, COMMUNES, accept="text/csv")
    assert headers["x-ecograph-truncated"] == "true"
    assert len(body.decode().splitlines()) == MAX_ROWS + 1
    construct = COMMUNES.replace("SELECT ?c WHERE", "CONSTRUCT { ?c a igeo:Commune } WHERE")
    status, headers, body = get_query(server, construct, accept="application/n-triples")
    assert headers["x-ecograph-truncated"] == "true"
    assert len(body.decode().splitlines()) == MAX_ROWS
    status, headers, body = get_query(server, COMMUNES + f" LIMIT {MAX_ROWS}")
    assert headers["x-ecograph-truncated"] == "false"
    assert json.loads(body)["truncated"] is False


@pytest.mark.slow
def test_body_cap(server: RunningServer) -> None:
    padding = "#" + "x" * MAX_BODY + "\n"
    status, _, body = post_query(server, padding + "ASK {}")
    assert status == 413
    assert error_of(body)["setting"] == "max_body_bytes"
    status, _, _ = request(
        server.sparql,
        "POST",
        padding + "ASK {}",
        {"Content-Type": protocol.QUERY_TYPE},
        chunked=True,
    )
    assert status == 413
    status, _, _ = get_query(server, padding + "ASK {}")
    assert status == 413
    status, _, _ = post_query(server, "#" + "x" * (MAX_BODY - 100) + "\nASK {}")
    assert status == 200


HOSTILE = [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
    "select * where { service silent <http://127.0.0.1:1/> { ?s ?p ?o } }",
    "SELECT * WHERE { ?x ?y ?z # a comment\n SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
    "PREFIX : <http://127.0.0.1:1/> SELECT * WHERE { SERVICE:x { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p 1SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
    "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
    "SELECT * FROM <http://127.0.0.1:1/g> WHERE { ?s ?p ?o }",
    "SELECT * from named <http://127.0.0.1:1/g> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "LOAD <http://127.0.0.1:1/data.ttl>",
]
HARMLESS = [
    'SELECT ?x WHERE { BIND("SERVICE <http://127.0.0.1:1/> { }" AS ?x) }',
    "SELECT ?x WHERE { BIND('''FROM <x> LOAD <y>''' AS ?x) }",
    "SELECT ?service WHERE { BIND(<http://example.org/SERVICE/FROM#LOAD> AS ?service) }",
    "SELECT ?x WHERE { # SERVICE <http://127.0.0.1:1/> { }\n BIND(1 AS ?x) }",
    "PREFIX ex: <http://example.org/> SELECT ?x WHERE { BIND(ex:loadFrom AS ?x) }",
]


@pytest.mark.slow
def test_fetching_keywords_are_refused(server: RunningServer) -> None:
    for query in HOSTILE:
        status, _, body = post_query(server, query)
        assert status == 400, query
        error = error_of(body)
        # refused on the parse, unreadable to the screen, or not SPARQL to pyoxigraph either
        # (it decodes \u escapes only inside strings and IRIs): never run
        assert any(
            words in error["error"] for words in ("refused", "cannot read", "syntax error")
        ), query
        if "SERVICE" in query and "refused" in error["error"]:
            assert error["line"] == query.count("\n", 0, query.find("SERVICE")) + 1
    for query in HARMLESS:
        status, _, body = post_query(server, query)
        assert status == 200, (query, body)


def test_screen_refuses_hostile_text_and_keeps_data() -> None:
    for query in HOSTILE:
        with pytest.raises(Refused):
            screen(query)
    for query in HARMLESS:
        screen(query)
    with pytest.raises(Refused, match="LOAD is refused"):
        screen("INSERT DATA { <a> <b> <c> } ;\nload <http://127.0.0.1:1/x>", update=True)
    with pytest.raises(Refused):
        screen("INSERT { ?s ?p ?o } USING <http://127.0.0.1:1/g> WHERE { ?s ?p ?o }", update=True)


_PIECES = [
    "SERVICE",
    "service",
    "SILENT",
    ":x",
    "<http://127.0.0.1:1/>",
    "{",
    "}",
    "?s ?p ?o",
    ".",
    "#",
    "\n",
    '"',
    "'",
    "'''",
    '"""',
    "\\u0053ERVICE",
    "\\",
    "1",
    "1e5",
    "true",
    "a",
    "ex:",
    "ex:a",
    "<",
    ">",
    " ",
    "\t",
    "(",
    ")",
    "FILTER",
    "?x",
    "$y",
    "_:b",
    "GRAPH",
    ";",
    "\\u0022",
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES), max_size=14))
def test_screen_never_lets_the_engine_reach_a_service(pieces: list[str]) -> None:
    """Whatever passes the screen, pyoxigraph never tries to call a SERVICE (port 1 makes any
    attempt fail at once with a recognisable error)."""
    query = (
        "PREFIX : <http://127.0.0.1:1/> PREFIX ex: <http://127.0.0.1:1/> SELECT * WHERE { "
        + "".join(pieces)
        + " }"
    )
    try:
        screen(query)
    except Refused:
        return
    try:
        list(ox.Store().query(query))
    except Exception as err:  # a syntax error is fine; an attempt to call port 1 is not
        assert "port 1" not in str(err), query


# ----------------------------------------------------------------------------- updates, CORS
@pytest.mark.slow
def test_updates_need_the_flag_and_the_token(
    server: RunningServer, update_server: RunningServer
) -> None:
    insert = (
        "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> "
        "<http://example.org/p> 'o' } }"
    )
    headers = {"Content-Type": protocol.UPDATE_TYPE}
    status, _, body = request(
        server.sparql, "POST", insert, {**headers, "Authorization": f"Bearer {TOKEN}"}
    )
    assert status == 403 and "--enable-update" in error_of(body)["error"]
    status, answer_headers, _ = request(update_server.sparql, "POST", insert, headers)
    assert status == 401 and answer_headers["www-authenticate"].startswith("Bearer")
    status, _, _ = request(
        update_server.sparql,
        "POST",
        insert,
        {**headers, "Authorization": "Bearer wrong-token-0123456789"},
    )
    assert status == 403
    ask = "ASK { GRAPH <http://example.org/g> { ?s ?p 'o' } }"
    assert json.loads(get_query(update_server, ask)[2])["boolean"] is False
    status, _, _ = request(
        update_server.sparql, "POST", insert, {**headers, "Authorization": f"Bearer {TOKEN}"}
    )
    assert status == 204
    assert json.loads(get_query(update_server, ask)[2])["boolean"] is True
    form = urllib.parse.urlencode({"update": "DROP GRAPH <http://example.org/g>"})
    status, _, _ = request(
        update_server.sparql,
        "POST",
        form,
        {"Content-Type": protocol.FORM_TYPE, "Authorization": f"Bearer {TOKEN}"},
    )
    assert status == 204
    assert json.loads(get_query(update_server, ask)[2])["boolean"] is False
    status, _, body = request(
        update_server.sparql,
        "POST",
        "LOAD <http://127.0.0.1:1/x>",
        {**headers, "Authorization": f"Bearer {TOKEN}"},
    )
    assert status == 400 and "LOAD" in error_of(body)["error"]


@pytest.mark.slow
def test_update_mode_stops_a_runaway_and_reopens_the_store(update_server: RunningServer) -> None:
    """In update mode the one worker is the store's writer: killed at the time limit, it is
    replaced by a new writer that takes the lock again, and nothing committed is lost."""
    auth = {"Content-Type": protocol.UPDATE_TYPE, "Authorization": f"Bearer {TOKEN}"}
    insert = (
        "INSERT DATA { GRAPH <http://example.org/kept> { <http://example.org/k> "
        "<http://example.org/p> 1 } }"
    )
    assert request(update_server.sparql, "POST", insert, auth)[0] == 204
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    started = time.monotonic()
    status, _, body = post_query(update_server, runaway)
    assert status == 503 and error_of(body)["setting"] == "query_timeout"
    assert time.monotonic() - started < TIMEOUT + 5
    deadline = time.monotonic() + 60
    while True:  # the first requests may wait for the new writer to open the store
        status, _, body = get_query(
            update_server, "ASK { GRAPH <http://example.org/kept> { ?s ?p 1 } }"
        )
        if status == 200 or time.monotonic() > deadline:
            break
    assert status == 200 and json.loads(body)["boolean"] is True
    drop = "DROP GRAPH <http://example.org/kept>"
    assert request(update_server.sparql, "POST", drop, auth)[0] == 204


@pytest.mark.slow
def test_sparqlwrapper_update_with_token(update_server: RunningServer) -> None:
    wrapper = SPARQLWrapper(update_server.sparql, updateEndpoint=update_server.sparql)
    wrapper.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    wrapper.setMethod(POST)
    wrapper.setQuery(
        "INSERT DATA { GRAPH <http://example.org/w> { <http://example.org/a> "
        "<http://example.org/b> 1 } }"
    )
    wrapper.query()
    status, _, body = get_query(update_server, "ASK { GRAPH <http://example.org/w> { ?s ?p 1 } }")
    assert status == 200
    assert json.loads(body)["boolean"] is True


@pytest.mark.slow
def test_cors_only_when_asked(server: RunningServer, update_server: RunningServer) -> None:
    origin = {"Origin": "https://elsewhere.example"}
    _, headers, _ = request(server.sparql + "?query=ASK%7B%7D", headers=origin)
    assert "access-control-allow-origin" not in headers
    status, _, _ = request(
        server.sparql, "OPTIONS", headers={**origin, "Access-Control-Request-Method": "POST"}
    )
    assert status == 405
    _, headers, _ = request(update_server.sparql + "?query=ASK%7B%7D", headers=origin)
    assert headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in headers
    status, headers, _ = request(
        update_server.sparql,
        "OPTIONS",
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert status == 200 and "POST" in headers["access-control-allow-methods"]


# ----------------------------------------------------------------------------- library, page
@pytest.mark.slow
def test_library_catalogue_and_run(server: RunningServer) -> None:
    catalogue = load_catalogue()
    status, _, body = request(server.base + "/queries.json")
    listed = json.loads(body)
    assert status == 200 and [q["name"] for q in listed] == list(catalogue)
    for entry in listed:
        assert entry["text"] == catalogue[entry["name"]].text
    status, headers, body = request(server.base + "/", headers={"Accept": "text/html"})
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in headers["content-security-policy"]
    assert b'src="static/app.js"' in body and b"http" not in body.split(b"<body>")[0]
    for asset in ("app.js", "style.css"):
        assert request(f"{server.base}/static/{asset}")[0] == 200

    def run(payload: Any, accept: str = protocol.SPARQL_JSON) -> tuple[int, bytes]:
        status, _, body = request(
            server.base + "/api/run",
            "POST",
            json.dumps(payload),
            {"Content-Type": "application/json", "Accept": accept},
        )
        return status, body

    assert run({"name": "no-such-query"})[0] == 404
    assert request(server.base + "/api/run", "POST", "{}", {"Content-Type": "text/plain"})[0] == 415
    with_params = [q for q in catalogue.values() if q.parameters]
    if not with_params:
        pytest.skip("the query library has no query with parameters yet")
    query = with_params[0]
    examples = {p.name: p.example for p in query.parameters}
    status, body = run({"name": query.name, "params": examples})
    assert status == 200, body
    assert "results" in json.loads(body) or "boolean" in json.loads(body)
    status, body = run({"name": query.name, "params": {"nope": "1"}})
    assert status == 400 and "nope" in error_of(body)["error"]
    hostile = {name: '"} } SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } #' for name in examples}
    status, body = run({"name": query.name, "params": hostile})
    assert status in (200, 400), body
    status, body = run({"name": query.name, "params": examples}, accept="text/csv")
    assert status == 200 and body.splitlines()[0]


@pytest.mark.slow
def test_library_run_binds_a_territory_code_as_its_iri(server: RunningServer) -> None:
    """The page's ``POST /api/run`` reads a territory parameter as ``ecograph query`` does."""

    def run(territory: str) -> tuple[int, bytes]:
        payload = {"name": "actors-in-territory", "params": {"territory": territory}}
        status, _, body = request(
            server.base + "/api/run",
            "POST",
            json.dumps(payload),
            {"Content-Type": "application/json", "Accept": "text/csv"},
        )
        return status, body

    by_iri = run("https://w3id.org/ecograph/territory/departement/44")
    assert by_iri[0] == 200 and len(by_iri[1].splitlines()) > 10
    assert run("44") == by_iri
    assert run("Loire-Atlantique") == by_iri
    status, body = run("epci/999999999")
    assert status == 400 and "no EPCI has the code '999999999'" in error_of(body)["error"]


# ----------------------------------------------------------------------------- units
def test_negotiation() -> None:
    accept = protocol.parse_accept("text/csv;q=0.5, application/sparql-results+xml")
    assert protocol.negotiate(accept, protocol.RESULTS_OFFERS) == protocol.SPARQL_XML
    assert protocol.negotiate(protocol.parse_accept(None), protocol.GRAPH_OFFERS) == protocol.TURTLE
    assert (
        protocol.negotiate(protocol.parse_accept("text/*"), protocol.RESULTS_OFFERS) == protocol.CSV
    )
    assert protocol.negotiate(protocol.parse_accept("image/png"), protocol.RESULTS_OFFERS) is None
    assert (
        protocol.negotiate(
            protocol.parse_accept("*/*, application/sparql-results+json;q=0"),
            protocol.RESULTS_OFFERS,
        )
        == protocol.SPARQL_XML
    )


def test_add_using_qualifies_each_where() -> None:
    dataset = protocol.Dataset(default=("http://example.org/a",), named=("http://example.org/b",))
    update = (
        "DELETE WHERE { ?x ?y ?z } ; INSERT { ?s ?p 'WHERE' } WHERE { ?s ?p ?o } ;\n"
        "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"
    )
    written = protocol.add_using(update, dataset)
    assert (
        written.count("USING <http://example.org/a> USING NAMED <http://example.org/b> WHERE") == 2
    )
    assert "DELETE WHERE { ?x ?y ?z }" in written
    with pytest.raises(protocol.ProtocolError):
        protocol.add_using("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", dataset)


TERMS: list[Any] = [
    ox.NamedNode("http://example.org/a?b=c&d=\u00e9#f"),
    ox.BlankNode("b0"),
    ox.Literal('quote " comma , tab \t newline \n <tag> & done'),
    ox.Literal("chat", language="fr"),
    ox.Literal("42", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
    None,
]


def test_result_writers_round_trip_through_pyoxigraph() -> None:
    variables = ["v", "w"]
    rows = [(term, TERMS[(i + 1) % len(TERMS)]) for i, term in enumerate(TERMS)]
    for media, fmt in (
        (protocol.SPARQL_JSON, ox.QueryResultsFormat.JSON),
        (protocol.SPARQL_XML, ox.QueryResultsFormat.XML),
        (protocol.TSV, ox.QueryResultsFormat.TSV),
    ):
        body = results.write_solutions(variables, rows, media, truncated=True)
        parsed = ox.parse_query_results(body, fmt)
        assert [v.value for v in parsed.variables] == variables
        assert [(s["v"], s["w"]) for s in parsed] == rows, media
        for value in (True, False):
            assert bool(ox.parse_query_results(results.write_boolean(value, media), fmt)) is value
    body = results.write_solutions(variables, rows, protocol.CSV, truncated=False)
    parsed_csv = list(csv.reader(io.StringIO(body.decode(), newline="")))
    assert parsed_csv[0] == variables
    assert parsed_csv[3][0] == TERMS[2].value


def test_settings_match_the_cli_flags() -> None:
    command = typer.main.get_command(cli_app).commands["serve"]  # type: ignore[attr-defined]
    options = {param.name: param for param in command.params}
    for name, flag in setting_flags().items():
        option = options[name]
        assert flag in option.opts, name
        assert option.help == setting_help(name), name
        assert option.default == setting_default(name), name
    assert set(options) - {"help"} == set(setting_flags())
    defaults = ServerSettings()
    assert (defaults.host, defaults.enable_update, defaults.cors) == ("127.0.0.1", False, False)


def test_settings_refuse_unsafe_combinations(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="ECOGRAPH_UPDATE_TOKEN"):
        ServerSettings(enable_update=True)
    with pytest.raises(SettingsError, match="16"):
        ServerSettings(enable_update=True, update_token="short")
    with pytest.raises(SettingsError, match="--query-timeout"):
        ServerSettings(query_timeout=0)
    assert ServerSettings(enable_update=True, update_token=TOKEN, workers=4).worker_count == 1
    assert TOKEN not in repr(ServerSettings(enable_update=True, update_token=TOKEN))
    result = CliRunner().invoke(
        cli_app,
        ["--store", str(tmp_path), "serve", "--enable-update"],
        env={"ECOGRAPH_UPDATE_TOKEN": ""},
    )
    assert result.exit_code == 2 and "token" in result.output
    result = CliRunner().invoke(
        cli_app, ["--store", str(tmp_path / "none"), "serve", "--port", "1"]
    )
    assert result.exit_code == 1 and "No ecograph store" in result.output
