"""``demo``: the main job on the built-in sample, from an empty folder to a map and a report."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from rich.table import Table

from ecograph.cli.common import console, opened, projection_of, working
from ecograph.cli.tables import add_row, cell, print_stats, rows_table
from ecograph.namespaces import graph_iri
from ecograph.safetext import terminal
from ecograph.store import RemoteStore, Store


def demo() -> None:
    """The main job: create a workspace, load territories and the sample, validate, summarise."""
    from ecograph.ingest.territories import load_territories
    from ecograph.ontology import load_ontology
    from ecograph.sample import SAMPLE, load_sample
    from ecograph.validate import validate_store

    with opened() as store:
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
            with working(f"{title}…"):
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
        print_stats(store, "en")
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
    from ecograph.geography import geography, resolve_territory
    from ecograph.labels import Labels
    from ecograph.network.gaps import suggest
    from ecograph.render import build_map
    from ecograph.render.report import build_report
    from ecograph.render.report_page import write_report

    folder = (
        Path("ecograph-demo") if isinstance(store, RemoteStore) else Path(store.location) / "demo"
    )
    folder.mkdir(parents=True, exist_ok=True)
    table = geography()
    territory = resolve_territory("departement/44", table=table)
    with working("Drawing the map and writing the territorial report…"):
        labels = Labels.from_store(store, lang="fr", table=table)
        found = suggest(projection.collaboration, labels, top=20, seed=0)
        document = build_map(
            projection,
            metrics=result,
            suggestions=found,
            lang="fr",
            labels=labels,
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
    from ecograph.geography import geography
    from ecograph.labels import Labels
    from ecograph.network import gaps as gap_finder
    from ecograph.network.metrics import compute_metrics
    from ecograph.network.metrics_rdf import write_metrics
    from ecograph.scope import Scope, domain_names

    table = geography()
    projection = projection_of(store, Scope())
    with working("Computing cross-sector metrics…"):
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
        add_row(summary, key.replace("_", " "), cell(overall[key]))
    console.print(summary)
    brokers = sorted(tables["actors"], key=lambda r: (-(r["betweenness"] or 0), r["actor"]))
    rows_table(
        "Top 5 brokers (betweenness)",
        brokers[:5],
        ["name", "sector", "degree", "betweenness", "blau"],
    )
    words = Labels.from_store(store, lang="en", table=table)
    graph = projection.collaboration
    with working("Looking for gaps…"):
        pairs = gap_finder.sector_pair_gaps(graph, level="departement")
        cells = [
            g
            for g in gap_finder.domain_gaps(
                graph, projection.contexts, table, domain_names(store), level="departement"
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
    for cell_gap in cells[:5]:
        console.print(
            terminal(
                f"  Gap: no {sector(cell_gap.missing, cell_gap.missing).lower()} partner "
                f"in any {words.domains.get(cell_gap.domain, cell_gap.domain).lower()} "
                "partnership."
            )
        )
    top = Table(title="Top 5 suggested partnerships")
    for column in ("actor", "should meet", "why"):
        top.add_column(column, overflow="fold")
    for s in suggestions:
        add_row(
            top,
            graph.nodes[s.actor_a].get("name", ""),
            graph.nodes[s.actor_b].get("name", ""),
            s.explanation,
        )
    console.print(top)
    return projection, result
