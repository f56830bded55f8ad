"""``gaps`` and ``gaps evaluate``: partnership gaps, suggestions and how good they are."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ecograph.cli.analysis import TableFormat
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
from ecograph.cli.tables import Kind, add_row, make_table
from ecograph.safetext import terminal
from ecograph.wording import say

if TYPE_CHECKING:
    from ecograph.network.gap_report import GapReport


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
    from ecograph.geography import geography
    from ecograph.labels import Labels
    from ecograph.network.gap_report import gap_report, write_report
    from ecograph.scope import domain_names

    if format is TableFormat.csv and out is None:
        raise fail("CSV needs --out FOLDER (one file per table).", 2)
    scope = scope_of(territory, domain, partnership_type, since, until)
    table = geography()
    with opened(read_only=True, create=False) as store:
        projection = projection_of(store, scope)
        words = Labels.from_store(store, lang=lang.value, table=table)
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
        raise fail(err.args[0], 2) from None
    if format is not TableFormat.table:
        for path in write_report(
            report, format.value, out=out, stream=sys.stdout, formula_escape=formula_escape
        ):
            errors.print(terminal(f"Wrote {path}."))
        return
    _print_gaps(report, words, top, table, graph, lang.value)


def _print_gaps(report: GapReport, words: Any, top: int, table: Any, graph: Any, lang: str) -> None:
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
            for gap in report.sector_pairs[:top]
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
            for gap in report.domains[:top]
        ],
    )
    actors = report.actors
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
            for gap in report.communities[:top]
        ],
    )
    print_table(
        say("Suggested partnerships", lang),
        [("actor", "text"), ("should meet", "text"), ("score", "number"), ("why", "text")],
        [
            [
                str(graph.nodes[s.actor_a].get("name") or s.actor_a),
                str(graph.nodes[s.actor_b].get("name") or s.actor_b),
                f"{s.score:.2f}",
                s.explanation,
            ]
            for s in report.suggestions
        ],
    )


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
    scope = scope_of(territory, domain, partnership_type, since, until)
    with opened(read_only=True, create=False) as store:
        projection = projection_of(store, scope)
    graph = projection.collaboration
    try:
        with working(f"Evaluating on {repeats} split(s)…"):
            if hide_from is None:
                result = compare(graph, repeats=repeats, hidden_share=hidden, seed=seed)
            else:
                starts = tie_starts(graph, projection.contexts)
                result = compare_temporal(
                    graph, starts, hidden_from=hide_from, repeats=repeats, seed=seed
                )
    except ValueError as err:
        raise fail(err, 2) from None
    _print_comparison(result)


def _print_comparison(result: Any) -> None:
    first = result.runs[0]
    if first.hidden_from is None:
        split = f"{first.hidden} hidden ties per random split, {result.repeats} split(s)"
    else:
        split = f"{first.hidden} ties from {first.hidden_from} on hidden, {result.repeats} seed(s)"
        if first.undated:
            split += f", {first.undated} undated ties left out"
    rows = [
        [
            method.method,
            *(
                f"{c.mean:.3f} ± {c.sd:.3f}"
                for c in [method.auc, *(method.precision_at[k] for k in result.ks)]
            ),
        ]
        for method in result.methods
    ]
    columns: list[tuple[str, Kind]] = [("method", "text"), ("AUC", "number")]
    columns += [(f"precision@{k}", "number") for k in result.ks]
    table = make_table(f"Link prediction, {split}: mean ± standard deviation", columns, rows=rows)
    for row in rows:
        add_row(table, *row)
    console.print(table)
