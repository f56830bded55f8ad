"""RDF files, parsed safely: Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML.

Safety first, because an RDF file can attack the machine that reads it:

- RDF/XML (and any XML) with DTD entity declarations is refused before parsing: a 1 KB
  "billion laughs" file expands to gigabytes, and pyoxigraph's RDF/XML parser does expand
  internal entities.
- JSON-LD contexts are never fetched (no network at run time): a remote ``@context`` is
  refused with a clear message; a context given as a file name is read from the JSON-LD
  file's own folder and put inline.

Every file is parsed once by pyoxigraph, strictly, before anything is written, so a syntax error
is reported with its line and column and nothing is written. Turtle, N-Triples and quad files
without named graphs are then loaded as they are (pyoxigraph parses them again, in Rust); the
others become N-Triples first (named graphs of quad formats are folded into the source's one
graph, and said so).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pyoxigraph as ox

from ecograph.namespaces import PREFIXES
from ecograph.store.base import Store
from ecograph.vocab import EG

SYNTAXES = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
#: File suffix → RDF syntax (``import`` also uses it to tell an RDF file from a table).
RDF_SUFFIXES = {
    ".ttl": "turtle",
    ".n3": "turtle",
    ".nt": "ntriples",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "jsonld",
    ".json": "jsonld",
    ".rdf": "rdfxml",
    ".owl": "rdfxml",
    ".xml": "rdfxml",
}
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
_DOCTYPE = re.compile(rb"<!DOCTYPE[^>\[]*\[", re.IGNORECASE)
_MAX_CONTEXT_DEPTH = 8
_MAX_TERM_MIB = 16
_LOADED_AS_IS = {"turtle", "ntriples", "nquads", "trig"}
_QUADS = {"nquads", "trig"}
_RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
T = TypeVar("T")


class RdfRefused(ValueError):
    """An RDF file ecograph will not read; the message names the file and the reason."""


@dataclass
class ParsedRdf:
    """What the RDF file held, and what the store should load: ``body`` in ``format``,
    relative IRIs resolved against ``base_iri`` (the file's own URI)."""

    syntax: str
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    body: bytes = b""
    format: ox.RdfFormat = ox.RdfFormat.N_TRIPLES
    base_iri: str | None = None

    @property
    def triples(self) -> int:
        """Triples read (duplicates included), as the import's description counts them."""
        return self.counts.get("rowsRead", 0)


def guess_syntax(path: Path, data: bytes) -> str:
    """The syntax from the file's suffix, else from its first bytes."""
    if path.suffix.lower() in RDF_SUFFIXES:
        return RDF_SUFFIXES[path.suffix.lower()]
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
            '(the "billion laughs" attack). Remove the DOCTYPE and write the values out, or '
            "convert the file to Turtle."
        )


def inline_contexts(document: Any, folder: Path, name: str, *, depth: int = 0) -> Any:
    """The JSON-LD document with every ``@context`` that names a file replaced by that
    file's context; remote contexts refused (ecograph never downloads at run time).

    The walk keeps its own stack instead of recursing: a document nested a few hundred levels
    deep (arrays in arrays…) must not end in a ``RecursionError`` traceback. The document,
    fresh from ``json.loads``, is changed in place.
    """
    if depth > _MAX_CONTEXT_DEPTH:
        raise RdfRefused(f"{name}: JSON-LD contexts nest more than {_MAX_CONTEXT_DEPTH} deep")
    root = [document]
    stack: list[list[Any] | dict[str, Any]] = [root]
    while stack:
        node = stack.pop()
        children: list[Any]
        if isinstance(node, dict):
            if "@context" in node:
                node["@context"] = _context(node["@context"], folder, name, depth)
            children = [value for key, value in node.items() if key != "@context"]
        else:
            children = node
        stack.extend(value for value in children if isinstance(value, (list, dict)))
    return root[0]


