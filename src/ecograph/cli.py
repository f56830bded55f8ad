"""The ``ecograph`` command line: thin Typer commands over the library.

Every command opens the workspace (``--store``, ``$ECOGRAPH_STORE`` or ``./ecograph-data``),
calls one library function and prints its result; no logic lives here.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ecograph import __version__
from ecograph.namespaces import graph_iri
from ecograph.safetext import for_stream, labelled, spreadsheet_cell, terminal
from ecograph.server.settings import setting_default, setting_help
from ecograph.store import RemoteStore, Store, StoreError, open_store

app = typer.Typer(
    help="ecograph: map and analyse a social innovation ecosystem as a knowledge graph.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
errors = Console(stderr=True)


class _State:
    store: Path | None = None
    endpoint: str | None = None
    update_endpoint: str | None = None
    gsp_endpoint: str | None = None


state = _State()

FormulaEscapeOption = Annotated[
    bool,
    typer.Option(
        "--formula-escape/--no-formula-escape",
        help="Put ' before text cells a spreadsheet would run as a formula (starting with =, +, -, "
        "@, tab or carriage return; plain numbers stay). Turn off only for a reader that is "
        "not a spreadsheet.",
    ),
]


def _failure(message: Any, code: int) -> typer.Exit:
    """Print ``message`` after a red "error:" and return the exit to raise. The message often
    quotes data (a name, a cell, a path), so it is printed as text, never as rich markup."""
    errors.print(labelled("error:", "red", message))
    return typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        console.print(f"ecograph {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    store: Annotated[
        Path | None,
        typer.Option(
            "--store",
            envvar="ECOGRAPH_STORE",
            help="Workspace folder holding the store (default: ./ecograph-data).",
        ),
    ] = None,
    endpoint: Annotated[
        str | None,
        typer.Option(
            envvar="ECOGRAPH_ENDPOINT",
            help="Work on a remote SPARQL 1.1 query endpoint instead of the embedded store.",
        ),
    ] = None,
    update_endpoint: Annotated[
        str | None,
        typer.Option(
            envvar="ECOGRAPH_UPDATE_ENDPOINT",
            help="The remote SPARQL 1.1 update endpoint (needed to change remote data).",
        ),
    ] = None,
    gsp_endpoint: Annotated[
        str | None,
        typer.Option(
            envvar="ECOGRAPH_GSP_ENDPOINT",
            help="The remote Graph Store Protocol endpoint (needed to load into remote data).",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Global options."""
    state.store = store
    state.endpoint = endpoint
    state.update_endpoint = update_endpoint
    state.gsp_endpoint = gsp_endpoint


@contextlib.contextmanager
def _opened(
    *, read_only: bool = False, create: bool = True, base_iri: str | None = None
) -> Iterator[Store]:
    """Open the workspace (or the remote endpoint given by --endpoint), turning store errors
    into one readable line and exit code 1."""
    try:
        if state.endpoint:
            remote = RemoteStore(
                state.endpoint,
                update_endpoint=state.update_endpoint,
                gsp_endpoint=state.gsp_endpoint,
                base_iri=base_iri,
            )
            remote.check_union_default_graph()
            yield remote
            return
        with open_store(
            state.store, read_only=read_only, create=create, base_iri=base_iri
        ) as store:
            yield store
            if not read_only:
                with console.status("Compacting the store if this command rewrote much of it…"):
                    store.compact_if_churned()
    except StoreError as err:
        raise _failure(err, 1) from None


# ------------------------------------------------------------------------------ commands
@app.command()
def init(
    base_iri: Annotated[
        str | None,
        typer.Option(help="Base IRI for the instances this workspace mints (fixed at creation)."),
    ] = None,
) -> None:
    """Create a workspace (if needed) and load the ontology into it."""
    from ecograph.ontology import load_ontology

    with _opened(base_iri=base_iri) as store:
        loaded = load_ontology(store)
        console.print(
            terminal(
                f"Store {store.location} ready (base {store.base_iri}); "
                f"ontology {'loaded' if loaded else 'already current'}."
            )
        )


@app.command()
def territories(
    force: Annotated[bool, typer.Option(help="Reload even if already loaded.")] = False,
) -> None:
    """Load the 2026 French territories (régions, départements, EPCI, communes)."""
    from ecograph.ingest.territories import load_territories

    with _opened() as store:
        result = load_territories(store, force=force)
    if result.skipped:
        console.print("Territories already loaded (this version); use --force to reload.")
    else:
        console.print(
            f"Loaded {result.triples:,} triples of territories into {result.graph} "
            f"in {result.seconds:.1f} s."
        )


