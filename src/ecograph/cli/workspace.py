"""``init``, ``territories``, ``generate``, ``validate``, ``stats`` and ``export``: making,
filling, checking and writing out a workspace.
"""

from __future__ import annotations

import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ecograph.cli.common import Lang, console, errors, fail, graph_arg, opened, working
from ecograph.cli.tables import print_stats
from ecograph.safetext import terminal


def init(
    base_iri: Annotated[
        str | None,
        typer.Option(help="Base IRI for the instances this workspace mints (fixed at creation)."),
    ] = None,
) -> None:
    """Create a workspace (if needed) and load the ontology into it."""
    from ecograph.ontology import load_ontology

    with opened(base_iri=base_iri) as store:
        loaded = load_ontology(store)
        console.print(
            terminal(
                f"Store {store.location} ready (base {store.base_iri}); "
                f"ontology {'loaded' if loaded else 'already current'}."
            )
        )


def territories(
    force: Annotated[bool, typer.Option(help="Reload even if already loaded.")] = False,
) -> None:
    """Load the 2026 French territories (régions, départements, EPCI, communes)."""
    from ecograph.ingest.territories import load_territories

    with opened() as store:
        result = load_territories(store, force=force)
    if result.skipped:
        console.print("Territories already loaded (this version); use --force to reload.")
    else:
        console.print(
            f"Loaded {result.triples:,} triples of territories into {result.graph} "
            f"in {result.seconds:.1f} s."
        )


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
            with working(f"Generating {actors:,} actors…"):
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
        with opened() as store, working(f"Generating and loading {actors:,} actors…"):
            name = f"generated/{territory.replace('/', '-')}-{actors}-{seed}"
            result = load_generated(
                store,
                spec,
                graph_name=name,
                title=f"Generated ecosystem: {actors} actors, seed {seed}",
            )
    except ValueError as err:
        raise fail(err, 2) from None
    verb = "Already loaded" if result.skipped else f"Loaded {result.triples:,} triples into"
    console.print(f"{verb} {result.graph} ({time.perf_counter() - started:.1f} s).")


def validate(
    graph: Annotated[
        str | None,
        typer.Option(
            help="Validate one graph (name such as 'sample', or full IRI); default: all data."
        ),
    ] = None,
    lang: Annotated[Lang, typer.Option(help="Language of the messages.")] = Lang.fr,
    limit: Annotated[int, typer.Option(help="Show at most this many problems.")] = 50,
) -> None:
    """Check the data against the SHACL shapes and identifier rules; report in words."""
    from ecograph.validate import validate_store

    with opened(read_only=True, create=False) as store:
        report = validate_store(store, graph=graph_arg(store, graph), lang=lang.value)
    if report.conforms:
        console.print("[green]Valid:[/green] the data conforms to ecograph's shapes.")
        return
    errors.print(f"[red]{len(report.findings)} problem(s):[/red]")
    for line in report.to_text().splitlines()[:limit]:
        errors.print(terminal(line), highlight=False)
    raise typer.Exit(1)


def stats(
    lang: Annotated[Lang, typer.Option(help="Language of labels and tables.")] = Lang.fr,
) -> None:
    """Counts by actor type, sector, domain, partnership type and EPCI."""
    with opened(read_only=True, create=False) as store:
        print_stats(store, lang.value)


class ExportFormat(StrEnum):
    turtle = "turtle"
    ntriples = "ntriples"
    nquads = "nquads"
    trig = "trig"
    jsonld = "jsonld"


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

    with opened(read_only=True, create=False) as store:
        target = graph_arg(store, graph)
        try:
            if out is None:
                export_store(store, sys.stdout.buffer, format=format.value, graph=target)
            else:
                with out.open("wb") as handle:
                    export_store(store, handle, format=format.value, graph=target)
        except ValueError as err:
            raise fail(err, 1) from None
    if out is not None:
        errors.print(terminal(f"Wrote {out}."))
