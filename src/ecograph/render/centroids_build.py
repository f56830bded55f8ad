"""Build the centroids ecograph ships for its geographic layout, from IGN's contours.

Run from the repository root, with the contours and the territories' source beside it::

    python -m ecograph.render.centroids_build ../shared/data/geo/contours-ign-2018 \\
        ../shared/data/territories/communes.json src/ecograph/data/geo/centroids-2026.csv.gz

The contours are IGN Admin Express COG 2018 (Licence Ouverte; see data/geo/PROVENANCE.md);
the geography is 2026. A commune created since 2018 by merging others is the union of the
communes it absorbed (``anciensCodes`` in the territories' source), so its centroid is the
area-weighted mean of theirs. Areas and centroids are computed in a local equirectangular
plane (longitude scaled by the cosine of the latitude): for shapes the size of a commune or a
département the error is far below what a map shows.
"""

from __future__ import annotations

import gzip
import json
import math
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ecograph.render.geo import write_coordinates

__all__ = ["build_centroids", "shape_centroid"]

Ring = Sequence[Sequence[float]]


def _polygons(geometry: dict[str, Any]) -> Iterator[Sequence[Ring]]:
    if geometry["type"] == "Polygon":
        yield geometry["coordinates"]
    elif geometry["type"] == "MultiPolygon":
        yield from geometry["coordinates"]


def _ring(ring: Ring, scale: float) -> tuple[float, float, float]:
    """(signed area, x·area sum, y·area sum) of a ring by the shoelace formula, x being
    longitude × ``scale``."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, [*ring[1:], ring[0]], strict=True):
        cross = x0 * scale * y1 - x1 * scale * y0
        area += cross
        cx += (x0 * scale + x1 * scale) * cross
        cy += (y0 + y1) * cross
    return area / 2, cx / 6, cy / 6


def shape_centroid(geometries: Iterable[dict[str, Any]]) -> tuple[float, float, float] | None:
    """(area, lat, lon) of the union of ``geometries`` (GeoJSON Polygon/MultiPolygon in
    lon/lat, holes subtracted), or None when they have no area."""
    geometries = list(geometries)
    rings = [ring for g in geometries for polygon in _polygons(g) for ring in polygon]
    if not rings:
        return None
    latitude = sum(point[1] for ring in rings for point in ring) / sum(len(r) for r in rings)
    scale = math.cos(math.radians(latitude))
    total = sx = sy = 0.0
    for geometry in geometries:
        for polygon in _polygons(geometry):
            for index, ring in enumerate(polygon):
                area, cx, cy = _ring(ring, scale)
                if area < 0:  # rings turn either way in published files
                    area, cx, cy = -area, -cx, -cy
                sign = 1.0 if index == 0 else -1.0  # the exterior, then its holes
                total += sign * area
                sx += sign * cx
                sy += sign * cy
    if total <= 0:
        return None
    return total, sy / total, sx / total / scale


def build_centroids(contours: Path, communes_json: Path) -> list[tuple[str, str, str, str]]:
    """``level,code,lat,lon`` rows of the 2026 communes, the départements and the régions."""
    shapes: dict[str, list[dict[str, Any]]] = {}
    for path in sorted((contours / "communes").glob("communes-*.geojson.gz")):
        for feature in _features(path):
            shapes.setdefault(feature["properties"]["code"], []).append(feature["geometry"])
    rows: list[tuple[str, str, str, str]] = []
    for commune in json.loads(communes_json.read_text(encoding="utf-8")):
        if commune.get("type") != "commune-actuelle":
            continue
        codes = [commune["code"], *commune.get("anciensCodes", [])]
        parts = [g for code in dict.fromkeys(codes) for g in shapes.get(code, [])]
        found = shape_centroid(parts)
        if found is not None:
            rows.append(_row("commune", commune["code"], found))
    for level, name in (
        ("departement", "departements-avec-outre-mer.geojson.gz"),
        ("region", "regions-avec-outre-mer.geojson.gz"),
    ):
        for feature in _features(contours / name):
            found = shape_centroid([feature["geometry"]])
            if found is not None:
                rows.append(_row(level, feature["properties"]["code"], found))
    return sorted(rows)


def _features(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return list(json.load(handle)["features"])


def _row(level: str, code: str, found: tuple[float, float, float]) -> tuple[str, str, str, str]:
    _, lat, lon = found
    return level, code, f"{lat:.5f}", f"{lon:.5f}"


if __name__ == "__main__":
    contours_dir, communes_file, out = (Path(a) for a in sys.argv[1:4])
    out.parent.mkdir(parents=True, exist_ok=True)
    found_rows = build_centroids(contours_dir, communes_file)
    write_coordinates(found_rows, out)
    print(f"wrote {out}: {len(found_rows):,} centroids")
