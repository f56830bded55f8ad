"""A choropleth for the territorial report: the territory's parts (communes of an EPCI, EPCIs
of a département, départements of a région) shaded by a figure, as static SVG.

The shapes come from the shipped commune borders (:mod:`ecograph.render.basemap`): the arcs
between two parts, or on the territory's edge, are chained into each part's rings, so parts
are unions of communes without any polygon arithmetic. The SVG is built with ElementTree,
like every chart of the report (:mod:`ecograph.render.charts`): names are escaped text, there
is no script, and the figures are also in a table beside the map, for screen readers and
print. Colours: the Blues ramp of the report's heat map, in quantile classes; a part with no
actor is white, so no reading depends on colour alone.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ecograph.geography import Commune, TerritoryTable
from ecograph.render import basemap
from ecograph.render.charts import BLUES, FONT, TEXT, svg_root, svg_string, svg_text
from ecograph.safetext import clean

__all__ = ["Part", "choropleth_svg", "part_rings", "shading"]

Point = tuple[float, float]
WIDTH = 640.0
MAX_HEIGHT = 520.0
LEGEND_HEIGHT = 34.0


@dataclass(frozen=True)
class Part:
    """One shaded part: its key (a code), its name and its figure (None: no data)."""

    key: str
    name: str
    value: float | None


def part_rings(
    part_of: Callable[[Commune], str | None], table: TerritoryTable
) -> dict[str, list[list[Point]]]:
    """Part key → its closed rings in (lon, lat), from the arcs of the shipped borders.
    ``part_of`` gives a commune's part (None: outside the territory)."""
    borders = basemap.shipped_borders()
    scale = borders.scale
    pieces: dict[str, list[list[Point]]] = defaultdict(list)
    for arc, (a, b) in enumerate(borders.sides):
        one, other = table.communes.get(a), table.communes.get(b) if b else None
        left = part_of(one) if one else None
        right = part_of(other) if other else None
        if left == right:
            continue
        line = [(x / scale, y / scale) for x, y in borders.points(arc).tolist()]
        for key in (left, right):
            if key is not None:
                pieces[key].append(line)
    return {key: _chain(lines) for key, lines in pieces.items()}


def _chain(lines: list[list[Point]]) -> list[list[Point]]:
    """Arcs joined end to end into closed rings (arcs meet at exactly equal points)."""
    ends: dict[Point, list[int]] = defaultdict(list)
    for i, line in enumerate(lines):
        ends[line[0]].append(i)
        ends[line[-1]].append(i)
    used = [False] * len(lines)
    rings = []
    for start in range(len(lines)):
        if used[start]:
            continue
        used[start] = True
        ring = list(lines[start])
        while ring[-1] != ring[0]:
            following = next((i for i in ends[ring[-1]] if not used[i]), None)
            if following is None:
                break  # an open chain (a part cut by the data's edge): drawn as it is
            used[following] = True
            line = lines[following]
            ring.extend(line[1:] if line[0] == ring[-1] else line[::-1][1:])
        rings.append(ring)
    return rings


def _classes(values: Sequence[float], count: int = 5) -> list[float]:
    """Upper bounds of ``count`` quantile classes of the positive values."""
    ordered = sorted(v for v in values if v > 0)
    if not ordered:
        return []
    bounds = [
        ordered[min(len(ordered) - 1, math.ceil(len(ordered) * k / count) - 1)]
        for k in range(1, count + 1)
    ]
    return sorted(set(bounds))


