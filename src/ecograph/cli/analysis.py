"""``network`` and ``metrics``: the collaboration graph and its cross-sector measures."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from ecograph.cli.common import (
    DomainOption,
    FormulaEscapeOption,
    Lang,
    SeedOption,
    SinceOption,
    TerritoryOption,
    TypeOption,
    UntilOption,
    console,
    errors,
    fail,
    opened,
    projection_of,
    scope_of,
    working,
)
from ecograph.cli.tables import Kind, add_row, cell, make_table, rows_table
from ecograph.labels import Labels
from ecograph.safetext import terminal
from ecograph.table_files import write_tables
from ecograph.wording import say


class GraphFormat(StrEnum):
    graphml = "graphml"
    gexf = "gexf"
    csv = "csv"


def network(
    out: Annotated[
        Path, typer.Option(help="File to write (CSV: NAME-nodes.csv and NAME-edges.csv beside it).")
    ],
    format: Annotated[
        GraphFormat,
        typer.Option("--format", "-f", help="GraphML or GEXF for Gephi, CSV for spreadsheets."),
    ] = GraphFormat.graphml,
    with_metrics: Annotated[
        bool,
        typer.Option("--metrics/--no-metrics", help="Add each actor's metrics to its attributes."),
    ] = True,
    territory: TerritoryOption = None,
    domain: DomainOption = None,
    partnership_type: TypeOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    seed: SeedOption = 0,
    formula_escape: FormulaEscapeOption = True,
) -> None:
    """Export the actor collaboration graph, with attributes and metrics, for Gephi or CSV."""
    from ecograph.network.graph_files import write_graph

    scope = scope_of(territory, domain, partnership_type, since, until)
    with opened(read_only=True, create=False) as store:
        projection = projection_of(store, scope)
    node_metrics = None
    if with_metrics:
        from dataclasses import asdict

        from ecograph.network.metrics import compute_metrics

        with working("Computing metrics…"):
            result = compute_metrics(projection, seed=seed, activity=False)
        node_metrics = {
            row.actor: {
                k: v for k, v in asdict(row).items() if k not in ("actor", "name", "sector")
            }
            for row in result.actors
        }
    written = write_graph(
        projection.collaboration,
        out,
        format.value,
        node_metrics=node_metrics,
        formula_escape=formula_escape,
    )
    graph = projection.collaboration
    console.print(
        terminal(
            f"Wrote {graph.number_of_nodes():,} actors and "
            f"{graph.number_of_edges():,} ties to "
            f"{', '.join(str(p) for p in written)}."
        )
    )


class TableFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def metrics(
    format: Annotated[
        TableFormat,
        typer.Option(
            "--format", "-f", help="Terminal tables, or CSV/JSON (with --out, one file per table)."
        ),
    ] = TableFormat.table,
    out: Annotated[
        Path | None,
        typer.Option(help="Folder for CSV/JSON files (one per table); default: standard output."),
    ] = None,
    write: Annotated[
        bool,
        typer.Option(
            "--write/--no-write",
            help="Write the metrics into the store's metrics graph, for SPARQL "
            "(whole ecosystem only: a filtered run is not written).",
        ),
    ] = True,
    top: Annotated[int, typer.Option(help="Rows of the actor table shown in the terminal.")] = 15,
    territory: TerritoryOption = None,
    domain: DomainOption = None,
    partnership_type: TypeOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    seed: SeedOption = 0,
    formula_escape: FormulaEscapeOption = True,
    lang: Annotated[
        Lang, typer.Option(help="Language of the tables' titles and labels.")
    ] = Lang.fr,
) -> None:
    """Cross-sector metrics: mixing, E-I index, diversity, brokerage, communities."""
    from ecograph.metrics_state import counts_fingerprint, metrics_graph
    from ecograph.network.metrics import compute_metrics
    from ecograph.network.metrics_rdf import StaleMetricsError, write_metrics

    if format is TableFormat.csv and out is None:
        raise fail("CSV needs --out FOLDER (one file per table).", 2)
    scope = scope_of(territory, domain, partnership_type, since, until)
    # Read the data under a shared lock, compute with no lock at all (minutes at national
    # scale: queries, maps and imports go on meanwhile), and take the writer lock only to
    # write, refusing to write if the data changed in between (its fingerprint says so).
    with opened(read_only=True, create=False) as store:
        projection = projection_of(store, scope)
        labels = Labels.from_store(store, lang=lang.value)
        fingerprint = counts_fingerprint(store, metrics_graph(store.base_iri))
    with working("Computing metrics…"):
        result = compute_metrics(projection, seed=seed)
    del projection  # gigabytes at national scale, and the tables are all the write needs
    graph = None
    if write and result.whole_ecosystem:
        with opened(create=False) as store:
            try:
                graph = write_metrics(store, result, computed_on=fingerprint)
            except StaleMetricsError as err:
                raise fail(err, 1) from None
    tables = result.tables()
    if format is TableFormat.table:
        _print_metrics(tables, top, labels)
    else:
        for path in write_tables(
            tables,
            format.value,
            name="metrics",
            out=out,
            stream=sys.stdout,
            formula_escape=formula_escape,
        ):
            errors.print(terminal(f"Wrote {path}."))
    if graph:
        errors.print(f"Metrics written to {graph}.")
    elif write:
        errors.print(
            "note: metrics of a filtered scope are not written into the store, whose metrics "
            "graph keeps the whole ecosystem's (--out keeps these tables)."
        )


def _print_metrics(tables: dict[str, list[dict[str, Any]]], top: int, labels: Labels) -> None:
    """The metrics as terminal tables, concepts and territories by their labels in
    ``labels.lang`` (the CSV and JSON keep the keys)."""
    lang = labels.lang
    sector = labels.sector
    overall = tables["global"][0]
    summary = make_table(
        say("Cross-sector collaboration", lang),
        [("what", "text"), ("value", "text")],
        show_header=False,
    )
    for key, value in overall.items():
        add_row(summary, say(key.replace("_", " "), lang), cell(value))
    console.print(summary)
    rows_table(
        say("By sector", lang),
        [{**row, "sector": sector(row["key"])} for row in tables["sectors"]],
        ["sector", "actors", "ties", "cross_sector_share", "ei_index"],
        lang=lang,
    )
    keys = sorted({row["sector"] for row in tables["mixing"]})
    cells = {(r["sector"], r["other"]): r for r in tables["mixing"]}
    rows = [
        [
            f"{number} {sector(key)}",
            *(
                f"{cells[(key, other)]['ties']:,} ({cells[(key, other)]['share']:.0%})"
                if (key, other) in cells
                else "0"
                for other in keys
            ),
        ]
        for number, key in enumerate(keys, 1)
    ]
    columns: list[tuple[str, Kind]] = [(say("sector", lang), "text")]
    columns += [(str(number), "number") for number in range(1, len(keys) + 1)]
    matrix = make_table(say("Sector mixing matrix (ties; row share)", lang), columns, rows=rows)
    for row in rows:
        add_row(matrix, *row)
    console.print(matrix)
    brokers = sorted(tables["actors"], key=lambda r: (-(r["betweenness"] or 0), r["actor"]))
    rows_table(
        say("Top {top} brokers (betweenness)", lang, top=top),
        [{**row, "sector": sector(row["sector"])} for row in brokers[:top]],
        ["name", "sector", "degree", "betweenness", "constraint", "blau"],
        lang=lang,
    )
    rows_table(
        say("Communities", lang),
        [
            {
                **row,
                "top_domains": ", ".join(
                    labels.of(d) if ":" in d else labels.domain(d)
                    for d in _words(row["top_domains"])
                ),
                "epci": labels.territory("epci", row["epci"]) or row["epci"],
            }
            for row in tables["communities"][:top]
        ],
        ["community", "size", "blau", "top_domains", "epci", "epci_share"],
        lang=lang,
    )


def _words(value: Any) -> list[str]:
    """A list cell of the metrics tables (a list, or words separated by spaces)."""
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return str(value or "").split()
