"""The SPARQL 1.1 Protocol's rules that need no engine: media types, content negotiation,
dataset parameters and where a syntax error is.

Kept apart from the web framework and from the workers so that both sides of the pipe (the
server process that reads requests, the worker that serialises results) use one definition.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from ecograph.sparql_results import MEDIA_TYPES

SPARQL_JSON = MEDIA_TYPES["json"]
SPARQL_XML = MEDIA_TYPES["xml"]
CSV = MEDIA_TYPES["csv"]
TSV = MEDIA_TYPES["tsv"]
TURTLE = "text/turtle"
N_TRIPLES = "application/n-triples"
JSON_LD = "application/ld+json"
RDF_XML = "application/rdf+xml"

#: Media types offered for SELECT and ASK results, the preferred first. Aliases that clients
#: send (``application/json``, ``text/xml``...) are answered with the canonical type.
RESULTS_OFFERS: tuple[tuple[str, str], ...] = (
    (SPARQL_JSON, SPARQL_JSON),
    ("application/json", SPARQL_JSON),
    (SPARQL_XML, SPARQL_XML),
    ("application/xml", SPARQL_XML),
    ("text/xml", SPARQL_XML),
    (CSV, CSV),
    (TSV, TSV),
)
#: Media types offered for CONSTRUCT and DESCRIBE results, the preferred first.
GRAPH_OFFERS: tuple[tuple[str, str], ...] = (
    (TURTLE, TURTLE),
    ("application/x-turtle", TURTLE),
    ("application/turtle", TURTLE),
    (N_TRIPLES, N_TRIPLES),
    ("text/plain", N_TRIPLES),
    (JSON_LD, JSON_LD),
    ("application/x-json+ld", JSON_LD),
    (RDF_XML, RDF_XML),
)

QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
FORM_TYPE = "application/x-www-form-urlencoded"


class ProtocolError(ValueError):
    """A request that breaks the protocol; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


# --------------------------------------------------------------------------- negotiation
Accept = tuple[tuple[str, float], ...]


