"""Results as the endpoint sends them: the media types of SPARQL results, graph results in RDF.

SELECT and ASK results are written by :mod:`ecograph.sparql_results`, the writer
``ecograph query`` uses too, so the endpoint and the command answer the same bytes; this
module maps the negotiated media type to its format. Graph results (CONSTRUCT, DESCRIBE) are
cut to N triples and written by pyoxigraph.

**How truncation is told.** Every SELECT, CONSTRUCT and DESCRIBE response carries
``X-Ecograph-Truncated: true|false``; SPARQL JSON results also carry a top-level
``"truncated"`` member (see :func:`ecograph.sparql_results.capped_solutions`). The other
formats have nowhere standard to say it, so they rely on the header.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from ecograph.namespaces import PREFIXES
from ecograph.server import protocol
from ecograph.sparql_results import MEDIA_TYPES

_GRAPH_FORMATS = {
    protocol.TURTLE: ox.RdfFormat.TURTLE,
    protocol.N_TRIPLES: ox.RdfFormat.N_TRIPLES,
    protocol.JSON_LD: ox.RdfFormat.JSON_LD,
    protocol.RDF_XML: ox.RdfFormat.RDF_XML,
}

#: The results format (:data:`ecograph.sparql_results.FORMATS`) of each results media type.
RESULTS_FORMATS: dict[str, str] = {media: name for name, media in MEDIA_TYPES.items()}


def write_triples(triples: Sequence[ox.Triple], media_type: str) -> bytes:
    """Graph results in an RDF syntax, declaring those of ecograph's prefixes it uses."""
    body = io.BytesIO()
    ox.serialize(triples, body, format=_GRAPH_FORMATS[media_type], prefixes=_used_prefixes(triples))
    return body.getvalue()


def _used_prefixes(triples: Iterable[ox.Triple]) -> dict[str, str]:
    iris = {term.value for triple in triples for term in triple if isinstance(term, ox.NamedNode)}
    iris |= {
        triple.object.datatype.value for triple in triples if isinstance(triple.object, ox.Literal)
    }
    return {
        name: namespace
        for name, namespace in PREFIXES.items()
        if any(iri.startswith(namespace) for iri in iris)
    }