@app.command()
def generate(
    actors: Annotated[int, typer.Option(min=1, help="Number of fictional actors.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same ecosystem.")] = 1,
    territory: Annotated[
        str,
        typer.Option(
            help="Where to place actors: a département (44 or departement/44) or a région "
            "(region/52)."
        ),
    ] = "44",
    out: Annotated[
        Path | None,
        typer.Option(help="Write N-Triples to this file instead of loading into the store."),
    ] = None,
) -> None:
    """Generate a synthetic ecosystem of any size (deterministic for a seed)."""
    from ecograph.namespaces import DEFAULT_BASE_IRI
    from ecograph.sample import ecosystem_lines, load_generated
    from ecograph.sample.generate import EcosystemSpec

    spec = EcosystemSpec(actors=actors, seed=seed, territory=territory, id_prefix=f"g{seed}-")
    started = time.perf_counter()
    try:
        if out is not None:
            with console.status(f"Generating {actors:,} actors…"):
                lines = ecosystem_lines(spec, DEFAULT_BASE_IRI)
            with out.open("w", encoding="utf-8") as handle:
                handle.write("\n".join(lines) + "\n")
            console.print(
                terminal(
                    f"Wrote {len(lines):,} triples to {out} "
                    f"in {time.perf_counter() - started:.1f} s."
                )
            )
            return
        with _opened() as store, console.status(f"Generating and loading {actors:,} actors…"):
            name = f"generated/{territory.replace('/', '-')}-{actors}-{seed}"
            result = load_generated(
                store,
                spec,
                graph_name=name,
                title=f"Generated ecosystem: {actors} actors, seed {seed}",
            )
    except ValueError as err:
        raise _failure(err, 2) from None
    verb = "Already loaded" if result.skipped else f"Loaded {result.triples:,} triples into"
    console.print(f"{verb} {result.graph} ({time.perf_counter() - started:.1f} s).")


class Lang(StrEnum):
    fr = "fr"
    en = "en"


@app.command()
def validate(
    graph: Annotated[
        str | None,
        typer.Option(
            help="Validate one graph (name such as 'sample', or full IRI); default: all data."
        ),
    ] = None,
    lang: Annotated[Lang, typer.Option(help="Language of the messages.")] = Lang.en,
    limit: Annotated[int, typer.Option(help="Show at most this many problems.")] = 50,
) -> None:
    """Check the data against the SHACL shapes and identifier rules; report in words."""
    from ecograph.validate import validate_store

    with _opened(read_only=True, create=False) as store:
        report = validate_store(store, graph=_graph_arg(store, graph), lang=lang.value)
    if report.conforms:
        console.print("[green]Valid:[/green] the data conforms to ecograph's shapes.")
        return
    errors.print(f"[red]{len(report.findings)} problem(s):[/red]")
    for line in report.to_text().splitlines()[:limit]:
        errors.print(terminal(line), highlight=False)
    raise typer.Exit(1)


@app.command()
def stats(
    lang: Annotated[Lang, typer.Option(help="Language of labels.")] = Lang.en,
) -> None:
    """Counts by actor type, sector, domain, partnership type and EPCI."""
    with _opened(read_only=True, create=False) as store:
        _print_stats(store, lang.value)


class ExportFormat(StrEnum):
    turtle = "turtle"
    ntriples = "ntriples"
    nquads = "nquads"
    trig = "trig"
    jsonld = "jsonld"


