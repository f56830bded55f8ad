"""Where actors stand on a geographic map: their commune's centroid, or a larger territory's.

ecograph ships the centroids of the 2026 communes, départements and régions
(``data/geo/centroids-2026.csv.gz``), computed by :mod:`ecograph.render.centroids_build`
from IGN's Admin Express COG 2018 contours (Licence Ouverte; attribution in
``data/geo/PROVENANCE.md`` and on every geographic map). A commune created since 2018 by a
merger is the union of the communes it absorbed. A user may give their own points instead
(``--coordinates`` or ``$ECOGRAPH_COORDINATES``): a ``level,code,lat,lon`` file (optionally
gzipped) as :func:`write_coordinates` makes it, or a folder of datas.fun-shaped CSV files
(``communes.csv``, ``departements.csv``, ``regions.csv``), derived on the fly by
:func:`derive_coordinates`, where Paris, Lyon and Marseille have only arrondissement rows (the
commune gets the mean of its arrondissements).

A commune without a point (the seven communes re-created since 2018 by a split, the overseas
collectivities, which IGN's file does not cover) is placed at the centroid of its EPCI (the
mean of the member communes that have one), else its département's, else its région's, and
the map's tooltip says so. An actor based in an EPCI, a département or a région (an
authority) stands at that territory's centre, as expected.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import math
import os
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ecograph.geography import TerritoryTable
from ecograph.resources import data_path

__all__ = [
    "ATTRIBUTION",
    "COORDINATES_ENV",
    "Coordinates",
    "CoordinatesMissing",
    "Placement",
    "derive_coordinates",
    "locate",
    "project_lat_lon",
    "read_coordinates",
    "shrink_of",
    "to_plane",
    "write_coordinates",
]

#: Environment variable naming the coordinates (a folder or a file), when not given.
COORDINATES_ENV = "ECOGRAPH_COORDINATES"
LEVELS = ("commune", "departement", "region")


class CoordinatesMissing(ValueError):
    """The geographic layout was asked for without coordinates to place actors."""


@dataclass(frozen=True)
class Placement:
    """A point and how it was found: ``how`` is the level whose coordinates were used
    (``commune``, ``epci``, ``departement``, ``region``) or ``None`` when nothing is known;
    ``fallback`` is true when the actor's own commune had no coordinates."""

    lat: float
    lon: float
    how: str | None
    code: str
    fallback: bool = False


class Coordinates:
    """Latitude/longitude of communes, départements and régions, plus EPCI centroids."""

    def __init__(self, rows: Mapping[str, Mapping[str, tuple[float, float]]]) -> None:
        self.communes = dict(rows.get("commune", {}))
        self.departements = dict(rows.get("departement", {}))
        self.regions = dict(rows.get("region", {}))

    def epci_centroids(self, table: TerritoryTable) -> dict[str, tuple[float, float]]:
        """EPCI code → mean position of its member communes that have coordinates."""
        return _epci_centroids(self, table)


@functools.lru_cache(maxsize=2)
def _epci_centroids(
    coordinates: Coordinates, table: TerritoryTable
) -> dict[str, tuple[float, float]]:
    centroids = {}
    for epci, members in table.communes_by_epci.items():
        points = [coordinates.communes[c.code] for c in members if c.code in coordinates.communes]
        if points:
            centroids[epci] = (
                round(sum(p[0] for p in points) / len(points), 5),
                round(sum(p[1] for p in points) / len(points), 5),
            )
    return centroids


#: The centroids ecograph ships, and whose contours they come from (shown on the map).
SHIPPED = "geo/centroids-2026.csv.gz"
ATTRIBUTION = (
    "Fond de carte et centroïdes : IGN, Admin Express COG 2018 ; INSEE COG (Licence Ouverte)"
)


def read_coordinates(path: str | os.PathLike[str] | None = None) -> Coordinates:
    """Coordinates from ``path`` (or ``$ECOGRAPH_COORDINATES``): a folder of datas.fun CSV
    files, or a ``level,code,lat,lon`` file, gzipped or not; by default the centroids
    ecograph ships."""
    chosen = path or os.environ.get(COORDINATES_ENV)
    if not chosen:
        return _read(data_path(SHIPPED))
    return _read(Path(chosen).resolve())


@functools.lru_cache(maxsize=2)
def _read(path: Path) -> Coordinates:
    found: Sequence[tuple[str, ...]]
    if path.is_dir():
        found = derive_coordinates(path)
    elif path.is_file():
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8", newline="") as handle:
            found = [tuple(row) for row in csv.reader(handle) if row and row[0] != "level"]
    else:
        raise CoordinatesMissing(f"{path}: no such coordinates file or folder")
    rows: dict[str, dict[str, tuple[float, float]]] = defaultdict(dict)
    for number, row in enumerate(found, start=2):
        try:
            level, code, lat, lon = row
            rows[level][code] = (float(lat), float(lon))
        except ValueError:
            raise CoordinatesMissing(
                f"{path}, row {number}: expected level,code,lat,lon, got {','.join(row)!r}"
            ) from None
    return Coordinates(rows)


