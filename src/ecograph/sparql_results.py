"""SPARQL SELECT and ASK results written in the four W3C results formats, row by row.

``ecograph query -f csv|tsv|json|xml`` and the SPARQL endpoint both write results here, so
the same query gives the same bytes from both:

- **CSV** (``text/csv``, SPARQL 1.1 Query Results CSV): a header of bare variable names, then
  each term as a string: an IRI bare, a literal as its lexical form, a blank node as
  ``_:label``; a field holding ``"``, ``,``, LF or CR is quoted as RFC 4180 says; lines end
  with CR LF. An unbound variable is an empty field.
- **TSV** (``text/tab-separated-values``): a header of ``?name``, then each term in SPARQL and
  Turtle syntax: ``<iri>``, ``"text"@fr``, ``"1"^^<...#int>``, ``_:label``; integers, decimals
  and doubles whose lexical form Turtle reads as that number are written bare (``42``,
  ``1.5``, ``1e3``), as the format recommends. Tab, LF, CR, ``"`` and ``\\`` are escaped;
  lines end with LF.
- **JSON** (``application/sparql-results+json``) and **XML**
  (``application/sparql-results+xml``): every term with its kind, ``xml:lang`` or
  ``datatype`` (plain ``xsd:string`` literals carry none); an unbound variable is left out of
  its row.

ASK answers are ``{"head":{},"boolean":...}``, ``<boolean>``, and the bare word ``true`` or
``false`` in CSV and TSV (which define no boolean form; it is what pyoxigraph writes and reads).

**Spreadsheets.** CSV and TSV are opened in spreadsheets, which run a cell starting with
``=``, ``+``, ``-``, ``@``, tab or CR as a formula. With ``formula_escape=True`` such a
literal is written after a ``'`` (:func:`ecograph.safetext.spreadsheet_cell`); plain numbers
stay. It is off by default: the formats are then exactly the W3C ones, which programs read.

**Streaming.** :func:`encode_solutions` yields the text piece by piece (head, one piece per
row, tail), so a writer never holds a whole result; :func:`capped_solutions` stops at a row
and a byte cap and says whether it cut anything. SPARQL JSON may then carry a top-level
``"truncated"`` member, an ecograph extension placed *before* ``"results"`` because streaming
parsers (pyoxigraph's) reject members after the bindings; other readers ignore it.

:func:`term_text` is the one way to show a term to a person (tables, Markdown): a CURIE for
IRIs in ecograph's namespaces, the lexical form of a literal, ``_:label`` for a blank node.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO, Any, cast
from xml.sax.saxutils import quoteattr

import pyoxigraph as ox

from ecograph.namespaces import curie
from ecograph.safetext import spreadsheet_cell

__all__ = [
    "FORMATS",
    "MEDIA_TYPES",
    "SolutionsEncoder",
    "boolean_text",
    "capped_solutions",
    "encode_solutions",
    "term_text",
    "write_boolean",
    "write_solutions",
]

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
#: One solution: a term, or None for an unbound variable, per variable in order.
Row = Sequence[Term | None]

#: The results formats by name, with their media types.
MEDIA_TYPES: dict[str, str] = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
FORMATS = tuple(MEDIA_TYPES)

_XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = _XSD + "string"
_XML_NAMESPACE = "http://www.w3.org/2005/sparql-results#"
_XML_DECLARATION = '<?xml version="1.0"?>'
# Turtle's INTEGER, DECIMAL and DOUBLE productions: a literal of that datatype whose lexical
# form matches is written bare in TSV, since a reader gets back the same datatype and form.
_ABBREVIATIONS: dict[str, re.Pattern[str]] = {
    _XSD + "integer": re.compile(r"[+-]?[0-9]+", re.ASCII),
    _XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+", re.ASCII),
    _XSD + "double": re.compile(
        r"[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+", re.ASCII
    ),
}
_TURTLE_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})
_CSV_QUOTED = re.compile('[",\n\r]')
_XML_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


# ----------------------------------------------------------------------------- terms
def term_text(term: Term | None, *, prefixes: Mapping[str, str] | None = None) -> str:
    """A term as a person reads it in a table: an IRI as a CURIE under ecograph's namespaces
    and ``prefixes`` (:func:`ecograph.namespaces.curie`), else whole; a literal's lexical
    form; a blank node as ``_:label``; an unbound variable as ""."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return curie(term.value, extra=dict(prefixes or {}))
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def _escaped(term: Term | None, formula_escape: bool) -> Term | None:
    """``term``, a literal that a spreadsheet would run as a formula written after ``'``."""
    if not formula_escape or not isinstance(term, ox.Literal):
        return term  # IRIs start with a scheme, blank nodes with "_:": never a formula
    value = spreadsheet_cell(term.value)
    if value == term.value:
        return term
    if term.language:
        return ox.Literal(value, language=term.language)
    return ox.Literal(value, datatype=term.datatype)


