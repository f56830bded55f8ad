"""Text from the data, made safe for where it is shown: a terminal, an HTML page, a spreadsheet.

Names, cells and labels come from files ecograph did not write, so they are data, never
instructions to whatever displays them:

- **Terminal.** rich reads ``[...]`` as markup (``[/]`` alone crashes it with a MarkupError) and
  a terminal obeys ESC, CSI and OSC sequences (colours, cursor moves, OSC-8 links, window
  titles). :func:`terminal` gives a rich ``Text`` (never parsed as markup) without control
  characters; :func:`labelled` puts a styled word such as "error:" before one.
- **HTML.** U+202E (right-to-left override) and its kin reverse or reorder a name and the text
  after it. :func:`clean` drops those controls; :func:`isolate` (plain-text places: tooltips,
  ``<option>``, SVG) and :func:`bdi` (HTML places) also isolate the name from its neighbours,
  so a right-to-left name stays inside its own cell of meaning.
- **Spreadsheets.** A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
  is a formula to Excel and LibreOffice (it can run commands or send data away).
  :func:`spreadsheet_cell` prefixes it with ``'`` (OWASP's advice).

Only what is shown changes: the store keeps every character it was given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import IO, Any

from markupsafe import Markup
from rich.text import Text

__all__ = [
    "FSI",
    "PDI",
    "bdi",
    "clean",
    "for_stream",
    "isolate",
    "labelled",
    "one_line",
    "spreadsheet_cell",
    "spreadsheet_row",
    "terminal",
]

#: First strong isolate and pop directional isolate: text between them is laid out on its own.
FSI, PDI = "\u2068", "\u2069"
# C0 except tab and line feed, DEL, C1 (ESC is C0, CSI/OSC are C1 too); then the explicit
# bidi embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# What a terminal would obey in machine-readable output: the same controls, but line ends
# (CSV's CR LF included) and tabs stay, since they are the format's own.
_OBEYED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\r(?!\n)")
_LINE_BREAKS = re.compile("[\t\n\u2028\u2029]")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A number a spreadsheet reads as a number: it cannot hold a formula, so it stays as it is
# (an E-I index of -0.25 must stay a number in a spreadsheet column).
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)


def clean(value: Any) -> str:
    """``str(value)`` without control characters (C0 but tab and newline, DEL, C1) and without
    bidi embedding, override and isolate controls: what is left cannot drive a terminal or
    reorder the text around it."""
    return _CONTROLS.sub("", "" if value is None else str(value))


def one_line(value: Any) -> str:
    """:func:`clean`, with tabs and line breaks as spaces: for a line of its own."""
    return _LINE_BREAKS.sub(" ", clean(value))


def terminal(value: Any) -> Text:
    """Data for rich: a ``Text`` is never read as markup, and its control characters are gone."""
    return Text(clean(value))


def labelled(label: str, style: str, message: Any) -> Text:
    """``label`` in ``style`` (say "error:" in red), a space, then ``message`` as data."""
    return Text.assemble((label, style), " ", clean(message))


def for_stream(text: str, stream: IO[str]) -> str:
    """``text`` unchanged for a file or a pipe (the data, every character of it); with the
    control characters a terminal would obey written visibly (``\\x1b``, ``\\u202e``) when
    ``stream`` is a terminal: for CSV, TSV, JSON or Markdown printed straight to the screen."""
    isatty = getattr(stream, "isatty", None)
    if isatty is None or not isatty():
        return text
    return _OBEYED.sub(lambda match: match.group().encode("unicode_escape").decode(), text)


def isolate(value: Any) -> str:
    """Cleaned text between U+2068 and U+2069, for places that show plain text only (tooltips,
    ``<option>``, SVG ``<text>``): a right-to-left name cannot reorder what follows it."""
    return f"{FSI}{clean(value)}{PDI}"


def bdi(value: Any) -> Markup:
    """Cleaned, escaped text in ``<bdi>``, the HTML way to isolate a name from its neighbours."""
    return Markup("<bdi>{}</bdi>").format(clean(value))


def spreadsheet_cell(value: Any) -> Any:
    """``value``, with ``'`` before a text that a spreadsheet would read as a formula.

    Only ``str`` values change: ints, floats and None are written as numbers or nothing. A text
    that is a plain decimal number (``-3.5``, ``+1e5``) also stays: a spreadsheet reads it as
    that number, so it cannot hold a formula.
    """
    if (
        isinstance(value, str)
        and value.startswith(_FORMULA_STARTS)
        and not _NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def spreadsheet_row(values: Iterable[Any]) -> list[Any]:
    """Every cell of a row through :func:`spreadsheet_cell`."""
    return [spreadsheet_cell(value) for value in values]
