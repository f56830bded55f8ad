"""SPARQL results written as bytes, with the row cap applied.

pyoxigraph serialises a whole ``QuerySolutions`` but cannot serialise the first N rows of one
(it has no constructor for results), so SELECT and ASK results are written here — JSON, XML,
CSV and TSV as the W3C result formats define them; ``tests/test_server.py`` reads every one
back with pyoxigraph's own parser. Graph results (CONSTRUCT, DESCRIBE) are cut to N triples
and written by pyoxigraph.

**How truncation is told.** Every SELECT, CONSTRUCT and DESCRIBE response carries
``X-Ecograph-Truncated: true|false``; SPARQL JSON results also carry a top-level
``"truncated"`` member, placed *before* ``"results"`` because streaming parsers (pyoxigraph's)
reject members after the bindings; rdflib, SPARQLWrapper and browsers ignore it. The other
formats have nowhere standard to say it, so they rely on the header.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from ecograph.namespaces import PREFIXES
from ecograph.server import protocol

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_GRAPH_FORMATS = {
    protocol.TURTLE: ox.RdfFormat.TURTLE,
    protocol.N_TRIPLES: ox.RdfFormat.N_TRIPLES,
    protocol.JSON_LD: ox.RdfFormat.JSON_LD,
    protocol.RDF_XML: ox.RdfFormat.RDF_XML,
}

Row = Sequence[Any]  # one solution: a term or None per variable


def write_boolean(value: bool, media_type: str) -> bytes:
    """An ASK answer in a SPARQL results format (CSV/TSV: the word, as pyoxigraph writes)."""
    if media_type == protocol.SPARQL_JSON:
        return json.dumps({"head": {}, "boolean": value}).encode()
    if media_type == protocol.SPARQL_XML:
        return (
            b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            b"<head></head><boolean>" + (b"true" if value else b"false") + b"</boolean></sparql>"
        )
    return b"true" if value else b"false"


def write_solutions(
    variables: Sequence[str], rows: Sequence[Row], media_type: str, truncated: bool
) -> bytes:
    """SELECT results in one of the four SPARQL results formats."""
    if media_type == protocol.SPARQL_JSON:
        document = {
            "head": {"vars": list(variables)},
            "truncated": truncated,
            "results": {"bindings": [_json_row(variables, row) for row in rows]},
        }
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    if media_type == protocol.SPARQL_XML:
        return _xml(variables, rows).encode()
    if media_type == protocol.CSV:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        writer.writerows([[_csv_cell(term) for term in row] for row in rows])
        return buffer.getvalue().encode()
    if media_type == protocol.TSV:
        lines = ["\t".join("?" + name for name in variables)]
        lines += ["\t".join("" if term is None else str(term) for term in row) for row in rows]
        return ("\n".join(lines) + "\n").encode()
    raise ValueError(f"not a SPARQL results media type: {media_type}")


def write_triples(triples: Sequence[ox.Triple], media_type: str) -> bytes:
    """Graph results in an RDF syntax, declaring those of ecograph's prefixes it uses."""
    return ox.serialize(
        triples, format=_GRAPH_FORMATS[media_type], prefixes=_used_prefixes(triples)
    )


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


# ----------------------------------------------------------------------------- terms
def _json_term(term: Any) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    entry: dict[str, Any] = {"type": "literal", "value": term.value}
    if term.language:
        entry["xml:lang"] = term.language
    elif term.datatype.value != XSD_STRING:
        entry["datatype"] = term.datatype.value
    return entry


def _json_row(variables: Sequence[str], row: Row) -> dict[str, Any]:
    return {
        name: _json_term(term)
        for name, term in zip(variables, row, strict=True)
        if term is not None
    }


def _xml_term(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Triple):
        return (
            f"<triple><subject>{_xml_term(term.subject)}</subject>"
            f"<predicate>{_xml_term(term.predicate)}</predicate>"
            f"<object>{_xml_term(term.object)}</object></triple>"
        )
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def _xml(variables: Sequence[str], rows: Sequence[Row]) -> str:
    parts = ['<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
    parts += [f"<variable name={quoteattr(name)}/>" for name in variables]
    parts.append("</head><results>")
    for row in rows:
        parts.append("<result>")
        parts += [
            f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>"
            for name, term in zip(variables, row, strict=True)
            if term is not None
        ]
        parts.append("</result>")
    parts.append("</results></sparql>")
    return "".join(parts)


def _csv_cell(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Triple):
        return str(term)
    return str(term.value)
