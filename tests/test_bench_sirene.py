"""The synthetic SIRENE stock files of the import benchmark (``bench_import.py --sirene``):
INSEE's layout, Luhn-valid identifiers, one seat a unit, and an import that keeps exactly
the units whose seat lies in the territory."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ecograph.geography import geography
from ecograph.identifiers import luhn_valid
from ecograph.ingest.importer import import_file
from ecograph.ingest.sirene import STOCK_COLUMNS
from ecograph.ingest.streamed import RowFilters, detect_streamed
from ecograph.sample.registers import (
    SIRENE_ESTABLISHMENT_COLUMNS,
    SIRENE_UNIT_COLUMNS,
    write_sirene_files,
)
from ecograph.store import open_store


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_sirene_files_import_exactly_the_units_seated_in_the_territory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    units_path, sites_path = write_sirene_files(tmp_path, 300, seed=7)
    assert (units_path.name, sites_path.name) == (
        "StockUniteLegale_utf8.csv",
        "StockEtablissement_utf8.csv",
    )
    with units_path.open(encoding="utf-8") as u, sites_path.open(encoding="utf-8") as s:
        assert u.readline().rstrip("\n").split(",") == SIRENE_UNIT_COLUMNS
        assert s.readline().rstrip("\n").split(",") == SIRENE_ESTABLISHMENT_COLUMNS
    for field in ("siren", "name", "legal_form", "naf", "ess", "state", "diffusion"):
        assert set(STOCK_COLUMNS[field]) & set(SIRENE_UNIT_COLUMNS), field
    for field in ("siren", "siret", "seat", "commune", "postcode", "state", "diffusion"):
        assert set(STOCK_COLUMNS[field]) & set(SIRENE_ESTABLISHMENT_COLUMNS), field
    assert detect_streamed(units_path) == detect_streamed(sites_path) == "sirene-stock"

    units, sites = _rows(units_path), _rows(sites_path)
    assert len(units) == 300 and len(sites) > 300
    sirens = [u["siren"] for u in units]
    assert len(set(sirens)) == 300 and all(len(x) == 9 and luhn_valid(x) for x in sirens)
    assert sirens == sorted(sirens)  # INSEE's order
    sirets = [s["siret"] for s in sites]
    assert len(set(sirets)) == len(sirets)
    for site in sites:
        assert len(site["siret"]) == 14 and luhn_valid(site["siret"]), site["siret"]
        assert site["siret"] == site["siren"] + site["nic"]
    seats = {s["siren"]: s for s in sites if s["etablissementSiege"] == "true"}
    assert sum(s["etablissementSiege"] == "true" for s in sites) == 300 == len(seats)
    assert {s["siren"] for s in sites} == set(sirens)
    for unit in units:
        assert seats[unit["siren"]]["nic"] == unit["nicSiegeUniteLegale"]
    assert {u["economieSocialeSolidaireUniteLegale"] for u in units} >= {"O", "N"}
    assert {u["etatAdministratifUniteLegale"] for u in units} == {"A", "C"}
    assert {u["statutDiffusionUniteLegale"] for u in units} == {"O", "P"}

    communes = geography().communes
    hidden = {u["siren"] for u in units if u["statutDiffusionUniteLegale"] == "P"}
    expected = {
        siren
        for siren, seat in seats.items()
        if communes[seat["codeCommuneEtablissement"]].departement == "44" and siren not in hidden
    }
    assert len(expected) >= 3, "the seed places a few seats in Loire-Atlantique"

    with open_store(tmp_path / "ws") as store:
        result = import_file(
            store, units_path, filters=RowFilters(territory="44", establishments=sites_path)
        )
        assert result.counts["rowsRead"] == 300 and result.counts["rowsRejected"] == 0
        assert result.counts["actorsCreated"] == len(expected)
        found = {
            row["v"].value
            for row in store.select("SELECT ?v WHERE { ?a eg:siren ?v }")
            if row["v"] is not None
        }
    assert found == expected


def test_sirene_files_are_deterministic_for_a_seed(tmp_path: Path) -> None:
    made = []
    for folder in ("a", "b", "c"):
        (tmp_path / folder).mkdir()
        made.append(write_sirene_files(tmp_path / folder, 50, seed=2 if folder == "c" else 1))
    first, again, other = ([p.read_bytes() for p in paths] for paths in made)
    assert first == again and first != other
