"""``ecograph report``: the territorial report of a commune, EPCI, département or région.

A module of its own, registered on the main Typer app at the end of :mod:`ecograph.cli`, so the
report's options live beside nothing else; like every command it only opens the workspace,
calls the library (:mod:`ecograph.render.report`, :mod:`ecograph.render.report_page`) and
says what it wrote.
"""

# No ``from __future__ import annotations``: Typer reads the annotations at registration, and
# they name classes imported inside register(), which string annotations could not see.
import time
from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add the ``report`` command to ``app``."""
    from ecograph.cli import Lang, SeedOption, _failure, _opened, console
    from ecograph.safetext import terminal

    @app.command()
    def report(
        territory: Annotated[
            str,
            typer.Option(
                help="The territory: 44 or departement/44, epci/244400404, commune/44109, "
                "region/52 (a full territory IRI works too)."
            ),
        ],
        out: Annotated[
            Path | None,
            typer.Option(help="HTML file to write (default: report-LEVEL-CODE.html here)."),
        ] = None,
        lang: Annotated[Lang, typer.Option(help="Language of the report.")] = Lang.fr,
        pdf: Annotated[
            bool,
            typer.Option(
                "--pdf", help="Also print a PDF beside the HTML (needs Chromium installed)."
            ),
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
        from ecograph.render.report import build_report, report_territory
        from ecograph.render.report_page import write_report

        try:
            place = report_territory(territory)
        except ValueError as err:
            raise _failure(f"--territory: {err}", 2) from None
        started = time.perf_counter()
        with (
            _opened(read_only=True, create=False) as store,
            console.status(terminal(f"Computing the report of {place.name}…")),
        ):
            built = build_report(store, place, lang=lang.value, seed=seed, top=top)
        target = out or Path(f"report-{place.level}-{place.code}.html")
        try:
            with console.status("Writing the report…"):
                written = write_report(
                    built,
                    target,
                    with_map=with_map,
                    pdf=target.with_suffix(".pdf") if pdf else None,
                )
        except RuntimeError as err:
            raise _failure(err, 1) from None
        console.print(
            terminal(
                f"Report of {place.name} ({built.here.actors:,} actors, "
                f"{built.here.ties:,} ties) written to "
                f"{', '.join(str(p) for p in written)} in "
                f"{time.perf_counter() - started:.1f} s."
            )
        )