@app.command()
def export(
    format: Annotated[
        ExportFormat,
        typer.Option("--format", "-f", help="RDF syntax; quad formats keep the named graphs."),
    ] = ExportFormat.turtle,
    graph: Annotated[
        str | None, typer.Option(help="Export one graph (name such as 'sample', or full IRI).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="File to write; default: standard output.")
    ] = None,
) -> None:
    """Export the store (or one graph) as Turtle, N-Triples, N-Quads, TriG or JSON-LD."""
    from ecograph.export import export as export_store

    with _opened(read_only=True, create=False) as store:
        target = _graph_arg(store, graph)
        try:
            if out is None:
                export_store(store, sys.stdout.buffer, format=format.value, graph=target)
            else:
                with out.open("wb") as handle:
                    export_store(store, handle, format=format.value, graph=target)
        except ValueError as err:
            raise _failure(err, 1) from None
    if out is not None:
        errors.print(terminal(f"Wrote {out}."))


@app.command("queries")
def list_queries() -> None:
    """List the query library: name, title and parameters."""
    from ecograph.queries import load_catalogue

    table = Table(title="Query library (ecograph query NAME -p PARAM VALUE ...)")
    for column in ("name", "title", "parameters"):
        table.add_column(column, overflow="fold")
    for name, query in load_catalogue().items():
        params = ", ".join(f"{p.name} ({p.type}, e.g. {p.example})" for p in query.parameters)
        needs = " (needs `ecograph metrics`)" if "metrics" in query.requires else ""
        _add_row(table, name, query.title + needs, params or "-")
    console.print(table)


class QueryFormat(StrEnum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    md = "md"


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def query(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A library query name, or a path to a .rq file.")],
    format: Annotated[
        QueryFormat,
        typer.Option(
            "--format", "-f", help="Output: a terminal table, SPARQL CSV/TSV/JSON, or Markdown."
        ),
    ] = QueryFormat.table,
    formula_escape: FormulaEscapeOption = True,
) -> None:
    """Run a library query (or a .rq file): -p NAME VALUE binds a parameter (repeatable).

    Each value is bound as an RDF term typed from the query's header, never pasted into the
    query text: a value full of quotes or braces matches itself and nothing else.
    """
    from ecograph.queries import QueryError, find_query, format_result, run_query

    try:
        library_query = find_query(name)
        values = _parameter_pairs(ctx.args)
        with _opened(read_only=True, create=False) as store:
            result = run_query(store, library_query, values)
    except QueryError as err:
        raise _failure(err, 2) from None
    if format is not QueryFormat.table:
        if formula_escape and format in (QueryFormat.csv, QueryFormat.tsv):
            result = _spreadsheet_safe(result)
        sys.stdout.write(for_stream(format_result(result, format.value), sys.stdout))
        return
    if result.boolean is not None:
        console.print("true" if result.boolean else "false")
        return
    table = Table(title=terminal(f"{library_query.title} ({len(result.rows)} rows)"))
    for variable in result.variables:
        table.add_column(variable, overflow="fold")
    for row in result.rows:
        _add_row(table, *("" if term is None else term.value for term in row))
    console.print(table)


def _spreadsheet_safe(result: Any) -> Any:
    """A copy of a query result whose literals a spreadsheet would run as formulas start
    with ``'`` (IRIs and blank nodes cannot start with a formula character).

    The CLI's CSV and TSV are meant for spreadsheets; the server's ``text/csv`` stays exactly
    the SPARQL 1.1 format, since its readers are programs."""
    import dataclasses

    import pyoxigraph as ox

    def safe(term: Any) -> Any:
        if not isinstance(term, ox.Literal):
            return term
        value = spreadsheet_cell(term.value)
        if value == term.value:
            return term
        if term.language:
            return ox.Literal(value, language=term.language)
        return ox.Literal(value, datatype=term.datatype)

    rows = [tuple(safe(term) for term in row) for row in result.rows]
    return dataclasses.replace(result, rows=rows)


# ------------------------------------------------------------------------------ analysis
TerritoryOption = Annotated[
    str | None,
    typer.Option(
        help="Limit to a territory: LEVEL/CODE such as epci/244400404, departement/44, "
        "commune/44109, region/52."
    ),
]
DomainOption = Annotated[
    str | None, typer.Option(help="Limit to partnerships and projects of a domain (e.g. housing).")
]
TypeOption = Annotated[
    str | None,
    typer.Option(
        "--partnership-type", help="Limit to one partnership type (e.g. funding); drops projects."
    ),
]
SinceOption = Annotated[
    str | None, typer.Option(help="Keep ties that started on or after this date (YYYY-MM-DD).")
]
UntilOption = Annotated[
    str | None, typer.Option(help="Keep ties that started on or before this date (YYYY-MM-DD).")
]
SeedOption = Annotated[
    int, typer.Option(help="Seed of every random step (same seed, same output).")
]


def _scope(
    territory: str | None,
    domain: str | None,
    partnership_type: str | None,
    since: str | None,
    until: str | None,
) -> Any:
    import datetime as dt

    from ecograph.analysis import Scope

    try:
        return Scope(
            territory,
            domain,
            partnership_type,
            dt.date.fromisoformat(since) if since else None,
            dt.date.fromisoformat(until) if until else None,
        )
    except ValueError as err:
        raise _failure(err, 2) from None


def _projection(store: Store, scope: Any) -> Any:
    from ecograph.analysis import project_scope

    try:
        with console.status("Projecting the graph…"):
            return project_scope(store, scope)
    except ValueError as err:
        raise _failure(err, 2) from None


class GraphFormat(StrEnum):
    graphml = "graphml"
    gexf = "gexf"
    csv = "csv"


@app.command()
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
    from ecograph.network.export import write_graph

    scope = _scope(territory, domain, partnership_type, since, until)
    with _opened(read_only=True, create=False) as store:
        projection = _projection(store, scope)
    node_metrics = None
    if with_metrics:
        from dataclasses import asdict

        from ecograph.network.metrics import compute_metrics

        with console.status("Computing metrics…"):
            result = compute_metrics(projection, seed=seed, activity=False)
        node_metrics = {
            row.actor: {
                k: v for k, v in asdict(row).items() if k not in ("actor", "name", "sector")
            }
            for row in result.actors
        }
    written = write_graph(
        projection.collaboration, out, format.value, node_metrics, formula_escape=formula_escape
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


@app.command()
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
            help="Write the metrics into the store's metrics graph, for SPARQL.",
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
) -> None:
    """Cross-sector metrics: mixing, E-I index, diversity, brokerage, communities."""
    from ecograph.network.metrics import compute_metrics
    from ecograph.network.metrics_rdf import write_metrics

    scope = _scope(territory, domain, partnership_type, since, until)
    with _opened(read_only=not write, create=False) as store:
        projection = _projection(store, scope)
        with console.status("Computing metrics…"):
            result = compute_metrics(projection, seed=seed)
        graph = write_metrics(store, result) if write else None
    tables = result.tables()
    if format is TableFormat.table:
        _print_metrics(tables, top)
    else:
        _write_tables(tables, format.value, out, formula_escape=formula_escape)
    if graph:
        errors.print(f"Metrics written to {graph}.")


def _print_metrics(tables: dict[str, list[dict[str, Any]]], top: int) -> None:
    overall = tables["global"][0]
    summary = Table(title="Cross-sector collaboration", show_header=False)
    for key, value in overall.items():
        _add_row(summary, key.replace("_", " "), _cell(value))
    console.print(summary)
    _rows_table(
        "By sector", tables["sectors"], ["key", "actors", "ties", "cross_sector_share", "ei_index"]
    )
    matrix = Table(title="Sector mixing matrix (ties; row share)")
    sectors = sorted({row["sector"] for row in tables["mixing"]})
    matrix.add_column("sector")
    for sector in sectors:
        matrix.add_column(terminal(sector), justify="right")
    cells = {(r["sector"], r["other"]): r for r in tables["mixing"]}
    for sector in sectors:
        _add_row(
            matrix,
            sector,
            *(
                f"{cells[(sector, o)]['ties']} ({cells[(sector, o)]['share']:.0%})"
                if (sector, o) in cells
                else "0"
                for o in sectors
            ),
        )
    console.print(matrix)
    brokers = sorted(tables["actors"], key=lambda r: (-(r["betweenness"] or 0), r["actor"]))
    _rows_table(
        f"Top {top} brokers (betweenness)",
        brokers[:top],
        ["name", "sector", "degree", "betweenness", "constraint", "blau", "brokerage"],
    )
    _rows_table(
        "Communities",
        tables["communities"][:top],
        ["community", "size", "blau", "top_domains", "epci", "epci_share"],
    )


def _rows_table(title: str, rows: list[dict[str, Any]], columns: list[str]) -> None:
    table = Table(title=title)
    for column in columns:
        table.add_column(column.replace("_", " "), overflow="fold")
    for row in rows:
        _add_row(table, *(_cell(row.get(column)) for column in columns))
    console.print(table)


def _add_row(table: Table, *cells: Any) -> None:
    """Add a row of cells as text: names and labels come from the data, and rich would read a
    ``[/]`` in them as markup (and crash) or pass an ESC sequence to the terminal."""
    table.add_row(*(cell if isinstance(cell, Text) else terminal(cell) for cell in cells))


def _cell(value: Any) -> Text:
    """A table cell: numbers rounded, data as text (never markup, no control characters)."""
    if value is None:
        return Text("–")
    if isinstance(value, float):
        return Text(f"{value:.3f}")
    return terminal(value)


def _write_tables(
    tables: dict[str, list[dict[str, Any]]],
    fmt: str,
    out: Path | None,
    *,
    formula_escape: bool = True,
) -> None:
    import csv
    import json

    if fmt == "json":
        text = json.dumps(tables, ensure_ascii=False, indent=1, default=str)
        if out is None:
            sys.stdout.write(for_stream(text + "\n", sys.stdout))
        else:
            out.mkdir(parents=True, exist_ok=True)
            (out / "metrics.json").write_text(text + "\n", encoding="utf-8")
            errors.print(terminal(f"Wrote {out / 'metrics.json'}."))
        return
    if out is None:
        raise _failure("CSV needs --out FOLDER (one file per table).", 2)
    out.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        path = out / f"{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else ["empty"])
            writer.writeheader()
            writer.writerows(
                {
                    key: spreadsheet_cell(value) if formula_escape else value
                    for key, value in row.items()
                }
                for row in rows
            )
    errors.print(terminal(f"Wrote {len(tables)} CSV files to {out}."))


gaps_app = typer.Typer(
    help="Partnership gaps and suggested partnerships, explained.", no_args_is_help=False
)
app.add_typer(gaps_app, name="gaps")


@gaps_app.callback(invoke_without_command=True)
def gaps(
    ctx: typer.Context,
    actor: Annotated[
        str | None, typer.Option(help="Answer 'who should this actor meet?' for one actor IRI.")
    ] = None,
    level: Annotated[
        str,
        typer.Option(help="Territory level of the structural gaps: epci, departement or commune."),
    ] = "epci",
    top: Annotated[int, typer.Option(help="Rows per table.")] = 10,
    lang: Annotated[Lang, typer.Option(help="Language of explanations.")] = Lang.en,
    format: Annotated[
        TableFormat,
        typer.Option(
            "--format",
            "-f",
            help="Terminal tables, JSON of every table, or CSV (with --out, one file per table).",
        ),
    ] = TableFormat.table,
    out: Annotated[
        Path | None, typer.Option(help="Folder for CSV or JSON files (JSON: gaps.json).")
    ] = None,
    territory: TerritoryOption = None,
    domain: DomainOption = None,
    partnership_type: TypeOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    seed: SeedOption = 0,
    formula_escape: FormulaEscapeOption = True,
) -> None:
    """Structural gaps (sectors that never meet, domains without a public or private partner,
    isolated actors) and suggested partnerships, each with its explanation."""
    if ctx.invoked_subcommand is not None:
        return
    from ecograph.analysis import domain_names, vocabulary
    from ecograph.ingest.territories import read_table
    from ecograph.network.gap_report import gap_report, write_report

    if format is TableFormat.csv and out is None:
        raise _failure("CSV needs --out FOLDER (one file per table).", 2)
    scope = _scope(territory, domain, partnership_type, since, until)
    table = read_table()
    with _opened(read_only=True, create=False) as store:
        projection = _projection(store, scope)
        words = vocabulary(store, lang.value, table)
        domains = domain_names(store)
    try:
        with console.status("Looking for gaps…"):
            report = gap_report(
                projection,
                words,
                domains,
                table=table,
                level=level,
                actor=actor,
                top=top,
                seed=seed,
            )
    except KeyError as err:
        raise _failure(err.args[0], 2) from None
    if format is TableFormat.table:
        _print_gaps(report, words, top, table, projection.collaboration)
        return
    for path in write_report(
        report, format.value, out=out, stream=sys.stdout, formula_escape=formula_escape
    ):
        errors.print(terminal(f"Wrote {path}."))


def _print_gaps(report: Any, words: Any, top: int, table: Any, graph: Any) -> None:
    def place(code: str) -> str:
        if code in table.epcis:
            return table.epcis[code][0]
        if code in table.departements:
            return table.departements[code][0]
        return table.communes[code].name if code in table.communes else code

    sector = words.sectors.get
    pairs = Table(title="Sectors present that never work together here")
    for column in ("territory", "sectors", "actors"):
        pairs.add_column(column)
    for gap in report.sector_pairs[:top]:
        _add_row(
            pairs,
            place(gap.territory),
            f"{sector(gap.sector_a, gap.sector_a)} – {sector(gap.sector_b, gap.sector_b)}",
            f"{gap.actors_a} / {gap.actors_b}",
        )
    console.print(pairs)
    cells = Table(title="Domains without an actor, or without a public/private partner")
    for column in ("territory", "domain", "missing", "actors on it", "population"):
        cells.add_column(column)
    for gap in report.domains[:top]:
        missing = "any actor" if gap.missing == "actor" else f"{sector(gap.missing)} partner"
        _add_row(
            cells,
            place(gap.territory),
            words.domains.get(gap.domain, gap.domain),
            missing,
            str(gap.actors_on_domain),
            f"{gap.population:,}",
        )
    console.print(cells)
    actors = report.actors
    console.print(
        f"{sum(a.kind == 'isolated' for a in actors)} isolated actors (no tie), "
        f"{sum(a.kind == 'peripheral' for a in actors)} peripheral (one tie)."
    )
    apart = Table(
        title="Communities of the same département with no tie between them "
        "(numbers as in `ecograph metrics`)"
    )
    for column in ("département", "community", "size", "community ", "size "):
        apart.add_column(column)
    for gap in report.communities[:top]:
        _add_row(
            apart,
            place(gap.departement),
            str(gap.community_a),
            str(gap.size_a),
            str(gap.community_b),
            str(gap.size_b),
        )
    console.print(apart)
    suggestions = Table(title="Suggested partnerships")
    for column in ("actor", "should meet", "score", "why"):
        suggestions.add_column(column, overflow="fold")
    for s in report.suggestions:
        _add_row(
            suggestions,
            graph.nodes[s.actor_a].get("name") or s.actor_a,
            graph.nodes[s.actor_b].get("name") or s.actor_b,
            f"{s.score:.2f}",
            s.explanation,
        )
    console.print(suggestions)


@gaps_app.command("evaluate")
def gaps_evaluate(
    hidden: Annotated[
        float, typer.Option(help="Share of known ties hidden in a random split (0–1).")
    ] = 0.1,
    repeats: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Splits to average over (seeds seed, seed+1…). Default: 20, enough for the "
            "ranking of the methods to hold on the sample.",
        ),
    ] = None,
    hide_from: Annotated[
        int | None,
        typer.Option(
            metavar="YEAR",
            help="Temporal split instead of a random one: hide the ties that started in or "
            "after YEAR and learn from those that started before.",
        ),
    ] = None,
    territory: TerritoryOption = None,
    domain: DomainOption = None,
    partnership_type: TypeOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    seed: SeedOption = 0,
) -> None:
    """Hide known ties, rank, and compare ecograph's ranking with networkx's RA, Adamic–Adar
    and Jaccard (AUC and precision@k, same splits)."""
    from ecograph.network.evaluate import DEFAULT_REPEATS, compare, compare_temporal, tie_starts

    repeats = DEFAULT_REPEATS if repeats is None else repeats
    scope = _scope(territory, domain, partnership_type, since, until)
    with _opened(read_only=True, create=False) as store:
        projection = _projection(store, scope)
    graph = projection.collaboration
    try:
        with console.status(f"Evaluating on {repeats} split(s)…"):
            if hide_from is None:
                result = compare(graph, repeats=repeats, hidden_share=hidden, seed=seed)
            else:
                starts = tie_starts(graph, projection.contexts)
                result = compare_temporal(
                    graph, starts, hidden_from=hide_from, repeats=repeats, seed=seed
                )
    except ValueError as err:
        raise _failure(err, 2) from None
    _print_comparison(result)


