"""How a named graph describes itself: what it holds, where it came from, when.

Each graph carries its own description (``<graph> a eg:SourceGraph ; dcterms:title …``) inside
itself, so dropping the graph drops its description and the two can never disagree, and the
description lands in the same all-or-nothing load as the data.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pyoxigraph as ox

from ecograph.namespaces import PREFIXES
from ecograph.rdfterms import nt_iri, nt_literal
from ecograph.store.base import Store, bound_text
from ecograph.vocab import EG

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
        f"{subject} {nt_iri(PREFIXES['rdf'] + 'type')} {nt_iri(str(EG.SourceGraph))} .",
        f"{subject} {nt_iri(_DCT + 'title')} {nt_literal(title, lang='en')} .",
    ]
    if version:
        lines.append(f"{subject} {nt_iri(_DCT + 'hasVersion')} {nt_literal(version)} .")
    if source:
        lines.append(f"{subject} {nt_iri(_DCT + 'source')} {nt_literal(source)} .")
    if generated_at:
        stamp = generated_at.astimezone(dt.UTC).isoformat(timespec="seconds")
        lines.append(
            f"{subject} {nt_iri(_PROV + 'generatedAtTime')} "
            f"{nt_literal(stamp, datatype=_XSD + 'dateTime')} ."
        )
    return lines


_VERSION_QUERY = """
SELECT ?version WHERE {
  VALUES ?graph { UNDEF }
  GRAPH ?graph { ?graph dcterms:hasVersion ?version }
} LIMIT 1
"""


def loaded_version(store: Store, graph: str) -> str | None:
    """The ``dcterms:hasVersion`` a graph recorded about itself, if it exists."""
    rows = store.select(_VERSION_QUERY, {"graph": ox.NamedNode(graph)})
    return bound_text(rows[0], "version") if rows else None


# The properties that say which graphs there are (their type) and which version of its
# content each holds: its title, version, source and time, an import's version and checksum.
# Not every property of the graph node: an import's graph also names each actor it describes
# (``dcterms:references``) and keeps its notes: 770,000 triples in a store of a quarter of
# France's associations, 12 s to read before every library query reading the metrics graph.
#: Each described graph, then each of these properties looked up on it (OPTIONAL, then
#: FILTER): as one pattern, Oxigraph joined the properties' values first, reading every
#: ``rdf:type`` of the store and each graph's ``dcterms:references`` (0.7 s at a quarter of
#: France, before every query that reads the metrics); this way it is 0.03 s.
_DESCRIPTIONS_QUERY = """
SELECT ?graph ?property ?value WHERE {
  GRAPH ?graph { ?graph a eg:SourceGraph }
  VALUES ?property {
    rdf:type dcterms:title dcterms:hasVersion dcterms:source prov:generatedAtTime
    <https://w3id.org/ecograph/import#version> <https://w3id.org/ecograph/import#checksum>
  }
  OPTIONAL { GRAPH ?graph { ?graph ?property ?value } }
  FILTER(BOUND(?value))
}
"""


def data_fingerprint(store: Store, *, leave_out: tuple[str, ...] = ()) -> str:
    """A digest of every graph's self-description (title, version, source, time, and an
    import's version and checksum), except the graphs in ``leave_out``.

    Every load describes its graph, and a reload or an import of other content changes that
    description (version, checksum or time), so the digest changes when the data does.
    Results derived from the data (the metrics graph) record it, and a reader compares it
    with the current one to know whether they are still current; it reads a few triples
    per graph instead of the data itself.
    """
    lines = sorted(
        f"<{graph}> {line}"  # the form of ecograph 0.1's fingerprints, so they still match
        for graph, description in graph_descriptions(store).items()
        if graph not in leave_out
        for line in description
    )
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def graph_descriptions(store: Store) -> dict[str, list[str]]:
    """Each described graph's self-description as sorted ``property value`` lines: what
    changes when its content does (see :func:`data_fingerprint`)."""
    found: dict[str, set[str]] = {}
    for row in store.select(_DESCRIPTIONS_QUERY):
        line = f"{row['property']} {row['value']}"
        found.setdefault(bound_text(row, "graph"), set()).add(line)
    return {graph: sorted(lines) for graph, lines in found.items()}


_TITLES_QUERY = """
SELECT ?graph ?title ?source WHERE {
  GRAPH ?graph {
    ?graph a eg:SourceGraph ; dcterms:title ?title
    OPTIONAL { ?graph dcterms:source ?source }
  }
}
"""


def source_graphs(store: Store) -> dict[str, tuple[str, str | None]]:
    """Graph IRI → (its title, its ``dcterms:source`` or None): what each loaded source says
    it is, for pages that name where an actor comes from."""
    found: dict[str, tuple[str, str | None]] = {}
    for row in store.select(_TITLES_QUERY):
        graph, source = bound_text(row, "graph"), row.get("source")
        if graph not in found:
            found[graph] = (bound_text(row, "title"), source.value if source else None)
    return found


#: Each actor and the graphs that state it. Local authorities are ``eg:LocalAuthority`` in
#: the territories graph and ``eg:Actor`` where data ties them to others, so both count.
ACTOR_SOURCES_QUERY = """
SELECT DISTINCT ?actor ?graph WHERE {
  VALUES ?type { eg:Actor eg:LocalAuthority }
  GRAPH ?graph { ?actor a ?type }
}
"""
