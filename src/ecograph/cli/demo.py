"""``demo``: the main job on the built-in sample, from an empty folder to a map and a report."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from rich.table import Table

from ecograph.cli.common import console, opened, projection_of, working
from ecograph.cli.tables import add_row, cell, make_table, print_stats, rows_table
from ecograph.namespaces import graph_iri
from ecograph.safetext import terminal
from ecograph.store import RemoteStore, Store
from ecograph.wording import say


def demo() -> None:
    """The main job: create a workspace, load territories and the sample, validate, summarise."""
    from ecograph.ingest.territories import load_territories
    from ecograph.ontology import load_ontology
    from ecograph.sample import SAMPLE, load_sample
    from ecograph.sample.real_grants import ATTRIBUTION, grant_counts, load_real_grants
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
        started = time.perf_counter()
        with working("Real grants of the Département de Loire-Atlantique…"):
            grants = load_real_grants(store)
        granted, beneficiaries = grant_counts(store, grants.graph)
        console.print(
            terminal(
                f"  Real grants of the Département de Loire-Atlantique: "
                f"{'already loaded' if grants.status == 'unchanged' else 'loaded'} "
                f"({time.perf_counter() - started:.1f} s): {granted:,} grants to "
                f"{beneficiaries:,} real beneficiaries, beside the fictional sample"
            )
        )
        console.print(terminal(f"  ({ATTRIBUTION})"), style="dim")
        sample_graph = graph_iri(store.base_iri, "sample")
        report = validate_store(store, graph=sample_graph)
        verdict = (
            "[green]conforms[/green]"
            if report.conforms
            else f"[red]{len(report.findings)} problem(s)[/red]"
        )
        console.print(f"  Validation of the sample against the SHACL shapes: {verdict}")
        print_stats(store, DEMO_LANG)
        projection, result, found = _demo_analysis(store)
        _demo_pages(store, projection, result, found)
        console.print(
            "Next: `ecograph metrics`, `ecograph gaps`, `ecograph serve`, "
            "`ecograph queries`, `ecograph export --graph sample`, "
            "`ecograph report --territory epci/244400404`."
        )


def _demo_pages(store: Store, projection: Any, result: Any, found: Any) -> None:
    """The demo's last step: the sample territory's map and report, as offline HTML files in
    the workspace's ``demo`` folder (or ``./ecograph-demo`` when working on an endpoint)."""
    from ecograph.geography import geography, resolve_territory
    from ecograph.labels import Labels
    from ecograph.render.ecosystem_map import ecosystem_map
    from ecograph.render.origins import actor_origins
    from ecograph.render.report import build_report
    from ecograph.render.report_page import write_report

    folder = (
        Path("ecograph-demo") if isinstance(store, RemoteStore) else Path(store.location) / "demo"
    )
    folder.mkdir(parents=True, exist_ok=True)
    table = geography()
    territory = resolve_territory("departement/44", table=table)
    with working("Drawing the map and writing the territorial report…"):
        document = ecosystem_map(
            projection,
            Labels.from_store(store, lang=DEMO_LANG, table=table),
            metrics=result,
            suggestions=found,
            table=table,
            title=f"{territory.name} — échantillon fictif et subventions réelles du Département",
            origins=actor_origins(store, lang=DEMO_LANG),
        )
        map_path = folder / f"map-{territory.level}-{territory.code}.html"
        document.write(map_path)
        report = build_report(store, territory, lang="fr", seed=0, table=table)
        written = write_report(report, folder / f"report-{territory.level}-{territory.code}.html")
    console.print(terminal(f"  Map of the sample: {map_path}"))
    console.print(terminal(f"  Territorial report ({territory.name}): {written[0]}"))


#: Suggestions the demo finds: the map draws them all, the terminal shows the first five.
DEMO_SUGGESTIONS = 20
#: The language of the demo's tables, map and report: French, like every command's default
#: (its narration stays English, like every command's messages).
DEMO_LANG = "fr"


def _demo_analysis(store: Store) -> tuple[Any, Any, Any]:
    """The demo's network part: key metrics (written back to the store) and the top gaps;
    returns the projection, the metrics and the suggestions for the map and report."""
    from ecograph.geography import geography
    from ecograph.labels import Labels
    from ecograph.network.gap_report import gap_report
    from ecograph.network.metrics import compute_metrics
    from ecograph.network.metrics_rdf import write_metrics
    from ecograph.scope import Scope, domain_names

    table = geography()
    projection = projection_of(store, Scope())
    words = Labels.from_store(store, lang=DEMO_LANG, table=table)
    with working("Computing cross-sector metrics…"):
        result = compute_metrics(projection, seed=0)
        write_metrics(store, result)
    tables = result.tables()
    overall = tables["global"][0]
    summary = Table(title=say("Cross-sector collaboration (sample)", DEMO_LANG), show_header=False)
    for key in (
        "actors",
        "ties",
        "cross_sector_share",
        "ei_index",
        "sector_assortativity",
        "communities",
        "modularity",
    ):
        add_row(summary, say(key.replace("_", " "), DEMO_LANG), cell(overall[key]))
    console.print(summary)
    brokers = sorted(tables["actors"], key=lambda r: (-(r["betweenness"] or 0), r["actor"]))
    sectors = words.sectors
    rows_table(
        say("Top 5 brokers (betweenness)", DEMO_LANG),
        [{**row, "sector": sectors.get(row["sector"], row["sector"])} for row in brokers[:5]],
        ["name", "sector", "degree", "betweenness", "blau"],
        lang=DEMO_LANG,
    )
    graph = projection.collaboration
    with working("Looking for gaps…"):
        gaps = gap_report(
            projection,
            words,
            domain_names(store),
            table=table,
            level="departement",
            top=DEMO_SUGGESTIONS,
            seed=0,
        )
    sector = words.sectors.get
    for pair in gaps.sector_pairs:
        console.print(
            terminal(
                say(
                    "  Gap: {a} and {b} never work together in the département ({n} and {m} "
                    "actors).",
                    DEMO_LANG,
                    a=sector(pair.sector_a, pair.sector_a),
                    b=sector(pair.sector_b, pair.sector_b),
                    n=pair.actors_a,
                    m=pair.actors_b,
                )
            )
        )
    for cell_gap in [g for g in gaps.domains if g.missing != "actor"][:5]:
        console.print(
            terminal(
                say(
                    "  Gap: no {sector} partner in any {domain} partnership.",
                    DEMO_LANG,
                    sector=sector(cell_gap.missing, cell_gap.missing).lower(),
                    domain=words.domains.get(cell_gap.domain, cell_gap.domain).lower(),
                )
            )
        )
    rows = [
        [
            str(graph.nodes[s.actor_a].get("name", "")),
            str(graph.nodes[s.actor_b].get("name", "")),
            s.explanation,
        ]
        for s in gaps.suggestions[:5]
    ]
    top = make_table(
        say("Top 5 suggested partnerships", DEMO_LANG),
        [(say(c, DEMO_LANG), "text") for c in ("actor", "should meet", "why")],
        rows=rows,
    )
    for row in rows:
        add_row(top, *row)
    console.print(top)
    return projection, result, gaps.suggestions
