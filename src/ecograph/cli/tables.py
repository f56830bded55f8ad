"""Terminal tables that stay readable at 80 columns and when piped.

Three kinds of column: a **key** (a name, code or CURIE someone may copy: never wrapped or cut),
a **number** (right-aligned, never wrapped, counts with thousands separators) and **text**
(wrapped at word boundaries). Every cell is data printed as text, never rich markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from rich.table import Table
from rich.text import Text

from ecograph.cli.common import console
from ecograph.namespaces import curie
from ecograph.safetext import terminal
from ecograph.store import Store
from ecograph.wording import say

Kind = Literal["key", "number", "text"]


#: A text column is never squeezed below this many characters (or its longest word, if
#: shorter): below it, names break inside words.
TEXT_MIN_WIDTH = 16


def make_table(
    title: str | Text | None,
    columns: Sequence[tuple[str, Kind]],
    *,
    show_header: bool = True,
    rows: Sequence[Sequence[Any]] = (),
) -> Table:
    """An empty table with its columns laid out by kind.

    Given the ``rows`` it will hold (as text), a text column keeps room for its longest word, up
    to :data:`TEXT_MIN_WIDTH` and to its share of what numbers and keys leave of the terminal's
    width, so that names break between words and numbers are never cut.
    """
    fixed = 1  # the left border
    text_columns = 0
    for index, (name, kind) in enumerate(columns):
        if kind == "text":
            text_columns += 1
            fixed += 3
        else:
            heading = max(len(line) for line in name.split("\n"))  # a header may have two lines
            widest = max([heading] + [len(str(row[index] or "")) for row in rows])
            fixed += widest + 3  # one space each side and a border
    share = max(0, console.width - fixed) // max(1, text_columns)
    table = Table(title=title, show_header=show_header)
    for index, (name, kind) in enumerate(columns):
        if kind == "number":
            table.add_column(name, justify="right", no_wrap=True)
        elif kind == "key":
            table.add_column(name, no_wrap=True)
        else:
            words = [w for row in rows for w in str(row[index] or "").split()]
            longest = max((len(w) for w in words), default=0)
            least = min(longest, TEXT_MIN_WIDTH, share)
            table.add_column(name, overflow="fold", min_width=least or None)
    return table


def add_row(table: Table, *cells: Any) -> None:
    """Add a row of cells as text: names and labels come from the data, and rich would read a
    ``[/]`` in them as markup (and crash) or pass an ESC sequence to the terminal."""
    table.add_row(*(cell if isinstance(cell, Text) else terminal(cell) for cell in cells))


def cell(value: Any) -> Text:
    """A table cell: counts with thousands separators, other numbers rounded, IRIs as CURIEs,
    data as text (never markup, no control characters)."""
    if value is None:
        return Text("–")
    if isinstance(value, bool):
        return Text(str(value).lower())
    if isinstance(value, int):
        return Text(f"{value:,}")
    if isinstance(value, float):
        return Text(f"{value:,.3f}")
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return terminal(curie(value))
    return terminal(value)


def rows_table(
    title: str, rows: list[dict[str, Any]], columns: list[str], *, lang: str = "en"
) -> None:
    """Print ``rows`` (dicts) as a table of ``columns``, each laid out by what it holds, with
    headers in ``lang``."""
    kinds: list[tuple[str, Kind]] = []
    for column in columns:
        values = [row.get(column) for row in rows if row.get(column) is not None]
        numeric = values and all(isinstance(v, int | float) for v in values)
        kinds.append((say(column.replace("_", " "), lang), "number" if numeric else "text"))
    cells = [[cell(row.get(column)) for column in columns] for row in rows]
    table = make_table(title, kinds, rows=[[c.plain for c in line] for line in cells])
    for line in cells:
        add_row(table, *line)
    console.print(table)


def print_stats(store: Store, lang: str) -> None:
    """The ecosystem's totals and its counts by type, sector, domain and territory."""
    from ecograph.stats import count_tables, domain_counts, totals

    summary = make_table(
        say("Ecosystem", lang), [("what", "text"), ("count", "number")], show_header=False
    )
    for key, value in totals(store).items():
        add_row(summary, say(key, lang), f"{value:,.0f}")
    console.print(summary)
    for count_table in count_tables(store, lang=lang):
        table = make_table(
            count_table.title, [(count_table.key, "text"), (say("count", lang), "number")]
        )
        for label, count in count_table.rows:
            add_row(table, label, f"{count:,}")
        console.print(table)
    domains = domain_counts(store, lang=lang)
    rows = [[label, *(f"{n:,}" for n in numbers)] for label, numbers in domains.rows]
    table = make_table(
        domains.title,
        [(say("domain", lang), "text"), *((c, "number") for c in domains.columns)],
        rows=rows,
    )
    for row in rows:
        add_row(table, *row)
    console.print(table)