def _print_comparison(result: Any) -> None:
    first = result.runs[0]
    if first.hidden_from is None:
        split = f"{first.hidden} hidden ties per random split, {result.repeats} split(s)"
    else:
        split = f"{first.hidden} ties from {first.hidden_from} on hidden, {result.repeats} seed(s)"
        if first.undated:
            split += f", {first.undated} undated ties left out"
    table = Table(title=f"Link prediction, {split}: mean ± standard deviation")
    table.add_column("method", overflow="fold")
    table.add_column("AUC", justify="right", no_wrap=True)
    for k in result.ks:
        table.add_column(f"precision@{k}", justify="right", no_wrap=True)
    for method in result.methods:
        cells = [method.auc, *(method.precision_at[k] for k in result.ks)]
        _add_row(table, method.method, *(f"{c.mean:.3f} ± {c.sd:.3f}" for c in cells))
    console.print(table)


@app.command()
def demo() -> None:
    """The main job: create a workspace, load territories and the sample, validate, summarise."""
    from ecograph.ingest.territories import load_territories
    from ecograph.ontology import load_ontology
    from ecograph.sample import SAMPLE, load_sample
    from ecograph.validate import validate_store

    with _opened() as store:
        console.rule("ecograph demo")
        console.print(terminal(f"Store: {store.location}"))
        steps = [
            ("Ontology", lambda: load_ontology(store)),
            ("French territories 2026", lambda: not load_territories(store).skipped),
            (
                f"Sample ecosystem (Loire-Atlantique, {SAMPLE.actors} fictional actors)",
                lambda: not load_sample(store).skipped,
            ),
        ]
        for title, step in steps:
            started = time.perf_counter()
            with console.status(f"{title}…"):
                loaded = step()
            console.print(
                f"  {title}: {'loaded' if loaded else 'already loaded'} "
                f"({time.perf_counter() - started:.1f} s)"
            )
        sample_graph = graph_iri(store.base_iri, "sample")
        report = validate_store(store, graph=sample_graph)
        verdict = (
            "[green]conforms[/green]"
            if report.conforms
            else f"[red]{len(report.findings)} problem(s)[/red]"
        )
        console.print(f"  Validation of the sample against the SHACL shapes: {verdict}")
        _print_stats(store, "en")
        projection, result = _demo_analysis(store)
        _demo_pages(store, projection, result)
        console.print(
            "Next: `ecograph metrics`, `ecograph gaps --lang fr`, `ecograph serve`, "
            "`ecograph queries`, `ecograph export --graph sample`, "
            "`ecograph report --territory epci/244400404`."
        )


