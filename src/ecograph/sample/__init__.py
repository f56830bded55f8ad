"""The built-in sample ecosystem and the seeded generator behind it.

The sample is not a file but a fixed generator run (``SAMPLE``) on Loire-Atlantique (44): real
communes, EPCIs, département and région; fictional actors. Generating it takes a fraction of a
second and gives the same triples every time, in any workspace and under any base IRI.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from ecograph.geography import geography
from ecograph.namespaces import graph_iri
from ecograph.ontology import assessment_criteria
from ecograph.provenance import ACTOR_SOURCES_QUERY, graph_description, loaded_version
from ecograph.sample.generate import EcosystemSpec, generate_ntriples
from ecograph.store.base import Store

SAMPLE = EcosystemSpec(
    actors=420, seed=2026, territory="44", id_prefix="sample-", projects=110, partnerships=1000
)
SAMPLE_GRAPH = "sample"
#: Graphs written by ``ecograph generate`` are named ``{base}graph/generated/…``.
GENERATED_GRAPHS = "generated/"
SAMPLE_TITLE = "Sample ecosystem, Loire-Atlantique (fictional actors, real authorities)"


@dataclass(frozen=True)
class GeneratedLoad:
    """What loading a generated ecosystem did."""

    graph: str
    triples: int
    skipped: bool


def spec_version(spec: EcosystemSpec) -> str:
    """The text recorded in the graph, so a reload happens only when the spec changes."""
    return (
        f"actors={spec.actors} seed={spec.seed} territory={spec.territory} "
        f"projects={spec.project_count} partnerships={spec.partnership_count}"
    )


def ecosystem_lines(spec: EcosystemSpec, base: str) -> list[str]:
    """The ecosystem's N-Triples lines for a workspace whose base IRI is ``base``."""
    return list(generate_ntriples(spec, geography(), base, assessment_criteria()))


def load_generated(
    store: Store, spec: EcosystemSpec, *, graph_name: str, title: str, force: bool = False
) -> GeneratedLoad:
    """Generate ``spec`` and load it into ``{base}graph/{graph_name}`` in one step."""
    graph = graph_iri(store.base_iri, graph_name)
    version = spec_version(spec)
    if not force and loaded_version(store, graph) == version:
        return GeneratedLoad(graph, 0, skipped=True)
    lines = ecosystem_lines(spec, store.base_iri)
    lines += graph_description(graph, title=title, version=version)
    store.load(
        ("\n".join(lines) + "\n").encode(), format=ox.RdfFormat.N_TRIPLES, graph=graph, replace=True
    )
    return GeneratedLoad(graph, len(lines), skipped=False)


def is_fictional_graph(base: str, graph: str) -> bool:
    """Whether ``graph`` (an IRI under the workspace's ``base``) holds made-up actors: the
    built-in sample's graph, or one that ``ecograph generate`` wrote."""
    return graph == graph_iri(base, SAMPLE_GRAPH) or graph.startswith(
        graph_iri(base, GENERATED_GRAPHS)
    )


def fictional_actors(store: Store) -> frozenset[str]:
    """IRIs of the actors the generator made up: those stated only by the built-in sample's
    graph or by graphs ``ecograph generate`` wrote.

    Read from the named graphs the actors are stated in, not from their names, so an
    imported actor is never taken for a fictional one, and a sample actor is found whatever
    its IRI looks like. An actor that a real source states too is real: the sample ties
    real local authorities (in the territories graph) and a grants file may name them.
    """
    real: set[str] = set()
    made_up: set[str] = set()
    for actor, graph in store.select_values(ACTOR_SOURCES_QUERY):
        (made_up if is_fictional_graph(store.base_iri, graph) else real).add(actor)
    return frozenset(made_up - real)


def load_sample(store: Store, *, force: bool = False) -> GeneratedLoad:
    """Load the built-in sample into ``{base}graph/sample``."""
    return load_generated(store, SAMPLE, graph_name=SAMPLE_GRAPH, title=SAMPLE_TITLE, force=force)
