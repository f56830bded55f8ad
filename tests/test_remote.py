"""Remote mode against a real Oxigraph server: same answers as the embedded store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from ecograph.cli import app
from ecograph.ingest.territories import load_territories
from ecograph.ontology import load_ontology
from ecograph.queries import load_catalogue, run_query
from ecograph.sample import load_sample
from ecograph.stats import count_tables, totals
from ecograph.store import RemoteStore, StoreError
from ecograph.validate import validate_store

from .conftest import write_whole_metrics
from .oxigraph_server import OxigraphServer, oxigraph_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as running:
        yield running


@pytest.fixture(scope="module")
def remote(server: OxigraphServer) -> RemoteStore:
    """The server loaded with what the embedded sample workspace holds, through ecograph."""
    store = RemoteStore(server.query, update_endpoint=server.update, gsp_endpoint=server.store)
    load_ontology(store)
    load_territories(store)
    load_sample(store)
    write_whole_metrics(store)
    return store


def test_loads_are_recorded_and_not_repeated(remote: RemoteStore) -> None:
    assert load_sample(remote).skipped
    assert load_territories(remote).skipped
    assert any(g.endswith("/graph/sample") for g in remote.named_graphs())


def test_stats_are_the_same_remote_and_embedded(remote: RemoteStore, sample_store) -> None:
    assert totals(remote) == totals(sample_store)
    assert count_tables(remote, lang="fr") == count_tables(sample_store, lang="fr")


def test_every_library_query_gives_the_same_result(remote: RemoteStore, sample_store) -> None:
    catalogue = load_catalogue()
    assert catalogue, "the query library is empty"
    for name, query in catalogue.items():
        values = {p.name: p.example for p in query.parameters}
        embedded = run_query(sample_store, query, values)
        served = run_query(remote, query, values)
        assert served.variables == embedded.variables, name
        assert [tuple(map(str, r)) for r in served.rows] == [
            tuple(map(str, r)) for r in embedded.rows
        ], name


def test_validation_is_the_same_remote(remote: RemoteStore) -> None:
    assert validate_store(remote, graph=remote.base_iri + "graph/sample").conforms


def test_replace_swaps_a_graph_remotely(remote: RemoteStore) -> None:
    graph = "https://example.org/graph/replace-me"
    remote.load(
        b'<https://e.org/a> <https://e.org/p> "1" .\n', format=ox.RdfFormat.N_TRIPLES, graph=graph
    )
    remote.load(
        b'<https://e.org/b> <https://e.org/p> "2" .\n',
        format=ox.RdfFormat.N_TRIPLES,
        graph=graph,
        replace=True,
    )
    assert [str(q.subject) for q in remote.quads(graph)] == ["<https://e.org/b>"]
    remote.drop_graph(graph)
    assert not remote.has_graph(graph)


def test_cli_runs_against_the_endpoint(server: OxigraphServer, remote: RemoteStore) -> None:
    result = CliRunner().invoke(app, ["--endpoint", server.query, "stats"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "Nantes Métropole" in result.stdout


def test_read_only_remote_refuses_loads_clearly(server: OxigraphServer) -> None:
    store = RemoteStore(server.query)
    with pytest.raises(StoreError, match="--gsp-endpoint"):
        store.load(b"", format=ox.RdfFormat.N_TRIPLES, graph="https://e.org/g")
    with pytest.raises(StoreError, match="--update-endpoint"):
        store.drop_graph("https://e.org/g")


def test_server_without_union_default_graph_is_explained(tmp_path: Path) -> None:
    with oxigraph_server(tmp_path / "plain", union_default_graph=False) as plain:
        store = RemoteStore(plain.query, update_endpoint=plain.update, gsp_endpoint=plain.store)
        store.load(
            b'<https://e.org/a> <https://e.org/p> "1" .\n',
            format=ox.RdfFormat.N_TRIPLES,
            graph="https://e.org/g",
        )
        with pytest.raises(StoreError, match="--union-default-graph"):
            store.check_union_default_graph()


def test_unreachable_endpoint_is_explained() -> None:
    store = RemoteStore("http://127.0.0.1:9/query")
    with pytest.raises(StoreError, match="cannot reach"):
        store.select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")


def test_select_values_agrees_with_select_remote_and_embedded(
    remote: RemoteStore, sample_store
) -> None:
    """The bulk-scan path (CSV) gives the same strings as the term path, on both engines,
    including names with commas, quotes and accents that CSV must quote."""
    query = "SELECT ?s ?o WHERE { ?s a eg:Actor ; skos:prefLabel ?o } ORDER BY ?s ?o"
    expected = [[row["s"].value, row["o"].value] for row in sample_store.select(query)]
    assert len(expected) > 100
    assert sample_store.select_values(query) == expected
    assert remote.select_values(query) == expected
