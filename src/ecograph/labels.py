"""Human labels of ontology terms and SKOS concepts, in the user's language."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

LABELS_QUERY = """
SELECT ?lang ?term ?label WHERE {
  { ?term skos:prefLabel ?label } UNION { ?term rdfs:label ?label }
  FILTER(LANG(?label) = ?lang)
  FILTER(STRSTARTS(STR(?term), "https://w3id.org/ecograph/"))
}
"""


def concept_labels(store: Any, lang: str = "en") -> dict[str, str]:
    """IRI → label for every ecograph term and concept that has one in ``lang``."""
    rows = store.select(LABELS_QUERY, {"lang": ox.Literal(lang)})
    return {row["term"].value: row["label"].value for row in rows}
