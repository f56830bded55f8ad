"""``ecograph import``, ``ecograph sources`` and ``ecograph remove``: thin commands over
``ecograph.ingest.importer`` and ``ecograph.ingest.sources``."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ecograph.cli.common import RefreshOption, console, errors, fail, opened, progress
from ecograph.safetext import clean, labelled, terminal

if TYPE_CHECKING:
    from ecograph.ingest.importer import ImportResult
    from ecograph.store.base import Store


class ImportFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"
    scdl = "scdl"
    sirene = "sirene"
    rdf = "rdf"
    rna = "rna"
    sirene_stock = "sirene-stock"


class Kind(StrEnum):
    actors = "actors"
    projects = "projects"
    partnerships = "partnerships"


def import_files(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Files to import, in order (actors before the partnerships that name them).",
            show_default=False,
        ),
    ] = None,
    format: Annotated[
        ImportFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="csv/xlsx (actors, projects, partnerships), scdl (subsidies), "
            "sirene (SIRENE/ESS lists), rdf, rna (associations' register, waldec) or "
            "sirene-stock (INSEE's StockUniteLegale/StockEtablissement); detected when omitted.",
        ),
    ] = None,
    kind: Annotated[
        Kind | None,
        typer.Option(help="What a csv/xlsx file lists; guessed from its columns when omitted."),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option(help="Mapping file (.toml or .yaml): column names, value words, defaults."),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Swap an earlier version of the same source for this file."),
    ] = False,
    keep_good_rows: Annotated[
        bool,
        typer.Option(
            "--keep-good-rows",
            help="Import the good rows even if some are refused (they are "
            "listed in the reject file); default: all rows or nothing.",
        ),
    ] = False,
    rejects: Annotated[
        Path | None,
        typer.Option(
            help="Where to write refused rows (default: FILE.rejects.csv in this folder)."
        ),
    ] = None,
    formula_escape: Annotated[
        bool,
        typer.Option(
            "--formula-escape/--no-formula-escape",
            help="In the reject file, put ' before cells a spreadsheet would run as a formula "
            "(starting with =, +, -, @, tab or carriage return; plain numbers stay).",
        ),
    ] = True,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Subsidy (SCDL) files: refuse a row with an invalid identifier, no amount, "
            "an unreadable date or a funder with several SIRENs, instead of landing it with "
            "the assumption listed in the summary.",
        ),
    ] = False,
    funder: Annotated[
        str | None,
        typer.Option(
            help="The funder of a grant list without a funder column: a SIREN, an INSEE code "
            "(44109, 44) or a name (Ville de Nantes); each amount column becomes one grant.",
            show_default=False,
        ),
    ] = None,
    territory: Annotated[
        str | None,
        typer.Option(
            help="RNA and SIRENE stock files: keep one territory (44, epci/244400404, "
            "region/52, a commune's code or name)."
        ),
    ] = None,
    include_dissolved: Annotated[
        bool,
        typer.Option("--include-dissolved", help="RNA files: keep dissolved associations too."),
    ] = False,
    ess_only: Annotated[
        bool,
        typer.Option(
            "--ess-only", help="SIRENE stock files: keep units flagged ESS (social economy)."
        ),
    ] = False,
    active_only: Annotated[
        bool,
        typer.Option("--active-only", help="SIRENE stock files: keep active units only."),
    ] = False,
    establishments: Annotated[
        Path | None,
        typer.Option(
            "--establishments",
            help="With a StockUniteLegale file and --territory: the StockEtablissement file "
            "whose seats say which units lie in the territory, and give them their commune "
            "and SIRET (a unit file has no address).",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    infer_domains: Annotated[
        bool,
        typer.Option(
            "--infer-domains/--no-infer-domains",
            help="Give grants and actors the domains the words of their object, name or "
            "purpose speak of, by the keyword rules of the domain scheme (kept apart from "
            "stated domains as eg:inferredDomain / eg:inferredWorksOn, with the keyword that "
            "fired; `ecograph domains` explains and measures them).",
        ),
    ] = True,
    refresh: RefreshOption = True,
    template: Annotated[
        Kind | None,
        typer.Option(
            help="Write an empty spreadsheet with the expected columns and an example row "
            "instead of importing."
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="With --template: the file to write (.xlsx or .csv; default KIND-template.xlsx)."
        ),
    ] = None,
) -> None:
    """Import spreadsheets (CSV/XLSX), SCDL subsidy files, SIRENE/ESS lists or RDF, one
    source graph per file, with provenance; all rows or nothing unless --keep-good-rows."""
    from ecograph.ingest.importer import ImportRefused, import_file
    from ecograph.ingest.mapping import MappingError, load_mapping
    from ecograph.ingest.streamed import RowFilters

    filters = RowFilters(
        territory=territory,
        include_dissolved=include_dissolved,
        ess_only=ess_only,
        active_only=active_only,
        establishments=establishments,
    )

    if template is not None:
        from ecograph.ingest.templates import write_template

        target = write_template(template.value, out or Path(f"{template.value}-template.xlsx"))
        console.print(
            terminal(f"Wrote {target}: fill it in, then `ecograph import {target.name}`.")
        )
        return
    if not files:
        raise fail("name the file(s) to import, or use --template KIND.", 2)
    try:
        loaded_mapping = load_mapping(mapping) if mapping else None
    except (MappingError, OSError) as err:
        raise fail(err, 2) from None
    if len(files) > 1 and rejects is not None:
        raise fail(
            "--rejects names one file; import one file at a time or let each get FILE.rejects.csv.",
            2,
        )
    failed = False
    imported = False
    with opened() as store:
        for path in files:
            with progress() as bar:
                task = bar.add_task(f"{clean(path.name)}: reading", total=None)

                def report(
                    stage: str,
                    done: int,
                    total: int,
                    task: int = task,
                    bar: Any = bar,
                    name: str = clean(path.name),
                ) -> None:
                    bar.update(
                        task, description=f"{name}: {stage}", completed=done, total=total or None
                    )

                try:
                    result = import_file(
                        store,
                        path,
                        format=format.value if format else None,
                        kind=kind.value if kind else None,
                        mapping=loaded_mapping,
                        replace=replace,
                        keep_good_rows=keep_good_rows,
                        rejects_path=rejects,
                        progress=report,
                        formula_escape=formula_escape,
                        strict=strict,
                        funder=funder,
                        filters=filters,
                        infer_domains=infer_domains,
                    )
                except ImportRefused as refused:
                    bar.stop()
                    errors.print(labelled("refused:", "red", refused))
                    _print_rejects(errors, refused.result)
                    failed = True
                    continue
            _print_summary(console, result)
            imported = True
        if imported and refresh:
            _refresh_metrics(store)
    if failed:
        raise typer.Exit(1)


def _refresh_metrics(store: Store) -> None:
    """Recompute the whole ecosystem's metrics, which the change just made to the data left
    stale, with a progress display."""
    from ecograph.network.refresh import refresh_metrics

    with progress() as bar:
        task = bar.add_task("metrics", total=None)

        def report(stage: str, done: int, total: int) -> None:
            bar.update(task, description=f"metrics: {stage}", completed=done, total=total)

        graph = refresh_metrics(store, progress=report)
    if graph:
        console.print("Metrics brought up to date for the library queries.")


def _print_rejects(errors: Console, result: ImportResult, limit: int = 10) -> None:
    rejects = result.rejects
    for reject in rejects[:limit]:
        errors.print(terminal(f"  {reject.message(result.file)}"))
    if len(rejects) > limit:
        errors.print(f"  … {len(rejects) - limit} more in the reject file.")


def _print_summary(console: Console, result: ImportResult) -> None:
    r = result
    if r.status == "unchanged":
        console.print(terminal(r.message))
        return
    table = Table(
        title=terminal(
            f"{r.file} → source «{r.source}» ({r.format}"
            f"{', ' + r.kind if r.kind and r.kind != r.format else ''}, "
            f"{r.status}, {r.seconds:.1f} s)"
        ),
        show_header=False,
    )
    table.add_column("what")
    table.add_column("count", justify="right")
    labels = {
        "rowsRead": "rows read",
        "rowsImported": "rows imported",
        "rowsSkipped": "rows skipped (filters, repeats)"
        if r.format in ("rna", "sirene-stock")
        else "rows skipped (totals)",
        "rowsRejected": "rows refused",
        "actorsCreated": "actors created",
        "actorsMerged": "actors merged with the store",
        "projects": "projects",
        "partnerships": "partnerships",
        "triples": "triples",
    }
    for key, label in labels.items():
        table.add_row(label, f"{r.counts.get(key, 0):,}")
    console.print(table)
    sections = [
        ("Assumed", r.assumptions),
        ("Conflicts (store kept its value)", r.conflicts),
        (
            "Merged by name and commune — please review",
            [f"row {m.row}: «{m.name}» = «{m.merged_with}» {m.iri}" for m in r.name_merges],
        ),
        ("Columns not imported", [", ".join(r.unused_columns)] if r.unused_columns else []),
    ]
    for title, lines in sections:
        if lines:
            console.print(f"[bold]{title}:[/bold]")
            for line in lines[:20]:
                console.print(terminal(f"  {line}"))
            if len(lines) > 20:
                console.print(f"  … {len(lines) - 20} more")
    if r.reject_file:
        console.print(terminal(f"Refused rows are listed in {r.reject_file}."))
    if r.replaced:
        console.print(f"Replaced the earlier version ({len(r.replaced)} graph(s) dropped).")


def sources() -> None:
    """List imported sources: file, format, time, rows and what they added."""
    from ecograph.ingest.sources import list_sources

    with opened(read_only=True, create=False) as store:
        found = list_sources(store)
    if not found:
        console.print("No imported source yet: `ecograph import FILE`.")
        return
    console.print(f"{len(found):,} imported source(s); `ecograph remove SOURCE` takes one out.")
    names = [s.source for s in found]
    for info in found:
        c = info.counts
        heading = Text("• ")
        heading.append(terminal(info.source))
        heading.append(terminal(f" — {info.format}, imported {_when(info.imported_at)}"))
        if names.count(info.source) > 1:
            heading.append(" (2 versions: re-run the import)", style="yellow")
        console.print(heading)
        console.print(
            f"    {_count(c, 'rowsImported', 'row')} imported, "
            f"{c.get('rowsRejected', 0):,} refused; actors: "
            f"{c.get('actorsCreated', 0):,} new, {c.get('actorsMerged', 0):,} merged; "
            f"{_count(c, 'partnerships', 'partnership')}, {_count(c, 'projects', 'project')}; "
            f"{_count(c, 'triples', 'triple')}",
            highlight=False,
        )


def _count(counts: dict[str, int], key: str, noun: str) -> str:
    """``1 row``, ``12,000 rows``."""
    value = counts.get(key, 0)
    return f"{value:,} {noun}{'' if value == 1 else 's'}"


def _when(stamp: str) -> str:
    """An ISO time stamp as ``2026-12-07 05:50 UTC``: seconds are noise in a list."""
    day, _, moment = stamp.partition("T")
    return f"{day} {moment[:5]} UTC" if moment else day


def remove(
    source: Annotated[
        str,
        typer.Argument(
            help="The source to take out: its name (see `ecograph sources`), file name or graph "
            "IRI."
        ),
    ],
    refresh: RefreshOption = True,
) -> None:
    """Remove an imported source (its whole graph) from the store."""
    from ecograph.ingest.sources import remove_source

    with opened() as store:
        removed, shared = remove_source(store, source)
        if removed and refresh:
            _refresh_metrics(store)
    if not removed:
        errors.print(
            labelled(
                "error:",
                "red",
                f"no imported source named «{source}»; `ecograph sources` lists them.",
            )
        )
        raise typer.Exit(1)
    console.print(
        terminal(
            f"Removed source «{removed[0].source}» ({removed[0].file}, {len(removed)} version(s))."
        )
    )
    if shared:
        console.print(
            f"[yellow]note:[/yellow] {shared} actor(s) it described are also named "
            "by other sources, which now lack this source's name, type or sector: "
            "re-import those sources with --replace to describe them again."
        )
