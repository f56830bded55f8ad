"""A SPARQL endpoint on 127.0.0.1 that cuts results off the way Virtuoso does, for tests.

Virtuoso answers at most ``ResultSetMaxRows`` rows (or triples) per response: it sends the
first N with a normal, complete-looking body and says so only in ``X-SPARQL-MaxRows: N``.
``ecograph serve`` does the same with ``X-Ecograph-Truncated: true``. This stub evaluates each
query with pyoxigraph on an in-memory store (default graph = union of the named graphs, as
ecograph needs) and cuts the answer the same way, with a small N so tests are fast. It can
also refuse deep sorted pages as Virtuoso's ``MaxSortedTopRows`` does, and mark answers as
partial as Virtuoso's "anytime" queries do.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
#: A sorted slice: ORDER BY then LIMIT/OFFSET at the end of the same group. Not the sorted
#: subquery sliced outside it, which Virtuoso serves at any offset.
_SLICE = re.compile(r"ORDER\s+BY[^{}]*LIMIT\s+(\d+)\s+OFFSET\s+(\d+)\s*$", re.I | re.S)


@dataclass
class CappingEndpoint:
    """What the stub holds and how it cuts; tests change the settings between requests.

    ``style``: "virtuoso" (``X-SPARQL-MaxRows``), "ecograph" (``X-Ecograph-Truncated``, and
    ``"truncated"`` in JSON, as ``ecograph serve`` does) or "ecograph-body" (the JSON member
    only, as behind a proxy that drops unknown headers).
    ``announce_always``: send ``X-SPARQL-MaxRows`` on every answer, cut or not.
    ``mark_everything``: mark every answer as cut, even one that is not.
    ``max_sorted_top_rows``: refuse ORDER BY … LIMIT n OFFSET k with n + k above it.
    ``anytime``: mark every answer as partial (``X-SQL-State: S1TAT``).
    """

    store: ox.Store
    max_rows: int = 5
    style: str = "virtuoso"
    announce_always: bool = False
    mark_everything: bool = False
    max_sorted_top_rows: int | None = None
    anytime: bool = False
    url: str = ""
    queries: list[str] = field(default_factory=list)

    def answer(self, query: str, accept: str) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body for one query."""
        self.queries.append(query)
        refusal = self._sorted_top_refusal(query)
        if refusal is not None:
            return 500, {"Content-Type": "text/plain"}, refusal.encode()
        try:
            result = self.store.query(query, use_default_graph_as_union=True)
        except SyntaxError as err:
            return 400, {"Content-Type": "text/plain"}, str(err).encode()
        if isinstance(result, ox.QueryBoolean):
            body = json.dumps({"head": {}, "boolean": bool(result)}).encode()
            return 200, self._headers("application/sparql-results+json", False), body
        if isinstance(result, ox.QueryTriples):
            triples, cut = self._cut(result)
            body = ox.serialize(triples, format=ox.RdfFormat.TURTLE)
            return 200, self._headers("text/turtle", cut), body
        names = [variable.value for variable in result.variables]
        rows, cut = self._cut(result)
        if "text/csv" in accept:
            return 200, self._headers("text/csv", cut), _csv(names, rows)
        member = cut or self.mark_everything if self.style.startswith("ecograph") else None
        return (
            200,
            self._headers("application/sparql-results+json", cut),
            _json(names, rows, member),
        )

    def _cut(self, result: Any) -> tuple[list[Any], bool]:
        """The first ``max_rows`` items, and whether there were more."""
        items = list(itertools.islice(result, self.max_rows + 1))
        return items[: self.max_rows], len(items) > self.max_rows

    def _headers(self, media_type: str, cut: bool) -> dict[str, str]:
        headers = {"Content-Type": media_type}
        cut = cut or self.mark_everything
        if self.style == "virtuoso" and (cut or self.announce_always):
            headers["X-SPARQL-MaxRows"] = str(self.max_rows)
        if self.style == "ecograph":
            headers["X-Ecograph-Truncated"] = "true" if cut else "false"
        if self.anytime:
            headers["X-SQL-State"] = "S1TAT"
            headers["X-SQL-Message"] = "RC...: Returning incomplete results, query interrupted"
        return headers

    def _sorted_top_refusal(self, query: str) -> str | None:
        """Virtuoso's SR353 error for a sorted slice deeper than ``max_sorted_top_rows``."""
        if self.max_sorted_top_rows is None:
            return None
        match = _SLICE.search(query)
        if match is None or int(match.group(1)) + int(match.group(2)) <= self.max_sorted_top_rows:
            return None
        return (
            f"Virtuoso 22023 Error SR353: Sorted TOP clause specifies more then "
            f"{self.max_sorted_top_rows + 1} rows to sort. Only "
            f"{self.max_sorted_top_rows} are allowed."
        )


def _json(names: list[str], rows: list[ox.QuerySolution], truncated: bool | None) -> bytes:
    bindings = [
        {name: _json_term(row[name]) for name in names if row[name] is not None} for row in rows
    ]
    document: dict[str, Any] = {"head": {"vars": names}}
    if truncated is not None:
        document["truncated"] = truncated
    document["results"] = {"bindings": bindings}
    return json.dumps(document).encode()


def _json_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    value = {"type": "literal", "value": term.value}
    if term.language:
        value["xml:lang"] = term.language
    elif term.datatype.value != XSD_STRING:
        value["datatype"] = term.datatype.value
    return value


def _csv(names: list[str], rows: list[ox.QuerySolution]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    writer.writerows(
        [["" if row[name] is None else _csv_cell(row[name]) for name in names] for row in rows]
    )
    return buffer.getvalue().encode()


def _csv_cell(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    return "_:" + term.value if isinstance(term, ox.BlankNode) else term.value


class _Handler(BaseHTTPRequestHandler):
    endpoint: CappingEndpoint  # set on the subclass made per server

    def do_GET(self) -> None:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).get("query")
        self._reply(query[0] if query else "")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8"))
        self._reply(form.get("query", [""])[0])

    def _reply(self, query: str) -> None:
        status, headers, body = self.endpoint.answer(query, self.headers.get("Accept", ""))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read the recorded queries instead."""


@contextmanager
def capping_endpoint(store: ox.Store, **settings: Any) -> Iterator[CappingEndpoint]:
    """Serve ``store`` on a free port of 127.0.0.1 until the block ends."""
    endpoint = CappingEndpoint(store, **settings)
    handler = type("Handler", (_Handler,), {"endpoint": endpoint})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    endpoint.url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield endpoint
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
