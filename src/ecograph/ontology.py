"""Reading the shipped ontology and putting it in the store.

The ontology and SKOS schemes go into ``{base}graph/ontology`` so that queries can read labels
and scheme membership with plain SPARQL. The graph records a fingerprint of the files and is
reloaded only when they change.
"""

from __future__ import annotations

import hashlib
from functools import cache

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from ecograph.namespaces import PREFIXES, graph_iri
from ecograph.provenance import graph_description, loaded_version
from ecograph.resources import ontology_files, ontology_path
from ecograph.store.base import Store

GRAPH_NAME = "ontology"


def ontology_fingerprint() -> str:
    """A short hash of every ontology file, to know when the stored copy is stale."""
    digest = hashlib.sha256()
    for path in ontology_files():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def load_ontology(store: Store) -> bool:
    """Load the ontology and schemes into their graph; False when already current."""
    graph = graph_iri(store.base_iri, GRAPH_NAME)
    version = ontology_fingerprint()
    if loaded_version(store, graph) == version:
        return False
    # Turtle documents may be concatenated: each file redeclares its prefixes.
    text = b"\n".join(path.read_bytes() for path in ontology_files())
    description = graph_description(
        graph, title="ecograph ontology and SKOS schemes", version=version
    )
    store.load(
        text,
        format=ox.RdfFormat.TURTLE,
        graph=graph,
        extra_ntriples="\n".join(description),
        replace=True,
    )
    return True


@cache
def assessment_criteria() -> tuple[str, ...]:
    """IRIs of the shipped grid's criteria (core then complementary), sorted within each."""
    graph = Graph().parse(ontology_path("schemes/assessment-grid.ttl"), format="turtle")
    criteria: list[str] = []
    for collection in ("core", "complementary"):
        members = graph.objects(URIRef(PREFIXES["egcrit"] + collection), SKOS.member)
        criteria.extend(sorted(str(m) for m in members))
    return tuple(criteria)
