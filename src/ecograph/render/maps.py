"""``build_map``: an offline, interactive HTML map of an ecosystem, rendered by pyvis.

Colour by sector, shape by actor type, size by a metric, edge colour by partnership type,
suggested partnerships dashed (and toggled from the legend); search by name; filters by
sector, actor type, tie type, domain and territory; plain-text tooltips. The page is one file
with vis-network inlined and no request to any network (see :mod:`ecograph.render.page`).

Layouts are computed in Python and the browser's physics is off, so a map is still on open:

- ``force``: each community laid out apart, seeded Fruchterman–Reingold within it
  (:mod:`ecograph.render.layout`);
- ``geo``: each actor at its commune's centroid (shipped, from IGN's contours), actors of one
  commune side by side (:mod:`ecograph.render.geo`; a commune without a point falls back to
  its EPCI's or a larger territory's, and the tooltip says so).

Above ``AGGREGATE_ABOVE`` actors (``aggregate="auto"``) a map draws groups instead of actors:
Louvain communities (those of ``metrics`` when given), EPCIs or départements, each a node
sized by its actor count. Filter the projection (territory, domain) to see actors again, or
pass ``aggregate="none"``: vis-network still draws 10,000 actors in a few seconds, but the
picture stops telling anything well before that.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ecograph.geography import TerritoryTable, geography
from ecograph.labels import Labels
from ecograph.network.projection import Projection
from ecograph.render import basemap, geo, layout, page, style
from ecograph.render.mapdata import Drawing, MapText, actor_drawing, group_drawing
from ecograph.render.origins import Origin

if TYPE_CHECKING:
    from pyvis.network import Network

__all__ = ["AGGREGATE_ABOVE", "AGGREGATIONS", "LAYOUTS", "MapDocument", "MapSummary", "build_map"]

AGGREGATE_ABOVE = 5000
AGGREGATIONS = ("auto", "none", "community", "epci", "departement")
LAYOUTS = ("force", "geo")
MAX_SEARCH_RESULTS = 30
# Above this many ties the page draws them as one canvas layer rather than as vis-network
# edges (which cost an object each: most of the time a 10,000-actor map takes to open); such
# ties have no tooltip of their own. Measured in bench/bench_map.py.
EDGE_LAYER_ABOVE = 2000
GLYPHS = {
    "dot": "●",
    "star": "★",
    "diamond": "◆",
    "square": "■",
    "triangle": "▲",
    "triangleDown": "▼",
    "hexagon": "⬢",
}


@dataclass(frozen=True)
class MapSummary:
    """What a map shows: ``actors`` in the projection, ``nodes`` and ``edges`` drawn (ties
    and suggestions), ``aggregated`` the grouping (``None`` when actors are drawn),
    ``fallback`` the nodes a geographic map placed at a centroid because their commune had
    no coordinates, ``unplaced`` those with no known place at all."""

    actors: int
    nodes: int
    edges: int
    suggestions: int
    aggregated: str | None
    layout: str
    size_by: str
    fallback: int = 0
    unplaced: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class MapDocument:
    """A complete, self-contained HTML page and what it shows."""

    html: str
    summary: MapSummary

    def write(self, path: str | Path) -> Path:
        """Write the page to ``path`` (UTF-8) and return the path."""
        target = Path(path)
        target.write_text(self.html, encoding="utf-8")
        return target


def build_map(
    projection: Projection,
    *,
    metrics: Any = None,
    suggestions: Sequence[Any] = (),
    layout: str = "force",
    size_by: str = "degree",
    title: str | None = None,
    lang: str = "fr",
    aggregate: str = "auto",
    seed: int = 0,
    labels: Labels | None = None,
    table: TerritoryTable | None = None,
    coordinates: Any = None,
    origins: Mapping[str, Origin] | None = None,
) -> MapDocument:
    """Render ``projection`` as an offline HTML map.

    Parameters
    ----------
    projection : Projection
        From :func:`ecograph.scope.project_scope` (already filtered by territory/domain).
    metrics : MetricsResult, optional
        From :func:`ecograph.network.metrics.compute_metrics`: tooltips show betweenness and
        brokerage, ``size_by`` may name any actor metric, and community aggregation uses its
        communities. Without it only ``size_by="degree"`` is possible.
    suggestions : sequence of Suggestion
        From :func:`ecograph.network.gaps.suggest`; drawn dashed, toggled in the legend.
    layout : {"force", "geo"}
    size_by : str
        One of :data:`ecograph.render.style.METRICS`.
    title : str, optional
        Page heading (escaped); default "Carte de l'écosystème" / "Ecosystem map".
    lang : {"fr", "en"}
        Language of the controls, legend and tooltips.
    aggregate : {"auto", "none", "community", "epci", "departement"}
        ``auto`` groups by community above :data:`AGGREGATE_ABOVE` actors.
    seed : int
        Seeds the force layout and, when needed, Louvain.
    labels : Labels, optional
        The store's labels in ``lang`` (``Labels.from_store(store, lang)``); default: the
        labels of the ontology shipped with ecograph (``Labels.shipped(lang)``).
    table : TerritoryTable, optional
        The geography (default: the shipped 2026 table).
    coordinates : path, optional
        For ``layout="geo"``: a ``level,code,lat,lon`` file or a folder of datas.fun CSV
        files (default: ``$ECOGRAPH_COORDINATES``, else the centroids ecograph ships; see
        :mod:`ecograph.render.geo`).
    origins : mapping, optional
        Source graph → :class:`~ecograph.render.origins.Origin`
        (:func:`~ecograph.render.origins.actor_origins`): the legend then lists where the
        actors come from, real or fictional, with a filter, and each tooltip says it.

    Raises
    ------
    ValueError
        For an unknown layout, metric, aggregation or language, a metric other than degree
        without ``metrics``, or coordinates given that cannot be read (``CoordinatesMissing``).
    """
    started = time.perf_counter()
    _check(layout, size_by, lang, aggregate, metrics)
    words = style.WORDS[lang]
    table = table or geography()
    text = MapText(
        labels if labels is not None else Labels.shipped(lang, table=table),
        words,
        table,
        origins or {},
    )
    G = projection.collaboration
    rows = _metric_rows(metrics)
    level = _aggregation(aggregate, G.number_of_nodes())
    if level is None:
        drawing = actor_drawing(G, projection.contexts, rows, size_by, suggestions, text)
    else:
        drawing = group_drawing(
            G, _grouping(G, level, metrics, seed, text), suggestions, text, level
        )
    base: dict[str, list[list[float]]] = {}
    names: list[list[Any]] = []
    layers: dict[str, Any] = {}
    if layout == "geo":
        placed = _geo_positions(drawing, text, coordinates, projection)
        positions, fallback, unplaced = placed.positions, placed.fallback, placed.unplaced
        base, names, layers = placed.basemap, placed.names, placed.layers
        if drawing.aggregated is None:  # the map is the point: actors small over it
            for node in drawing.nodes:
                node.size = style.MIN_SIZE / 2 + node.size * GEO_SIZE
    else:
        positions, fallback, unplaced = _force_positions(drawing, seed), 0, 0
    net = _network(drawing, positions, title or words["map"], G.number_of_nodes())
    note = words["aggregated"].format(level=words[f"level_{level}"]) if level else ""
    html = page.render(
        net,
        {
            "lang": lang,
            "words": words,
            "facets": drawing.facets,
            "note": note,
            "glyphs": GLYPHS,
            "size_label": words["count"] if level else words[size_by],
            "attribution": geo.ATTRIBUTION if layout == "geo" else "",
            "layers": layers.get("layers", []),
            "generator": f"ecograph (pyvis {version('pyvis')}, vis-network "
            f"{page.VIS_NETWORK_VERSION})",
            "page_data": {
                "words": {
                    k: words[k] for k in ("shown", "labels", "matches", "no_match", "untied")
                },
                "aggregated": note and words[f"level_{level}"],
                "max_results": MAX_SEARCH_RESULTS,
                "edge_layer": sum(not e.suggested for e in drawing.edges) > EDGE_LAYER_ABOVE,
                "basemap": base,
                "place_names": names,
                "layers": layers,
            },
        },
    )
    summary = MapSummary(
        actors=G.number_of_nodes(),
        nodes=len(drawing.nodes),
        edges=len(drawing.edges),
        suggestions=sum(e.suggested for e in drawing.edges),
        aggregated=level,
        layout=layout,
        size_by="count" if level else size_by,
        fallback=fallback,
        unplaced=unplaced,
        seconds=round(time.perf_counter() - started, 3),
    )
    return MapDocument(html, summary)


def _check(layout_name: str, size_by: str, lang: str, aggregate: str, metrics: Any) -> None:
    if layout_name not in LAYOUTS:
        raise ValueError(f"layout {layout_name!r}: use one of {', '.join(LAYOUTS)}")
    if size_by not in style.METRICS:
        raise ValueError(f"size_by {size_by!r}: use one of {', '.join(style.METRICS)}")
    if size_by != "degree" and metrics is None:
        raise ValueError(
            f"size_by {size_by!r} needs the metrics (compute_metrics); "
            "without them only 'degree' is known"
        )
    if lang not in style.WORDS:
        raise ValueError(f"lang {lang!r}: use one of {', '.join(style.WORDS)}")
    if aggregate not in AGGREGATIONS:
        raise ValueError(f"aggregate {aggregate!r}: use one of {', '.join(AGGREGATIONS)}")


def _metric_rows(metrics: Any) -> dict[Hashable, dict[str, Any]]:
    """Actor → the metrics a map shows (from a MetricsResult), ``{}`` without one."""
    if metrics is None:
        return {}
    fields = [m for m in style.METRICS if m != "brokerage"]
    return {
        row.actor: {
            **{m: getattr(row, m) for m in fields},
            "brokerage": row.brokerage,
            "community": row.community,
        }
        for row in metrics.actors
    }


def _aggregation(aggregate: str, actors: int) -> str | None:
    if aggregate == "auto":
        return "community" if actors > AGGREGATE_ABOVE else None
    return None if aggregate == "none" else aggregate


def _grouping(G: Any, level: str, metrics: Any, seed: int, text: MapText) -> Any:
    """``actor -> (group key, group name)`` for ``level``."""
    words = text.words
    if level == "community":
        if metrics is not None:
            community = {row.actor: row.community for row in metrics.actors}
        else:
            from ecograph.network.communities import louvain_communities

            community = {}
            for number, members in enumerate(louvain_communities(G, seed=seed), start=1):
                for member in members:
                    community[member] = number if len(members) > 1 else None

        def by_community(actor: Hashable) -> tuple[str, str]:
            number = community.get(actor)
            if number is None:
                return "c0", words["isolated"]
            return f"c{number}", f"{words['group_community']} {number}"

        return by_community

    def by_territory(actor: Hashable) -> tuple[str, str]:
        data = G.nodes[actor]
        for found in (level, "departement", "region"):
            code = data.get(found) or ""
            if code:
                return f"{found}/{code}", text.place(found, code)
        return "none", words["unplaced"]

    return by_territory


# --------------------------------------------------------------------------- positions
def _ties(drawing: Drawing) -> tuple[list[tuple[int, int]], list[float]]:
    ties = [e for e in drawing.edges if not e.suggested]
    return [(e.a, e.b) for e in ties], [e.weight for e in ties]


def _force_positions(drawing: Drawing, seed: int) -> np.ndarray:
    """Actors: each community laid out apart (``layout.community_layout``), so clusters read
    as clusters; groups (already communities or territories): one force layout."""
    pairs, weights = _ties(drawing)
    grouped = drawing.aggregated is not None
    if grouped:
        found = layout.force_layout(
            len(drawing.nodes), pairs, weights=[math.log1p(w) for w in weights], seed=seed
        )
    else:
        found = layout.community_layout(len(drawing.nodes), pairs, seed=seed)
    return layout.fit(found, spacing=layout.SPACING * (4 if grouped else 1))


@dataclass
class GeoPlacement:
    """Where a geographic map puts its nodes, and what it draws under them."""

    positions: np.ndarray
    #: Nodes placed at a wider territory's centre, their commune having no point; not placed.
    fallback: int
    unplaced: int
    #: Border kind → polylines in the nodes' plane.
    basemap: dict[str, list[list[float]]]
    #: ``[x, y, room, name]`` per commune, most populous first.
    names: list[list[Any]]
    #: The communes' shapes and the layers that fill them (:func:`_layers`).
    layers: dict[str, Any]


def _geo_positions(
    drawing: Drawing, text: MapText, coordinates_from: Any, projection: Projection
) -> GeoPlacement:
    """Projected positions (actors sharing a point spread around it), how many fell back
    or were not placed, and the basemap's borders, commune names and layers in the same
    plane. Adds a tooltip line to every node placed at a centroid or not placed."""
    coordinates = geo.read_coordinates(coordinates_from)
    lat = np.full(len(drawing.nodes), math.nan)
    lon = np.full(len(drawing.nodes), math.nan)
    fallback = unplaced = 0
    words = text.words
    communes = [""] * len(drawing.nodes)  # the commune each node is drawn at, if one
    for i, node in enumerate(drawing.nodes):
        spots = [geo.locate(place, coordinates, text.table) for place in node.places]
        known = [s for s in spots if s.how is not None]
        if len(known) == 1 and known[0].how == "commune":
            communes[i] = known[0].code
        if known:
            lat[i] = sum(s.lat for s in known) / len(known)
            lon[i] = sum(s.lon for s in known) / len(known)
        if drawing.aggregated is not None:
            continue
        spot = spots[0]
        if spot.how is None:
            unplaced += 1
            node.lines.append(f"({words['unplaced']})")
        elif spot.fallback:
            fallback += 1
            node.lines.append(
                f"({words['missing_coords']}{words['sep']}{words['placed_at']} "
                f"{text.place(spot.how, spot.code)})"
            )
    projected = geo.project_lat_lon(lat, lon)
    centre, factor = layout.fit_transform(
        projected, spacing=layout.SPACING * (4 if drawing.aggregated else 1)
    )
    shrink = geo.shrink_of(lat)

    def plane(lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
        return (geo.to_plane(lats, lons, shrink) - centre) * factor

    departements = basemap.departements_of((p for n in drawing.nodes for p in n.places), text.table)
    base = basemap.basemap_lines(departements, text.table, plane)
    xy = np.round((projected - centre) * factor, 1)
    room = _commune_room(communes, departements, coordinates, text.table, plane)
    names = _commune_names(departements, coordinates, text.table, plane)
    layers = _layers(projection, departements, text, plane) if not drawing.aggregated else {}
    return GeoPlacement(_spread(xy, room), fallback, unplaced, base, names, layers)


def _layers(
    projection: Projection,
    departements: set[str],
    text: MapText,
    plane: Callable[[np.ndarray, np.ndarray], np.ndarray],
) -> dict[str, Any]:
    """The figures a geographic map can shade its communes by, as the report's maps do:
    actors per 1,000 inhabitants (all of them, then those of each domain) and funding
    received per inhabitant. ``shapes`` holds each
    commune's rings (flat ``x, y`` in the nodes' plane); each layer a colour per shape and its
    legend. None past :data:`basemap.COMMUNES_UP_TO` départements (too heavy a page)."""
    from ecograph.render.choropleth import part_rings, shading

    if not departements or len(departements) > basemap.COMMUNES_UP_TO:
        return {}
    from ecograph.render.report_text import Formats

    table, words = text.table, text.words
    numbers = Formats(text.names.lang)
    rings = part_rings(lambda c: c.code if c.departement in departements else None, table)
    codes = sorted(code for code in rings if table.communes[code].population)
    if not codes:
        return {}
    G = projection.collaboration
    actors = Counter(str(data.get("commune") or "") for _, data in G.nodes(data=True))
    received: dict[str, float] = defaultdict(float)
    for context in projection.contexts.values():
        beneficiaries = [a for a in context.beneficiaries if a in G]
        if context.amount is None or not beneficiaries:
            continue
        for actor in beneficiaries:
            received[str(G.nodes[actor].get("commune") or "")] += context.amount / len(
                beneficiaries
            )
    by_domain: dict[str, Counter[str]] = defaultdict(Counter)
    for _, data in G.nodes(data=True):
        for domain in str(data.get("domains") or "").split():
            by_domain[domain][str(data.get("commune") or "")] += 1
    people = [table.communes[code].population or 1 for code in codes]
    figures = {
        "density": [actors[c] * 1000 / n for c, n in zip(codes, people, strict=True)],
        "funding": [received[c] / n for c, n in zip(codes, people, strict=True)],
    }
    titles = {key: words[f"layer_{key}"] for key in figures}
    nones = {key: words[f"layer_{key}_none"] for key in figures}
    # the same figure for each domain the map's actors work on (stated or inferred)
    for domain in sorted(by_domain, key=text.names.domain):
        key = f"density-{domain}"
        figures[key] = [by_domain[domain][c] * 1000 / n for c, n in zip(codes, people, strict=True)]
        titles[key] = words["layer_domain"].format(domain=text.names.domain(domain))
        nones[key] = words["layer_domain_none"]
    shapes = []
    for code in codes:
        flat = []
        for ring in rings[code]:
            lons, lats = (np.array(v) for v in zip(*ring, strict=True))
            flat.append(np.round(plane(lats, lons), 1).ravel().tolist())
        shapes.append(flat)
    found = []
    for key, values in figures.items():
        colours, legend = shading(values, lambda v: numbers.decimal(v, digits=2), nones[key])
        found.append({"id": key, "title": titles[key], "colours": colours, "legend": legend})
    return {"shapes": shapes, "names": [table.communes[c].name for c in codes], "layers": found}


def _commune_names(
    departements: set[str],
    coordinates: geo.Coordinates,
    table: TerritoryTable,
    plane: Callable[[np.ndarray, np.ndarray], np.ndarray],
) -> list[list[Any]]:
    """The communes of the basemap, to be named when the zoom leaves room: ``[x, y, room,
    name]`` in the nodes' plane (room: half the distance to the nearest other commune's
    centre), most populous first, which ``map.js`` names first."""
    found = sorted(
        (
            c
            for c in table.communes.values()
            if c.departement in departements and c.code in coordinates.communes
        ),
        key=lambda c: (-(c.population or 0), c.code),
    )
    if len(found) < 2 or len(found) > MAX_NAMED_COMMUNES:
        return []
    lats, lons = (
        np.array(v) for v in zip(*(coordinates.communes[c.code] for c in found), strict=True)
    )
    centres = plane(lats, lons)
    nearest = _nearest_other(centres, range(len(found)))
    return [
        [round(float(x), 1), round(float(y), 1), round(float(d) / 2, 1), c.name]
        for (x, y), d, c in zip(centres.tolist(), nearest, found, strict=True)
    ]


#: Past this many communes (several départements), the basemap names none: a région's map
#: is read by its borders, and thousands of names would weigh on every frame.
MAX_NAMED_COMMUNES = 3000
#: How much of its usual size an actor keeps on a geographic map, where nodes must not hide
#: the communes they stand in (6–36 px become 5–14 px).
GEO_SIZE = 0.3


def _commune_room(
    communes: list[str],
    departements: set[str],
    coordinates: geo.Coordinates,
    table: TerritoryTable,
    plane: Callable[[np.ndarray, np.ndarray], np.ndarray],
) -> np.ndarray:
    """For each node drawn at a commune's centre (``communes``: its code, or ""), how far its
    actors may be spread and stay in the commune, roughly: under half the distance to the
    nearest other commune's centre, since the border lies about halfway. Infinite for nodes
    not drawn at a commune."""
    room = np.full(len(communes), np.inf)
    codes = [
        c.code
        for c in table.communes.values()
        if c.departement in departements and c.code in coordinates.communes
    ]
    where = {code: i for i, code in enumerate(codes)}
    placed = [i for i, code in enumerate(communes) if code in where]
    if len(codes) < 2 or not placed:
        return room
    lats, lons = (np.array(v) for v in zip(*(coordinates.communes[c] for c in codes), strict=True))
    centres = plane(lats, lons)
    room[placed] = 0.45 * _nearest_other(centres, [where[communes[i]] for i in placed])
    return room


def _nearest_other(centres: np.ndarray, rows: Sequence[int]) -> np.ndarray:
    """For each centre ``rows`` names, the distance to the nearest other centre: plain numpy
    by blocks (a département's few hundred communes; importing scipy's k-d tree cost a first
    map more than the search)."""
    found = np.empty(len(rows))
    for start in range(0, len(rows), 256):
        block = centres[list(rows[start : start + 256])]
        distances = np.hypot(*(block[:, None, :] - centres[None, :, :]).transpose(2, 0, 1))
        found[start : start + 256] = np.partition(distances, 1, axis=1)[:, 1]
    return found


def _spread(xy: np.ndarray, room: np.ndarray | None = None) -> np.ndarray:
    """Nodes on the same point moved onto a sunflower spiral around it, in node order, drawn
    smaller when it would spill out of the point's commune (``room``, per node)."""
    at: dict[tuple[float, float], list[int]] = defaultdict(list)
    for i, (x, y) in enumerate(xy.tolist()):
        at[(x, y)].append(i)
    spread = xy.copy()
    for (x, y), members in at.items():
        if len(members) < 2:
            continue
        offsets = layout.spread_points(len(members))
        widest = float(np.hypot(offsets[:, 0], offsets[:, 1]).max())
        limit = float(room[members].min()) if room is not None else math.inf
        if widest > limit > 0:
            offsets = offsets * (limit / widest)
        spread[members] = np.round(offsets + np.array([x, y]), 1)
    return spread


