"""RDF files, parsed safely: Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML.

Safety first, because an RDF file can attack the machine that reads it:

- RDF/XML (and any XML) with DTD entity declarations is refused before parsing: a 1 KB
  "billion laughs" file expands to gigabytes, and pyoxigraph's RDF/XML parser does expand
  internal entities.
- JSON-LD contexts are never fetched (no network at run time): a remote ``@context`` is
  refused with a clear message; a context given as a file name is read from the JSON-LD
  file's own folder and put inline.

Everything is parsed by pyoxigraph into N-Triples (named graphs of quad formats are folded into
the source's one graph, and said so), so a syntax error is reported with its line and column
and nothing is written.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ecograph.namespaces import PREFIXES

SYNTAXES = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
            "nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG,
            "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}
_SUFFIXES = {".ttl": "turtle", ".n3": "turtle", ".nt": "ntriples", ".nq": "nquads",
             ".trig": "trig", ".jsonld": "jsonld", ".json": "jsonld", ".rdf": "rdfxml",
             ".owl": "rdfxml", ".xml": "rdfxml"}
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
_DOCTYPE = re.compile(rb"<!DOCTYPE[^>\[]*\[", re.IGNORECASE)
_MAX_CONTEXT_DEPTH = 8


class RdfRefused(ValueError):
    """An RDF file ecograph will not read; the message names the file and the reason."""


@dataclass
class ParsedRdf:
    """What the RDF file held."""

    syntax: str
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def guess_syntax(path: Path, data: bytes) -> str:
    """The syntax from the file's suffix, else from its first bytes."""
    if path.suffix.lower() in _SUFFIXES:
        return _SUFFIXES[path.suffix.lower()]
    head = data[:1000].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"<?xml", b"<rdf:RDF", b"<!DOCTYPE")):
        return "rdfxml"
    if head.startswith((b"{", b"[")):
        return "jsonld"
    return "turtle"  # Turtle reads N-Triples too


def refuse_entities(data: bytes, name: str) -> None:
    """Raise when an XML document declares entities (in a DTD internal subset)."""
    if _ENTITY.search(data) or _DOCTYPE.search(data):
        raise RdfRefused(
            f"{name}: this XML file declares entities in a DTD (<!DOCTYPE … [<!ENTITY …]>). "
            "ecograph refuses such files: entity expansion lets a 1 KB file fill the memory "
            "(the \"billion laughs\" attack). Remove the DOCTYPE and write the values out, or "
            "convert the file to Turtle.")


def inline_contexts(document: Any, folder: Path, name: str, depth: int = 0) -> Any:
    """The JSON-LD document with every ``@context`` that names a file replaced by that
    file's context; remote contexts refused (ecograph never downloads at run time)."""
    if depth > _MAX_CONTEXT_DEPTH:
        raise RdfRefused(f"{name}: JSON-LD contexts nest more than {_MAX_CONTEXT_DEPTH} deep")
    if isinstance(document, list):
        return [inline_contexts(item, folder, name, depth) for item in document]
    if not isinstance(document, dict):
        return document
    out = {}
    for key, value in document.items():
        if key == "@context":
            out[key] = _context(value, folder, name, depth)
        else:
            out[key] = inline_contexts(value, folder, name, depth)
    return out


def _context(value: Any, folder: Path, name: str, depth: int) -> Any:
    if isinstance(value, list):
        return [_context(v, folder, name, depth) for v in value]
    if isinstance(value, str):
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", value):
            raise RdfRefused(
                f"{name}: the JSON-LD @context «{value}» is remote; ecograph does not download "
                "contexts (no network at run time). Save the context next to the file and "
                "name it by its file name, or put it inline.")
        target = (folder / value).resolve()
        if folder.resolve() not in target.parents or not target.is_file():
            raise RdfRefused(f"{name}: the JSON-LD @context «{value}» must be a file in the "
                             f"same folder as the document ({folder})")
        try:
            loaded = json.loads(target.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise RdfRefused(f"{name}: the context file {target.name} is not JSON ({err})"
                             ) from None
        inner = loaded.get("@context", loaded) if isinstance(loaded, dict) else loaded
        return _context(inner, folder, name, depth + 1)
    if isinstance(value, dict):
        return {k: inline_contexts(v, folder, name, depth + 1) if k != "@context" else
                _context(v, folder, name, depth + 1) for k, v in value.items()}
    return value


def rdf_to_ntriples(path: Path, data: bytes, syntax: str | None = None
                    ) -> tuple[bytes, ParsedRdf]:
    """Parse safely and return N-Triples (graph names dropped) and what was found."""
    syntax = syntax or guess_syntax(path, data)
    parsed = ParsedRdf(syntax=syntax)
    if syntax == "rdfxml" or data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        refuse_entities(data, path.name)
    if syntax == "jsonld":
        try:
            document = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as err:
            raise RdfRefused(f"{path.name}: not valid JSON ({err})") from None
        data = json.dumps(inline_contexts(document, path.parent, path.name)).encode()
    output = io.BytesIO()
    triples = 0
    graphs: Counter[str] = Counter()
    classes: Counter[str] = Counter()
    rdf_type = PREFIXES["rdf"] + "type"
    try:
        quads = ox.parse(data, SYNTAXES[syntax], base_iri=path.resolve().as_uri())
        for quad in quads:
            if not isinstance(quad.graph_name, ox.DefaultGraph):
                graphs[str(quad.graph_name)] += 1
            if quad.predicate.value == rdf_type:
                classes[quad.object.value] += 1
            output.write(f"{quad.subject} {quad.predicate} {quad.object} .\n".encode())
            triples += 1
    except SyntaxError as err:
        raise RdfRefused(f"{path.name}: not valid {syntax} — {err}") from None
    if graphs:
        parsed.notes.append(f"{sum(graphs.values())} quad(s) of {len(graphs)} named graph(s) "
                            "were put in this source's graph (one graph per source)")
    eg = PREFIXES["eg"]
    parsed.counts = {"rowsRead": triples, "rowsImported": triples,
                     "actorsCreated": classes.get(eg + "Actor", 0),
                     "projects": classes.get(eg + "Project", 0),
                     "partnerships": classes.get(eg + "Partnership", 0)}
    return output.getvalue(), parsed