def locate(
    attributes: Mapping[str, Any], coordinates: Coordinates, table: TerritoryTable
) -> Placement:
    """Where to draw an actor with the projection's node ``attributes``.

    The most precise known level wins: commune, then EPCI, département, région. ``fallback``
    marks an actor whose commune is known but missing from the coordinates.
    """
    commune = attributes.get("commune") or ""
    if commune in coordinates.communes:
        lat, lon = coordinates.communes[commune]
        return Placement(lat, lon, "commune", commune)
    missing = bool(commune)
    for level, known in (
        ("epci", coordinates.epci_centroids(table)),
        ("departement", coordinates.departements),
        ("region", coordinates.regions),
    ):
        code = attributes.get(level) or ""
        if code in known:
            lat, lon = known[code]
            return Placement(lat, lon, level, code, fallback=missing)
    return Placement(math.nan, math.nan, None, "", fallback=missing)


def shrink_of(lat: np.ndarray) -> float:
    """The longitude factor of :func:`project_lat_lon`: the cosine of the points' mean
    latitude (NaN left out)."""
    known = lat[~np.isnan(lat)]
    return math.cos(math.radians(float(known.mean()))) if known.size else 1.0


def to_plane(lat: np.ndarray, lon: np.ndarray, shrink: float) -> np.ndarray:
    """Points in the equirectangular plane (x east, y south, as on a screen), longitude
    scaled by ``shrink``: the nodes' plane, and the basemap's under them."""
    return np.column_stack([lon * shrink, -lat])


def project_lat_lon(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Equirectangular projection centred on the points' mean latitude (x east, y south, as
    on a screen); unknown points (NaN) go to the top-left corner of the others."""
    known = ~(np.isnan(lat) | np.isnan(lon))
    if not known.any():
        return np.zeros((len(lat), 2))
    xy = to_plane(lat, lon, shrink_of(lat))
    corner = np.nanmin(xy[known], axis=0)
    xy[~known] = corner
    return xy


# --------------------------------------------------------------------------- derivation
def derive_coordinates(source_dir: Path) -> list[tuple[str, str, str, str]]:
    """Rows ``(level, code, lat, lon)`` from the datas.fun CSV files (run when they change).

    Communes from their ``COM`` rows (several rows of one commune, one per postcode, carry the
    same point); a commune with only arrondissement (``ARM``) rows gets their mean; rows
    without coordinates are skipped. Départements and régions from their own files.
    """
    points: dict[tuple[str, str], tuple[float, float]] = {}
    arrondissements: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for name in ("communes.csv", "departements.csv", "regions.csv"):
        if not (source_dir / name).is_file():
            raise CoordinatesMissing(
                f"{source_dir}: expected {name} (datas.fun's France/ folder) in it"
            )
    for row in _read_csv(source_dir / "communes.csv"):
        if not row["lat"] or not row["lng"]:
            continue
        point = (float(row["lat"]), float(row["lng"]))
        if row["commune_type"] == "COM":
            points.setdefault(("commune", row["insee_com"]), point)
        elif row["commune_type"] == "ARM" and row["insee_parente"]:
            arrondissements[row["insee_parente"]].append(point)
    for parent, found in arrondissements.items():
        if ("commune", parent) not in points:
            points[("commune", parent)] = (
                sum(p[0] for p in found) / len(found),
                sum(p[1] for p in found) / len(found),
            )
    for level, name, key in (
        ("departement", "departements.csv", "insee_dep"),
        ("region", "regions.csv", "insee_reg"),
    ):
        for row in _read_csv(source_dir / name):
            points[(level, row[key])] = (float(row["lat"]), float(row["lng"]))
    return [
        (level, code, f"{lat:.5f}", f"{lon:.5f}")
        for (level, code), (lat, lon) in sorted(points.items())
    ]


def write_coordinates(rows: list[tuple[str, str, str, str]], path: Path) -> None:
    """Write the rows reproducibly (sorted; see below for the gzip header)."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(("level", "code", "lat", "lon"))
    writer.writerows(rows)
    # No file name and no time in the gzip header: the same rows give the same bytes.
    with (
        path.open("wb") as raw,
        gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as handle,
    ):
        handle.write(text.getvalue().encode("utf-8"))


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


if __name__ == "__main__":  # python -m ecograph.render.geo SOURCE_FOLDER OUT.csv.gz
    import sys

    write_coordinates(derive_coordinates(Path(sys.argv[1])), Path(sys.argv[2]))
    print(f"wrote {sys.argv[2]}")
