"""``map``: the offline interactive map of the ecosystem, or of a part of it."""

from __future__ import annotations

import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ecograph.cli.common import (
    DomainOption,
    Lang,
    TerritoryOption,
    TypeOption,
    console,
    errors,
    fail,
    opened,
    projection_of,
    scope_of,
)
from ecograph.render.maps import AGGREGATE_ABOVE
from ecograph.safetext import terminal


class MapLayout(StrEnum):
    force = "force"
    geo = "geo"


class MapAggregate(StrEnum):
    auto = "auto"
    none = "none"
    community = "community"
    epci = "epci"
    departement = "departement"


class SizeBy(StrEnum):
    degree = "degree"
    weighted_degree = "weighted_degree"
    betweenness = "betweenness"
    brokerage = "brokerage"
    effective_size = "effective_size"
    constraint = "constraint"
    blau = "blau"
    shannon = "shannon"


def map_command(
    out: Annotated[Path, typer.Option(help="HTML file to write (one self-contained page).")] = Path(
        "ecograph-map.html"
    ),
    layout: Annotated[
        MapLayout,
        typer.Option(
            help="force: network layout computed once (seeded); geo: actors at their commune."
        ),
    ] = MapLayout.force,
    size_by: Annotated[SizeBy, typer.Option(help="Metric that sets node size.")] = SizeBy.degree,
    aggregate: Annotated[
        MapAggregate,
        typer.Option(
            help=f"Draw groups instead of actors. auto: communities above {AGGREGATE_ABOVE:,} "
            "actors; none: always actors."
        ),
    ] = MapAggregate.auto,
    suggestions: Annotated[
        int, typer.Option(min=0, help="Suggested partnerships drawn dashed (0: none).")
    ] = 20,
    with_metrics: Annotated[
        bool,
        typer.Option(
            "--metrics/--no-metrics",
            help="Compute metrics for tooltips and sizes (--no-metrics: faster, degree only).",
        ),
    ] = True,
    title: Annotated[str | None, typer.Option(help="Page heading.")] = None,
    lang: Annotated[Lang, typer.Option(help="Language of the legend and labels.")] = Lang.fr,
    territory: TerritoryOption = None,
    domain: DomainOption = None,
    partnership_type: TypeOption = None,
    seed: Annotated[int, typer.Option(help="Seed of the layout, metrics and suggestions.")] = 0,
    coordinates: Annotated[
        Path | None,
        typer.Option(
            envvar="ECOGRAPH_COORDINATES",
            help="For --layout geo: your own points instead of the commune centroids ecograph "
            "ships (from IGN's contours): a level,code,lat,lon CSV, or a folder with "
            "datas.fun's France/ CSV files (communes.csv, departements.csv, regions.csv).",
        ),
    ] = None,
) -> None:
    """Write an offline interactive map (HTML): colour by sector, shape by actor type, size
    by a metric, suggested partnerships dashed; search, filters and legend."""
    from ecograph.geography import geography
    from ecograph.ingest.territories import NOT_LOADED, territories_loaded
    from ecograph.labels import Labels
    from ecograph.render.ecosystem_map import ecosystem_map
    from ecograph.render.origins import actor_origins

    started = time.perf_counter()
    if size_by is not SizeBy.degree and not with_metrics:
        raise fail(
            f"--size-by {size_by} needs the metrics; drop --no-metrics or size by degree.", 2
        )
    scope = scope_of(territory, domain, partnership_type, None, None)
    table = geography()
    with opened(read_only=True, create=False) as store:
        projection = projection_of(store, scope)
        labels = Labels.from_store(store, lang=lang.value, table=table)
        origins = actor_origins(store, lang=lang.value)
        unplaced = territory is not None and not territories_loaded(store)
    stages = {"metrics": "Computing metrics…", "suggestions": "Suggesting partnerships…"}
    try:
        document = ecosystem_map(
            projection,
            labels,
            with_metrics=with_metrics,
            suggestions=suggestions,
            layout=layout.value,
            size_by=size_by.value,
            aggregate=aggregate.value,
            title=title,
            table=table,
            coordinates=coordinates,
            seed=seed,
            step=lambda stage: errors.print(stages.get(stage, "Drawing the map…")),
            origins=origins,
        )
    except ValueError as err:
        raise fail(err, 2) from None
    document.write(out)
    s = document.summary
    drawn = (
        f"{s.nodes:,} groups ({s.aggregated}) of {s.actors:,} actors, "
        f"{s.edges - s.suggestions:,} links between groups"
        if s.aggregated
        else f"{s.nodes:,} actors, {s.edges - s.suggestions:,} ties"
    )
    console.print(
        terminal(
            f"Wrote {out}: {drawn}, "
            f"{s.suggestions} suggested partnerships ({s.layout} layout) in "
            f"{time.perf_counter() - started:.1f} s."
        )
    )
    if unplaced and not s.actors:
        console.print(NOT_LOADED)
    if s.aggregated and aggregate is MapAggregate.auto:
        console.print(
            f"More than {AGGREGATE_ABOVE:,} actors: grouped by {s.aggregated}. "
            "Use --territory or --domain to see actors, or --aggregate none.",
            highlight=False,
        )
    if s.fallback or s.unplaced:
        console.print(
            f"{s.fallback} actor(s) placed at a larger territory's centre (their commune "
            f"has no point), {s.unplaced} without a known place.",
            highlight=False,
        )