def _demo_pages(store: Store, projection: Any, result: Any) -> None:
    """The demo's last step: the sample territory's map and report, as offline HTML files in
    the workspace's ``demo`` folder (or ``./ecograph-demo`` when working on an endpoint)."""
    from ecograph.analysis import vocabulary
    from ecograph.ingest.territories import read_table
    from ecograph.labels import concept_labels
    from ecograph.network.gaps import suggest
    from ecograph.render import build_map
    from ecograph.render.report import build_report, resolve_territory
    from ecograph.render.report_page import write_report

    folder = (
        Path("ecograph-demo") if isinstance(store, RemoteStore) else Path(store.location) / "demo"
    )
    folder.mkdir(parents=True, exist_ok=True)
    table = read_table()
    territory = resolve_territory("departement/44", table)
    with console.status("Drawing the map and writing the territorial report…"):
        found = suggest(projection.collaboration, vocabulary(store, "fr", table), top=20, seed=0)
        document = build_map(
            projection,
            metrics=result,
            suggestions=found,
            lang="fr",
            labels=concept_labels(store, "fr"),
            table=table,
            seed=0,
            title=f"Écosystème d'exemple — {territory.name}",
        )
        map_path = folder / f"map-{territory.level}-{territory.code}.html"
        document.write(map_path)
        report = build_report(store, territory, lang="fr", seed=0, table=table)
        written = write_report(report, folder / f"report-{territory.level}-{territory.code}.html")
    console.print(terminal(f"  Map of the sample: {map_path}"))
    console.print(terminal(f"  Territorial report ({territory.name}): {written[0]}"))


