"""What the endpoint refuses before any engine sees a request: fetching keywords and big bodies.

**Why screen the text.** A SPARQL engine fetches URLs on a query's behalf: ``SERVICE`` sends a
sub-query to any server (pyoxigraph has an HTTP client built in), ``LOAD`` downloads a document
into the store, and ``FROM`` / ``FROM NAMED`` / ``USING`` may be read as "fetch this graph"
(rdflib does). An endpoint that does that is a proxy into every network it can reach, so these
keywords are refused (DESIGN §8). The protocol's own ``default-graph-uri`` / ``named-graph-uri``
parameters stay available: they only name graphs inside the store.

**How.** A small lexer walks the text the way the SPARQL grammar does — comments, strings (all
four quote styles), IRIs, variables and prefixed names — so that a keyword inside a string, an
IRI, a comment, a variable or the local part of a prefixed name is data, not a keyword. It errs
on the side of refusing: every run of name characters outside those places is refused if it
merely *contains* a blocked keyword (SPARQL has no identifiers there, only keywords, and the
engine's parser needs no space between tokens: ``1SERVICE``, ``trueSERVICE`` and ``SERVICE:x``
all reach the SERVICE rule), and so is a prefix label that contains one. The text is screened as
written and again with ``\\uXXXX`` escapes decoded, since the SPARQL grammar allows decoding
them before parsing. It runs in linear time, in the server process, before any worker is used;
rdflib's pyparsing-based parser was not used for this because its worst-case time on hostile
input is not bounded, and the screen runs outside the time limit.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterable, Iterator
from dataclasses import dataclass

#: Keywords refused in queries, and in updates (USING is the update form of FROM).
QUERY_BLOCKED = ("SERVICE", "FROM", "LOAD")
UPDATE_BLOCKED = ("SERVICE", "LOAD", "USING", "FROM")

_WHY = {
    "SERVICE": "it makes the server send queries to other servers",
    "FROM": "it can make an engine fetch graphs by URL; name graphs of the store with the "
            "default-graph-uri / named-graph-uri parameters instead",
    "LOAD": "it makes the server download documents",
    "USING": "it can make an engine fetch graphs by URL; name graphs of the store with the "
             "using-graph-uri / using-named-graph-uri parameters instead",
}

_LOCAL_ESCAPE = r"\\[_~.\-!$&'()*+,;=/?#@%]"
_TOKEN = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<comment>\#[^\r\n]*)
    | (?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
               |\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
               |'(?:[^'\\\r\n]|\\.)*'
               |"(?:[^"\\\r\n]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$]\w+)
    | (?P<pname>(?P<prefix>[^\W\d_][\w\-.]*)?:(?:[\w\-:%]|"""
    + _LOCAL_ESCAPE
    + r""")*)
    | (?P<word>\w+)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_CODEPOINT_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


class Refused(ValueError):
    """A request the endpoint will not run; ``line``/``column`` point at the cause (1-based)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None
                 ) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class BodyTooLarge(ValueError):
    """A request body (or query string) over the ``max_body_bytes`` setting."""


@dataclass(frozen=True)
class Token:
    """One lexical unit of SPARQL text: its kind, text and offset."""

    kind: str
    text: str
    start: int
    prefix: str | None = None


def tokens(text: str) -> Iterator[Token]:
    """The tokens of ``text`` (whitespace and comments included), in order.

    Unterminated strings and IRIs are not swallowed: their opening character becomes an
    ``other`` token and lexing goes on, so nothing after them escapes screening.
    """
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:  # cannot happen: the last alternative matches any character
            return
        kind = match.lastgroup or "other"
        yield Token(kind, match.group(), position, match.group("prefix"))
        position = match.end()


def line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def decode_codepoint_escapes(text: str) -> str:
    """``text`` with SPARQL's ``\\uXXXX`` / ``\\UXXXXXXXX`` escapes replaced by characters."""
    def replace(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)
    return _CODEPOINT_ESCAPE.sub(replace, text)


def find_blocked(text: str, blocked: tuple[str, ...]) -> tuple[str, int] | None:
    """The first blocked keyword in ``text`` outside strings, IRIs, comments, variables and
    local names, with its offset; None when there is none."""
    for token in tokens(text):
        if token.kind == "word":
            candidate = token.text
        elif token.kind == "pname" and token.prefix:
            candidate = token.prefix
        else:
            continue
        upper = candidate.upper()
        for keyword in blocked:
            found = upper.find(keyword)
            if found >= 0:
                return keyword, token.start + found
    return None


def screen(text: str, *, update: bool = False) -> None:
    """Raise ``Refused`` when ``text`` uses SERVICE, FROM (NAMED), LOAD (or, in an update,
    USING); the message says why and where."""
    blocked = UPDATE_BLOCKED if update else QUERY_BLOCKED
    hit = find_blocked(text, blocked)
    where_text = text
    if hit is None:
        decoded = decode_codepoint_escapes(text)
        if decoded != text:
            hit = find_blocked(decoded, blocked)
            where_text = decoded
    if hit is None:
        return
    keyword, offset = hit
    line, column = line_column(where_text, offset)
    raise Refused(f"{keyword} is refused by this endpoint: {_WHY[keyword]} "
                  f"(line {line}, column {column}).", line, column)


async def read_capped(chunks: AsyncIterable[bytes], declared_length: str | None, cap: int
                      ) -> bytes:
    """A request body, refused with ``BodyTooLarge`` as soon as it passes ``cap`` bytes.

    A declared ``Content-Length`` over the cap is refused before reading anything; a body sent
    without one (chunked) is counted as it arrives, so memory never holds more than the cap.
    """
    if declared_length is not None:
        try:
            if int(declared_length) > cap:
                raise BodyTooLarge(_too_large(cap))
        except ValueError:
            raise BodyTooLarge("the Content-Length header is not a number") from None
    body = bytearray()
    async for chunk in chunks:
        body += chunk
        if len(body) > cap:
            raise BodyTooLarge(_too_large(cap))
    return bytes(body)


def check_query_string(query_string: str, cap: int) -> None:
    """Apply the body cap to a GET request's query string as well."""
    if len(query_string.encode("utf-8", "replace")) > cap:
        raise BodyTooLarge(_too_large(cap))


def _too_large(cap: int) -> str:
    return (f"The request is larger than {cap:,} bytes; the limit is set by --max-body-bytes "
            "(setting max_body_bytes).")
