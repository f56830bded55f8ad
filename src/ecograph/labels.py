"""Human labels of ontology terms and SKOS concepts, in the user's language."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from ecograph.namespaces import graph_iri

# Only the ontology graph: territories alone hold ~70,000 labels that are not wanted here.
LABELS_QUERY = """
SELECT ?term ?label WHERE {
  VALUES ?graph { UNDEF }
  VALUES ?lang { UNDEF }
  GRAPH ?graph { { ?term skos:prefLabel ?label } UNION { ?term rdfs:label ?label } }
  FILTER(LANG(?label) = ?lang)
}
"""


def concept_labels(store: Any, lang: str = "en") -> dict[str, str]:
    """IRI → label for every ontology term and concept that has one in ``lang``."""
    graph = ox.NamedNode(graph_iri(store.base_iri, "ontology"))
    rows = store.select(LABELS_QUERY, {"lang": ox.Literal(lang), "graph": graph})
    return {row["term"].value: row["label"].value for row in rows}
