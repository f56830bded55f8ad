"""Writing the store out as standard RDF files.

Quad formats (N-Quads, TriG, JSON-LD) keep the named graphs, hence the provenance of every
fact. Triple formats (Turtle, N-Triples) hold one graph: either the one asked for, or the
union of all graphs with duplicates removed (a fact stated by two sources is written once).
"""

from __future__ import annotations

from typing import IO

import pyoxigraph as ox

from ecograph.namespaces import PREFIXES
from ecograph.store.base import Store

FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
}

_UNION_QUERY = "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }"


def export(store: Store, output: IO[bytes], *, format: str, graph: str | None = None) -> None:
    """Serialise the store, or one named graph, to ``output``."""
    rdf_format = FORMATS[format]
    if graph is not None:
        if not store.has_graph(graph):
            raise ValueError(f"no graph {graph} in the store; see `ecograph stats`")
        store.dump(output, format=rdf_format, graph=graph)
    elif rdf_format.supports_datasets:
        store.dump(output, format=rdf_format)
    else:
        triples = (ox.Triple(row["s"], row["p"], row["o"]) for row in store.query(_UNION_QUERY))
        ox.serialize(triples, output, rdf_format, prefixes=PREFIXES)
