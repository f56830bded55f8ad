"""What a map draws: one node per actor, or per group of actors, with its look and its text.

Everything here is plain data (no layout, no HTML): :func:`actor_drawing` and
:func:`group_drawing` return a :class:`Drawing` whose nodes and edges carry their colour,
shape, size, tooltip lines and the facet indices the page filters on. Facets (sectors, actor
types, domains, territories, tie types) are lookup tables; nodes hold indices into them, which
keeps a 10,000-actor page small.

Every text made here from the data goes through :mod:`ecograph.safetext`: control characters
and bidi overrides are dropped (a U+202E in a name would reverse it and what follows), and a
name set among other words (a suggestion's "A – B") is isolated with U+2068…U+2069.
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from ecograph.geography import TerritoryTable
from ecograph.labels import Labels
from ecograph.network.projection import Context
from ecograph.render import style
from ecograph.render.origins import Origin, count_origins, origin_of
from ecograph.safetext import clean, isolate

__all__ = ["Drawing", "Facets", "MapEdge", "MapNode", "MapText", "actor_drawing", "group_drawing"]

TOP_DOMAINS = 3


@dataclass
class MapNode:
    """One drawn node. ``places`` are the projection attributes of the actors it stands for
    (one for an actor), which the geographic layout places."""

    key: Hashable
    label: str
    colour: str
    shape: str
    size: float
    facets: dict[str, list[int]]
    lines: list[str]
    places: list[Mapping[str, Any]]
    search: str = ""


@dataclass
class MapEdge:
    """One drawn edge between node indices ``a`` and ``b``; ``suggested`` edges are dashed."""

    a: int
    b: int
    colour: str
    width: float
    title: str
    kind: int  # index into Facets.ties
    weight: float = 1.0
    suggested: bool = False


@dataclass
class Facets:
    """The values a page filters on, each a list of ``(key, label, colour_or_shape, count)``."""

    sectors: list[tuple[str, str, str, int]] = field(default_factory=list)
    types: list[tuple[str, str, str, int]] = field(default_factory=list)
    domains: list[tuple[str, str, str, int]] = field(default_factory=list)
    departements: list[tuple[str, str, str, int]] = field(default_factory=list)
    epcis: list[tuple[str, str, str, int]] = field(default_factory=list)
    ties: list[tuple[str, str, str, int]] = field(default_factory=list)
    #: Source graphs, real first: which actors are real, and where they come from.
    origins: list[tuple[str, str, str, int]] = field(default_factory=list)

    def index(self) -> dict[str, dict[str, int]]:
        """Key → position, per facet (territories share one numbering: départements first)."""
        territories = [k for k, *_ in self.departements] + [k for k, *_ in self.epcis]
        return {
            "s": {k: i for i, (k, *_) in enumerate(self.sectors)},
            "t": {k: i for i, (k, *_) in enumerate(self.types)},
            "d": {k: i for i, (k, *_) in enumerate(self.domains)},
            "g": {k: i for i, k in enumerate(territories)},
            "e": {k: i for i, (k, *_) in enumerate(self.ties)},
            "o": {k: i for i, (k, *_) in enumerate(self.origins)},
        }


@dataclass
class Drawing:
    """Nodes, edges and facets of one map; ``aggregated`` names the grouping (or None)."""

    nodes: list[MapNode]
    edges: list[MapEdge]
    facets: Facets
    aggregated: str | None = None


@dataclass(frozen=True)
class MapText:
    """Everything that turns codes into words for one map: the labels of concepts and
    territories, the map's own words, and the geography nodes are placed on."""

    names: Labels
    words: Mapping[str, str]
    table: TerritoryTable
    #: Source graph → its :class:`~ecograph.render.origins.Origin` (empty: no origin legend).
    origins: Mapping[str, Origin] = field(default_factory=dict)

    def origin(self, sources: str) -> Origin | None:
        """The origin a page gives an actor stated by ``sources`` (space-separated graphs)."""
        return origin_of(sources, self.origins) if self.origins else None

    def place(self, level: str, code: str) -> str:
        """A territory as the map shows it: communes and départements with their code, so
        two of the same name stay apart; the code alone when the geography lacks it."""
        if not code:
            return ""
        name = self.names.territory(level, code)
        if name is None:
            return code
        return f"{name} ({code})" if level in ("commune", "departement") else name