def _demo_analysis(store: Store) -> tuple[Any, Any]:
    """The demo's network part: key metrics (written back to the store) and the top gaps;
    returns the projection and the metrics for the map and report."""
    from ecograph.analysis import Scope, domain_names, vocabulary
    from ecograph.ingest.territories import read_table
    from ecograph.network import gaps as gap_finder
    from ecograph.network.metrics import compute_metrics
    from ecograph.network.metrics_rdf import write_metrics

    table = read_table()
    projection = _projection(store, Scope())
    with console.status("Computing cross-sector metrics…"):
        result = compute_metrics(projection, seed=0)
        write_metrics(store, result)
    tables = result.tables()
    overall = tables["global"][0]
    summary = Table(title="Cross-sector collaboration (sample)", show_header=False)
    for key in (
        "actors",
        "ties",
        "cross_sector_share",
        "ei_index",
        "sector_assortativity",
        "communities",
        "modularity",
    ):
        _add_row(summary, key.replace("_", " "), _cell(overall[key]))
    console.print(summary)
    brokers = sorted(tables["actors"], key=lambda r: (-(r["betweenness"] or 0), r["actor"]))
    _rows_table(
        "Top 5 brokers (betweenness)",
        brokers[:5],
        ["name", "sector", "degree", "betweenness", "blau"],
    )
    words = vocabulary(store, "en", table)
    graph = projection.collaboration
    with console.status("Looking for gaps…"):
        pairs = gap_finder.sector_pair_gaps(graph, "departement")
        cells = [
            g
            for g in gap_finder.domain_gaps(
                graph, projection.contexts, table, domain_names(store), "departement"
            )
            if g.missing != "actor"
        ]
        suggestions = gap_finder.suggest(graph, words, top=5, seed=0)
    sector = words.sectors.get
    for gap in pairs:
        console.print(
            terminal(
                f"  Gap: {sector(gap.sector_a, gap.sector_a)} and "
                f"{sector(gap.sector_b, gap.sector_b)} never work together in "
                f"the département ({gap.actors_a} and {gap.actors_b} actors)."
            )
        )
    for gap in cells[:5]:
        console.print(
            terminal(
                f"  Gap: no {sector(gap.missing, gap.missing).lower()} partner "
                f"in any {words.domains.get(gap.domain, gap.domain).lower()} "
                "partnership."
            )
        )
    top = Table(title="Top 5 suggested partnerships")
    for column in ("actor", "should meet", "why"):
        top.add_column(column, overflow="fold")
    for s in suggestions:
        _add_row(
            top,
            graph.nodes[s.actor_a].get("name", ""),
            graph.nodes[s.actor_b].get("name", ""),
            s.explanation,
        )
    console.print(top)
    return projection, result


