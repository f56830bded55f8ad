"""How a named graph describes itself: what it holds, where it came from, when.

Each graph carries its own description (``<graph> a eg:SourceGraph ; dcterms:title …``) inside
itself, so dropping the graph drops its description and the two can never disagree, and the
description lands in the same all-or-nothing load as the data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyoxigraph as ox

from ecograph.namespaces import PREFIXES
from ecograph.rdfterms import nt_iri, nt_literal

_EG = PREFIXES["eg"]
_DCT = PREFIXES["dcterms"]
_PROV = PREFIXES["prov"]
_XSD = PREFIXES["xsd"]


def graph_description(
    graph: str,
    *,
    title: str,
    version: str | None = None,
    source: str | None = None,
    generated_at: dt.datetime | None = None,
) -> list[str]:
    """N-Triples lines describing ``graph`` (a ``eg:SourceGraph``) for the load that fills it.

    ``generated_at`` is left out when None so that reproducible graphs stay byte-identical.
    """
    subject = nt_iri(graph)
    lines = [
        f"{subject} {nt_iri(PREFIXES['rdf'] + 'type')} {nt_iri(_EG + 'SourceGraph')} .",
        f"{subject} {nt_iri(_DCT + 'title')} {nt_literal(title, lang='en')} .",
    ]
    if version:
        lines.append(f"{subject} {nt_iri(_DCT + 'hasVersion')} {nt_literal(version)} .")
    if source:
        lines.append(f"{subject} {nt_iri(_DCT + 'source')} {nt_literal(source)} .")
    if generated_at:
        stamp = generated_at.astimezone(dt.UTC).isoformat(timespec="seconds")
        lines.append(f"{subject} {nt_iri(_PROV + 'generatedAtTime')} "
                     f"{nt_literal(stamp, datatype=_XSD + 'dateTime')} .")
    return lines


_VERSION_QUERY = """
SELECT ?version WHERE {
  VALUES ?graph { UNDEF }
  GRAPH ?graph { ?graph dcterms:hasVersion ?version }
} LIMIT 1
"""


def loaded_version(store: Any, graph: str) -> str | None:
    """The ``dcterms:hasVersion`` a graph recorded about itself, if it exists."""
    rows = store.select(_VERSION_QUERY, {"graph": ox.NamedNode(graph)})
    return rows[0]["version"].value if rows else None
