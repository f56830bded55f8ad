"""The synthetic SCDL grant files of the national benchmark (``ecograph.sample.scdl``): they
import through the real importer with no refused row, join the actors of the generated
registers, are the same for the same seed, and give domain inference words to read."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest

from ecograph.geography import geography
from ecograph.identifiers import luhn_valid
from ecograph.ingest.importer import import_file
from ecograph.ingest.places import authority_named
from ecograph.ingest.scdl import looks_like_scdl
from ecograph.ingest.territories import load_territories
from ecograph.ontology import load_ontology
from ecograph.sample.registers import write_rna_file, write_sirene_files
from ecograph.sample.scdl import (
    LAYOUTS,
    Beneficiary,
    ScdlFile,
    publishers,
    read_beneficiaries,
    write_scdl_files,
)
from ecograph.store import open_store

DEPARTEMENTS = ("44", "49")


@pytest.fixture(scope="module")
def registers(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A small RNA file over two départements and SIRENE stock files over France."""
    folder = tmp_path_factory.mktemp("registers")
    rna = folder / "rna_waldec_20251201_dpt_44_49.csv"
    write_rna_file(rna, 900, seed=4, departements=DEPARTEMENTS)
    units, sites = write_sirene_files(folder, 1500, seed=4)
    return rna, units, sites


@pytest.fixture(scope="module")
def beneficiaries(registers: tuple[Path, Path, Path]) -> list[Beneficiary]:
    rna, units, sites = registers
    return read_beneficiaries(rna=rna, units=units, establishments=sites)


def _digests(files: list[ScdlFile]) -> dict[str, str]:
    return {f.path.name: hashlib.sha256(f.path.read_bytes()).hexdigest() for f in files}


def test_publishers_are_every_council_named_as_the_importer_recognises_it() -> None:
    found = publishers(communes_per_departement=1)
    table = geography()
    by_level: dict[str, list[str]] = {}
    for publisher in found:
        by_level.setdefault(publisher.level, []).append(publisher.code)
        assert luhn_valid(publisher.siren) and luhn_valid(publisher.siret), publisher
        authority = authority_named(publisher.name, siren=publisher.siren)
        assert authority is not None, publisher.name
        assert (authority.level, authority.code) == (publisher.level, publisher.code)
    assert sorted(by_level["departement"]) == sorted(table.departements)
    assert len(by_level["region"]) == 18
    assert len(by_level["commune"]) == len(table.departements)
    communes = {p.code: p for p in found if p.level == "commune"}
    assert communes["44109"].siren == table.communes["44109"].siren  # Nantes, the largest of 44
    assert len({p.siren for p in found}) == len(found)