@app.command()
def serve(
    host: Annotated[str, typer.Option(help=setting_help("host"))] = setting_default("host"),
    port: Annotated[int, typer.Option(help=setting_help("port"))] = setting_default("port"),
    enable_update: Annotated[
        bool, typer.Option("--enable-update", help=setting_help("enable_update"))
    ] = setting_default("enable_update"),
    update_token: Annotated[
        str | None,
        typer.Option(
            envvar="ECOGRAPH_UPDATE_TOKEN",
            show_envvar=True,
            show_default=False,
            help=setting_help("update_token"),
        ),
    ] = setting_default("update_token"),
    cors: Annotated[bool, typer.Option("--cors", help=setting_help("cors"))] = setting_default(
        "cors"
    ),
    query_timeout: Annotated[
        float, typer.Option(help=setting_help("query_timeout"))
    ] = setting_default("query_timeout"),
    max_rows: Annotated[int, typer.Option(help=setting_help("max_rows"))] = setting_default(
        "max_rows"
    ),
    max_body_bytes: Annotated[
        int, typer.Option(help=setting_help("max_body_bytes"))
    ] = setting_default("max_body_bytes"),
    max_response_bytes: Annotated[
        int, typer.Option(help=setting_help("max_response_bytes"))
    ] = setting_default("max_response_bytes"),
    worker_memory: Annotated[
        int, typer.Option(help=setting_help("worker_memory"))
    ] = setting_default("worker_memory"),
    header_timeout: Annotated[
        float, typer.Option(help=setting_help("header_timeout"))
    ] = setting_default("header_timeout"),
    idle_timeout: Annotated[
        float, typer.Option(help=setting_help("idle_timeout"))
    ] = setting_default("idle_timeout"),
    workers: Annotated[int, typer.Option(help=setting_help("workers"))] = setting_default(
        "workers"
    ),
) -> None:
    """Serve the store as a SPARQL 1.1 endpoint with a query page (read-only by default)."""
    from ecograph.queries import QueryError
    from ecograph.server import ServerSettings, SettingsError
    from ecograph.server.app import serve as run_server
    from ecograph.store.embedded import resolve_store_dir

    if state.endpoint:
        raise _failure(
            "`ecograph serve` serves a workspace folder; --endpoint already names a SPARQL server.",
            2,
        )
    try:
        settings = ServerSettings(
            store=resolve_store_dir(state.store),
            host=host,
            port=port,
            enable_update=enable_update,
            update_token=update_token,
            cors=cors,
            query_timeout=query_timeout,
            max_rows=max_rows,
            max_body_bytes=max_body_bytes,
            max_response_bytes=max_response_bytes,
            worker_memory=worker_memory,
            header_timeout=header_timeout,
            idle_timeout=idle_timeout,
            workers=workers,
        )
    except SettingsError as err:
        raise _failure(err, 2) from None
    mode = "updates ENABLED (token required)" if settings.enable_update else "read-only"
    errors.print(
        terminal(
            f"Serving {settings.store} at http://{settings.host}:{settings.port}/ "
            f"({mode}; SPARQL endpoint /sparql; time limit {settings.query_timeout:g} s, "
            f"row cap {settings.max_rows:,}, {settings.worker_count} worker(s)"
            f"{'; CORS on' if settings.cors else ''})."
        )
    )
    if not settings.is_loopback:
        errors.print(
            labelled(
                "warning:",
                "yellow",
                f"listening on {settings.host}: anyone "
                "who can reach this machine can query the store.",
            )
        )
    try:
        run_server(settings)
    except (StoreError, QueryError) as err:
        raise _failure(err, 1) from None