# --------------------------------------------------------------------------- pyvis
def _network(drawing: Drawing, positions: np.ndarray, title: str, actors: int) -> Network:
    """The pyvis network: nodes and edges filled as dict lists (``add_node`` validates and
    copies each node, too slow for thousands) and vis-network options with physics off."""
    from pyvis.network import Network  # not at the top: it imports IPython (slow), and every
    # `ecograph` command imports this module through the CLI

    net = Network(height="100%", width="100%", heading=title, cdn_resources="in_line")
    suggestion_kind = next(
        (i for i, row in enumerate(drawing.facets.ties) if row[0] == "suggestion"), -1
    )
    xy = positions.tolist()
    net.nodes = [
        {
            "id": i,
            "label": node.label,
            "x": xy[i][0],
            "y": xy[i][1],
            "color": node.colour,
            "shape": node.shape,
            "size": node.size,
            "title": "\n".join([node.label, *[line for line in node.lines if line]]),
            **node.facets,
        }
        for i, node in enumerate(drawing.nodes)
    ]
    net.edges = [
        {
            "id": j,
            "from": e.a,
            "to": e.b,
            "color": e.colour,
            "width": e.width,
            "title": e.title,
            "e": suggestion_kind if e.suggested else e.kind,
            **({"dashes": style.SUGGESTION_DASHES} if e.suggested else {}),
        }
        for j, e in enumerate(drawing.edges)
    ]
    net.node_ids = list(range(len(net.nodes)))
    big = len(net.nodes) + len(net.edges) > 3000
    net.options = {
        "autoResize": True,
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "interaction": {
            "hover": not big,
            "tooltipDelay": 150,
            "hideEdgesOnDrag": big,
            "hideEdgesOnZoom": big,
            "navigationButtons": False,
            "keyboard": False,
        },
        # Labels are drawn by map.js, not vis-network: only those that fit without
        # overlapping, at one screen size; the font face is theirs.
        "nodes": {"borderWidth": 1, "font": {"face": "system-ui, sans-serif"}},
        # Ties lighter than nodes, so the actors stand out; links between groups are many
        # and wide, lighter still.
        "edges": {
            "smooth": False,
            "color": {"opacity": 0.25 if drawing.aggregated else 0.3 if big else 0.45},
            "selectionWidth": 2,
        },
    }
    return net
