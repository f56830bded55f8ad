"""The lines under a geographic map: commune, EPCI and département borders of the territory
the actors stand in, in the same plane as the nodes.

The borders ship as arcs with the communes on their sides (``data/geo/borders-2026.npz``,
made by :mod:`ecograph.render.borders_build` from IGN's contours). Which kind of border an
arc is comes from the 2026 table when a map is drawn: two communes of different départements
(or a coast, a frontier) make a département border, of different EPCIs an EPCI border, else
a commune border.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ecograph.geography import TerritoryTable
from ecograph.resources import data_path

__all__ = ["BORDERS", "KINDS", "Borders", "basemap_lines", "departements_of", "shipped_borders"]

BORDERS = "geo/borders-2026.npz"
#: Border kinds, from the lightest to the heaviest line.
KINDS = ("commune", "epci", "departement")
#: Above this many départements, commune borders are left out (they would be a grey mat).
COMMUNES_UP_TO = 6


@dataclass(frozen=True)
class Borders:
    """France's commune borders as shipped (``borders_build``): each arc's two sides and its
    points, decoded one arc at a time, only for the arcs a map draws."""

    scale: int
    #: (commune a, commune b) of each arc; b is "" on a coast or a frontier.
    sides: list[tuple[str, str]]
    starts: np.ndarray
    deltas: np.ndarray

    def points(self, arc: int) -> np.ndarray:
        """One arc's points, (x, y) rows in units of 1/scale degree."""
        return np.cumsum(self.deltas[self.starts[arc] : self.starts[arc + 1]], axis=0)


@functools.cache
def shipped_borders() -> Borders:
    """The shipped borders, read once per process: one decompression of a numpy archive
    (the JSON it replaced took 0.57 s to parse, most of a first geographic map's basemap)."""
    with np.load(data_path(BORDERS)) as saved:
        sides = [(a.decode(), b.decode()) for a, b in saved["sides"].tolist()]
        return Borders(int(saved["scale"]), sides, saved["starts"], saved["deltas"])


def _kind(a: str, b: str, table: TerritoryTable) -> str:
    one, other = table.communes.get(a), table.communes.get(b)
    if one is None or other is None or one.departement != other.departement:
        return "departement"
    return "epci" if one.epci != other.epci else "commune"


def basemap_lines(
    departements: Iterable[str],
    table: TerritoryTable,
    plane: Callable[[np.ndarray, np.ndarray], np.ndarray],
) -> dict[str, list[list[float]]]:
    """Kind → polylines (flat ``[x, y, x, y, …]`` in the map's plane) of the borders of the
    communes in ``departements``; ``plane(lat, lon)`` places points as the nodes are."""
    wanted = set(departements)
    if not wanted:
        return {kind: [] for kind in KINDS}
    borders = shipped_borders()
    scale = borders.scale
    with_communes = len(wanted) <= COMMUNES_UP_TO
    lines: dict[str, list[list[float]]] = {kind: [] for kind in KINDS}
    for arc, (a, b) in enumerate(borders.sides):
        sides = [table.communes.get(code) for code in (a, b) if code]
        if not any(c is not None and c.departement in wanted for c in sides):
            continue
        kind = _kind(a, b, table)
        if kind == "commune" and not with_communes:
            continue
        points = borders.points(arc)
        xy = plane(points[:, 1] / scale, points[:, 0] / scale)
        lines[kind].append(np.round(xy, 1).ravel().tolist())
    return lines


def departements_of(places: Iterable[Mapping[str, Any]], table: TerritoryTable) -> set[str]:
    """The départements the actors of a map stand in (an EPCI's, a région's own)."""
    found: set[str] = set()
    for place in places:
        if place.get("departement"):
            found.add(str(place["departement"]))
        elif place.get("epci"):
            found.update(c.departement for c in table.communes_by_epci.get(place["epci"], []))
    return found
