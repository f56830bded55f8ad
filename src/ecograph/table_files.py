"""Tables of results (rows of named values) written as JSON or as CSV files.

``ecograph metrics`` and ``ecograph gaps`` both answer with several tables of different
columns. JSON holds them all in one object, to standard output or to ``NAME.json``; CSV, a
format of one table, becomes one file per table in a folder, each with its header even when the
table is empty. Text a spreadsheet would run as a formula is prefixed with ``'`` unless asked
otherwise: names come from the data.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from ecograph.safetext import for_stream, spreadsheet_row

Tables = Mapping[str, Sequence[Mapping[str, Any]]]

FORMATS = ("json", "csv")


def write_tables(
    tables: Tables,
    fmt: str,
    *,
    name: str,
    out: Path | None = None,
    stream: IO[str] | None = None,
    headers: Mapping[str, Sequence[str]] | None = None,
    formula_escape: bool = True,
) -> list[Path]:
    """Write ``tables`` as ``fmt`` ("json" or "csv"); return the files written.

    JSON goes to ``out / f"{name}.json"`` when a folder is given, else to ``stream`` (made safe
    for a terminal when it is one). CSV needs ``out``: one ``TABLE.csv`` per table, whose header
    is ``headers[TABLE]`` when given, else the first row's keys. Lists in a cell are joined by
    spaces.
    """
    if fmt == "csv":
        if out is None:
            raise ValueError("CSV needs a folder: one file per table")
        return _write_csv(tables, out, headers or {}, formula_escape=formula_escape)
    if fmt != "json":
        raise ValueError(f"unknown format {fmt!r}: {' or '.join(FORMATS)}")
    options: dict[str, Any] = {"ensure_ascii": False, "indent": 1, "default": str}
    if out is None:
        if stream is None:
            raise ValueError("JSON needs a folder or a stream")
        stream.write(for_stream(json.dumps(tables, **options) + "\n", stream))
        return []
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.json"
    # Written as it is encoded: the metrics of 1.5 M actors are gigabytes of JSON text,
    # which a single string held on top of the tables (5 GiB of ``ecograph metrics``' peak).
    with path.open("w", encoding="utf-8") as handle:
        json.dump(tables, handle, **options)
        handle.write("\n")
    return [path]


def _write_csv(
    tables: Tables, folder: Path, headers: Mapping[str, Sequence[str]], *, formula_escape: bool
) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table, rows in tables.items():
        header = list(headers.get(table) or (rows[0].keys() if rows else ["empty"]))
        path = folder / f"{table}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            for row in rows:
                cells = [_cell(row.get(column)) for column in header]
                writer.writerow(spreadsheet_row(cells) if formula_escape else cells)
        written.append(path)
    return written


def _cell(value: Any) -> Any:
    if isinstance(value, tuple | list | set | frozenset):
        return " ".join(str(item) for item in value)
    return value