def parse_accept(header: str | None) -> Accept:
    """The media ranges of an ``Accept`` header with their q-values, best first (stable)."""
    if not header:
        return (("*/*", 1.0),)
    ranges: list[tuple[str, float]] = []
    for part in header.split(","):
        pieces = [piece.strip() for piece in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        quality = 1.0
        for parameter in pieces[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        ranges.append((media, quality))
    ranges.sort(key=lambda item: -item[1])
    return tuple(ranges) or (("*/*", 1.0),)


def negotiate(accept: Accept, offers: Sequence[tuple[str, str]]) -> str | None:
    """The canonical media type to answer with, or None when the client accepts none.

    The client's order wins (by q-value, then as written); among offers matching one media
    range (``*/*``, ``text/*``), ours are taken in our order of preference. Aliases
    (``text/xml`` for SPARQL XML...) answer only when named exactly, since the answer carries
    the canonical type, which a wildcard such as ``text/*`` may not cover.
    """
    for media, quality in accept:
        if quality <= 0:
            continue
        for offered, canonical in offers:
            if "*" in media and offered != canonical:
                continue
            if _matches(media, offered) and not _excluded(accept, offered):
                return canonical
    return None


def _matches(media_range: str, offered: str) -> bool:
    if media_range in ("*/*", "*"):
        return True
    kind, _, subtype = media_range.partition("/")
    offered_kind, _, offered_subtype = offered.partition("/")
    return kind == offered_kind and subtype in ("*", offered_subtype)


def _excluded(accept: Accept, offered: str) -> bool:
    """Whether the client said ``q=0`` for exactly this type."""
    return any(media == offered and quality <= 0 for media, quality in accept)


# --------------------------------------------------------------------------- dataset
@dataclass(frozen=True)
class Dataset:
    """Graphs named by protocol parameters; ``None`` means the parameter was not given."""

    default: tuple[str, ...] | None = None
    named: tuple[str, ...] | None = None

    @property
    def given(self) -> bool:
        """Whether the request chose its dataset (else the union of all graphs is queried)."""
        return self.default is not None or self.named is not None


def graph_iris(values: Sequence[str], parameter: str) -> tuple[str, ...] | None:
    """Checked IRIs of a repeated dataset parameter, None when absent; 400 on a bad IRI."""
    if not values:
        return None
    checked = []
    for value in values:
        try:
            checked.append(ox.NamedNode(value).value)
        except ValueError as err:
            raise ProtocolError(
                400, f"{parameter}={value!r} is not an absolute IRI ({err})"
            ) from None
    return tuple(checked)


def add_using(update: str, dataset: Dataset) -> str:
    """The update with the protocol's ``using-graph-uri`` / ``using-named-graph-uri`` written
    as ``USING`` / ``USING NAMED`` clauses before each operation's ``WHERE``.

    pyoxigraph's Python API takes no update dataset, so the clauses are added to the text —
    each IRI checked and written by pyoxigraph (``str(NamedNode)``), never pasted raw. The
    protocol forbids combining these parameters with ``WITH``/``USING`` in the text (400).
    ``DELETE WHERE`` and ``INSERT DATA``/``DELETE DATA`` have no ``WHERE`` to qualify.
    """
    if not dataset.given:
        return update
    clauses = " ".join(
        [f"USING {ox.NamedNode(g)}" for g in dataset.default or ()]
        + [f"USING NAMED {ox.NamedNode(g)}" for g in dataset.named or ()]
    )
    depth = 0
    previous = ""
    insert_at: list[int] = []
    for kind, text, start in _tokens(update):
        if kind == "other" and text == "{":
            depth += 1
        elif kind == "other" and text == "}":
            depth -= 1
        if kind == "word" and depth == 0:
            word = text.upper()
            if word in ("WITH", "USING"):
                raise ProtocolError(
                    400,
                    "using-graph-uri / using-named-graph-uri cannot be "
                    f"combined with {word} in the update text",
                )
            if word == "WHERE" and previous != "DELETE":
                insert_at.append(start)
        if kind not in ("space", "comment"):
            previous = text.upper()
    for offset in reversed(insert_at):
        update = update[:offset] + clauses + " " + update[offset:]
    return update


#: Just enough of SPARQL's lexical rules to find an update's top-level keywords and braces:
#: comments, strings (four quote styles), IRIs, variables and names are single tokens, so a
#: "WHERE" inside any of them is not taken for the keyword. Quantifiers are possessive and a
#: whole run of name characters, with the local part of a prefixed name, is one ``word``, so
#: each character is scanned a bounded number of times: no text makes the scan quadratic.
_TOKEN = re.compile(
    r"""
      (?P<space>\s++)
    | (?P<comment>\#[^\r\n]*+)
    | (?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*+'''
               |\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*+\"\"\"
               |'(?:[^'\\\r\n]|\\.)*+'
               |"(?:[^"\\\r\n]|\\.)*+")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*+>)
    | (?P<var>[?$]\w++)
    | (?P<word>(?:[\w\-.]++|(?=:))(?::[\w\-.:%\\]*+)?)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def _tokens(text: str) -> Iterator[tuple[str, str, int]]:
    """(kind, text, offset) of each token of ``text``, whitespace and comments included.

    An unterminated string or IRI is not swallowed: its opening character becomes an
    ``other`` token and the scan goes on.
    """
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:  # cannot happen: the last alternative matches any character
            return
        yield match.lastgroup or "other", match.group(), position
        position = match.end()


# --------------------------------------------------------------------------- errors
_POSITION = re.compile(r"error at (\d+):(\d+)")
_POSITION_WORDS = re.compile(r"line (\d+) between columns (\d+)")


def syntax_error_position(message: str) -> tuple[int | None, int | None]:
    """Line and column (1-based) named in a pyoxigraph syntax error message, if any."""
    for pattern in (_POSITION, _POSITION_WORDS):
        match = pattern.search(message)
        if match:
            return int(match.group(1)), int(match.group(2))
    return None, None
