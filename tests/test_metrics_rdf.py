"""Metrics written into the store: their own graph, replaced atomically, every term in the
ontology, and SPARQL over them ("which actors broker most in housing?")."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest

from ecograph.namespaces import PREFIXES
from ecograph.network.metrics import MetricsResult, compute_metrics
from ecograph.network.metrics_rdf import (
    metrics_graph,
    metrics_ntriples,
    top_brokers,
    top_brokers_query,
    write_metrics,
)
from ecograph.network.projection import Projection, project
from ecograph.sample import load_sample
from ecograph.store import EmbeddedStore, open_store
from ecograph.vocab import DOMAIN, EG, SECTOR

HOUSING_ACTORS = """
SELECT DISTINCT ?actor WHERE {
  VALUES ?domain { UNDEF }
  ?actor eg:worksOn ?domain
}
"""


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A writable store with the sample only (without the territories graph, the local
    authorities have no name or sector: enough here, and quick to build)."""
    folder = tmp_path_factory.mktemp("metrics") / "ws"
    with open_store(folder) as store:
        load_sample(store)
    return folder


@pytest.fixture(scope="module")
def projection(workspace: Path) -> Projection:
    with open_store(workspace, read_only=True) as store:
        return project(store)


@pytest.fixture(scope="module")
def result(projection: Projection) -> MetricsResult:
    return compute_metrics(projection, seed=0)


@pytest.fixture
def written(workspace: Path, result: MetricsResult) -> Iterator[EmbeddedStore]:
    with open_store(workspace) as store:
        write_metrics(store, result)
        yield store


def test_metrics_land_in_their_own_described_graph(written: EmbeddedStore) -> None:
    graph = metrics_graph(written.base_iri)
    assert graph == written.base_iri + "graph/metrics"
    assert graph in written.named_graphs()
    assert written.ask(f"""ASK {{ GRAPH <{graph}> {{
        <{graph}> a eg:SourceGraph ; dcterms:title ?t ; dcterms:hasVersion ?v ;
                  dcterms:description ?d }} }}""")
    sample = written.base_iri + "graph/sample"
    assert not written.ask(f"ASK {{ GRAPH <{sample}> {{ ?a eg:betweenness ?b }} }}")


def test_top_brokers_in_housing(written: EmbeddedStore, result: MetricsResult) -> None:
    rows = top_brokers(written, DOMAIN.housing, limit=5)
    assert len(rows) == 5
    housing = {
        row["actor"].value
        for row in written.select(HOUSING_ACTORS, {"domain": ox.NamedNode(DOMAIN.housing)})
    }
    expected = sorted(
        (a for a in result.actors if a.actor in housing), key=lambda a: (-a.betweenness, a.actor)
    )[:5]
    assert [r["actor"] for r in rows] == [a.actor for a in expected]
    assert [r["betweenness"] for r in rows] == pytest.approx([a.betweenness for a in expected])
    assert [r["brokerage"] for r in rows] == [a.brokerage for a in expected]
    betweenness = [r["betweenness"] for r in rows]
    assert betweenness == sorted(betweenness, reverse=True)


def test_top_brokers_limit_is_checked() -> None:
    assert "LIMIT 3" in top_brokers_query(3)
    for bad in (0, -1, 2.5, True, "3"):
        with pytest.raises(ValueError, match="positive integer"):
            top_brokers_query(bad)  # type: ignore[arg-type]


def test_sector_summaries_answer_sparql(written: EmbeddedStore, result: MetricsResult) -> None:
    rows = written.select("""
        SELECT ?sector ?ei ?ties WHERE {
          ?s eg:summaryLevel "sector" ; eg:summaryOf ?sector ; eg:eiIndex ?ei ;
             eg:tieCount ?ties }""")
    found = {row["sector"].value: (float(row["ei"].value), int(row["ties"].value)) for row in rows}
    assert found == {
        str(SECTOR[r.key]): (pytest.approx(r.ei_index), r.ties) for r in result.sectors
    }


def test_mixing_cells_answer_sparql(written: EmbeddedStore) -> None:
    rows = written.select("""
        SELECT ?ties WHERE {
          ?cell a eg:SectorMixing ; eg:fromSector egsec:privateForProfit ;
                eg:toSector egsec:civilSociety ; eg:tieCount ?ties }""")
    assert [int(row["ties"].value) for row in rows] == [0]


def test_communities_list_their_members(written: EmbeddedStore, result: MetricsResult) -> None:
    rows = written.select("""
        SELECT ?community (COUNT(DISTINCT ?actor) AS ?members) (SAMPLE(?n) AS ?size) WHERE {
          ?community a eg:Community ; eg:member ?actor ; eg:actorCount ?n }
        GROUP BY ?community""")
    sizes = sorted((int(r["members"].value), int(r["size"].value)) for r in rows)
    assert sizes == sorted((c.size, c.size) for c in result.communities)


def test_every_predicate_and_class_is_in_the_ontology(result: MetricsResult) -> None:
    triples = list(
        ox.parse(metrics_ntriples(result, "https://example.org/"), format=ox.RdfFormat.N_TRIPLES)
    )
    eg = PREFIXES["eg"]
    used = {t.predicate.value for t in triples if t.predicate.value.startswith(eg)}
    used |= {
        t.object.value
        for t in triples
        if isinstance(t.object, ox.NamedNode) and t.object.value.startswith(eg)
    }
    for iri in used:
        assert str(getattr(EG, iri[len(eg) :])) == iri  # EG fails on unknown terms


def test_serialisation_is_deterministic(projection: Projection, result: MetricsResult) -> None:
    again = compute_metrics(projection, seed=0)
    base = "https://example.org/"
    assert metrics_ntriples(again, base) == metrics_ntriples(result, base)


def test_rewriting_replaces_the_graph(written: EmbeddedStore, result: MetricsResult) -> None:
    graph = metrics_graph(written.base_iri)
    before = len(list(written.quads(graph)))
    write_metrics(written, result)
    assert len(list(written.quads(graph))) == before  # replaced, not added to
    smaller = replace(result, actors=result.actors[:10], communities=[])
    write_metrics(written, smaller)
    rows = written.select(f"""SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {{
        GRAPH <{graph}> {{ ?a eg:betweenness ?b }} }}""")
    assert int(rows[0]["n"].value) == 10
    assert not written.ask("ASK { ?c a eg:Community }")
    assert not any(g.endswith("scratch") for g in written.named_graphs())
    write_metrics(written, result)  # leave the full graph for the other tests


def test_undefined_values_are_left_out(result: MetricsResult) -> None:
    isolated = next(a for a in result.actors if a.degree == 0)
    text = metrics_ntriples(result, "https://example.org/")
    lines = [line for line in text.splitlines() if line.startswith(f"<{isolated.actor}>")]
    predicates = {line.split()[1] for line in lines}
    assert f"<{EG.betweenness}>" in predicates and f"<{EG.degree}>" in predicates
    assert f"<{EG.constraint}>" not in predicates and f"<{EG.eiIndex}>" not in predicates
    literals = [
        t.object.value
        for t in ox.parse(text, format=ox.RdfFormat.N_TRIPLES)
        if isinstance(t.object, ox.Literal)
    ]
    assert not any(value.lower() in ("nan", "inf", "-inf") for value in literals)
