"""An import matches its actors' SIREN and RNA numbers by looking them up, not by reading
every number the store holds, and the answers are the ones the whole read gave."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from ecograph.ingest import merge
from ecograph.ingest.conversion import ActorDraft
from ecograph.ingest.importer import import_file
from ecograph.ingest.merge import StoreIndex
from ecograph.sample.registers import write_rna_file, write_sirene_files
from ecograph.sample.scdl import read_beneficiaries, write_scdl_files
from ecograph.store import open_store


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], Path]:
    """Generated registers of Loire-Atlantique (RNA, SIRENE) and one council's grants to
    their actors, so that most grants name a number the store holds."""
    folder = tmp_path_factory.mktemp("inputs")
    rna = folder / "rna_waldec_20251201_dpt_44.csv"
    write_rna_file(rna, 600, seed=3, departements=("44",))
    units, establishments = write_sirene_files(folder, 300, seed=3)
    beneficiaries = read_beneficiaries(rna=rna, units=units, establishments=establishments)
    files = write_scdl_files(
        folder / "grants",
        800,
        seed=3,
        beneficiaries=beneficiaries,
        departements=("44",),
        communes_per_departement=0,
    )
    return [rna, units, establishments], max((f.path for f in files), key=_size)


def _size(path: Path) -> int:
    return path.stat().st_size


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # reject files go to the current folder


def _registers(folder: Path, registers: list[Path]):
    store = open_store(folder)
    for path in registers:
        assert import_file(store, path).status == "imported", path
    return store


def _numbers(store, predicate: str) -> set[str]:
    rows = store.select(f"SELECT DISTINCT ?v WHERE {{ ?a eg:{predicate} ?v }}")
    return {row["v"].value for row in rows}


def test_looked_up_numbers_give_what_the_whole_read_gives(tmp_path: Path, inputs) -> None:
    with _registers(tmp_path / "ws", inputs[0]) as store:
        sirens, rnas = _numbers(store, "siren"), _numbers(store, "rna")
        assert len(sirens) > 50 and len(rnas) > 50
        unknown_siren, unknown_rna = "999999999", "W999999999"
        drafts = [ActorDraft(key=s, first_row=1, siren=s) for s in [*sirens, unknown_siren]]
        drafts += [ActorDraft(key=r, first_row=1, rna=r) for r in [*rnas, unknown_rna]]
        looked = StoreIndex.build(store)
        looked.look_up(drafts)
        whole = StoreIndex.build(store)
        for draft in drafts:
            assert looked.identify(draft, "src") == whole.identify(draft, "src")
        assert "siren" not in looked._parts and "rna" not in looked._parts  # nothing read whole
        # A number no lookup asked for is still answered, from the whole part.
        other = ActorDraft(key="x", first_row=1, rna=sorted(rnas)[0])
        fresh = StoreIndex.build(store)
        fresh.look_up([])
        assert fresh.identify(other, "src") == whole.identify(other, "src")


def test_an_import_writes_the_same_with_or_without_lookups(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, inputs
) -> None:
    """The grants joined to the registers' actors the same way, quad for quad (the
    provenance of the import, which holds its time, aside)."""
    written = []
    for limit in (merge.LOOKUP_LIMIT, 0):  # 0: every part read whole, as before
        monkeypatch.setattr(merge, "LOOKUP_LIMIT", limit)
        with _registers(tmp_path / f"ws-{limit}", inputs[0]) as store:
            result = import_file(store, inputs[1])
            assert result.status == "imported" and result.counts["actorsMerged"] > 0
            graph = ox.NamedNode(result.graph)
            written.append({str(q) for q in store.quads(result.graph) if q.subject != graph})
    assert written[0] == written[1] and len(written[0]) > 100


def test_a_number_written_as_a_plain_string_is_found(tmp_path: Path, inputs) -> None:
    """A hand-written RDF file may give a SIREN as a plain string, not typed eg:SIREN: the
    lookup asks for both forms."""
    with _registers(tmp_path / "ws", inputs[0]) as store:
        actor = "https://e.org/actor/plain"
        store.load(
            f'<{actor}> <https://w3id.org/ecograph/ontology#siren> "123456782" .'.encode(),
            format=ox.RdfFormat.N_TRIPLES,
            graph=store.base_iri + "graph/plain-strings",
        )
        index = StoreIndex.build(store)
        draft = ActorDraft(key="p", first_row=1, siren="123456782")
        index.look_up([draft])
        assert index.identify(draft, "src") == (actor, True)
        assert "siren" not in index._parts  # found by the lookup, not by reading them all