def _csv_field(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        text = "_:" + term.value
    elif isinstance(term, ox.NamedNode | ox.Literal):
        text = term.value
    else:
        text = str(term)
    if _CSV_QUOTED.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def _tsv_field(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        abbreviation = _ABBREVIATIONS.get(datatype)
        if abbreviation is not None and abbreviation.fullmatch(term.value):
            return term.value
        quoted = '"' + term.value.translate(_TURTLE_ESCAPES) + '"'
        if term.language:
            return f"{quoted}@{term.language}"
        if datatype == _XSD_STRING:
            return quoted
        return f"{quoted}^^<{datatype}>"
    if isinstance(term, ox.Triple):
        parts = (_tsv_field(term.subject), _tsv_field(term.predicate), _tsv_field(term.object))
        return "<<( " + " ".join(parts) + " )>>"
    return str(term)  # <iri> and _:label, as pyoxigraph writes them


def _json_term(term: Term) -> dict[str, Any]:
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
    elif term.datatype.value != _XSD_STRING:
        entry["datatype"] = term.datatype.value
    return entry


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{term.value.translate(_XML_TEXT)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{term.value.translate(_XML_TEXT)}</bnode>"
    if isinstance(term, ox.Triple):
        return (
            f"<triple><subject>{_xml_term(term.subject)}</subject>"
            f"<predicate>{_xml_term(term.predicate)}</predicate>"
            f"<object>{_xml_term(term.object)}</object></triple>"
        )
    text = term.value.translate(_XML_TEXT)
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{text}</literal>"
    if term.datatype.value != _XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{text}</literal>"
    return f"<literal>{text}</literal>"


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# ----------------------------------------------------------------------------- solutions
class SolutionsEncoder:
    """The pieces of a SELECT result in one format: :meth:`head`, one :meth:`row` per
    solution, :meth:`tail`. Their concatenation is the whole document, and the text of each
    piece does not depend on the rows after it, so a result can be cut at any row."""

    def __init__(
        self, format: str, variables: Sequence[str], *, formula_escape: bool = False
    ) -> None:
        if format not in MEDIA_TYPES:
            raise ValueError(
                f"unknown results format {format!r}; choose one of {', '.join(FORMATS)}"
            )
        self.format = format
        self.variables = tuple(variables)
        self.formula_escape = formula_escape and format in ("csv", "tsv")

    def head(self, truncated: bool | None = None) -> str:
        """The header; in JSON, ``truncated`` (unless None) becomes a ``"truncated"`` member."""
        if self.format == "csv":
            return ",".join(self.variables) + "\r\n"
        if self.format == "tsv":
            return "\t".join("?" + name for name in self.variables) + "\n"
        if self.format == "json":
            marker = "" if truncated is None else f',"truncated":{_json(truncated)}'
            head = _json({"vars": list(self.variables)})
            return f'{{"head":{head}{marker},"results":{{"bindings":['
        names = "".join(f"<variable name={quoteattr(name)}/>" for name in self.variables)
        return f'{_XML_DECLARATION}<sparql xmlns="{_XML_NAMESPACE}"><head>{names}</head><results>'

    def row(self, row: Row, *, first: bool) -> str:
        """One solution; ``first`` says whether it is the first (JSON puts a comma before the
        others)."""
        if len(row) != len(self.variables):
            raise ValueError(f"a row of {len(row)} terms for {len(self.variables)} variables")
        terms = [_escaped(term, self.formula_escape) for term in row]
        if self.format == "csv":
            return ",".join(_csv_field(term) for term in terms) + "\r\n"
        if self.format == "tsv":
            return "\t".join(_tsv_field(term) for term in terms) + "\n"
        bound = [
            (name, term)
            for name, term in zip(self.variables, terms, strict=True)
            if term is not None
        ]
        if self.format == "json":
            binding = {name: _json_term(term) for name, term in bound}
            return ("" if first else ",") + _json(binding)
        cells = "".join(
            f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>" for name, term in bound
        )
        return f"<result>{cells}</result>"

    def tail(self) -> str:
        """What closes the document."""
        if self.format == "json":
            return "]}}"
        if self.format == "xml":
            return "</results></sparql>"
        return ""


def encode_solutions(
    format: str,
    variables: Sequence[str],
    rows: Iterable[Row],
    *,
    formula_escape: bool = False,
    truncated: bool | None = None,
) -> Iterator[str]:
    """A SELECT result in ``format`` (``csv``, ``tsv``, ``json``, ``xml``), one piece of text
    at a time: the head, each row as it is read from ``rows``, the tail."""
    encoder = SolutionsEncoder(format, variables, formula_escape=formula_escape)
    yield encoder.head(truncated)
    for index, row in enumerate(rows):
        yield encoder.row(row, first=index == 0)
    yield encoder.tail()


def write_solutions(
    stream: IO[str] | IO[bytes],
    format: str,
    variables: Sequence[str],
    rows: Iterable[Row],
    *,
    formula_escape: bool = False,
    truncated: bool | None = None,
) -> None:
    """Write a SELECT result to a text stream, or as UTF-8 to a binary one, row by row."""
    for piece in encode_solutions(
        format, variables, rows, formula_escape=formula_escape, truncated=truncated
    ):
        _write(stream, piece)


def capped_solutions(
    format: str,
    variables: Sequence[str],
    rows: Iterable[Row],
    *,
    max_rows: int,
    max_bytes: int,
    truncated_member: bool = False,
    formula_escape: bool = False,
) -> tuple[bytes, bool]:
    """The UTF-8 document of at most ``max_rows`` rows and ``max_bytes`` bytes, and whether
    rows were left out.

    ``rows`` is read no further than needed: one row past ``max_rows``, or until the rows
    read cannot fit in ``max_bytes`` any more. The body keeps the longest run of leading rows
    that fits; the head and tail alone always go out, even past the cap. ``truncated_member``
    puts ``"truncated": true|false`` in a JSON head.
    """
    encoder = SolutionsEncoder(format, variables, formula_escape=formula_escape)

    def head(cut: bool) -> bytes:
        return encoder.head(cut if truncated_member and format == "json" else None).encode()

    tail = encoder.tail().encode()
    frame = min(len(head(False)), len(head(True))) + len(tail)
    pieces: list[bytes] = []
    size = 0
    complete = True
    for index, row in enumerate(rows):
        if index == max_rows or frame + size > max_bytes:
            complete = False
            break
        piece = encoder.row(row, first=index == 0).encode()
        pieces.append(piece)
        size += len(piece)
    if complete and len(head(False)) + size + len(tail) <= max_bytes:
        return head(False) + b"".join(pieces) + tail, False
    room = max_bytes - len(head(True)) - len(tail)
    kept = 0
    for piece in pieces:
        if len(piece) > room:
            break
        room -= len(piece)
        kept += 1
    return head(True) + b"".join(pieces[:kept]) + tail, True


# ----------------------------------------------------------------------------- booleans
def boolean_text(format: str, value: bool) -> str:
    """An ASK answer in ``format``: JSON and XML as their specifications say; CSV and TSV,
    which define none, as the bare word ``true`` or ``false``."""
    word = "true" if value else "false"
    if format == "json":
        return f'{{"head":{{}},"boolean":{word}}}'
    if format == "xml":
        return (
            f'{_XML_DECLARATION}<sparql xmlns="{_XML_NAMESPACE}"><head></head>'
            f"<boolean>{word}</boolean></sparql>"
        )
    if format in ("csv", "tsv"):
        return word
    raise ValueError(f"unknown results format {format!r}; choose one of {', '.join(FORMATS)}")


def write_boolean(stream: IO[str] | IO[bytes], format: str, value: bool) -> None:
    """Write an ASK answer to a text stream, or as UTF-8 to a binary one."""
    _write(stream, boolean_text(format, value))


def _write(stream: IO[str] | IO[bytes], text: str) -> None:
    if _is_binary(stream):
        cast("IO[bytes]", stream).write(text.encode())
    else:
        cast("IO[str]", stream).write(text)


def _is_binary(stream: IO[Any]) -> bool:
    if isinstance(stream, io.TextIOBase):
        return False
    if isinstance(stream, io.BufferedIOBase | io.RawIOBase):
        return True
    return "b" in getattr(stream, "mode", "")
