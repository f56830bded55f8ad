"""Deriving the shipped geography table from the Etalab ``decoupage-administratif`` files.

Run when the geography changes (``python -m ecograph.geography_build FOLDER``); ecograph itself
only reads the result, through :func:`ecograph.geography.geography`. The table is sorted and
gzipped without a timestamp so that the same source gives the same bytes.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any

from ecograph.geography import ATTRIBUTION, SOURCE_DATASET, TABLE_FILE
from ecograph.resources import data_path


def derive_table(etalab_dir: Path) -> dict[str, Any]:
    """Build the compact table from the Etalab JSON files (run when the geography changes)."""

    def read(name: str) -> list[dict[str, Any]]:
        return json.loads((etalab_dir / f"{name}.json").read_text(encoding="utf-8"))

    epci_of: dict[str, str] = {}
    epcis = []
    for epci in read("epci"):
        epcis.append([epci["code"], epci["nom"], epci["type"], epci["populationMunicipale"]])
        for member in epci["membres"]:
            epci_of[member["code"]] = epci["code"]
    communes, arrondissements, former = [], [], []
    for row in read("communes"):
        if row["type"] == "commune-actuelle":
            communes.append(
                [
                    row["code"],
                    row["nom"],
                    row["departement"],
                    row["region"],
                    epci_of.get(row["code"]),
                    row.get("siren"),
                    row.get("population"),
                    sorted(row.get("codesPostaux") or []),
                ]
            )
        elif row["type"] in ("commune-deleguee", "commune-associee") and row.get("chefLieu"):
            # a commune merged into another («Château-du-Loir», now part of Montval-sur-Loir):
            # addresses still name it
            former.append([row["code"], row["nom"], row["chefLieu"]])
        elif row["type"] == "arrondissement-municipal":
            arrondissements.append(
                [
                    row["code"],
                    row["nom"],
                    row["commune"],
                    row.get("population"),
                    sorted(row.get("codesPostaux") or []),
                ]
            )
    departements = [
        [d["code"], d["nom"], d["region"]] for d in read("departements") if d["zone"] != "com"
    ]
    regions = [[r["code"], r["nom"], r["zone"]] for r in read("regions")]
    return {
        "dataset": SOURCE_DATASET,
        "attribution": ATTRIBUTION,
        "regions": sorted(regions),
        "departements": sorted(departements),
        "epci": sorted(epcis),
        "communes": sorted(communes),
        "arrondissements_municipaux": sorted(arrondissements),
        "former_communes": sorted(former),
    }


def write_table(table: dict[str, Any], path: Path) -> None:
    """Write the table reproducibly (sorted, no timestamp in the gzip header)."""
    payload = json.dumps(table, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as handle:
        handle.write(payload)


if __name__ == "__main__":  # python -m ecograph.geography_build ../shared/data/territories
    source = Path(sys.argv[1])
    write_table(derive_table(source), data_path(TABLE_FILE))
    print(f"wrote {data_path(TABLE_FILE)}")