def _context(value: Any, folder: Path, name: str, depth: int) -> Any:
    if isinstance(value, list):
        return [_context(v, folder, name, depth) for v in value]
    if isinstance(value, str):
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", value):
            raise RdfRefused(
                f"{name}: the JSON-LD @context «{value}» is remote; ecograph does not download "
                "contexts (no network at run time). Save the context next to the file and "
                "name it by its file name, or put it inline."
            )
        target = (folder / value).resolve()
        if folder.resolve() not in target.parents or not target.is_file():
            raise RdfRefused(
                f"{name}: the JSON-LD @context «{value}» must be a file in the "
                f"same folder as the document ({folder})"
            )
        try:
            loaded = json.loads(target.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise RdfRefused(
                f"{name}: the context file {target.name} is not JSON ({err})"
            ) from None
        inner = loaded.get("@context", loaded) if isinstance(loaded, dict) else loaded
        return _context(inner, folder, name, depth + 1)
    if isinstance(value, dict):
        return {
            k: inline_contexts(v, folder, name, depth=depth + 1)
            if k != "@context"
            else _context(v, folder, name, depth + 1)
            for k, v in value.items()
        }
    return value


def read_rdf(path: Path, data: bytes, *, syntax: str | None = None) -> ParsedRdf:
    """Screen and parse the file once (strictly), count what it holds, and say what the store
    should load: the file's own bytes when pyoxigraph can load them as they are.

    Turtle, N-Triples, and N-Quads/TriG without named graphs are loaded as they are, so the
    parse here only counts: loading the file's own bytes spares rewriting every triple in
    Python, which would dominate the import of a large file. RDF/XML (after the entity screen),
    JSON-LD (after its contexts are put inline) and quads in named graphs (folded into the
    source's one graph) are turned into N-Triples by pyoxigraph's serialiser.
    """
    syntax = syntax or guess_syntax(path, data)
    parsed = ParsedRdf(syntax=syntax, base_iri=path.resolve().as_uri())
    if syntax == "rdfxml" or _looks_like_xml(data):
        refuse_entities(data, path.name)
    if syntax == "jsonld":
        data = _screened_jsonld(path, data)
    tally = _Tally()
    if syntax in _LOADED_AS_IS:
        _parsing(
            path,
            syntax,
            lambda: tally.count(
                _parse(data, syntax, parsed.base_iri), with_graphs=syntax in _QUADS
            ),
        )
        if not tally.graphs:
            parsed.body, parsed.format = data, SYNTAXES[syntax]
            _finish(parsed, tally, path)
            return parsed
        tally = _Tally()
    quads = _parse(data, syntax, parsed.base_iri)
    parsed.body = _parsing(path, syntax, lambda: _ntriples(tally.triples(quads)))
    parsed.format = ox.RdfFormat.N_TRIPLES
    _finish(parsed, tally, path)
    return parsed


def load_rdf(store: Store, parsed: ParsedRdf, *, graph: str, extra_ntriples: str) -> None:
    """Load what ``read_rdf`` prepared into ``graph``, with its description, in one step.

    The embedded store loads the file's own syntax with the base IRI ``read_rdf`` used; its
    parse skips validation (``lenient``) because ``read_rdf`` just validated the same bytes.
    Other stores get N-Triples, where no base IRI is needed.
    """
    from ecograph.store.embedded import EmbeddedStore

    if isinstance(store, EmbeddedStore):
        store.load(
            parsed.body,
            format=parsed.format,
            graph=graph,
            extra_ntriples=extra_ntriples,
            base_iri=parsed.base_iri,
            lenient=True,
        )
        return
    store.load(
        to_ntriples(parsed),
        format=ox.RdfFormat.N_TRIPLES,
        graph=graph,
        extra_ntriples=extra_ntriples,
    )


def to_ntriples(parsed: ParsedRdf) -> bytes:
    """The prepared body as N-Triples (for stores that load nothing else)."""
    if parsed.format == ox.RdfFormat.N_TRIPLES:
        return parsed.body
    quads = ox.parse(parsed.body, parsed.format, base_iri=parsed.base_iri)
    return _ntriples(quad.triple for quad in quads)


def _ntriples(triples: Iterable[ox.Triple]) -> bytes:
    """``triples`` as N-Triples bytes. Without an output ``ox.serialize`` returns the bytes;
    its stub says ``bytes | None`` for both cases, hence the ``or``."""
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


class _Tally:
    """What a pass over the quads saw: how many, in which named graphs, of which classes."""

    def __init__(self) -> None:
        self.quads = 0
        self.graphs: Counter[str] = Counter()
        self.classes: Counter[str] = Counter()

    def count(self, quads: Iterator[ox.Quad], *, with_graphs: bool) -> None:
        """Count every quad (the tight loop of an import: keep it lean)."""
        rdf_type, classes, graphs = _RDF_TYPE, self.classes, self.graphs
        seen = 0
        for quad in quads:
            seen += 1
            if quad.predicate == rdf_type and not isinstance(quad.object, ox.Triple):
                classes[quad.object.value] += 1
            if with_graphs and not isinstance(quad.graph_name, ox.DefaultGraph):
                graphs[str(quad.graph_name)] += 1
        self.quads += seen

    def triples(self, quads: Iterator[ox.Quad]) -> Iterator[ox.Triple]:
        """The quads as triples of the one graph, counted on the way."""
        for quad in quads:
            self.quads += 1
            if quad.predicate == _RDF_TYPE and not isinstance(quad.object, ox.Triple):
                self.classes[quad.object.value] += 1
            if not isinstance(quad.graph_name, ox.DefaultGraph):
                self.graphs[str(quad.graph_name)] += 1
            yield quad.triple


def _parse(data: bytes, syntax: str, base_iri: str | None) -> Iterator[ox.Quad]:
    return ox.parse(data, SYNTAXES[syntax], base_iri=base_iri)


def _parsing(path: Path, syntax: str, work: Callable[[], T]) -> T:
    """Run a parse, turning pyoxigraph's errors into one-line refusals naming the file.

    A ``SyntaxError`` carries the line and column. pyoxigraph raises ``MemoryError`` when one
    term (in practice a literal) is longer than its 16 MiB buffer, without a position.
    """
    try:
        return work()
    except SyntaxError as err:
        raise RdfRefused(f"{path.name}: not valid {syntax} — {err}") from None
    except MemoryError as err:
        raise RdfRefused(
            f"{path.name}: a term (a literal or an IRI) is longer than the "
            f"parser's limit of {_MAX_TERM_MIB} MiB ({err}); split the value or "
            "keep it in a separate file"
        ) from None


def _screened_jsonld(path: Path, data: bytes) -> bytes:
    """The JSON-LD document with its contexts inline (see ``inline_contexts``)."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
        return json.dumps(inline_contexts(document, path.parent, path.name)).encode()
    except RdfRefused:
        raise
    except RecursionError:  # Python's JSON reader recurses once per level
        raise RdfRefused(
            f"{path.name}: the JSON nests too deeply for ecograph to read "
            "(about a thousand levels or more)"
        ) from None
    except ValueError as err:  # UnicodeDecodeError and JSONDecodeError included
        raise RdfRefused(f"{path.name}: not valid JSON ({err})") from None


def _looks_like_xml(data: bytes) -> bool:
    """Whether the file starts like an XML document, whatever its name says."""
    return data[:64].lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"<?xml", b"<!", b"<rdf:"))


def _finish(parsed: ParsedRdf, tally: _Tally, path: Path) -> None:
    if not tally.quads:  # an import that would say "imported" and hold nothing
        hint = (
            " (JSON without @context is not JSON-LD; a JSON list of records is read as a table)"
            if parsed.syntax == "jsonld"
            else ""
        )
        raise RdfRefused(f"{path.name}: the file holds no RDF statement{hint}; nothing to import")
    if tally.graphs:
        parsed.notes.append(
            f"{sum(tally.graphs.values())} quad(s) of {len(tally.graphs)} "
            "named graph(s) were put in this source's graph (one graph per "
            "source)"
        )
    parsed.counts = {
        "rowsRead": tally.quads,
        "rowsImported": tally.quads,
        "actorsCreated": tally.classes.get(str(EG.Actor), 0),
        "projects": tally.classes.get(str(EG.Project), 0),
        "partnerships": tally.classes.get(str(EG.Partnership), 0),
    }
