"""Imported sources: one named graph each, described inside itself (PROV + import counts).

A source is named after its file ("subventions-2023.csv" → ``subventions-2023-csv``); its graph is
``{base}graph/import/{source}/{version}``, where the version is a digest of the file's bytes,
the mapping, the format and the converter. So:

- importing the same file again finds the same version and changes nothing;
- ``--replace`` loads the new version (one all-or-nothing load) and then drops the old one
  (one more): at every moment the store holds whole versions — never a half-written one —
  and a process killed between the two steps leaves both, which ``sources`` shows and the next
  import or ``remove`` resolves.

Terms of the import description live in ``https://w3id.org/ecograph/import#`` (``egimp:``):
counts and notes of one run, not part of the domain model.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

import pyoxigraph as ox

from ecograph.namespaces import PREFIXES, graph_iri
from ecograph.provenance import graph_description
from ecograph.rdfterms import nt_iri, nt_literal
from ecograph.store.base import Store, Term

IMPORT_NS = "https://w3id.org/ecograph/import#"
_XSD_INT = PREFIXES["xsd"] + "integer"
COUNTS = (
    "rowsRead",
    "rowsImported",
    "rowsRejected",
    "rowsSkipped",
    "actorsCreated",
    "actorsMerged",
    "projects",
    "partnerships",
    "triples",
)


def source_slug(file_name: str) -> str:
    """ "Subventions 2023 (v2).csv" → "subventions-2023-v2-csv": the source's name in IRIs
    (the extension is kept: actors.csv and actors.ttl are two sources)."""
    plain = unicodedata.normalize("NFKD", file_name.casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]+", "-", plain).strip("-") or "source"


def source_graph(base: str, slug: str, version: str) -> str:
    """The graph of one version of one source."""
    return graph_iri(base, f"import/{slug}/{version}")


@dataclass
class SourceInfo:
    """One imported source, as ``ecograph sources`` lists it."""

    source: str
    graph: str
    file: str
    format: str
    imported_at: str
    version: str
    checksum: str
    counts: dict[str, int]


def description_lines(
    graph: str,
    *,
    slug: str,
    file_name: str,
    format: str,
    version: str,
    checksum: str,
    counts: dict[str, int],
    notes: dict[str, list[str]],
    mapping_text: str = "",
    when: dt.datetime | None = None,
) -> list[str]:
    """N-Triples describing an import, loaded with its data."""
    lines = graph_description(
        graph,
        title=f"Import of {file_name}",
        source=file_name,
        generated_at=when or dt.datetime.now(dt.UTC),
    )
    g = nt_iri(graph)

    def say(term: str, value: str, *, datatype: str | None = None) -> None:
        lines.append(f"{g} {nt_iri(IMPORT_NS + term)} {nt_literal(value, datatype=datatype)} .")

    lines.append(f"{g} {nt_iri(PREFIXES['rdf'] + 'type')} {nt_iri(PREFIXES['prov'] + 'Entity')} .")
    lines.append(f"{g} {nt_iri(PREFIXES['dcterms'] + 'format')} {nt_literal(format)} .")
    say("source", slug)
    say("version", version)
    say("checksum", f"sha256:{checksum}")
    if mapping_text:
        say("mapping", mapping_text)
    for name in COUNTS:
        say(name, str(counts.get(name, 0)), datatype=_XSD_INT)
    for term, texts in notes.items():
        for text in texts:
            say(term, text)
    return lines


_LIST = f"""
SELECT ?g ?source ?file ?format ?time ?version ?checksum WHERE {{
  GRAPH ?g {{
    ?g <{IMPORT_NS}source> ?source ; <{IMPORT_NS}version> ?version ;
       <{IMPORT_NS}checksum> ?checksum ; <{PREFIXES["dcterms"]}source> ?file ;
       <{PREFIXES["dcterms"]}format> ?format ; <{PREFIXES["prov"]}generatedAtTime> ?time .
  }}
}}
"""
# The counts apart, each by its predicate: asked in the query above as an OPTIONAL on
# ``?g ?count ?value``, they made Oxigraph read every quad of every graph (5 s on a store of
# 375,000 associations, a quarter of each import there); named, they are index lookups.
_COUNTS_QUERY = f"""
SELECT ?g ?count ?value WHERE {{
  VALUES ?count {{ {" ".join(f"<{IMPORT_NS}{name}>" for name in COUNTS)} }}
  GRAPH ?g {{ ?g ?count ?value }}
}}
"""


def list_sources(store: Store) -> list[SourceInfo]:
    """Every imported source version in the store, oldest first."""
    found: dict[str, SourceInfo] = {}
    for row in store.select(_LIST):
        graph = _text(row["g"])
        if graph in found:  # a field given twice: the first row is the source's
            continue
        found[graph] = SourceInfo(
            source=_text(row["source"]),
            graph=graph,
            file=_text(row["file"]),
            format=_text(row["format"]),
            imported_at=_text(row["time"]),
            version=_text(row["version"]),
            checksum=_text(row["checksum"]),
            counts={},
        )
    for row in store.select(_COUNTS_QUERY):
        info = found.get(_text(row["g"]))
        if info is not None:
            info.counts[_text(row["count"])[len(IMPORT_NS) :]] = int(_text(row["value"]))
    return sorted(found.values(), key=lambda s: (s.imported_at, s.source))


def find_source(store: Store, name: str) -> list[SourceInfo]:
    """The versions of a source named by its name, its file name or a graph IRI."""
    wanted = {name, source_slug(name)}
    return [
        s for s in list_sources(store) if s.source in wanted or s.graph == name or s.file == name
    ]


_SHARED = f"""
SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {{
  VALUES ?g {{ UNDEF }}
  GRAPH ?g {{ ?a <{PREFIXES["skos"]}prefLabel> ?name }}
  GRAPH ?other {{ ?other <{PREFIXES["dcterms"]}references> ?a }}
  FILTER(?other != ?g)
}}
"""


def remove_source(store: Store, name: str) -> tuple[list[SourceInfo], int]:
    """Drop every version of a source; returns them and how many actors that other sources
    also name lose the description this source gave them."""
    versions = find_source(store, name)
    shared = 0
    for info in versions:
        rows = store.select(_SHARED, {"g": ox.NamedNode(info.graph)})
        shared += int(_text(rows[0]["n"])) if rows else 0
        store.drop_graph(info.graph)
    return versions, shared


def _text(term: Term | None) -> str:
    """A result cell's text: an IRI, a literal's lexical form, "" when unbound."""
    return "" if term is None else term.value
