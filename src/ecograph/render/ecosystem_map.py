"""The map of an ecosystem, from its projection to the drawn page, in one call.

:func:`~ecograph.render.maps.build_map` draws what it is given; a map a person wants also
needs the metrics that size and describe the actors and the suggested partnerships drawn
dashed. ``ecograph map`` and ``ecograph demo`` both go through :func:`ecosystem_map`, so
they compute the same things the same way, and the demo passes what it has already computed
instead of computing it twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ecograph.geography import TerritoryTable
from ecograph.labels import Labels
from ecograph.network.gaps import Suggestion, suggest
from ecograph.network.metrics import MetricsResult, compute_metrics
from ecograph.network.projection import Projection
from ecograph.render.maps import MapDocument, build_map
from ecograph.render.origins import Origin


def ecosystem_map(
    projection: Projection,
    labels: Labels,
    *,
    metrics: MetricsResult | None = None,
    with_metrics: bool = True,
    suggestions: int | Sequence[Suggestion] = 20,
    layout: str = "force",
    size_by: str = "degree",
    aggregate: str = "auto",
    title: str | None = None,
    table: TerritoryTable | None = None,
    coordinates: Any = None,
    seed: int = 0,
    step: Callable[[str], None] | None = None,
    origins: Mapping[str, Origin] | None = None,
) -> MapDocument:
    """The map of ``projection``, in ``labels.lang``.

    ``metrics`` are computed (seeded) unless given or ``with_metrics`` is false; sizing by
    anything but degree needs them (``ValueError``). ``suggestions`` is how many to find, or
    the suggestions themselves when the caller already has them. ``step`` is told each stage
    ("metrics", "suggestions", "drawing") before it starts, for a progress display.
    ``origins`` (:func:`~ecograph.render.origins.actor_origins`) makes the legend and the
    tooltips say which actors are real and where they come from.
    """
    if size_by != "degree" and metrics is None and not with_metrics:
        raise ValueError(f"sizing by {size_by} needs the metrics; size by degree without them")
    say = step or (lambda _: None)
    graph = projection.collaboration
    if metrics is None and with_metrics and graph.number_of_nodes():
        say("metrics")
        metrics = compute_metrics(projection, seed=seed, activity=False)
    found: Sequence[Suggestion] = ()
    if isinstance(suggestions, int):
        if suggestions:
            say("suggestions")
            found = suggest(graph, labels, top=suggestions, seed=seed)
    else:
        found = suggestions
    say("drawing")
    return build_map(
        projection,
        metrics=metrics,
        suggestions=found,
        layout=layout,
        size_by=size_by,
        title=title,
        lang=labels.lang,
        aggregate=aggregate,
        seed=seed,
        labels=labels,
        table=table,
        coordinates=coordinates,
        origins=origins,
    )
