"""Whether the store's metrics graph can answer for the data now in it.

The library queries that read precomputed counts (``# requires: metrics``) ask this before
running, and ``import``/``remove`` ask it to know whether to refresh. It sits below both the
query library and the network layer that writes the graph
(:mod:`ecograph.network.metrics_rdf`): reading a fingerprint needs only the store.
"""

from __future__ import annotations

import hashlib

import pyoxigraph as ox

from ecograph.namespaces import graph_iri
from ecograph.provenance import data_fingerprint
from ecograph.store.base import Store

#: Name of the graph under ``{base}graph/``.
METRICS_GRAPH = "metrics"


def metrics_graph(base: str) -> str:
    """The IRI of the metrics graph of a workspace with base IRI ``base``."""
    return graph_iri(base, METRICS_GRAPH)


_FINGERPRINT_QUERY = """
SELECT ?fingerprint WHERE {
  VALUES ?graph { UNDEF }
  GRAPH ?graph { ?graph eg:dataFingerprint ?fingerprint }
}
"""


def metrics_state(store: Store) -> str:
    """Whether the metrics graph can answer for the data now in the store.

    ``"current"``; ``"missing"`` (never computed); ``"partial"`` (written without the
    library's counts, or by an older ecograph on a filtered projection); or ``"stale"`` (the
    data changed since, or an older ecograph wrote counts laid out differently).
    """
    graph = metrics_graph(store.base_iri)
    if not store.has_graph(graph):
        return "missing"
    rows = store.select(_FINGERPRINT_QUERY, {"graph": ox.NamedNode(graph)})
    if not rows:
        return "partial"
    recorded = rows[0]["fingerprint"]
    current = counts_fingerprint(store, graph)
    return "current" if recorded is not None and recorded.value == current else "stale"


#: The layout of the counts library queries read from the metrics graph. Bump it whenever
#: they gain or change a count: a graph written before then reads as stale (and
#: ``ecograph query`` asks for ``ecograph metrics``) rather than silently answering nothing.
COUNTS_LAYOUT = 7


def counts_fingerprint(store: Store, graph: str) -> str:
    """SHA-256 of :data:`COUNTS_LAYOUT` and of every data graph's self-description
    (:func:`~ecograph.provenance.data_fingerprint`, the metrics graph ``graph`` left out)."""
    data = data_fingerprint(store, leave_out=(graph,))
    return hashlib.sha256(f"ecograph counts {COUNTS_LAYOUT}\n{data}".encode()).hexdigest()
