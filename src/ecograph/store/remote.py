"""A remote SPARQL 1.1 server as an ecograph store: the path past one machine.

Queries and updates go through SPARQLWrapper (SPARQL 1.1 Protocol); loads go through the
SPARQL 1.1 Graph Store HTTP Protocol (one POST or PUT of the whole graph, which servers such as
Oxigraph, Fuseki and GraphDB apply as one transaction). Only standard protocols are used, so
the same commands run against Oxigraph server, Apache Jena Fuseki, GraphDB, Virtuoso or QLever
(see docs/remote.md).

ecograph keeps one named graph per source and queries their union, so the server must treat
its default graph as the union of the named graphs (Oxigraph: ``--union-default-graph``;
Fuseki: ``tdb2:unionDefaultGraph true``; GraphDB and Virtuoso do it by default).
``check_union_default_graph`` says so plainly when it does not.
"""

from __future__ import annotations

import io
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
from SPARQLWrapper import CSV, JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from ecograph.binding import bind
from ecograph.namespaces import DEFAULT_BASE_IRI, PREFIXES
from ecograph.rdfterms import nt_iri
from ecograph.store.base import StoreError, Term, csv_values, select_rows

_MEDIA_TYPES = {
    ox.RdfFormat.N_TRIPLES: "application/n-triples",
    ox.RdfFormat.TURTLE: "text/turtle",
    ox.RdfFormat.N_QUADS: "application/n-quads",
    ox.RdfFormat.TRIG: "application/trig",
    ox.RdfFormat.JSON_LD: "application/ld+json",
    ox.RdfFormat.RDF_XML: "application/rdf+xml",
}
_PREFIX_HEADER = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())


@dataclass
class SelectResult:
    """A SELECT result shaped like pyoxigraph's: ``.variables`` and rows indexable by name."""

    variables: list[ox.Variable] = field(default_factory=list)
    rows: list[dict[str, Term | None]] = field(default_factory=list)

    def __iter__(self) -> Iterator[dict[str, Term | None]]:
        return iter(self.rows)