def choropleth_svg(
    parts: Sequence[Part],
    rings: Mapping[str, list[list[Point]]],
    *,
    title: str,
    value_text: Callable[[float], str],
    no_actor: str,
    highlight: str | None = None,
) -> str | None:
    """The SVG map (None when no part has a shape); the part ``highlight`` (the report's own
    commune among its neighbours) is outlined, drawn last so its border shows whole."""
    drawn = [p for p in parts if rings.get(p.key)]
    if not drawn:
        return None
    points = [pt for p in drawn for ring in rings[p.key] for pt in ring]
    lat0 = sum(lat for _, lat in points) / len(points)
    shrink = math.cos(math.radians(lat0))
    xs = [lon * shrink for lon, _ in points]
    ys = [-lat for _, lat in points]
    span_x, span_y = max(xs) - min(xs) or 1.0, max(ys) - min(ys) or 1.0
    factor = min((WIDTH - 8) / span_x, (MAX_HEIGHT - 8) / span_y)
    height = span_y * factor + 8
    left, top = min(xs), min(ys)

    def place(lon: float, lat: float) -> str:
        return f"{(lon * shrink - left) * factor + 4:.1f},{(-lat - top) * factor + 4:.1f}"

    bounds = _classes([p.value for p in drawn if p.value is not None])
    root = svg_root(WIDTH, height + LEGEND_HEIGHT, title)
    drawn.sort(key=lambda p: p.key == highlight)
    for part in drawn:
        path = " ".join(
            "M"
            + " L".join(place(lon, lat) for lon, lat in ring)
            + (" Z" if ring[0] == ring[-1] else "")
            for ring in rings[part.key]
        )
        shape = ET.SubElement(
            root,
            "path",
            {
                "d": path,
                "fill": _fill(part.value, bounds),
                "stroke": "#1a1a1a" if part.key == highlight else "#6e6e6e",
                "stroke-width": "2.4" if part.key == highlight else "0.6",
                "fill-rule": "evenodd",
            },
        )
        figure = value_text(part.value) if part.value else no_actor
        ET.SubElement(shape, "title").text = f"{clean(part.name)} : {figure}"
    _legend(root, bounds, height, value_text, no_actor)
    return svg_string(root)


def shading(
    values: Sequence[float | None], value_text: Callable[[float], str], no_value: str
) -> tuple[list[str], list[tuple[str, str]]]:
    """The colour of each value (white for none or zero) and the legend entries (colour,
    text), in the quantile classes and ramp of the report's maps: the map page's layers use
    it, so a layer and the report's map of the same figure read alike."""
    bounds = _classes([v for v in values if v is not None])
    return [_fill(v, bounds) for v in values], _legend_entries(bounds, value_text, no_value)


def _legend_entries(
    bounds: list[float], value_text: Callable[[float], str], no_value: str
) -> list[tuple[str, str]]:
    entries = [("#ffffff", no_value)]
    low = 0.0
    for colour, bound in zip(_ramp(bounds), bounds, strict=False):
        entries.append((colour, f"{value_text(low)}–{value_text(bound)}"))
        low = bound
    return entries


def _fill(value: float | None, bounds: list[float]) -> str:
    if not value or not bounds:
        return "#ffffff"
    index = next((i for i, bound in enumerate(bounds) if value <= bound), len(bounds) - 1)
    ramp = _ramp(bounds)
    return ramp[min(index, len(ramp) - 1)]


def _ramp(bounds: list[float]) -> tuple[str, ...]:
    """The colours of the classes: the darkest end of the Blues, one per class."""
    return BLUES[-len(bounds) :] if bounds else ()


def _legend(
    root: ET.Element,
    bounds: list[float],
    top: float,
    value_text: Callable[[float], str],
    no_actor: str,
) -> None:
    x = 4.0
    for colour, text in _legend_entries(bounds, value_text, no_actor):
        ET.SubElement(
            root,
            "rect",
            {
                "x": f"{x:.1f}",
                "y": f"{top + 8:.1f}",
                "width": "14",
                "height": "14",
                "fill": colour,
                "stroke": "#6e6e6e",
                "stroke-width": "0.6",
            },
        )
        svg_text(
            root, x + 18, top + 19, text, fill=TEXT, **{"font-size": "11", "font-family": FONT}
        )
        x += 24 + 6.2 * len(text)
