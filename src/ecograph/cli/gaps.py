"""``gaps`` and ``gaps evaluate``: partnership gaps, suggestions and how good they are."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.table import Table

from ecograph.cli.analysis import TableFormat
from ecograph.cli.common import (
    DomainOption,
    Lang,
    SeedOption,
    SinceOption,
    TerritoryOption,
    TypeOption,
    UntilOption,
    console,
    fail,
    opened,
    projection_of,
    scope_of,
    working,
)
from ecograph.cli.tables import Kind, add_row, make_table
from ecograph.safetext import for_stream
from ecograph.wording import say


def gaps(
    ctx: typer.Context,
    actor: Annotated[
        str | None,
        typer.Option(
            help="Answer 'who should this actor meet?' for one actor: its name, the end of its "
            "IRI (e.g. sample-a0099) or its IRI."
        ),
    ] = None,
    level: Annotated[
        str,
        typer.Option(help="Territory level of the structural gaps: epci, departement or commune."),
    ] = "epci",
    top: Annotated[int, typer.Option(help="Rows per table.")] = 10,
    lang: Annotated[Lang, typer.Option(help="Language of explanations and tables.")] = Lang.fr,
    format: Annotated[
        TableFormat, typer.Option("--format", "-f", help="Terminal tables, or JSON of every table.")
    ] = TableFormat.table,
    territory: TerritoryOption = None,
    domain: DomainOption = None,
    partnership_type: TypeOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    seed: SeedOption = 0,
) -> None:
    """Structural gaps (sectors that never meet, domains without a public or private partner,
    isolated actors) and suggested partnerships, each with its explanation."""
    if ctx.invoked_subcommand is not None:
        return
    from ecograph.geography import geography
    from ecograph.labels import Labels
    from ecograph.network import gaps as gap_finder
    from ecograph.network.communities import louvain_communities
    from ecograph.scope import domain_names

    scope = scope_of(territory, domain, partnership_type, since, until)
    table = geography()
    with opened(read_only=True, create=False) as store:
        projection = projection_of(store, scope)
        words = Labels.from_store(store, lang.value, table=table)
        domains = domain_names(store)
    graph = projection.collaboration
    if actor is not None:
        from ecograph.network.lookup import ActorNotFound, find_actor

        try:
            actor = str(find_actor(graph, actor))
        except ActorNotFound as err:
            raise fail(f"--actor: {err}", 2) from None
    try:
        with working("Looking for gaps…"):
            report = {
                "sector_pairs": gap_finder.sector_pair_gaps(graph, level),
                "domains": gap_finder.domain_gaps(
                    graph, projection.contexts, table, domains, level
                ),
                "actors": gap_finder.actor_gaps(graph),
                "communities": gap_finder.community_gaps(
                    graph, [set(c) for c in louvain_communities(graph, seed=seed)]
                ),
                "suggestions": gap_finder.suggest(graph, words, actor=actor, top=top, seed=seed),
            }
    except KeyError as err:
        raise fail(err.args[0], 2) from None
    if format is not TableFormat.table:
        import json
        from dataclasses import asdict

        text = json.dumps(
            {k: [asdict(r) for r in v] for k, v in report.items()},
            ensure_ascii=False,
            indent=1,
            default=str,
        )
        sys.stdout.write(for_stream(text + "\n", sys.stdout))
        return
    _print_gaps(report, words, top, table, graph, lang.value)


def _print_gaps(
    report: dict[str, list[Any]], words: Any, top: int, table: Any, graph: Any, lang: str
) -> None:
    def place(code: str) -> str:
        if code in table.epcis:
            return str(table.epcis[code][0])
        if code in table.departements:
            return str(table.departements[code][0])
        return table.communes[code].name if code in table.communes else code

    def print_table(title: str, columns: list[tuple[str, Kind]], rows: list[list[str]]) -> None:
        shown = make_table(title, [(say(n, lang), k) for n, k in columns], rows=rows)
        for row in rows:
            add_row(shown, *row)
        console.print(shown)

    sector = words.sectors.get
    print_table(
        say("Sectors present that never work together here", lang),
        [("territory", "text"), ("sectors", "text"), ("actors", "key")],
        [
            [
                place(gap.territory),
                f"{sector(gap.sector_a, gap.sector_a)} – {sector(gap.sector_b, gap.sector_b)}",
                f"{gap.actors_a:,} / {gap.actors_b:,}",
            ]
            for gap in report["sector_pairs"][:top]
        ],
    )
    print_table(
        say("Domains without an actor, or without a public/private partner", lang),
        [
            ("territory", "text"),
            ("domain", "text"),
            ("missing", "text"),
            ("actors on it", "number"),
            ("population", "number"),
        ],
        [
            [
                place(gap.territory),
                words.domains.get(gap.domain, gap.domain),
                say("any actor", lang)
                if gap.missing == "actor"
                else say("{sector} partner", lang, sector=sector(gap.missing, gap.missing)),
                f"{gap.actors_on_domain:,}",
                f"{gap.population:,}",
            ]
            for gap in report["domains"][:top]
        ],
    )
    actors = report["actors"]
    console.print(
        say(
            "{isolated} isolated actors (no tie), {peripheral} peripheral (one tie).",
            lang,
            isolated=f"{sum(a.kind == 'isolated' for a in actors):,}",
            peripheral=f"{sum(a.kind == 'peripheral' for a in actors):,}",
        ),
        highlight=False,
    )
    print_table(
        say("Communities of the same département with no tie between them", lang),
        [
            ("département", "text"),
            ("community", "number"),
            ("size", "number"),
            ("community", "number"),
            ("size", "number"),
        ],
        [
            [
                place(gap.departement),
                str(gap.community_a),
                f"{gap.size_a:,}",
                str(gap.community_b),
                f"{gap.size_b:,}",
            ]
            for gap in report["communities"][:top]
        ],
    )
    print_table(
        say("Suggested partnerships", lang),
        [("actor", "text"), ("should meet", "text"), ("score", "number"), ("why", "text")],
        [
            [
                graph.nodes[s.actor_a].get("name") or s.actor_a,
                graph.nodes[s.actor_b].get("name") or s.actor_b,
                f"{s.score:.2f}",
                s.explanation,
            ]
            for s in report["suggestions"]
        ],
    )


def gaps_evaluate(
    hidden: Annotated[float, typer.Option(help="Share of known ties hidden (0–1).")] = 0.1,
    repeats: Annotated[int, typer.Option(help="Splits to average over (seeds seed…).")] = 5,
    territory: TerritoryOption = None,
    domain: DomainOption = None,
    partnership_type: TypeOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    seed: SeedOption = 0,
) -> None:
    """Hide known ties, rank, and compare ecograph's ranking with networkx's RA, Adamic–Adar
    and Jaccard (AUC and precision@k, same splits)."""
    from ecograph.network.evaluate import evaluate

    scope = scope_of(territory, domain, partnership_type, since, until)
    with opened(read_only=True, create=False) as store:
        projection = projection_of(store, scope)
    runs = []
    with working(f"Evaluating on {repeats} split(s)…"):
        for offset in range(repeats):
            runs.append(evaluate(projection.collaboration, hidden_share=hidden, seed=seed + offset))
    table = Table(
        title=f"Link prediction, {runs[0].hidden} hidden ties per split, {repeats} split(s), mean"
    )
    ks = sorted(runs[0].scores[0].precision_at)
    table.add_column("method")
    table.add_column("AUC", justify="right")
    for k in ks:
        table.add_column(f"precision@{k}", justify="right")
    for i, method in enumerate(runs[0].scores):
        aucs = [run.scores[i].auc for run in runs]
        row = [method.method, f"{sum(aucs) / len(aucs):.3f}"]
        for k in ks:
            values = [run.scores[i].precision_at[k] for run in runs]
            row.append(f"{sum(values) / len(values):.3f}")
        add_row(table, *row)
    console.print(table)