class RemoteStore:
    """A SPARQL 1.1 endpoint (plus optional update and Graph Store endpoints)."""

    def __init__(
        self,
        endpoint: str,
        *,
        update_endpoint: str | None = None,
        gsp_endpoint: str | None = None,
        base_iri: str | None = None,
        timeout: float = 300.0,
    ) -> None:
        self.endpoint = endpoint
        self.update_endpoint = update_endpoint
        self.gsp_endpoint = gsp_endpoint
        self.timeout = timeout
        self._base_iri = base_iri or os.environ.get("ECOGRAPH_BASE_IRI") or DEFAULT_BASE_IRI

    # ------------------------------------------------------------------ lifecycle
    @property
    def base_iri(self) -> str:
        """The base IRI of instances (``ECOGRAPH_BASE_IRI`` or the default)."""
        return self._base_iri

    @property
    def location(self) -> str:
        """The query endpoint, for messages."""
        return self.endpoint

    def close(self) -> None:
        """Nothing to release: every request is its own connection."""

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ reading
    def query(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> Any:
        """Run a query on the endpoint. ecograph's prefixes are declared for the server."""
        text = _PREFIX_HEADER + _without_header_comments(
            bind(sparql, bindings) if bindings else sparql)
        client = self._client(self.endpoint)
        client.setQuery(text)
        kind = client.queryType
        if kind in ("CONSTRUCT", "DESCRIBE"):
            client.setReturnFormat(TURTLE)
            body = self._run(client).response.read()
            return iter(ox.parse(body, ox.RdfFormat.TURTLE))
        client.setReturnFormat(JSON)
        payload = self._run(client).convert()
        if "boolean" in payload:
            return bool(payload["boolean"])
        names = payload["head"].get("vars", [])
        rows = [{name: _term(binding.get(name)) for name in names}
                for binding in payload["results"]["bindings"]]
        return SelectResult([ox.Variable(name) for name in names], rows)

    def select(self, sparql: str, bindings: Mapping[str, Term] | None = None
               ) -> list[dict[str, Term | None]]:
        """A SELECT's rows as dicts keyed by variable name (unbound → None)."""
        return select_rows(self.query(sparql, bindings))

    def select_values(self, sparql: str, bindings: Mapping[str, Term] | None = None
                      ) -> list[list[str]]:
        """A SELECT's rows as lists of plain strings, fetched as SPARQL CSV (the smallest
        and fastest results format to parse for bulk scans)."""
        text = _PREFIX_HEADER + _without_header_comments(
            bind(sparql, bindings) if bindings else sparql)
        client = self._client(self.endpoint)
        client.setQuery(text)
        client.setReturnFormat(CSV)
        return csv_values(self._run(client).response.read())

    def ask(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> bool:
        """An ASK query's answer."""
        return bool(self.query(sparql, bindings))

    def named_graphs(self) -> list[str]:
        """Every named graph's IRI, sorted."""
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(row["g"].value for row in rows if isinstance(row["g"], ox.NamedNode))

    def has_graph(self, graph: str) -> bool:
        """Whether the named graph holds any triple."""
        return self.ask("ASK { VALUES ?g { UNDEF } GRAPH ?g { ?s ?p ?o } }",
                        {"g": ox.NamedNode(graph)})

    def __len__(self) -> int:
        row = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]
        return int(row["n"].value)  # type: ignore[union-attr]

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Every quad of the named graphs, or of one graph."""
        query = "SELECT ?s ?p ?o ?g WHERE { VALUES ?g { UNDEF } GRAPH ?g { ?s ?p ?o } }"
        rows = self.select(query, {"g": ox.NamedNode(graph)} if graph else None)
        return (ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows)  # type: ignore[arg-type]

    def dump(self, output: IO[bytes], *, format: ox.RdfFormat, graph: str | None = None
             ) -> None:
        """Serialise one graph (any format) or all named graphs (quad formats)."""
        if graph is None and not format.supports_datasets:
            raise StoreError(f"{format.name} holds one graph: name one, or choose N-Quads/TriG.")
        quads = self.quads(graph)
        if graph is not None:
            ox.serialize((q.triple for q in quads), output, format, prefixes=PREFIXES)
        else:
            ox.serialize(quads, output, format)

    def check_union_default_graph(self) -> None:
        """Raise StoreError when the default graph is not the union of the named graphs."""
        sample = self.select("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1")
        if not sample:
            return
        row = sample[0]
        probe = ("ASK { VALUES ?s { UNDEF } VALUES ?p { UNDEF } VALUES ?o { UNDEF } "
                 "?s ?p ?o }")
        if not self.ask(probe, {k: v for k, v in row.items() if v is not None}):
            raise StoreError(
                f"{self.endpoint} does not query the union of its named graphs by default, "
                "which ecograph needs (one graph per source). Oxigraph: start it with "
                "--union-default-graph; Fuseki: set tdb2:unionDefaultGraph true; see "
                "docs/remote.md.")

    # ------------------------------------------------------------------ writing
    def load(self, source: Path | bytes | IO[bytes], *, format: ox.RdfFormat, graph: str,
             extra_ntriples: str = "", replace: bool = False) -> None:
        """Send RDF to the Graph Store endpoint: POST adds to the graph, PUT replaces it.

        Data and ``extra_ntriples`` (its provenance) travel in one request, which the server
        applies as one transaction.
        """
        if self.gsp_endpoint is None:
            raise StoreError("loading into a remote store needs its Graph Store Protocol URL: "
                             "give --gsp-endpoint (Oxigraph: http://host:port/store).")
        if extra_ntriples and format not in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE):
            raise StoreError(f"Provenance can only be appended to N-Triples or Turtle input, "
                             f"not {format.name}; convert the input first.")
        if isinstance(source, Path):
            body = source.read_bytes()
        elif isinstance(source, bytes):
            body = source
        else:
            body = source.read()
        if extra_ntriples:
            body += b"\n" + extra_ntriples.encode() + b"\n"
        url = self.gsp_endpoint + "?" + urllib.parse.urlencode({"graph": graph})
        self._http("PUT" if replace else "POST", url, body, _MEDIA_TYPES[format])

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Insert a few quads with one INSERT DATA (terms serialised by pyoxigraph)."""
        buffer = io.BytesIO()
        ox.serialize(quads, buffer, ox.RdfFormat.TRIG)
        self.update("INSERT DATA {\n" + buffer.getvalue().decode() + "\n}")

    def update(self, sparql_update: str) -> None:
        """Run one of ecograph's own updates on the update endpoint."""
        if self.update_endpoint is None:
            raise StoreError("this remote store is read-only for ecograph: give "
                             "--update-endpoint to change it.")
        client = self._client(self.update_endpoint)
        client.setQuery(_PREFIX_HEADER + sparql_update)
        self._run(client)

    def drop_graph(self, graph: str) -> None:
        """Remove one named graph (DROP SILENT: no error when absent)."""
        self.update(f"DROP SILENT GRAPH {nt_iri(graph)}")

    # ------------------------------------------------------------------ plumbing
    def _client(self, url: str) -> SPARQLWrapper:
        client = SPARQLWrapper(url)
        client.setMethod(POST)
        client.setTimeout(int(self.timeout))
        return client

    def _run(self, client: SPARQLWrapper) -> Any:
        try:
            return client.query()
        except SPARQLWrapperException as err:
            raise StoreError(f"{client.endpoint} refused the request: {err}") from None
        except (urllib.error.URLError, OSError) as err:
            raise StoreError(f"cannot reach {client.endpoint}: {err}") from None

    def _http(self, method: str, url: str, body: bytes, media_type: str) -> None:
        request = urllib.request.Request(url, data=body, method=method,
                                         headers={"Content-Type": media_type})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as err:
            detail = err.read().decode("utf-8", "replace")[:500]
            raise StoreError(f"{url} answered {err.code}: {detail}") from None
        except (urllib.error.URLError, OSError) as err:
            raise StoreError(f"cannot reach {url}: {err}") from None


def _without_header_comments(text: str) -> str:
    """The query without its leading comment lines (a library query's header).

    SPARQLWrapper guesses the query form from the text and takes the "describe" of a
    ``# description:`` line for a DESCRIBE query, then asks for the wrong result format.
    Only the leading block goes: a later ``#`` line could be inside a long string literal.
    """
    lines = text.splitlines(keepends=True)
    start = 0
    while start < len(lines) and (not lines[start].strip()
                                  or lines[start].lstrip().startswith("#")):
        start += 1
    return "".join(lines[start:])


def _term(value: dict[str, str] | None) -> Term | None:
    """A SPARQL 1.1 JSON results term as a pyoxigraph term."""
    if value is None:
        return None
    kind = value["type"]
    if kind == "uri":
        return ox.NamedNode(value["value"])
    if kind == "bnode":
        return ox.BlankNode(value["value"])
    if "xml:lang" in value:
        return ox.Literal(value["value"], language=value["xml:lang"])
    if "datatype" in value:
        return ox.Literal(value["value"], datatype=ox.NamedNode(value["datatype"]))
    return ox.Literal(value["value"])
