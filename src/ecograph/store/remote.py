"""A remote SPARQL 1.1 server as an ecograph store: the path past one machine.

Queries and updates go through SPARQLWrapper (SPARQL 1.1 Protocol); loads go through the
SPARQL 1.1 Graph Store HTTP Protocol, in batches into a scratch graph that one update then puts
in place (``load``). Only standard protocols are used, so the same commands run against
Oxigraph server, Apache Jena Fuseki, GraphDB, Virtuoso or QLever (see docs/remote.md); the
tests run them against Oxigraph server and Virtuoso. Protected endpoints get the account of
``ECOGRAPH_HTTP_USER`` / ``ECOGRAPH_HTTP_PASSWORD`` (``store.credentials``).

ecograph keeps one named graph per source and queries their union, so the server must treat
its default graph as the union of the named graphs (Oxigraph: ``--union-default-graph``;
Fuseki: ``tdb2:unionDefaultGraph true``; GraphDB and Virtuoso do it by default).
``check_union_default_graph`` says so plainly when it does not.

**Cut-off results.** Servers cap how many rows (or triples) one response may hold, and some
say so only in a header while the body looks complete: Virtuoso cuts at ``ResultSetMaxRows``
(10,000 by default) and adds ``X-SPARQL-MaxRows: N``; ``ecograph serve`` cuts at ``--max-rows``
and adds ``X-Ecograph-Truncated: true`` (and ``"truncated": true`` in JSON); Virtuoso's
"anytime" queries return what they found when time ran out, with ``X-SQL-State``. Every read
goes through ``_fetch``, which reads those marks, and no result a server marks as cut off is
taken as complete (DESIGN §10). Per read path:

- SELECT (``query``, ``select``, ``select_values`` and what is built on them: ``quads``,
  ``dump``/export, ``named_graphs``, ``__len__``, stats, reports, the network projection):
  **paged**. These are the bulk reads whose loss would go unnoticed (an export missing most
  of the store's quads, a report of "0 actors"), and a SELECT pages exactly: the query is sent again
  with ``LIMIT n OFFSET k``, ordered by its own ORDER BY (if any) then by every projected
  variable, so the order is total and pages neither overlap nor skip rows. A query that has
  its own LIMIT/OFFSET or a trailing VALUES block cannot take another slice at its end without
  rewriting it, and is **refused**, as is a page that comes back cut off again or refused.
  (Virtuoso refuses sorted pages past ``MaxSortedTopRows``: those pages are asked for as a
  sorted subquery sliced outside it, which it serves.) Paging costs nothing until a server
  marks a cut: the first request is the query as written.
- ASK (``ask``, ``has_graph``): one answer, which no row cap can shorten; **refused** if the
  server marks it anyway.
- CONSTRUCT/DESCRIBE (``query``): **refused** when cut off. A cut counts template triples, not
  solutions, so no slice of the query maps onto it; ecograph itself never sends one (exports
  page a SELECT over the quads instead).
- Graph Store Protocol: ecograph only writes through it (POST/PUT), so no GET reads a graph.
- A partial "anytime" answer is **refused**: a time limit, not a row cap, cut it, and paging
  would only hit it again.

The pages are separate requests: a write landing between two of them can show in the result.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
from pyparsing import ParseException
from rdflib.plugins.sparql.parser import parseQuery
from SPARQLWrapper import (
    ASK,
    BASIC,
    CONSTRUCT,
    CSV,
    DESCRIBE,
    DIGEST,
    JSON,
    POST,
    SELECT,
    TURTLE,
    SPARQLWrapper,
)
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException, Unauthorized

from ecograph.binding import bind
from ecograph.namespaces import DEFAULT_BASE_IRI, PREFIXES, graph_iri
from ecograph.rdfterms import nt_iri
from ecograph.store.base import StoreError, Term, csv_values, rdf_stream, select_rows
from ecograph.store.credentials import Challenge, Credentials, challenge
from ecograph.store.triple_batches import TripleBatches

_MEDIA_TYPES = {
    ox.RdfFormat.N_TRIPLES: "application/n-triples",
    ox.RdfFormat.TURTLE: "text/turtle",
    ox.RdfFormat.N_QUADS: "application/n-quads",
    ox.RdfFormat.TRIG: "application/trig",
    ox.RdfFormat.JSON_LD: "application/ld+json",
    ox.RdfFormat.RDF_XML: "application/rdf+xml",
}
_PREFIX_HEADER = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())

#: Where a load of a graph gathers its triples before they are put in place.
SCRATCH_SUFFIX = "/loading"
#: Virtuoso's mark of a result cut at its ``ResultSetMaxRows``: the cap it applied.
MAX_ROWS_HEADER = "X-SPARQL-MaxRows"
#: ``ecograph serve``'s mark of a result cut at ``--max-rows`` (server/app.py sends it; the
#: store layer sits below the server and cannot import it from there).
TRUNCATED_HEADER = "X-Ecograph-Truncated"
#: Virtuoso's mark of an "anytime" query stopped by its time limit (a partial answer).
ANYTIME_HEADER = "X-SQL-State"
#: What a user can change on the server, named in every refusal.
_CAP_SETTINGS = (
    "raise the server's row cap (Virtuoso: ResultSetMaxRows in the [SPARQL] "
    "section of virtuoso.ini; ecograph serve: --max-rows) or narrow the query; "
    "see docs/remote.md"
)
_VARIABLE_NAME = re.compile(r"\w+")


class ResultCutOffError(StoreError):
    """The server cut a result off and ecograph could not page past it.

    A ``StoreError``, so commands report it as one line and exit 1 instead of going on with
    part of the data.
    """


@dataclass(frozen=True)
class _Reply:
    """One decoded response and what the server said about its completeness."""

    names: list[str]
    rows: list[Any]
    headers: Message
    marked: bool = False  # a JSON result's own ``"truncated": true`` (ecograph serve)
    boolean: bool | None = None  # an ASK answer


@dataclass(frozen=True)
class _Format:
    """A results format: what SPARQLWrapper asks for, and how its body is read."""

    name: str
    decode: Callable[[bytes, Message], _Reply]


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
        credentials: Credentials | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.update_endpoint = update_endpoint
        self.gsp_endpoint = gsp_endpoint
        self.timeout = timeout
        self.credentials = credentials
        self._base_iri = base_iri or os.environ.get("ECOGRAPH_BASE_IRI") or DEFAULT_BASE_IRI
        self._challenges: dict[str, Challenge | None] = {}

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
        text = _query_text(sparql, bindings)
        client = self._read_client(text)
        if client.queryType in ("CONSTRUCT", "DESCRIBE"):
            return iter(self._graph_result(client))
        reply = self._fetch(client, _JSON)
        if reply.boolean is not None:
            reason = _cut_off(reply)
            if reason is not None:
                raise self._cut_error(reason, 1, "an ASK answer cannot be paged")
            return reply.boolean
        rows = self._complete(text, reply, _JSON)
        return SelectResult([ox.Variable(name) for name in reply.names], rows)

    def select(
        self, sparql: str, bindings: Mapping[str, Term] | None = None
    ) -> list[dict[str, Term | None]]:
        """A SELECT's rows as dicts keyed by variable name (unbound → None)."""
        return select_rows(self.query(sparql, bindings))

    def select_values(
        self, sparql: str, bindings: Mapping[str, Term] | None = None
    ) -> list[list[str]]:
        """A SELECT's rows as lists of plain strings, fetched as SPARQL CSV (the smallest
        and fastest results format to parse for bulk scans)."""
        text = _query_text(sparql, bindings)
        client = self._read_client(text)
        return self._complete(text, self._fetch(client, _CSV), _CSV)

    def ask(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> bool:
        """An ASK query's answer."""
        return bool(self.query(sparql, bindings))

    def named_graphs(self) -> list[str]:
        """Every named graph of ecograph's (under ``{base}graph/``), sorted.

        A server keeps graphs of its own beside ecograph's (Virtuoso: its ``virtrdf#``
        mappings, LDP and URIQA graphs); they are not data to validate, count or export.
        """
        rows = self.select(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            "VALUES ?own { UNDEF } FILTER(STRSTARTS(STR(?g), ?own)) }",
            self._own_graphs(),
        )
        return sorted(row["g"].value for row in rows if isinstance(row["g"], ox.NamedNode))

    def has_graph(self, graph: str) -> bool:
        """Whether the named graph holds any triple."""
        return self.ask(
            "ASK { VALUES ?g { UNDEF } GRAPH ?g { ?s ?p ?o } }", {"g": ox.NamedNode(graph)}
        )

    def __len__(self) -> int:
        """How many quads ecograph's graphs hold."""
        query = (
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            "VALUES ?own { UNDEF } FILTER(STRSTARTS(STR(?g), ?own)) }"
        )
        row = self.select(query, self._own_graphs())[0]
        return int(row["n"].value)  # type: ignore[union-attr]

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Every quad of ecograph's graphs, or of one graph.

        A double is read through its text as well (``?doubleText``): Virtuoso prints a typed
        double to 6 significant digits in every results format, its ``STR()`` to 16, so an
        export would otherwise round every metric.
        """
        if graph is not None:
            rows = self.select(_QUADS_OF_GRAPH, {"g": ox.NamedNode(graph)})
        else:
            rows = self.select(_QUADS_OF_OWN_GRAPHS, self._own_graphs())
        return (
            ox.Quad(r["s"], r["p"], _double_whole(r["o"], r["doubleText"]), r["g"])  # type: ignore[arg-type]
            for r in rows
        )

    def _own_graphs(self) -> dict[str, Term]:
        """The binding that keeps a query to ecograph's graphs: their common IRI prefix."""
        return {"own": ox.Literal(graph_iri(self._base_iri, ""))}

    def dump(self, output: IO[bytes], *, format: ox.RdfFormat, graph: str | None = None) -> None:
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
        probe = "ASK { VALUES ?s { UNDEF } VALUES ?p { UNDEF } VALUES ?o { UNDEF } ?s ?p ?o }"
        if not self.ask(probe, {k: v for k, v in row.items() if v is not None}):
            raise StoreError(
                f"{self.endpoint} does not query the union of its named graphs by default, "
                "which ecograph needs (one graph per source). Oxigraph: start it with "
                "--union-default-graph; Fuseki: set tdb2:unionDefaultGraph true; see "
                "docs/remote.md."
            )

    # ------------------------------------------------------------------ writing
    def load(
        self,
        source: Path | bytes | IO[bytes],
        *,
        format: ox.RdfFormat,
        graph: str,
        extra_ntriples: str = "",
        replace: bool = False,
    ) -> None:
        """Send RDF to ``graph`` so that it lands whole or not at all, on any server.

        The triples (and ``extra_ntriples``, the graph's provenance) go through the Graph Store
        endpoint in batches into a scratch graph of their own, which is counted, then put in
        place by one update (``MOVE`` to replace the graph, ``ADD`` to add to it). ``graph``
        changes only once every triple has arrived and been counted; a failure before that
        drops the scratch graph and leaves ``graph`` as it was. Readers of the union default
        graph see the scratch graph while it fills; a load killed before its end leaves it
        behind until the next load of the same graph drops it (two loads of one graph at
        once spoil each other's count, and both stop with nothing changed). Batches, because
        one large request can hang a server (Virtuoso); the switch is one update request,
        which servers that run an update as a transaction apply atomically (Oxigraph, Fuseki;
        see docs/remote.md for Virtuoso).
        """
        if self.gsp_endpoint is None:
            raise StoreError(
                "loading into a remote store needs its Graph Store Protocol URL: "
                "give --gsp-endpoint (Oxigraph: http://host:port/store)."
            )
        if self.update_endpoint is None:
            raise StoreError(
                "loading into a remote store needs its update endpoint too (a load is put in "
                "place by one update): give --update-endpoint."
            )
        if extra_ntriples and format not in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE):
            raise StoreError(
                f"Provenance can only be appended to N-Triples or Turtle input, "
                f"not {format.name}; convert the input first."
            )
        where = f"{source}: " if isinstance(source, Path) else ""
        scratch = graph + SCRATCH_SUFFIX
        # What a load of this graph killed before its end left behind (readers see it).
        self.drop_graph(scratch)
        try:
            with rdf_stream(source, extra_ntriples) as stream:
                batches = TripleBatches(stream, format, where=where)
                for batch in batches:
                    self._post_graph(scratch, batch)
            arrived = self._count_graph(scratch)
            if arrived != batches.distinct:
                raise StoreError(
                    f"{self.gsp_endpoint} kept {arrived:,} of the {batches.distinct:,} "
                    f"triples sent for {graph}; nothing was changed."
                )
            verb = "MOVE" if replace else "ADD"
            try:
                self.update(f"{verb} SILENT GRAPH {nt_iri(scratch)} TO GRAPH {nt_iri(graph)}")
            except StoreError as err:
                if _TRANSACTION_TOO_LARGE not in str(err):
                    raise
                raise StoreError(
                    f"{self.update_endpoint} would not put the {arrived:,} triples of {graph} "
                    f"in place in one transaction ({_TRANSACTION_TOO_LARGE}: its log passed "
                    "TransactionAfterImageLimit): raise TransactionAfterImageLimit in the "
                    "[Parameters] section of virtuoso.ini (see docs/remote.md). Nothing was "
                    "changed."
                ) from None
        finally:
            self._drop_quietly(scratch)

    def _post_graph(self, graph: str, body: bytes) -> None:
        url = self.gsp_endpoint + "?" + urllib.parse.urlencode({"graph": graph})  # type: ignore[operator]
        self._http("POST", url, body, _MEDIA_TYPES[ox.RdfFormat.N_TRIPLES])

    def _count_graph(self, graph: str) -> int:
        query = "SELECT (COUNT(*) AS ?n) WHERE { VALUES ?g { UNDEF } GRAPH ?g { ?s ?p ?o } }"
        row = self.select(query, {"g": ox.NamedNode(graph)})[0]
        return int(row["n"].value)  # type: ignore[union-attr]

    def _drop_quietly(self, graph: str) -> None:
        """Drop a scratch graph, even while another error is on its way up (which matters
        more than a failed clean-up)."""
        with contextlib.suppress(StoreError):
            self.drop_graph(graph)

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Insert a few quads with one INSERT DATA (terms serialised by pyoxigraph)."""
        buffer = io.BytesIO()
        ox.serialize(quads, buffer, ox.RdfFormat.TRIG)
        self.update("INSERT DATA {\n" + buffer.getvalue().decode() + "\n}")

    def update(self, sparql_update: str) -> None:
        """Run one of ecograph's own updates on the update endpoint."""
        if self.update_endpoint is None:
            raise StoreError(
                "this remote store is read-only for ecograph: give --update-endpoint to change it."
            )
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
        asked = self._challenge(url)
        if asked is not None and self.credentials is not None:
            client.setHTTPAuth(DIGEST if asked.scheme == "digest" else BASIC)
            client.setCredentials(self.credentials.user, self.credentials.password, asked.realm)
        return client

    def _read_client(self, text: str) -> SPARQLWrapper:
        """A client for a query, which is sent as a query whatever SPARQLWrapper guesses.

        SPARQLWrapper guesses the form from the first keyword it finds, but strips only every
        other line of a comment block, so a comment saying "drops" made it send a SELECT as
        an update (refused by Oxigraph, *run* by Virtuoso, whose endpoint takes both).
        """
        client = self._client(self.endpoint)
        client.setQuery(text)
        if client.queryType not in _READ_FORMS:
            parsed = _parse(text)
            client.queryType = _READ_FORMS.get(getattr(parsed, "name", ""), SELECT)
        return client

    def _challenge(self, url: str) -> Challenge | None:
        """What ``url`` asks of a client, asked once; nothing is asked without credentials."""
        if self.credentials is None:
            return None
        if url not in self._challenges:
            self._challenges[url] = challenge(url, timeout=self.timeout)
        return self._challenges[url]

    def _run(self, client: SPARQLWrapper) -> Any:
        try:
            with _global_opener_kept():
                return client.query()
        except Unauthorized:
            detail = _unauthorised(self.credentials is not None)
            raise StoreError(f"{client.endpoint} answered 401: {detail}") from None
        except SPARQLWrapperException as err:
            raise StoreError(f"{client.endpoint} refused the request: {err}") from None
        except (urllib.error.URLError, OSError) as err:
            raise StoreError(f"cannot reach {client.endpoint}: {err}") from None

    def _fetch(self, client: SPARQLWrapper, result_format: _Format) -> _Reply:
        """Run a read and decode its response, keeping the headers that tell a cut-off.

        Every read goes through here, so none can skip the checks. A partial "anytime" answer
        is refused at once: a time limit stopped it, and asking again for pages would not help.
        """
        client.setReturnFormat(result_format.name)
        response = self._run(client).response
        try:
            body = response.read()
        except OSError as err:
            raise StoreError(f"cannot read the answer of {client.endpoint}: {err}") from None
        headers = response.info()
        state = headers.get(ANYTIME_HEADER)
        if state is not None:
            message = headers.get("X-SQL-Message", "")
            raise ResultCutOffError(
                f"{self.endpoint} returned a partial result ({ANYTIME_HEADER}: {state} "
                f"{message}): its query time limit stopped the query. ecograph does not take "
                "a partial result as complete: raise the server's time limit (Virtuoso: "
                "MaxQueryExecutionTime in the [SPARQL] section of virtuoso.ini) or narrow the "
                "query."
            )
        return result_format.decode(body, headers)

    def _complete(self, text: str, reply: _Reply, result_format: _Format) -> list[Any]:
        """The rows of a SELECT, paged when the server marks the first answer as cut off."""
        reason = _cut_off(reply)
        if reason is None:
            return reply.rows
        parsed = _parse(text)
        if _cut_off(reply, limit=_own_limit(parsed)) is None:
            return reply.rows  # its own LIMIT is within the announced cap: nothing was cut
        paged, why_not = _pageable(parsed, text, reply.names)
        if paged is None:
            raise self._cut_error(reason, len(reply.rows), why_not)
        if not reply.rows:
            raise self._cut_error(reason, 0, "there is no page size to page by")
        return self._pages(paged, reply.names, len(reply.rows), result_format)

    def _pages(self, paged: str, names: list[str], size: int, result_format: _Format) -> list[Any]:
        """Every row of a totally ordered query, ``size`` rows (what the server let through
        at once) per request, until a page comes back short.

        A page is the sorted query with ``LIMIT size OFFSET k`` at its end. Virtuoso refuses
        that once ``size + k`` passes its ``MaxSortedTopRows`` (error SR353, 10,000 rows by
        default); from then on the page is asked for in the form Virtuoso serves at any offset: the
        sorted query as a subquery and the slice outside it, which it serves at any offset.
        """
        rows: list[Any] = []
        offset = 0
        wrapped = False
        while True:
            query = _page(paged, names, size, offset, wrapped=wrapped)
            try:
                page = self._fetch_page(query, result_format)
            except ResultCutOffError:
                raise
            except StoreError as err:
                if not wrapped and _SORT_LIMIT_REFUSAL in str(err):
                    wrapped = True
                    continue
                raise ResultCutOffError(
                    f"{self.endpoint} cut the result off after {size:,} rows, and refused "
                    f"the page at offset {offset:,} that ecograph asked for to read the rest "
                    f"({err}). {_CAP_SETTINGS}."
                ) from None
            reason = _cut_off(page, limit=size)
            if reason is not None:
                raise self._cut_error(
                    reason, len(page.rows), f"a page of {size:,} rows was cut off again"
                )
            if page.names != names:
                raise StoreError(
                    f"{self.endpoint} answered a page with variables "
                    f"{page.names} instead of {names}."
                )
            rows.extend(page.rows)
            if len(page.rows) < size:
                return rows
            offset += size

    def _fetch_page(self, query: str, result_format: _Format) -> _Reply:
        client = self._read_client(query)
        return self._fetch(client, result_format)

    def _graph_result(self, client: SPARQLWrapper) -> list[ox.Triple]:
        """A CONSTRUCT or DESCRIBE result's triples, refused when cut off."""
        reply = self._fetch(client, _TURTLE)
        reason = _cut_off(reply)
        if reason is not None:
            raise self._cut_error(
                reason, len(reply.rows), "a CONSTRUCT or DESCRIBE result cannot be paged"
            )
        return reply.rows

    def _cut_error(self, reason: str, count: int, why: str) -> ResultCutOffError:
        return ResultCutOffError(
            f"{self.endpoint} cut the result off after {count:,} rows ({reason}), and {why}. "
            f"ecograph does not take a cut-off result as complete: {_CAP_SETTINGS}."
        )

    def _http(self, method: str, url: str, body: bytes, media_type: str) -> None:
        request = urllib.request.Request(
            url, data=body, method=method, headers={"Content-Type": media_type}
        )
        open_url = urllib.request.urlopen
        endpoint = url.partition("?")[0]
        asked = self._challenge(endpoint)
        if asked is not None and self.credentials is not None:
            open_url = self.credentials.opener(asked, endpoint).open  # type: ignore[assignment]
        try:
            with open_url(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as err:
            detail = err.read().decode("utf-8", "replace")[:500]
            if err.code == 401:
                detail = _unauthorised(self.credentials is not None)
            raise StoreError(f"{url} answered {err.code}: {detail}") from None
        except (urllib.error.URLError, OSError) as err:
            raise StoreError(f"cannot reach {url}: {err}") from None


#: The query forms, by SPARQLWrapper's names and by rdflib's parse names.
_READ_FORMS = {form: form for form in (SELECT, ASK, CONSTRUCT, DESCRIBE)} | {
    "SelectQuery": SELECT,
    "AskQuery": ASK,
    "ConstructQuery": CONSTRUCT,
    "DescribeQuery": DESCRIBE,
}
_XSD_DOUBLE = ox.NamedNode(PREFIXES["xsd"] + "double")
_DOUBLE_TEXT = "BIND(IF(isLiteral(?o) && DATATYPE(?o) = xsd:double, STR(?o), ?none) AS ?doubleText)"
_QUADS_OF_GRAPH = (
    "SELECT ?s ?p ?o ?g ?doubleText WHERE { VALUES ?g { UNDEF } GRAPH ?g { ?s ?p ?o } "
    f"{_DOUBLE_TEXT} }}"
)
_QUADS_OF_OWN_GRAPHS = (
    "SELECT ?s ?p ?o ?g ?doubleText WHERE { GRAPH ?g { ?s ?p ?o } "
    f"VALUES ?own {{ UNDEF }} FILTER(STRSTARTS(STR(?g), ?own)) {_DOUBLE_TEXT} }}"
)


def _double_whole(term: Term | None, text: Term | None) -> Term | None:
    """A double rebuilt from its text when the server sent one (see ``quads``)."""
    if text is None or not text.value:
        return term
    return ox.Literal(text.value, datatype=_XSD_DOUBLE)


@contextlib.contextmanager
def _global_opener_kept() -> Iterator[None]:
    """Put back urllib's process-wide opener after a SPARQLWrapper request.

    For HTTP Digest, SPARQLWrapper installs an opener holding the credentials for the whole
    process (``urllib.request.install_opener``): every later request to that endpoint would
    carry them, whoever made it.
    """
    previous = getattr(urllib.request, "_opener", None)
    try:
        yield
    finally:
        urllib.request.install_opener(previous)


def _unauthorised(had_credentials: bool) -> str:
    """What to do about a 401."""
    if had_credentials:
        return "it refused the user and password of ECOGRAPH_HTTP_USER and ECOGRAPH_HTTP_PASSWORD."
    return (
        "it asks who you are: set ECOGRAPH_HTTP_USER and ECOGRAPH_HTTP_PASSWORD in the "
        "environment (never on the command line)."
    )


def _query_text(sparql: str, bindings: Mapping[str, Term] | None) -> str:
    """The text sent to the server: ecograph's prefixes, then the query with its bindings."""
    return _PREFIX_HEADER + _without_header_comments(bind(sparql, bindings) if bindings else sparql)


def _cut_off(reply: _Reply, *, limit: int | None = None) -> str | None:
    """The server's mark that ``reply`` is incomplete, or None when nothing says so.

    ``X-SPARQL-MaxRows: N`` counts as a cut when N or more rows came back (whether Virtuoso
    sends it on complete results too varies, and a complete result under the cap is safe),
    unless ``limit`` (the query's own LIMIT) is within the cap: then the cap cut nothing.
    """
    if reply.marked or reply.headers.get(TRUNCATED_HEADER, "").strip().lower() == "true":
        return f"{TRUNCATED_HEADER}: true"
    announced = reply.headers.get(MAX_ROWS_HEADER)
    if announced is None:
        return None
    try:
        cap = int(announced.strip())
    except ValueError:
        return f"{MAX_ROWS_HEADER}: {announced}"
    count = 1 if reply.boolean is not None else len(reply.rows)
    if count >= cap and (limit is None or limit > cap):
        return f"{MAX_ROWS_HEADER}: {cap}"
    return None


#: Virtuoso's error when one transaction's log passes its ``TransactionAfterImageLimit``.
_TRANSACTION_TOO_LARGE = "SR325"
#: Virtuoso's error when a sorted slice passes its ``MaxSortedTopRows``.
_SORT_LIMIT_REFUSAL = "SR353"
#: A query's prologue: its comments, BASE and PREFIX declarations.
_PROLOGUE = re.compile(r"(?:\s+|#[^\n]*|BASE\s*<[^>]*>|PREFIX\s+[\w.-]*:\s*<[^>]*>)*", re.I)


def _page(paged: str, names: list[str], size: int, offset: int, *, wrapped: bool) -> str:
    """One page of a totally ordered query: the slice at its end, or (``wrapped``) the query
    as a subquery with the slice outside, projecting its variables in their order."""
    if not wrapped:
        return f"{paged}\nLIMIT {size} OFFSET {offset}"
    prologue = _PROLOGUE.match(paged)
    cut = prologue.end() if prologue else 0
    keys = " ".join("?" + name for name in names)
    return (
        f"{paged[:cut]}SELECT {keys} WHERE {{ {{\n{paged[cut:]}\n}} }}\n"
        f"LIMIT {size} OFFSET {offset}"
    )


def _parse(text: str) -> Any | None:
    """rdflib's parse of a query (its query part), or None when rdflib cannot read it."""
    try:
        return parseQuery(text)[1]
    except (ParseException, ValueError, TypeError):
        return None


def _own_limit(parsed: Any | None) -> int | None:
    """A SELECT's own LIMIT: the most rows it can return whatever the server's cap."""
    if parsed is None or "limitoffset" not in parsed or "limit" not in parsed["limitoffset"]:
        return None  # (rdflib's CompValue.get answers a missing key with its name)
    return int(parsed["limitoffset"]["limit"])


def _pageable(parsed: Any | None, text: str, names: list[str]) -> tuple[str | None, str]:
    """The query made ready for ``LIMIT n OFFSET k`` with a total order, or None and why not.

    Decided on rdflib's parse of the query: with no LIMIT, OFFSET or trailing VALUES, the
    query's text ends with its solution modifiers, so the projected variables can be appended
    as the last sort keys (after its own ORDER BY, which keeps its order) and the slice after
    them. The variable names come from the server's answer: only plain names are used.
    """
    if not names or not all(_VARIABLE_NAME.fullmatch(name) for name in names):
        return None, "its variables cannot be used to order pages"
    if parsed is None:
        return None, "ecograph cannot parse the query to page it"
    if parsed.name != "SelectQuery":
        return None, "only a SELECT can be paged"
    if "limitoffset" in parsed:
        return None, "the query has its own LIMIT or OFFSET, so it cannot be paged"
    if "valuesClause" in parsed:
        return None, "the query ends with a VALUES block, so it cannot be paged"
    keys = " ".join("?" + name for name in names)
    if "orderby" in parsed:
        return f"{text}\n{keys}", ""
    return f"{text}\nORDER BY {keys}", ""


def _json_reply(body: bytes, headers: Message) -> _Reply:
    """A SPARQL 1.1 JSON result (SELECT or ASK)."""
    payload = json.loads(body.decode("utf-8"))
    marked = payload.get("truncated") is True
    if "boolean" in payload:
        return _Reply([], [], headers, marked, bool(payload["boolean"]))
    names = payload["head"].get("vars", [])
    rows = [
        {name: _term(binding.get(name)) for name in names}
        for binding in payload["results"]["bindings"]
    ]
    return _Reply(names, rows, headers, marked)


def _csv_reply(body: bytes, headers: Message) -> _Reply:
    """A SPARQL 1.1 CSV result: the names from its first line (variable names never hold a
    line break), the rows as ``csv_values`` reads them."""
    first = body.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8")
    names = next(csv.reader([first]), []) if first else []
    return _Reply(names, csv_values(body), headers)


def _turtle_reply(body: bytes, headers: Message) -> _Reply:
    """A graph result (CONSTRUCT, DESCRIBE) in Turtle."""
    return _Reply([], list(ox.parse(body, ox.RdfFormat.TURTLE)), headers)


_JSON = _Format(JSON, _json_reply)
_CSV = _Format(CSV, _csv_reply)
_TURTLE = _Format(TURTLE, _turtle_reply)


def _without_header_comments(text: str) -> str:
    """The query without its leading comment lines (a library query's header).

    SPARQLWrapper guesses the query form from the text and takes the "describe" of a
    ``# description:`` line for a DESCRIBE query, then asks for the wrong result format.
    Only the leading block goes: a later ``#`` line could be inside a long string literal.
    """
    lines = text.splitlines(keepends=True)
    start = 0
    while start < len(lines) and (
        not lines[start].strip() or lines[start].lstrip().startswith("#")
    ):
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
        return _blank_node(value["value"])
    if "xml:lang" in value:
        return ox.Literal(value["value"], language=value["xml:lang"])
    if "datatype" in value:
        return ox.Literal(value["value"], datatype=ox.NamedNode(value["datatype"]))
    return ox.Literal(value["value"])


def _blank_node(label: str) -> ox.BlankNode:
    """A blank node from a server's label for it, which need not be a valid N-Triples label:
    Virtuoso names them ``nodeID://b10001``. The same label always gives the same node, so
    a blank node met in several rows stays one, and two labels never give one node."""
    try:
        return ox.BlankNode(label)
    except ValueError:
        return ox.BlankNode("x" + label.encode("utf-8").hex())
