"""Write the projected graph to files: GraphML and GEXF for Gephi, CSV for spreadsheets.

Not to be confused with :mod:`ecograph.export`, which exports the store's RDF.

GraphML and GEXF hold only scalar attributes, so the lists an edge keeps (which partnerships
and projects made it) become space-separated strings, and undefined metrics are left out
rather than written as NaN. CSV gives two files: ``NAME-nodes.csv`` and ``NAME-edges.csv``,
whose text cells that a spreadsheet would run as formulas start with ``'`` unless
``formula_escape=False`` (:func:`ecograph.safetext.spreadsheet_cell`).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import networkx as nx

from ecograph.safetext import spreadsheet_row

FORMATS = ("graphml", "gexf", "csv")


def scalar_graph(
    G: nx.Graph, *, node_metrics: Mapping[Any, Mapping[str, Any]] | None = None
) -> nx.Graph:
    """A copy of ``G`` whose attributes are all str, int, float or bool (metrics merged in)."""
    out = nx.DiGraph() if G.is_directed() else nx.Graph()
    for node, data in G.nodes(data=True):
        values = {**data, **(node_metrics or {}).get(node, {})}
        out.add_node(node, **_scalars(values))
    for a, b, data in G.edges(data=True):
        out.add_edge(a, b, **_scalars(data))
    return out


def _scalars(values: Mapping[str, Any]) -> dict[str, Any]:
    result = {}
    for key, value in values.items():
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        if isinstance(value, list | tuple | set | frozenset):
            value = " ".join(sorted(str(v) for v in value))
        elif not isinstance(value, str | int | float | bool):
            value = str(value)
        result[key] = value
    return result


def write_graph(
    G: nx.Graph,
    out: Path,
    fmt: str,
    *,
    node_metrics: Mapping[Any, Mapping[str, Any]] | None = None,
    formula_escape: bool = True,
) -> list[Path]:
    """Write ``G`` (with ``node_metrics`` merged into node attributes); the files written.

    ``formula_escape`` applies to CSV, the format meant for spreadsheets; GraphML and GEXF
    readers (Gephi) do not evaluate formulas."""
    graph = scalar_graph(G, node_metrics=node_metrics)
    if fmt == "graphml":
        nx.write_graphml(graph, out)
        return [out]
    if fmt == "gexf":
        nx.write_gexf(graph, out)
        return [out]
    if fmt == "csv":
        stem = out.with_suffix("")
        nodes_path, edges_path = Path(f"{stem}-nodes.csv"), Path(f"{stem}-edges.csv")
        _write_csv(nodes_path, [{"id": n, **d} for n, d in graph.nodes(data=True)], formula_escape)
        _write_csv(
            edges_path,
            [{"source": a, "target": b, **d} for a, b, d in graph.edges(data=True)],
            formula_escape,
        )
        return [nodes_path, edges_path]
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def _write_csv(path: Path, rows: list[dict[str, Any]], formula_escape: bool) -> None:
    columns: list[str] = []
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        lines = [columns, *([row.get(key, "") for key in columns] for row in rows)]
        writer.writerows(spreadsheet_row(line) if formula_escape else line for line in lines)
