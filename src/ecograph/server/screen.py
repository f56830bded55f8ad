"""What the endpoint refuses to run: requests that would make the server fetch URLs.

A SPARQL engine fetches URLs on a query's behalf: ``SERVICE`` sends a sub-query to any server
(pyoxigraph has an HTTP client built in), ``LOAD`` downloads a document into the store, and
``FROM`` / ``FROM NAMED`` / ``USING`` may be read as "fetch this graph" (rdflib does). An
endpoint that runs them is a proxy into every network it can reach, so they are refused
(DESIGN §8). The protocol's own ``default-graph-uri`` / ``named-graph-uri`` parameters stay
available: they only name graphs inside the store.

**How: on a parse, never on a second reading of the text.** A hand-written lexer disagrees
with the engine exactly where it matters: ``FILTER(1<2)SERVICE#>`` + newline +
``<http://…>`` reads as one IRI to a lexer that takes ``<`` as the start of an IRI, and as a
comparison, a SERVICE and a comment to pyoxigraph. pyoxigraph does not expose its parse, so
the request is parsed with rdflib's SPARQL 1.1 grammar — a full, context-driven grammar like
pyoxigraph's own — and the parse tree is walked for ``ServiceGraphPattern``, ``Load``,
``DatasetClause`` (FROM) and ``UsingClause``. A request that grammar cannot read is not run:
it is ``Unreadable`` (the caller then asks pyoxigraph whether it is a plain syntax error).

**Unicode escapes are not decoded first.** rdflib's ``parseQuery`` decodes ``\\uXXXX`` across
the whole text before parsing, but pyoxigraph decodes them only inside strings and IRIs, so
a decoded ``\\u0022`` would end a string for one and not the other. The grammar is therefore
called on the raw text, where a ``\\u`` escape reads as nothing rdflib knows: such a request
is Unreadable and refused, never run on a guess.

The parse runs in a worker process, inside the query time limit (see ``workers.py``): its
time on hostile text is then bounded by that limit, and the server's event loop never runs it.
Last, each worker is cut off the network (``sandbox.py``), in case this screen is ever wrong.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

from pyparsing import ParseBaseException, ParseResults
from rdflib.plugins.sparql import parser as sparql_grammar
from rdflib.plugins.sparql.parserutils import CompValue

#: rdflib grammar rule → the keyword a user wrote, for the rules that make an engine fetch.
_QUERY_BLOCKED = {"ServiceGraphPattern": "SERVICE", "DatasetClause": "FROM"}
_UPDATE_BLOCKED = {"ServiceGraphPattern": "SERVICE", "Load": "LOAD", "UsingClause": "USING"}

#: Deepest bracket nesting the screen parses. rdflib's grammar recurses some fifty Python
#: frames per level and its time grows with depth, so deeper text is refused before parsing;
#: queries people write nest a few levels, generated ones a few dozen.
MAX_NESTING = 256
_NOT_BRACKETS = re.compile(r"[^(){}\[\]]++")
_BRACKET_STEPS = {"(": 1, "{": 1, "[": 1, ")": -1, "}": -1, "]": -1}

_WHY = {
    "SERVICE": "it makes the server send queries to other servers",
    "FROM": "it can make an engine fetch graphs by URL; name graphs of the store with the "
    "default-graph-uri / named-graph-uri parameters instead",
    "LOAD": "it makes the server download documents",
    "USING": "it can make an engine fetch graphs by URL; name graphs of the store with the "
    "using-graph-uri / using-named-graph-uri parameters instead",
}


class Refused(ValueError):
    """A request the endpoint will not run; ``line``/``column`` point at the cause (1-based)
    when the parse tells where it is."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class Unreadable(Refused):
    """A request the screen's grammar cannot parse, so nothing can vouch for it."""


def screen(text: str, *, update: bool = False) -> None:
    """Raise ``Refused`` when ``text`` uses SERVICE, FROM (NAMED), LOAD (or, in an update,
    USING), ``Unreadable`` when rdflib's SPARQL 1.1 grammar cannot parse it or it nests
    brackets deeper than ``MAX_NESTING``."""
    if nesting_bound(text) > MAX_NESTING:
        raise Unreadable(
            f"The request nests brackets more than {MAX_NESTING} levels deep; this "
            "endpoint does not run requests that deep."
        )
    tree = _parse(text, update=update)
    blocked = _UPDATE_BLOCKED if update else _QUERY_BLOCKED
    for node in _nodes(tree):
        keyword = blocked.get(node.name)
        if keyword is not None:
            line, column = _position_of(node, text)
            where = f" (line {line}, column {column})" if line is not None else ""
            raise Refused(
                f"{keyword} is refused by this endpoint: {_WHY[keyword]}{where}.", line, column
            )


def nesting_bound(text: str) -> int:
    """How deep brackets nest in ``text``, counting those in strings and comments too.

    Never less than the depth of the request's own nesting, so it is safe for refusing
    (it can only refuse more), never for accepting.
    """
    steps = map(_BRACKET_STEPS.__getitem__, _NOT_BRACKETS.sub("", text))
    return max(itertools.accumulate(steps, initial=0))


def _parse(text: str, *, update: bool) -> Any:
    grammar = sparql_grammar.UpdateUnit if update else sparql_grammar.Query
    try:
        return grammar.parse_string(text, parse_all=True)
    except ParseBaseException as err:
        raise Unreadable(
            f"This endpoint checks every request for SERVICE, FROM and LOAD with a SPARQL 1.1 "
            f"parser, which cannot read this one at line {err.lineno}, column {err.col}. "
            "Write it in plain SPARQL 1.1 (characters themselves rather than \\u escapes).",
            err.lineno,
            err.col,
        ) from None
    except RecursionError:
        raise Unreadable(
            "The request is nested too deeply for this endpoint to check it for "
            "SERVICE, FROM and LOAD."
        ) from None


def _nodes(tree: Any) -> Iterator[CompValue]:
    """Every grammar-rule node of a parse tree, depth first, without recursion (a deeply
    nested request must not exhaust Python's stack here)."""
    stack = [tree]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            yield item
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, ParseResults | list | tuple):
            stack.extend(reversed(list(item)))


def _position_of(node: CompValue, text: str) -> tuple[int | None, int | None]:
    """Where a refused construct starts, when the parse kept its source text (rdflib keeps a
    SERVICE clause's); None otherwise."""
    source = node.get("service_string")
    if not isinstance(source, str) or not source:
        return None, None
    offset = text.find(source)
    if offset < 0:
        return None, None
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
