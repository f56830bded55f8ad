"""``report``: the territorial report of a commune, EPCI, département or région, as one
offline HTML page (and optionally a PDF)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from ecograph.cli.common import Lang, SeedOption, console, fail, opened, working
from ecograph.safetext import terminal


def report(
    territory: Annotated[
        str,
        typer.Option(
            help="The territory: a code (44, epci/244400404, commune/44109, region/52), an "
            "exact name (Nantes Métropole) or its IRI."
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(help="HTML file to write (default: report-LEVEL-CODE.html here)."),
    ] = None,
    lang: Annotated[Lang, typer.Option(help="Language of the report.")] = Lang.fr,
    pdf: Annotated[
        bool,
        typer.Option("--pdf", help="Also print a PDF beside the HTML (needs Chromium installed)."),
    ] = False,
    with_map: Annotated[
        bool,
        typer.Option("--map/--no-map", help="Embed the interactive network map (sandboxed)."),
    ] = True,
    top: Annotated[
        int, typer.Option(min=1, help="Rows of the brokers, gaps and suggestions tables.")
    ] = 10,
    seed: SeedOption = 0,
) -> None:
    """Territorial report: one offline HTML page (and optionally PDF) with actors, funding,
    cross-sector collaboration against the parent territory, brokers, gaps, suggested
    partnerships and the map."""
    from ecograph.ingest.territories import NOT_LOADED, territories_loaded
    from ecograph.render.report import build_report, report_territory
    from ecograph.render.report_page import write_report

    try:
        place = report_territory(territory)
    except ValueError as err:
        raise fail(f"--territory: {err}", 2) from None
    started = time.perf_counter()
    with (
        opened(read_only=True, create=False) as store,
        working(f"Computing the report of {place.name}…"),
    ):
        built = build_report(store, place, lang=lang.value, seed=seed, top=top)
        unplaced = built.empty and not territories_loaded(store)
    target = out or Path(f"report-{place.level}-{place.code}.html")
    try:
        with working("Writing the report…"):
            written = write_report(
                built,
                target,
                with_map=with_map,
                pdf=target.with_suffix(".pdf") if pdf else None,
            )
    except RuntimeError as err:
        raise fail(err, 1) from None
    if built.empty:
        console.print(
            terminal(f"No actor is based in {place.name}: the report says so and no more.")
        )
    if unplaced:
        console.print(NOT_LOADED)
    console.print(
        terminal(
            f"Report of {place.name} ({built.here.actors:,} actors, "
            f"{built.here.ties:,} ties) written to "
            f"{', '.join(str(p) for p in written)} in "
            f"{time.perf_counter() - started:.1f} s."
        )
    )