# ------------------------------------------------------------------------------ helpers
def _parameter_pairs(args: list[str]) -> dict[str, str]:
    """``-p NAME VALUE`` pairs from the words Typer left over (it has no pair options)."""
    from ecograph.queries import QueryError

    values: dict[str, str] = {}
    words = list(args)
    while words:
        flag = words.pop(0)
        if flag not in ("-p", "--param") or len(words) < 2:
            raise QueryError(f"unexpected {flag!r}: parameters are given as -p NAME VALUE")
        name, value = words.pop(0), words.pop(0)
        values[name] = value
    return values


def _graph_arg(store: Store, graph: str | None) -> str | None:
    """A graph given by short name ('sample') or IRI → its IRI."""
    if graph is None or "://" in graph:
        return graph
    return graph_iri(store.base_iri, graph)


def _print_stats(store: Store, lang: str) -> None:
    from ecograph.stats import count_tables, totals

    summary = Table(title="Ecosystem", show_header=False)
    for key, value in totals(store).items():
        _add_row(summary, key, f"{value:,.0f}")
    console.print(summary)
    for count_table in count_tables(store, lang):
        table = Table(title=count_table.title)
        table.add_column(count_table.key)
        table.add_column("count", justify="right")
        for label, count in count_table.rows:
            _add_row(table, label, str(count))
        console.print(table)


from ecograph.cli_report import register as _register_report  # noqa: E402

_register_report(app)

from ecograph.cli_import import register as _register_import  # noqa: E402

_register_import(app)

from ecograph.cli_map import register as _register_map  # noqa: E402

_register_map(app)
