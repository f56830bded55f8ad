"""Build the commune borders ecograph ships for the basemap of its geographic maps.

Run from the repository root, with the contours and the territories' source beside it::

    python -m ecograph.render.borders_build ../shared/data/geo/contours-ign-2018 \\
        ../shared/data/territories/communes.json src/ecograph/data/geo/borders-2026.npz

Why arcs and not polygons: neighbours must keep one shared border when simplified, or the
map shows slivers and gaps between communes. Every commune ring of IGN's contours is cut
where the set of rings sharing its segments changes; each resulting arc is kept once, with
the one or two communes on its sides, and simplified once (Douglas–Peucker), so both sides
get the same line. The sides are 2026 communes: a commune created since 2018 by a merger is
the union of those it absorbed, and the arcs between them are dropped. Whether an arc is a
commune, EPCI or département border is decided when a map is drawn, from the 2026 table.

The file, a compressed numpy archive (:func:`write_borders`): ``scale`` (100,000: longitudes
and latitudes in 1e-5 degree), ``sides`` (the two communes of each arc, ``b`` empty on a
coast or a frontier), ``starts`` (where each arc's points begin in ``deltas``, one more entry
than arcs) and ``deltas`` (each arc's first point, then each next point as a difference from
the one before: small integers compress well). Loading it is one decompression, not the
parse of ten megabytes of JSON it replaced (0.57 s for the first map of a process).
"""

from __future__ import annotations

import gzip
import itertools
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["SCALE", "build_arcs", "simplify"]

SCALE = 100_000
#: Douglas–Peucker tolerance in 1e-5 degree (about 60 m): finer than a commune map shows.
TOLERANCE = 60

Point = tuple[int, int]


def simplify(points: Sequence[Point], tolerance: float = TOLERANCE) -> list[Point]:
    """Douglas–Peucker, keeping both ends (iterative: arcs may be long)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x0, y0), (x1, y1) = points[first], points[last]
        dx, dy = x1 - x0, y1 - y0
        norm = (dx * dx + dy * dy) ** 0.5
        farthest, index = -1.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            if norm:
                distance = abs(dy * (px - x0) - dx * (py - y0)) / norm
            else:
                distance = ((px - x0) ** 2 + (py - y0) ** 2) ** 0.5
            if distance > farthest:
                farthest, index = distance, i
        if index >= 0 and farthest > tolerance:
            keep[index] = True
            stack.extend(((first, index), (index, last)))
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def _rings(geometry: dict[str, Any]) -> list[list[Point]]:
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    found = []
    for polygon in polygons:
        for ring in polygon:
            points = [(round(x * SCALE), round(y * SCALE)) for x, y in ring]
            if len(points) > 1 and points[0] == points[-1]:
                points.pop()
            deduplicated = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
            if len(deduplicated) >= 3:
                found.append(deduplicated)
    return found


def build_arcs(
    shapes: dict[str, list[dict[str, Any]]], merged_into: dict[str, str]
) -> list[tuple[str, str, list[Point]]]:
    """Arcs ``(commune_a, commune_b, points)`` of 2018 ``shapes`` (code → geometries),
    sides named by their 2026 commune (``merged_into`` maps an absorbed code to it)."""
    rings: list[tuple[str, list[Point]]] = []
    for code, geometries in sorted(shapes.items()):
        for geometry in geometries:
            rings.extend((merged_into.get(code, code), ring) for ring in _rings(geometry))
    owners: dict[tuple[Point, Point], list[int]] = {}
    for number, (_, ring) in enumerate(rings):
        for i, p in enumerate(ring):
            q = ring[(i + 1) % len(ring)]
            owners.setdefault((p, q) if p < q else (q, p), []).append(number)
    arcs: dict[tuple[Point, ...], tuple[str, str]] = {}
    for number, (_, ring) in enumerate(rings):
        n = len(ring)
        keys = [tuple(sorted(owners[_segment(ring, i)])) for i in range(n)]
        cuts = [i for i in range(n) if keys[i] != keys[i - 1]]
        if not cuts:  # one neighbour (or none) all round: the ring is one arc
            start = ring.index(min(ring))
            runs = [ring[start:] + ring[: start + 1]]
            run_keys = [keys[0]]
        else:
            runs, run_keys = [], []
            for k, cut in enumerate(cuts):
                end = cuts[(k + 1) % len(cuts)]
                length = (end - cut) % n or n
                runs.append([ring[(cut + j) % n] for j in range(length + 1)])
                run_keys.append(keys[cut])
        for run, key in zip(runs, run_keys, strict=True):
            if key[0] != number:  # each arc once: from the first ring that owns it
                continue
            sides = sorted({rings[r][0] for r in key})
            if len(key) > 1 and len(sides) == 1:
                continue  # between two communes merged since: inside the 2026 commune
            points = tuple(run)
            reverse = points[::-1]
            canonical = min(points, reverse)
            arcs.setdefault(canonical, (sides[0], sides[1] if len(sides) > 1 else ""))
    return [(a, b, simplify(list(points))) for points, (a, b) in sorted(arcs.items())]


def _segment(ring: list[Point], i: int) -> tuple[Point, Point]:
    p, q = ring[i], ring[(i + 1) % len(ring)]
    return (p, q) if p < q else (q, p)


def encode(arcs: list[tuple[str, str, list[Point]]]) -> list[tuple[str, str, list[int]]]:
    """Each arc's sides and points, flat: its first point, then differences."""
    encoded = []
    for a, b, points in arcs:
        flat: list[int] = [points[0][0], points[0][1]]
        for (x0, y0), (x1, y1) in itertools.pairwise(points):
            flat += [x1 - x0, y1 - y0]
        encoded.append((a, b, flat))
    return encoded


def write_borders(encoded: list[tuple[str, str, list[int]]], out: Path) -> None:
    """The shipped archive (see the module's doc) of encoded arcs."""
    lengths = np.array([len(flat) // 2 for _, _, flat in encoded], dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(lengths)))
    deltas = np.array([v for _, _, flat in encoded for v in flat], dtype=np.int32).reshape(-1, 2)
    sides = np.array([(a, b) for a, b, _ in encoded], dtype="S5")
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, scale=np.array(SCALE), sides=sides, starts=starts, deltas=deltas)


def main(contours: Path, communes_json: Path, out: Path) -> int:
    shapes: dict[str, list[dict[str, Any]]] = {}
    for path in sorted((contours / "communes").glob("communes-*.geojson.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for feature in json.load(handle)["features"]:
                shapes.setdefault(feature["properties"]["code"], []).append(feature["geometry"])
    merged_into = {}
    for commune in json.loads(communes_json.read_text(encoding="utf-8")):
        if commune.get("type") == "commune-actuelle":
            for old in commune.get("anciensCodes", []):
                merged_into[old] = commune["code"]
    arcs = build_arcs(shapes, merged_into)
    write_borders(encode(arcs), out)
    return len(arcs)


if __name__ == "__main__":
    count = main(*(Path(a) for a in sys.argv[1:4]))
    print(f"wrote {sys.argv[3]}: {count:,} arcs")
