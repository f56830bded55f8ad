"""Terminal tables: cells as text (never markup), numbers rounded."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from ecograph.cli.common import console
from ecograph.safetext import terminal
from ecograph.store import Store


def add_row(table: Table, *cells: Any) -> None:
    """Add a row of cells as text: names and labels come from the data, and rich would read a
    ``[/]`` in them as markup (and crash) or pass an ESC sequence to the terminal."""
    table.add_row(*(cell if isinstance(cell, Text) else terminal(cell) for cell in cells))


def cell(value: Any) -> Text:
    """A table cell: numbers rounded, data as text (never markup, no control characters)."""
    if value is None:
        return Text("–")
    if isinstance(value, float):
        return Text(f"{value:.3f}")
    return terminal(value)


def rows_table(title: str, rows: list[dict[str, Any]], columns: list[str]) -> None:
    table = Table(title=title)
    for column in columns:
        table.add_column(column.replace("_", " "), overflow="fold")
    for row in rows:
        add_row(table, *(cell(row.get(column)) for column in columns))
    console.print(table)


def print_stats(store: Store, lang: str) -> None:
    from ecograph.stats import count_tables, totals

    summary = Table(title="Ecosystem", show_header=False)
    for key, value in totals(store).items():
        add_row(summary, key, f"{value:,.0f}")
    console.print(summary)
    for count_table in count_tables(store, lang):
        table = Table(title=count_table.title)
        table.add_column(count_table.key)
        table.add_column("count", justify="right")
        for label, count in count_table.rows:
            add_row(table, label, str(count))
        console.print(table)