def test_beneficiaries_are_the_registers_active_listed_actors(
    registers: tuple[Path, Path, Path], beneficiaries: list[Beneficiary]
) -> None:
    rna, units, _ = registers
    with rna.open(encoding="cp1252", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    active = {r["id"] for r in rows if r["position"] == "A" and r["date_disso"] == "0001-01-01"}
    assert {b.rna for b in beneficiaries if b.association and b.rna in active} == active
    with units.open(encoding="utf-8", newline="") as handle:
        sirens = {r["siren"]: r for r in csv.DictReader(handle)}
    from_sirene = [b for b in beneficiaries if b.siret and b.siret[:9] in sirens]
    assert from_sirene, "some SIRENE units receive grants"
    for b in from_sirene:
        unit = sirens[b.siret[:9] if b.siret else ""]
        assert unit["etatAdministratifUniteLegale"] == "A"
        assert unit["statutDiffusionUniteLegale"] == "O"
        assert unit["categorieJuridiqueUniteLegale"] != "1000"
        assert luhn_valid(b.siret or "")


def test_same_seed_same_files_and_grants_add_up(
    tmp_path: Path, beneficiaries: list[Beneficiary]
) -> None:
    first = write_scdl_files(
        tmp_path / "a", 3000, seed=5, beneficiaries=beneficiaries, departements=DEPARTEMENTS
    )
    again = write_scdl_files(
        tmp_path / "b", 3000, seed=5, beneficiaries=beneficiaries, departements=DEPARTEMENTS
    )
    other = write_scdl_files(
        tmp_path / "c", 3000, seed=6, beneficiaries=beneficiaries, departements=DEPARTEMENTS
    )
    assert _digests(first) == _digests(again)
    assert _digests(first) != _digests(other)
    assert sum(f.grants for f in first) == 3000
    levels = {f.publisher.level for f in first}
    assert levels == {"departement", "region", "commune"}
    for f in first:
        assert set(f.publisher.departements) & set(DEPARTEMENTS), f.publisher
        layout = LAYOUTS[f.layout]
        with f.path.open(encoding=layout.encoding, newline="") as handle:
            rows = list(csv.reader(handle, delimiter=";"))
        assert rows[0] == list(layout.columns)
        assert looks_like_scdl(rows[0])
        assert len(rows) - 1 == f.grants
        assert all(len(row) == len(layout.columns) for row in rows)


def test_files_import_with_no_refused_row_and_join_the_registers(
    tmp_path: Path, registers: tuple[Path, Path, Path], beneficiaries: list[Beneficiary]
) -> None:
    files = write_scdl_files(
        tmp_path / "scdl",
        2400,
        seed=7,
        beneficiaries=beneficiaries,
        departements=DEPARTEMENTS,
        communes_per_departement=2,
    )
    assert {f.layout for f in files} == set(LAYOUTS), "every layout is exercised"
    rna, units, sites = registers
    with open_store(tmp_path / "ws") as store:
        load_ontology(store)
        load_territories(store)
        for path in (rna, units, sites):
            result = import_file(store, path)
            assert result.counts["rowsRejected"] == 0, path.name
        for f in files:
            result = import_file(store, f.path, format="scdl")
            counts = result.counts
            assert result.status == "imported", f.path.name
            assert counts["rowsRead"] == counts["rowsImported"] == f.grants, f.path.name
            assert counts["rowsRejected"] == 0, f.path.name
            assert counts["partnerships"] == f.grants, f.path.name
            # every funder is a territory's authority, every beneficiary a register's actor
            assert counts["actorsCreated"] == 0, (f.path.name, result.assumptions)
        grants, inferred, public = (
            int(value)
            for value in store.select_values(
                """SELECT (COUNT(DISTINCT ?p) AS ?n) (COUNT(DISTINCT ?d) AS ?i)
                          (COUNT(DISTINCT ?f) AS ?a)
                   WHERE { ?p eg:funder ?f ; eg:beneficiary ?b .
                           OPTIONAL { ?p eg:inferredDomain ?x BIND(?p AS ?d) }
                           ?f a eg:LocalAuthority }"""
            )[0]
        )
    assert grants == sum(f.grants for f in files)
    assert public == len(files), "one authority per file, each the territory's own"
    assert inferred > grants // 2, "most objects speak of a domain the rules read"


def test_a_territory_with_no_association_still_gets_its_grants(tmp_path: Path) -> None:
    """Mayotte's councils with only a cooperative to fund (a small register may have no
    association there): every grant goes to it, and objects still name a place."""
    coop = Beneficiary("SCIC SOLIDARITE 1", "30000007000014", None, "97611", "976", False)
    files = write_scdl_files(tmp_path, 40, seed=1, beneficiaries=[coop], departements=("976",))
    assert sum(f.grants for f in files) == 40
    assert {f.publisher.level for f in files} == {"departement", "region", "commune"}
    for f in files:
        layout = LAYOUTS[f.layout]
        with f.path.open(encoding=layout.encoding, newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter=";"))
        names = {r.get("nomBeneficiaire") or r.get("Nom du bénéficiaire") for r in rows}
        assert names == {coop.name}
