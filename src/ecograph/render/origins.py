"""Where each actor on a page comes from: a real source the user imported, or a generator.

A map or report that mixes the built-in sample's made-up actors with real imported ones must
say which are which, or a reader will take a fictional association for a real one. The
projection gives each actor the source graphs that state it (``sources``); this module names
those graphs for a reader and counts the actors of each, real sources first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ecograph.namespaces import graph_iri
from ecograph.provenance import source_graphs
from ecograph.sample import is_fictional_graph
from ecograph.store.base import Store

__all__ = ["Origin", "OriginCount", "actor_origins", "count_origins", "origin_of"]

_WORDS = {
    "fr": {
        "fictional": "fictif — échantillon d'ecograph",
        "real": "réel — {name}",
        "territories": "collectivités du référentiel des territoires (INSEE, DGCL)",
    },
    "en": {
        "fictional": "fictional — ecograph's sample",
        "real": "real — {name}",
        "territories": "local authorities of the territories reference (INSEE, DGCL)",
    },
}


@dataclass(frozen=True)
class Origin:
    """One source graph as a page names it."""

    graph: str
    label: str
    fictional: bool
    #: The territories graph: it states the real local authorities, not a user's data.
    reference: bool = False
    #: A file the user imported (preferred when an actor has several real sources).
    imported: bool = False


@dataclass(frozen=True)
class OriginCount:
    """How many of a page's actors one source states."""

    origin: Origin
    actors: int


def actor_origins(store: Store, *, lang: str = "fr") -> dict[str, Origin]:
    """Graph IRI → :class:`Origin` for every source graph of ``store``.

    An imported file is named by the file (its ``dcterms:source``), which is what its user
    recognises; other graphs by their title. Generated graphs are all called the sample's way,
    since what matters to a reader is that their actors are made up.
    """
    words = _WORDS.get(lang, _WORDS["en"])
    imports = graph_iri(store.base_iri, "import/")
    territories = graph_iri(store.base_iri, "territories")
    origins = {}
    for graph, (title, source) in source_graphs(store).items():
        fictional = is_fictional_graph(store.base_iri, graph)
        name = source if source and graph.startswith(imports) else title
        if graph == territories:
            name = words["territories"]
        label = words["fictional"] if fictional else words["real"].format(name=name)
        origins[graph] = Origin(
            graph,
            label,
            fictional,
            reference=graph == territories,
            imported=graph.startswith(imports),
        )
    return origins


def origin_of(sources: str, origins: Mapping[str, Origin]) -> Origin | None:
    """The one origin a page gives an actor stated by ``sources`` (space-separated graph
    IRIs): a real source when there is one (an imported file before the other graphs), so an
    actor the sample and a real file both state is real; ``None`` without sources."""
    found = [origins.get(g) or Origin(g, g, False) for g in sorted(sources.split())]
    if not found:
        return None
    return min(found, key=lambda o: (o.fictional, not o.imported, o.graph))


def count_origins(
    nodes: Iterable[Mapping[str, Any]], origins: Mapping[str, Origin]
) -> list[OriginCount]:
    """Actors per origin (:func:`origin_of`) among ``nodes`` (projection attributes), real
    sources first, then by count; each actor counts once."""
    counts: Counter[Origin] = Counter()
    for data in nodes:
        origin = origin_of(data.get("sources") or "", origins)
        if origin is not None:
            counts[origin] += 1
    found = [OriginCount(origin, n) for origin, n in counts.items()]
    return sorted(found, key=lambda c: (c.origin.fictional, -c.actors, c.origin.label))
