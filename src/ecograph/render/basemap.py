"""The lines under a geographic map: commune, EPCI and département borders of the territory
the actors stand in, in the same plane as the nodes.

The borders ship as arcs with the communes on their sides (``data/geo/borders-2026.json.gz``,
made by :mod:`ecograph.render.borders_build` from IGN's contours). Which kind of border an
arc is comes from the 2026 table when a map is drawn: two communes of different départements
(or a coast, a frontier) make a département border, of different EPCIs an EPCI border, else
a commune border.
"""

from __future__ import annotations

import functools
import gzip
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from ecograph.geography import TerritoryTable
from ecograph.resources import data_path

__all__ = ["BORDERS", "KINDS", "arc_points", "basemap_lines", "departements_of", "shipped_arcs"]

BORDERS = "geo/borders-2026.json.gz"
#: Border kinds, from the lightest to the heaviest line.
KINDS = ("commune", "epci", "departement")
#: Above this many départements, commune borders are left out (they would be a grey mat).
COMMUNES_UP_TO = 6


@functools.cache
def shipped_arcs() -> tuple[int, list[tuple[str, str, list[int]]]]:
    """The scale and the arcs of France's borders as shipped: the communes on each side and
    the points delta-encoded (:func:`arc_points` decodes one). Decoding only the arcs a map
    draws keeps a map's first build fast (all 105,000 took 0.4 s)."""
    # one read and one parse of the whole text: json.load on a gzip text stream took twice
    found = json.loads(gzip.decompress(data_path(BORDERS).read_bytes()))
    return int(found["scale"]), [(a, b, flat) for a, b, flat in found["arcs"]]


def arc_points(flat: list[int]) -> np.ndarray:
    """One shipped arc's points, (x, y) rows in units of 1/scale degree."""
    return np.cumsum(np.asarray(flat, dtype=np.int64).reshape(-1, 2), axis=0)


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
    scale, arcs = shipped_arcs()
    with_communes = len(wanted) <= COMMUNES_UP_TO
    lines: dict[str, list[list[float]]] = {kind: [] for kind in KINDS}
    for a, b, flat in arcs:
        sides = [table.communes.get(code) for code in (a, b) if code]
        if not any(c is not None and c.departement in wanted for c in sides):
            continue
        kind = _kind(a, b, table)
        if kind == "commune" and not with_communes:
            continue
        points = arc_points(flat)
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