# --------------------------------------------------------------------------- facets
def facets_of(G: nx.Graph, edge_kinds: Iterable[str], labels: MapText) -> Facets:
    """Every sector, actor type, domain and territory present in ``G``, with actor counts."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for _, data in G.nodes(data=True):
        counts["sector"][data.get("sector") or ""] += 1
        counts["type"][data.get("actor_type") or ""] += 1
        for domain in (data.get("domains") or "").split():
            counts["domain"][domain] += 1
        for level in ("departement", "epci"):
            if data.get(level):
                counts[level][data[level]] += 1
    names, words = labels.names, labels.words
    order = list(style.SECTOR_COLOURS)
    sectors = sorted(
        counts["sector"], key=lambda s: (s not in order, order.index(s) if s in order else 0, s)
    )
    ties = sorted(set(edge_kinds), key=lambda k: (k == "project", k))
    origins = (
        count_origins((data for _, data in G.nodes(data=True)), labels.origins)
        if labels.origins
        else []
    )
    return Facets(
        sectors=[
            (
                s,
                names.sector(s) or words["unplaced"],
                style.SECTOR_COLOURS.get(s, style.OTHER),
                counts["sector"][s],
            )
            for s in sectors
        ],
        types=sorted(
            (
                (t, names.actor_type(t) or "?", style.shape_of(t), n)
                for t, n in counts["type"].items()
            ),
            key=lambda row: (row[2], row[1].casefold()),
        ),
        domains=sorted(
            ((d, names.domain(d), "", n) for d, n in counts["domain"].items()),
            key=lambda row: row[1].casefold(),
        ),
        departements=sorted(
            ((c, labels.place("departement", c), "", n) for c, n in counts["departement"].items())
        ),
        epcis=sorted(
            ((c, labels.place("epci", c), "", n) for c, n in counts["epci"].items()),
            key=lambda row: row[1].casefold(),
        ),
        ties=[
            (
                k,
                words["project"] if k == "project" else names.partnership_type(k),
                style.EDGE_COLOURS.get(k, style.OTHER),
                0,
            )
            for k in ties
        ],
        origins=[
            (
                c.origin.graph,
                c.origin.label,
                "fictional" if c.origin.fictional else "real",
                c.actors,
            )
            for c in origins
        ],
    )


def _kind(fictional: bool) -> str:
    return "fictional" if fictional else "real"


def _node_facets(
    members: Iterable[Mapping[str, Any]],
    index: Mapping[str, Mapping[str, int]],
    origins: Mapping[str, Origin],
) -> dict[str, list[int]]:
    found: dict[str, set[int]] = defaultdict(set)
    for data in members:
        found["s"].add(index["s"][data.get("sector") or ""])
        found["t"].add(index["t"][data.get("actor_type") or ""])
        found["d"].update(index["d"][d] for d in (data.get("domains") or "").split())
        found["g"].update(
            index["g"][data[level]] for level in ("departement", "epci") if data.get(level)
        )
        origin = origin_of(data.get("sources") or "", origins) if origins else None
        if origin is not None:
            found["o"].add(index["o"][origin.graph])
    return {key: sorted(found[key]) for key in ("s", "t", "d", "g", "o")}


class _TieText:
    """Kind and title of collaboration edges. Many ties share the same mix of partnership
    types, so titles are made once per mix (10,000 actors have about 30,000 ties)."""

    def __init__(self, contexts: Mapping[str, Context], labels: MapText) -> None:
        self._type = {
            iri: _local(c.partnership_type) if c.partnership_type else "partnership"
            for iri, c in contexts.items()
        }
        self._labels = labels
        self._titles: dict[tuple[tuple[str, int], ...], tuple[str, str]] = {}

    def __call__(self, data: Mapping[str, Any]) -> tuple[str, str]:
        """The tie's main kind (its most frequent partnership type, else ``project``) and
        its title (a count per kind)."""
        partnerships, projects = data.get("partnerships", ()), data.get("projects", ())
        if len(partnerships) + len(projects) == 1:  # most ties: no counting needed
            key: tuple[tuple[str, int], ...] = (
                (self._type.get(partnerships[0], "partnership") if partnerships else "project", 1),
            )
        else:
            kinds = Counter(self._type.get(iri, "partnership") for iri in partnerships)
            if projects:
                kinds["project"] += len(projects)
            key = tuple(sorted(kinds.items()))
        if key not in self._titles:
            self._titles[key] = self._make(key)
        return self._titles[key]

    def _make(self, counts: tuple[tuple[str, int], ...]) -> tuple[str, str]:
        if not counts:
            return "project", ""
        main = min(counts, key=lambda kv: (-kv[1], kv[0]))[0]
        words, names = self._labels.words, self._labels.names

        def name(kind: str) -> str:
            if kind in ("project", "partnership"):
                return words["project" if kind == "project" else "partners"]
            return names.partnership_type(kind)

        title = " · ".join(f"{isolate(name(kind))} ×{n}" for kind, n in counts)
        return ("project" if main == "partnership" else main), title


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


@functools.lru_cache(maxsize=256)
def _width(weight: float) -> float:
    """Edge width in pixels: 1 for one shared partnership or project, growing as the square
    root of their number, at most 5."""
    return round(1.0 + min(max(weight, 1.0) ** 0.5 - 1.0, 4.0), 2)


def _number(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


# --------------------------------------------------------------------------- actors
def actor_drawing(
    G: nx.Graph,
    contexts: Mapping[str, Context],
    metrics: Mapping[Hashable, Mapping[str, Any]],
    size_by: str,
    suggestions: Sequence[Any],
    labels: MapText,
) -> Drawing:
    """One node per actor of ``G``, ties as edges, suggestions as dashed edges."""
    tie_text = _TieText(contexts, labels)
    ties = [
        (a, b, float(data.get("weight", 1)), *tie_text(data)) for a, b, data in G.edges(data=True)
    ]
    facets = facets_of(G, [kind for *_, kind, _ in ties], labels)
    index = facets.index()
    words, names = labels.words, labels.names
    order = {key: i for i, key in enumerate(G)}
    values = [_metric(G, key, metrics, size_by) for key in G]
    sizes = style.node_sizes(values)
    nodes = []
    for i, (key, data) in enumerate(G.nodes(data=True)):
        row = metrics.get(key, {})
        sep = words["sep"]
        lines = [
            f"{words['type']}{sep}{names.actor_type(data.get('actor_type') or '')}",
            f"{words['sector']}{sep}{names.sector(data.get('sector') or '')}",
            f"{words['commune']}{sep}"
            f"{labels.place('commune', data.get('commune') or '') or words['no_commune']}",
            f"{words['domains']}{sep}"
            + ", ".join(names.domain(d) for d in (data.get("domains") or "").split()),
            " · ".join(f"{words[m]} {_number(v)}" for m, v in _key_metrics(G, key, row)),
        ]
        origin = labels.origin(data.get("sources") or "")
        if origin is not None:
            lines.append(f"{words['origin']}{sep}{origin.label}")
        name = clean(data.get("name") or str(key))
        nodes.append(
            MapNode(
                key=key,
                label=name,
                colour=style.SECTOR_COLOURS.get(data.get("sector") or "", style.OTHER),
                shape=style.shape_of(data.get("actor_type") or ""),
                size=sizes[i],
                facets=_node_facets([data], index, labels.origins),
                lines=[clean(line) for line in lines],
                places=[data],
            )
        )
    edges = [
        MapEdge(
            order[a],
            order[b],
            style.EDGE_COLOURS.get(kind, style.OTHER),
            _width(weight),
            title,
            index["e"][kind],
            weight,
        )
        for a, b, weight, kind, title in ties
    ]
    edges += _suggestion_edges(suggestions, order, labels, G)
    if any(e.suggested for e in edges):
        facets.ties.append(("suggestion", words["suggestion"], style.SUGGESTION_COLOUR, 0))
    return Drawing(nodes, edges, facets)


def _metric(
    G: nx.Graph, key: Hashable, metrics: Mapping[Hashable, Mapping[str, Any]], size_by: str
) -> float | None:
    if size_by == "degree" and key not in metrics:
        return float(G.degree(key))
    value = metrics.get(key, {}).get(size_by)
    return None if value is None else float(value)


def _key_metrics(G: nx.Graph, key: Hashable, row: Mapping[str, Any]) -> list[tuple[str, Any]]:
    shown = [("degree", row.get("degree", G.degree(key)))]
    shown += [(m, row[m]) for m in ("betweenness", "brokerage") if m in row]
    return shown


def _suggestion_edges(
    suggestions: Sequence[Any], order: Mapping[Hashable, int], labels: MapText, G: nx.Graph
) -> list[MapEdge]:
    edges = []
    for s in suggestions:
        if s.actor_a not in order or s.actor_b not in order:
            continue
        title = (
            f"{labels.words['suggestion']} ({labels.words['score']} {s.score:.2f})\n"
            f"{isolate(G.nodes[s.actor_a].get('name', ''))} – "
            f"{isolate(G.nodes[s.actor_b].get('name', ''))}\n{clean(s.explanation)}"
        )
        edges.append(
            MapEdge(
                order[s.actor_a],
                order[s.actor_b],
                style.SUGGESTION_COLOUR,
                2.0,
                title,
                -1,
                suggested=True,
            )
        )
    return edges


# --------------------------------------------------------------------------- groups
def group_drawing(
    G: nx.Graph,
    group_of: Callable[[Hashable], tuple[str, str]],
    suggestions: Sequence[Any],
    labels: MapText,
    level: str,
) -> Drawing:
    """One node per group of actors (``group_of(actor) -> (key, name)``), sized by its
    actor count and coloured by its most frequent sector; ties between groups summed."""
    facets = facets_of(G, ["project"], labels)
    facets.ties = [("ties", labels.words["ties"], style.EDGE_COLOURS["project"], 0)]
    index = facets.index()
    members: dict[str, list[Hashable]] = defaultdict(list)
    names: dict[str, str] = {}
    for key in G:
        group, name = group_of(key)
        members[group].append(key)
        names[group] = name
    keys = sorted(members, key=lambda g: (-len(members[g]), names[g]))
    order = {g: i for i, g in enumerate(keys)}
    sizes = style.node_sizes([float(len(members[g])) for g in keys])
    internal: Counter[str] = Counter()
    between: Counter[tuple[int, int]] = Counter()
    for a, b in G.edges():
        ga, gb = group_of(a)[0], group_of(b)[0]
        if ga == gb:
            internal[ga] += 1
        else:
            oa, ob = order[ga], order[gb]
            between[(min(oa, ob), max(oa, ob))] += 1
    nodes = [
        _group_node(
            g, names[g], [G.nodes[m] for m in members[g]], sizes[i], internal[g], index, labels
        )
        for i, g in enumerate(keys)
    ]
    edges = [
        MapEdge(
            a,
            b,
            style.EDGE_COLOURS["project"],
            _width(n),
            f"{n} {labels.words['ties'].lower()}",
            0,
            float(n),
        )
        for (a, b), n in sorted(between.items())
    ]
    suggested: Counter[tuple[int, int]] = Counter()
    for s in suggestions:
        if s.actor_a in G and s.actor_b in G:
            oa, ob = order[group_of(s.actor_a)[0]], order[group_of(s.actor_b)[0]]
            if oa != ob:
                suggested[(min(oa, ob), max(oa, ob))] += 1
    edges += [
        MapEdge(
            a,
            b,
            style.SUGGESTION_COLOUR,
            2.0,
            f"{n} × {labels.words['suggestion'].lower()}",
            -1,
            suggested=True,
        )
        for (a, b), n in sorted(suggested.items())
    ]
    if suggested:
        facets.ties.append(("suggestion", labels.words["suggestion"], style.SUGGESTION_COLOUR, 0))
    return Drawing(nodes, edges, facets, aggregated=level)


def _group_node(
    key: str,
    name: str,
    members: list[Mapping[str, Any]],
    size: float,
    internal: int,
    index: Mapping[str, Mapping[str, int]],
    labels: MapText,
) -> MapNode:
    words, concepts = labels.words, labels.names
    sep = words["sep"]
    sectors = Counter(m.get("sector") or "" for m in members)
    domains = Counter(d for m in members for d in (m.get("domains") or "").split())
    top_sector = sorted(sectors.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    lines = [
        f"{len(members)} {words['actors']} · {internal} {words['ties'].lower()}",
        f"{words['sectors']}{sep}"
        + ", ".join(
            f"{concepts.sector(s) or '?'} {n}"
            for s, n in sorted(sectors.items(), key=lambda kv: (-kv[1], kv[0]))
        ),
        f"{words['domains']}{sep}"
        + ", ".join(
            concepts.domain(d)
            for d, _ in sorted(domains.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_DOMAINS]
        ),
    ]
    return MapNode(
        key=key,
        label=f"{clean(name)} ({len(members)})",
        colour=style.SECTOR_COLOURS.get(top_sector, style.OTHER),
        shape="dot",
        size=size,
        facets=_node_facets(members, index, labels.origins),
        lines=[clean(line) for line in lines],
        places=members,
    )
