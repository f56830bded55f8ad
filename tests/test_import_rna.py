"""The associations' register (RNA waldec) and SIRENE's stock files, streamed."""

from __future__ import annotations

import csv
import subprocess
import sys
import textwrap
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from ecograph.cli import app
from ecograph.ingest.importer import ImportRefused, import_file
from ecograph.ingest.rna import domains_of_code, purpose_domains
from ecograph.ingest.streamed import RowFilters, detect_streamed
from ecograph.namespaces import PREFIXES, actor_iri_for_siren
from ecograph.resources import data_path, ontology_dir
from ecograph.store import open_store

FIXTURES = Path(__file__).parent / "fixtures" / "import"
RNA_FILE = FIXTURES / "rna_waldec_20251201_dpt_44.csv"
BASE = "https://w3id.org/ecograph/data/"
SCHEMA = PREFIXES["schema"]
#: The themes of the national nomenclature of association purposes (JOAFE / RNA waldec).
THEMES = [
    "001000",
    "002000",
    "003000",
    "004000",
    "005000",
    "006000",
    "007000",
    "009000",
    "010000",
    "011000",
    "013000",
    "014000",
    "015000",
    "016000",
    "017000",
    "018000",
    "019000",
    "020000",
    "021000",
    "022000",
    "023000",
    "024000",
    "030000",
    "032000",
    "034000",
    "036000",
    "038000",
    "040000",
    "050000",
]


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def _rna(base: str, number: str) -> str:
    return f"{base}actor/rna/{number}"


def _facts(store, iri: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for row in store.select(f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"):
        found.setdefault(row["p"].value, set()).add(row["o"].value)
    return found


def _domains(store, iri: str) -> set[str]:
    """The domains the actor's purpose codes give: ecograph's reading of the codes, so
    inferred (eg:inferredWorksOn) with the code as the reason, never stated. (Its name and
    declared purpose may give more, with words as their reason.)"""
    assert str(PREFIXES["eg"]) + "worksOn" not in _facts(store, iri)
    rows = store.select(
        "SELECT ?d WHERE { VALUES ?a { UNDEF } ?a eg:inferredWorksOn ?d ; eg:domainEvidence ?e . "
        "?e eg:evidenceFor ?d ; eg:matchedIn 'code objet social' }",
        {"a": ox.NamedNode(iri)},
    )
    return {row["d"].value.rsplit("/", 1)[-1] for row in rows}


# ----------------------------------------------------------------------------- the mapping
def test_every_purpose_code_maps_to_a_domain_of_the_scheme_or_explicitly_to_none() -> None:
    domains_ttl = (ontology_dir() / "schemes" / "domains.ttl").read_text(encoding="utf-8")
    table = purpose_domains()
    assert set(THEMES) <= set(table), "every theme of the nomenclature has its row"
    for code, domains in table.items():
        assert len(code) == 6 and code.isdigit(), code
        assert code[:3] + "000" in table, f"{code}: its theme is listed"
        for domain in domains:
            assert f"egdom:{domain}\n" in domains_ttl, f"{code}: egdom:{domain} not in the scheme"
    with data_path("rna-objets-sociaux.csv").open(encoding="utf-8") as handle:
        header = next(line for line in handle if not line.startswith("#"))
        handle.seek(0)
        assert "Licence Ouverte" in handle.read(), "the source and licence are stated"
    assert header.strip() == "code;label;domain"


def test_a_code_takes_its_own_row_then_its_theme() -> None:
    assert domains_of_code("017055") == ("health",)  # theme 017000
    assert domains_of_code("018015") == ("disability",)  # its own row
    assert set(domains_of_code("020010") or ()) == {"poverty", "food"}
    assert domains_of_code("011075") == ()  # sport: explicitly no domain
    assert domains_of_code("999999") is None  # not in the nomenclature
    assert domains_of_code("6000") == ("culture",)  # leading zeros lost by a spreadsheet


# ----------------------------------------------------------------------------- importing
def _sirene_actor(store, tmp_path: Path) -> str:
    """A SIRENE unit whose SIREN is the first association's SIRET's."""
    path = tmp_path / "unites.csv"
    path.write_text(
        "siren;denominationUniteLegale;categorieJuridiqueUniteLegale\n"
        "441001237;ASSO SANTE SOLIDARITE;9220\n",
        encoding="utf-8",
    )
    import_file(store, path, format="sirene")
    return actor_iri_for_siren(BASE, "441001237")


def test_rna_file_is_detected_and_streamed(store) -> None:
    assert detect_streamed(RNA_FILE) == "rna"
    result = import_file(store, RNA_FILE)
    assert (result.format, result.kind) == ("rna", "rna associations")
    assert result.counts["rowsRead"] == 6
    assert result.counts["rowsSkipped"] == 2  # one dissolved, one deleted from the register
    assert result.counts["actorsCreated"] == 4
    said = "\n".join(result.assumptions)
    assert "dissolved: skipped (--include-dissolved keeps them)" in said
    assert "deleted from the register" in said
    assert "read as cp1252" in said
    assert "objet_social2: code not in the nomenclature" in said
    tennis = _facts(store, _rna(BASE, "W442004321"))
    assert tennis[PREFIXES["skos"] + "prefLabel"] == {"TENNIS CLUB DE L'ERDRE"}
    assert tennis[PREFIXES["skos"] + "altLabel"] == {"TC ERDRE"}
    assert tennis[str(PREFIXES["eg"]) + "rna"] == {"W442004321"}
    assert _domains(store, _rna(BASE, "W442004321")) == set()
    assert not _facts(store, _rna(BASE, "W442003456")), "the dissolved one is skipped"


def test_an_association_with_a_siret_is_merged_with_its_sirene_actor(store, tmp_path) -> None:
    sirene = _sirene_actor(store, tmp_path)
    result = import_file(store, RNA_FILE)
    assert result.counts["actorsMerged"] == 1
    facts = _facts(store, sirene)
    eg = str(PREFIXES["eg"])
    assert facts[eg + "rna"] == {"W442001234"}
    assert facts[eg + "siret"] == {"44100123700003"}
    assert facts[eg + "basedIn"] == {"https://w3id.org/ecograph/territory/commune/44109"}
    assert facts[SCHEMA + "foundingDate"] == {"2009-11-03"}
    assert _domains(store, sirene) == {"health", "disability"}
    assert not _facts(store, _rna(BASE, "W442001234")), "no second actor under the RNA IRI"
    # the SIRENE file's name stays the name; the register's titles are other spellings
    assert facts[PREFIXES["skos"] + "prefLabel"] == {"ASSO SANTE SOLIDARITE"}


def test_dissolved_associations_are_kept_with_include_dissolved(store) -> None:
    result = import_file(store, RNA_FILE, filters=RowFilters(include_dissolved=True))
    assert result.counts["rowsSkipped"] == 0
    assert result.counts["actorsCreated"] == 6
    dissolved = _facts(store, _rna(BASE, "W442003456"))
    assert dissolved[SCHEMA + "dissolutionDate"] == {"2020-06-30"}
    assert dissolved[SCHEMA + "foundingDate"] == {"2012-02-20"}
    # never dissolved: "0001-01-01" is a placeholder, not a date
    assert SCHEMA + "dissolutionDate" not in _facts(store, _rna(BASE, "W442001234"))


def test_territory_keeps_one_territory(store) -> None:
    result = import_file(store, RNA_FILE, filters=RowFilters(territory="44"))
    assert result.counts["actorsCreated"] == 3
    assert "outside departement/44 (Loire-Atlantique): skipped (--territory)" in "\n".join(
        result.assumptions
    )
    assert not _facts(store, _rna(BASE, "W852005678"))
    assert _facts(store, _rna(BASE, "W442004321"))


def test_territory_by_epci_name(store) -> None:
    result = import_file(store, RNA_FILE, filters=RowFilters(territory="Nantes Métropole"))
    # Nantes, Saint-Herblain: in the EPCI; Rezé's association is dissolved; La Roche is not
    assert result.counts["actorsCreated"] == 3


def test_an_unknown_territory_is_refused_with_its_reason(store) -> None:
    with pytest.raises(ImportRefused, match="--territory: territory 'Atlantis'"):
        import_file(store, RNA_FILE, filters=RowFilters(territory="Atlantis"))


def test_domains_and_commune_from_the_town_when_the_code_is_not_a_commune(store) -> None:
    result = import_file(store, RNA_FILE)
    exiles = _rna(BASE, "W443007890")
    assert _domains(store, exiles) == {"migration", "childhoodYouth"}
    eg = str(PREFIXES["eg"])
    facts = _facts(store, exiles)
    assert facts[eg + "basedIn"] == {"https://w3id.org/ecograph/territory/commune/44162"}
    assert facts[eg + "actorType"] == {"https://w3id.org/ecograph/id/actor-type/association"}
    assert "adrs_codeinsee: not a 2026 commune code; commune taken from adrs_libcommune" in (
        "\n".join(result.assumptions)
    )
    assert _domains(store, _rna(BASE, "W852005678")) == {"housing"}


def test_reimporting_the_same_file_changes_nothing_and_other_filters_need_replace(store) -> None:
    import_file(store, RNA_FILE)
    assert import_file(store, RNA_FILE).status == "unchanged"
    with pytest.raises(ImportRefused, match="other filters"):
        import_file(store, RNA_FILE, filters=RowFilters(territory="44"))
    replaced = import_file(store, RNA_FILE, filters=RowFilters(territory="44"), replace=True)
    assert replaced.status == "replaced"
    assert not _facts(store, _rna(BASE, "W852005678"))


def test_filters_of_the_wrong_register_are_refused(store, tmp_path) -> None:
    with pytest.raises(ImportRefused, match="for SIRENE stock files"):
        import_file(store, RNA_FILE, filters=RowFilters(ess_only=True))
    plain = tmp_path / "actors.csv"
    plain.write_text("nom;commune\nA;44109\n", encoding="utf-8")
    with pytest.raises(ImportRefused, match="filter the national registers"):
        import_file(store, plain, filters=RowFilters(territory="44"))


# ----------------------------------------------------------------------------- bad input
HEADER = RNA_FILE.read_text(encoding="cp1252").splitlines()[0]


def _row(**cells: str) -> str:
    columns = HEADER.split(";")
    return ";".join('"' + cells.get(c, "") + '"' for c in columns)


def test_bad_rows_are_named_by_file_row_and_column(store, tmp_path) -> None:
    path = tmp_path / "rna_bad.csv"
    good = _row(id="W442000001", titre="BON", adrs_codeinsee="44109", position="A")
    bad_id = _row(id="0442012345", titre="ANCIEN NUMERO", position="A")
    no_title = _row(id="W442000002", position="A")
    path.write_text("\n".join([HEADER, good, bad_id, no_title]) + "\n", encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        import_file(store, path)
    message = str(refused.value)
    assert "rna_bad.csv, row 3, column «id»: «0442012345»" in message
    assert [(r.row, r.column) for r in refused.value.result.rejects] == [(3, "id"), (4, "titre")]
    kept = import_file(store, path, keep_good_rows=True)
    assert kept.counts["actorsCreated"] == 1


def test_an_unclosed_quote_cannot_swallow_the_file(store, tmp_path) -> None:
    path = tmp_path / "rna_quote.csv"
    broken = '"W442000003";"OUVERT'  # a quote opened, never closed
    filler = ";".join(["x" * 100] * 3)
    good = _row(id="W442000004", titre="BON", position="A")
    lines = [HEADER, good, broken] + [filler] * 2000 + [good.replace("04", "05")]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ImportRefused, match=r"row 3 — the row cannot be read .* unclosed quote"):
        import_file(store, path)
    result = import_file(store, path, keep_good_rows=True)
    assert result.counts["actorsCreated"] == 2  # the rows before and after


def test_a_huge_line_is_refused_not_read_into_memory(store, tmp_path) -> None:
    path = tmp_path / "rna_long.csv"
    good = _row(id="W442000004", titre="BON", position="A")
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER + "\n" + good + "\n" + "y" * (3 << 20) + "\n" + good + "\n")
    with pytest.raises(ImportRefused, match=r"row 3 — the line is longer than 1024 KiB"):
        import_file(store, path)


def test_seat_commune_from_the_postcode_when_code_and_town_are_missing(store, tmp_path) -> None:
    """The register's older records often lack adrs_codeinsee; the postcode then places the
    association when it serves one commune, and the town picks among those it serves."""
    path = tmp_path / "rna_postcodes.csv"
    rows = [
        _row(id="W442000010", titre="SEUL CODE POSTAL", adrs_codepostal="44340", position="A"),
        _row(
            id="W012000011",
            titre="CODE POSTAL PARTAGE",
            adrs_codepostal="01000",
            adrs_libcommune="ST DENIS LES BOURG",
            position="A",
        ),
        _row(id="W012000012", titre="AMBIGU", adrs_codepostal="01000", position="A"),
    ]
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    result = import_file(store, path)
    eg = str(PREFIXES["eg"])
    commune = "https://w3id.org/ecograph/territory/commune/"
    assert _facts(store, _rna(BASE, "W442000010"))[eg + "basedIn"] == {commune + "44020"}
    assert _facts(store, _rna(BASE, "W012000011"))[eg + "basedIn"] == {commune + "01344"}
    assert eg + "basedIn" not in _facts(store, _rna(BASE, "W012000012"))
    assert any("actor kept without a commune" in a for a in result.assumptions)


def test_utf8_and_cp1252_lines_in_one_file(store, tmp_path) -> None:
    path = tmp_path / "rna_mixed.csv"
    utf8 = _row(id="W442000005", titre="CRÈCHE DES ÉTOILES", objet_social1="021005", position="A")
    cp = _row(id="W442000006", titre="FÊTE À L'ÉCOLE", position="A")
    path.write_bytes((HEADER + "\n" + utf8 + "\n").encode() + (cp + "\n").encode("cp1252"))
    result = import_file(store, path)
    names = {r["n"].value for r in store.select("SELECT ?n WHERE { ?a skos:prefLabel ?n }")}
    assert names == {"CRÈCHE DES ÉTOILES", "FÊTE À L'ÉCOLE"}
    assert "1 line(s) were not UTF-8 and were read as cp1252 (first at line 3)" in (
        result.assumptions
    )
    assert _domains(store, _rna(BASE, "W442000005")) == {"childhoodYouth"}


# ----------------------------------------------------------------------------- the CLI
def test_cli_import_with_territory_and_include_dissolved(tmp_path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "--store",
            str(tmp_path / "ws"),
            "import",
            str(RNA_FILE),
            "--territory",
            "44",
            "--include-dissolved",
            "--no-metrics",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "(rna, rna associations, imported" in " ".join(result.output.split())
    assert "rows skipped (filters, repeats)" in result.output
    assert "outside departement/44 (Loire-Atlantique)" in " ".join(result.output.split())


# ----------------------------------------------------------------------------- SIRENE stock
UNITS = (
    "siren,statutDiffusionUniteLegale,unitePurgeeUniteLegale,dateCreationUniteLegale,"
    "sigleUniteLegale,identifiantAssociationUniteLegale,etatAdministratifUniteLegale,"
    "nomUniteLegale,denominationUniteLegale,categorieJuridiqueUniteLegale,"
    "activitePrincipaleUniteLegale,nicSiegeUniteLegale,economieSocialeSolidaireUniteLegale\n"
    "441001237,O,,2009-11-03,,W442001234,A,,ASSO SANTE SOLIDARITE,9220,88.99B,00003,O\n"
    "552100554,O,,1955-01-01,,,A,,GRANDE ENTREPRISE,5599,29.10Z,00010,N\n"
    "130005481,O,,2000-01-01,SCOOP,,C,,COOPERATIVE FERMEE,5458,56.10A,00015,O\n"
    "800000003,P,,2014-01-01,,,A,[ND],,1000,88.99B,00012,O\n"
)
ESTABLISHMENTS = (
    "siren,nic,siret,statutDiffusionEtablissement,dateCreationEtablissement,"
    "etablissementSiege,codePostalEtablissement,libelleCommuneEtablissement,"
    "codeCommuneEtablissement,etatAdministratifEtablissement,enseigne1Etablissement,"
    "denominationUsuelleEtablissement,activitePrincipaleEtablissement\n"
    "441001237,00003,44100123700003,O,2009-11-03,true,44000,NANTES,44109,A,,,88.99B\n"
    "441001237,00011,44100123700011,O,2015-01-01,false,85000,LA ROCHE-SUR-YON,85191,A,,,88.99B\n"
    "552100554,00010,55210055400010,O,1955-01-01,true,75008,PARIS 8,75108,A,,,29.10Z\n"
)


def test_sirene_stock_units_with_ess_only_and_active_only(store, tmp_path) -> None:
    path = tmp_path / "StockUniteLegale_utf8.csv"
    path.write_text(UNITS, encoding="utf-8")
    assert detect_streamed(path) == "sirene-stock"
    result = import_file(store, path, filters=RowFilters(ess_only=True, active_only=True))
    assert (result.format, result.kind) == ("sirene-stock", "sirene units")
    assert result.counts["actorsCreated"] == 1
    assert result.counts["rowsSkipped"] == 3
    said = "\n".join(result.assumptions)
    assert "not publicly listed (statutDiffusion P): skipped (row 5)" in said
    assert "not active (etatAdministratif ≠ A): skipped" in said
    assert "not flagged ESS: skipped (--ess-only)" in said
    facts = _facts(store, actor_iri_for_siren(BASE, "441001237"))
    assert facts[str(PREFIXES["eg"]) + "rna"] == {"W442001234"}


def test_a_sole_trader_is_named_by_first_name_and_birth_name(store, tmp_path) -> None:
    """Most sole traders have no usual name or usual first name: nomUniteLegale and
    prenom1UniteLegale name them."""
    header = (
        "siren,statutDiffusionUniteLegale,etatAdministratifUniteLegale,prenom1UniteLegale,"
        "prenomUsuelUniteLegale,nomUniteLegale,nomUsageUniteLegale,denominationUniteLegale,"
        "categorieJuridiqueUniteLegale,economieSocialeSolidaireUniteLegale\n"
    )
    path = tmp_path / "StockUniteLegale_utf8.csv"
    path.write_text(
        header
        + "441001237,O,A,JEAN,,DUPONT,,,1000,N\n"
        + "552100554,O,A,MARIE,MARIE,MARTIN,LEROY,,1000,N\n",
        encoding="utf-8",
    )
    import_file(store, path)
    names = {r["n"].value for r in store.select("SELECT ?n WHERE { ?a skos:prefLabel ?n }")}
    assert names == {"JEAN DUPONT", "MARIE LEROY"}


def test_sirene_stock_establishments_add_sirets_and_the_seats_commune(store, tmp_path) -> None:
    units = tmp_path / "StockUniteLegale_utf8.csv"
    units.write_text(UNITS, encoding="utf-8")
    import_file(store, units, filters=RowFilters(ess_only=True))
    path = tmp_path / "StockEtablissement_utf8.csv"
    path.write_text(ESTABLISHMENTS, encoding="utf-8")
    result = import_file(store, path, filters=RowFilters(territory="44", active_only=True))
    assert result.kind == "sirene establishments"
    eg = str(PREFIXES["eg"])
    facts = _facts(store, actor_iri_for_siren(BASE, "441001237"))
    assert facts[eg + "siret"] == {"44100123700003"}  # the Vendée one is outside 44
    assert facts[eg + "basedIn"] == {"https://w3id.org/ecograph/territory/commune/44109"}
    assert not _facts(store, actor_iri_for_siren(BASE, "552100554"))
    everywhere = import_file(store, path, replace=True)
    assert everywhere.counts["rowsSkipped"] == 1  # the company's unit is not in the store
    facts = _facts(store, actor_iri_for_siren(BASE, "441001237"))
    assert facts[eg + "siret"] == {"44100123700003", "44100123700011"}


def test_a_unit_file_is_cut_to_a_territory_by_the_establishments_seats(store, tmp_path) -> None:
    """StockUniteLegale has no address: --establishments reads the seats first, keeps the
    units whose seat lies in the territory, and gives them the seat's commune and SIRET, in
    one import on an empty store."""
    units = tmp_path / "StockUniteLegale_utf8.csv"
    units.write_text(UNITS, encoding="utf-8")
    establishments = tmp_path / "StockEtablissement_utf8.csv"
    establishments.write_text(ESTABLISHMENTS, encoding="utf-8")
    stages: list[str] = []
    result = import_file(
        store,
        units,
        filters=RowFilters(territory="44", active_only=True, establishments=establishments),
        progress=lambda stage, done, total: stages.append(stage),
    )
    assert "reading establishments" in stages
    assert result.counts["actorsCreated"] == 1  # the company's seat is in Paris
    eg = str(PREFIXES["eg"])
    facts = _facts(store, actor_iri_for_siren(BASE, "441001237"))
    assert facts[eg + "basedIn"] == {"https://w3id.org/ecograph/territory/commune/44109"}
    assert facts[eg + "siret"] == {"44100123700003"}
    assert not _facts(store, actor_iri_for_siren(BASE, "552100554"))
    assert "not placed in departement/44" in "\n".join(result.assumptions)
    # the same files and filters again: nothing to do; another territory needs --replace
    again = import_file(
        store,
        units,
        filters=RowFilters(territory="44", active_only=True, establishments=establishments),
    )
    assert again.status == "unchanged"


def test_cli_import_units_with_establishments(tmp_path) -> None:
    units = tmp_path / "StockUniteLegale_utf8.csv"
    units.write_text(UNITS, encoding="utf-8")
    establishments = tmp_path / "StockEtablissement_utf8.csv"
    establishments.write_text(ESTABLISHMENTS, encoding="utf-8")
    argv = ["--store", str(tmp_path / "ws"), "import", str(units), "--territory", "44"]
    argv += ["--ess-only", "--establishments", str(establishments), "--no-metrics"]
    result = CliRunner().invoke(app, argv, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "(sirene-stock, sirene units, imported" in " ".join(result.output.split())
    with open_store(tmp_path / "ws") as store:
        facts = _facts(store, actor_iri_for_siren(BASE, "441001237"))
    assert facts[str(PREFIXES["eg"]) + "basedIn"] == {
        "https://w3id.org/ecograph/territory/commune/44109"
    }


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        (RowFilters(establishments=Path("x.csv")), "--establishments goes with"),
        (RowFilters(territory="44", establishments=Path("units")), "not a StockEtablissement"),
    ],
)
def test_establishments_needs_a_territory_and_an_establishment_file(
    store, tmp_path, filters, message
) -> None:
    units = tmp_path / "StockUniteLegale_utf8.csv"
    units.write_text(UNITS, encoding="utf-8")
    if filters.establishments == Path("units"):
        filters = RowFilters(territory="44", establishments=units)
    with pytest.raises(ImportRefused, match=message):
        import_file(store, units, filters=filters)


def test_ess_only_on_an_establishment_file_is_refused(store, tmp_path) -> None:
    path = tmp_path / "StockEtablissement_utf8.csv"
    path.write_text(ESTABLISHMENTS, encoding="utf-8")
    with pytest.raises(ImportRefused, match="--ess-only reads economieSocialeSolidaire"):
        import_file(store, path, filters=RowFilters(ess_only=True))


# ----------------------------------------------------------------------------- streaming
@pytest.mark.slow
def test_a_200k_line_register_imports_in_bounded_memory(tmp_path) -> None:
    """A generated 200,000-line RNA file, imported in a fresh process: peak RSS < 1 GiB, and
    the progress callback follows the bytes read."""
    script = textwrap.dedent(
        """
        import json, resource, sys
        from pathlib import Path
        from ecograph.ingest.importer import import_file
        from ecograph.sample.registers import write_rna_file
        from ecograph.store import open_store

        folder = Path(sys.argv[1])
        path = folder / "rna_waldec_national.csv"
        write_rna_file(path, 200_000, seed=3)
        seen = []
        with open_store(folder / "ws") as store:
            result = import_file(
                store, path, progress=lambda stage, done, total: seen.append((stage, done, total))
            )
        converting = [d for s, d, _ in seen if s == "converting"]
        print(json.dumps({
            "counts": result.counts,
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "ticks": len(converting),
            "monotonic": converting == sorted(converting),
            "size": path.stat().st_size,
            "last": converting[-1],
        }))
        """
    )
    src = Path(__file__).resolve().parents[1] / "src"
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
        timeout=900,
    )
    import json

    report = json.loads(done.stdout.strip().splitlines()[-1])
    counts = report["counts"]
    assert counts["rowsRead"] == 200_000
    assert counts["rowsImported"] + counts["rowsSkipped"] == 200_000
    assert counts["actorsCreated"] == counts["rowsImported"]
    assert report["peak_mib"] < 1024, report
    assert report["ticks"] > 40 and report["monotonic"]
    assert report["last"] == report["size"]


def test_purpose_mapping_file_parses_as_csv() -> None:
    with data_path("rna-objets-sociaux.csv").open(encoding="utf-8") as handle:
        rows = list(
            csv.DictReader((line for line in handle if not line.startswith("#")), delimiter=";")
        )
    assert len({r["code"] for r in rows}) == len(rows), "one row per code"


def test_a_file_of_refused_rows_stops_early_and_is_refused(store, tmp_path, monkeypatch) -> None:
    from ecograph.ingest import streamed

    monkeypatch.setattr(streamed, "MAX_REJECTS", 5)
    path = tmp_path / "rna_garbage.csv"
    rows = [_row(id=f"X{i}", titre="?", position="A") for i in range(50)]
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    for keep in (False, True):
        with pytest.raises(ImportRefused, match="and 5 more") as refused:
            import_file(store, path, keep_good_rows=keep)
        last = refused.value.result.rejects[-1]
        assert (last.row, last.problem.split(":")[0]) == (7, "more than 5 rows refused")


def test_batches_keep_one_actor_per_rna_number_and_per_siren(store, tmp_path, monkeypatch) -> None:
    from ecograph.ingest import streamed

    monkeypatch.setattr(streamed, "BATCH", 1)
    path = tmp_path / "rna_twice.csv"
    first = _row(id="W442000007", titre="PREMIER", adrs_codeinsee="44109", position="A")
    again = _row(id="W442000007", titre="DEUXIEME", adrs_codeinsee="44143", position="A")
    other = _row(id="W442000008", titre="AUTRE", position="A")
    path.write_text("\n".join([HEADER, first, other, again]) + "\n", encoding="utf-8")
    result = import_file(store, path)
    assert result.counts["actorsCreated"] == 2
    assert "RNA number already given on an earlier row: later row skipped (row 4)" in (
        result.assumptions
    )
    facts = _facts(store, _rna(BASE, "W442000007"))
    assert facts[PREFIXES["skos"] + "prefLabel"] == {"PREMIER"}
    # establishments: the seat after another establishment, in another batch
    units = tmp_path / "StockUniteLegale_utf8.csv"
    units.write_text(UNITS, encoding="utf-8")
    import_file(store, units)
    lines = ESTABLISHMENTS.splitlines()
    establishments = tmp_path / "StockEtablissement_utf8.csv"
    establishments.write_text("\n".join([lines[0], lines[2], lines[1]]) + "\n", encoding="utf-8")
    import_file(store, establishments)
    eg = str(PREFIXES["eg"])
    facts = _facts(store, actor_iri_for_siren(BASE, "441001237"))
    assert facts[eg + "siret"] == {"44100123700003", "44100123700011"}
    assert facts[eg + "basedIn"] == {"https://w3id.org/ecograph/territory/commune/44109"}


def test_an_rna_import_file_is_refused_with_what_to_use_instead(store, tmp_path) -> None:
    path = tmp_path / "rna_import_20251201_dpt_44.csv"
    path.write_text(
        "id;id_ex;siret;gestion;date_creat;date_publi;nature;groupement;titre;objet;"
        "objet_social1;objet_social2;adr1;adr2;adr3;adrs_codepostal;libcom;adrs_codeinsee;"
        "dir_civilite;telephone;siteweb;email;observation;position;rup_mi;maj_time\n"
        '"442P0001234";"0001234";"";"442P";"1985-03-01";"1985-03-20";"D";"S";"AMICALE";'
        '"amitié";"014000";"";"";"";"";"44000";"NANTES";"44109";"";"";"";"";"";"A";"";'
        '"2005-01-01"\n',
        encoding="utf-8",
    )
    assert detect_streamed(path) == "rna"
    with pytest.raises(ImportRefused, match="RNA «import» file"):
        import_file(store, path)


def test_imported_registers_conform_to_the_shapes(store, tmp_path) -> None:
    from ecograph.validate import validate_store

    units = tmp_path / "StockUniteLegale_utf8.csv"
    units.write_text(UNITS, encoding="utf-8")
    import_file(store, units)
    establishments = tmp_path / "StockEtablissement_utf8.csv"
    establishments.write_text(ESTABLISHMENTS, encoding="utf-8")
    import_file(store, establishments)
    import_file(store, RNA_FILE, filters=RowFilters(include_dissolved=True))
    report = validate_store(store)
    assert report.conforms, report.to_text()


def test_an_association_without_siret_is_merged_by_its_rna_number(store, tmp_path) -> None:
    units = tmp_path / "StockUniteLegale_utf8.csv"
    header = UNITS.splitlines()[0]
    tennis = "775672272,O,,2001-06-15,,W442004321,A,,TC ERDRE,9220,93.12Z,00011,O"
    units.write_text(f"{header}\n{tennis}\n", encoding="utf-8")
    import_file(store, units)
    result = import_file(store, RNA_FILE)
    assert result.counts["actorsMerged"] == 1  # the tennis club: no SIRET, same RNA number
    unit = actor_iri_for_siren(BASE, "775672272")
    facts = _facts(store, unit)
    assert facts[SCHEMA + "foundingDate"] == {"2001-06-15"}
    assert PREFIXES["skos"] + "altLabel" in facts  # the register's title, another spelling
    assert not _facts(store, _rna(BASE, "W442004321"))


def test_one_siren_for_two_associations_is_one_actor_with_one_founding_date(
    store, tmp_path
) -> None:
    units = tmp_path / "StockUniteLegale_utf8.csv"
    units.write_text(UNITS.replace("W442001234", "W442004321"), encoding="utf-8")
    import_file(store, units, filters=RowFilters(ess_only=True, active_only=True))
    result = import_file(store, RNA_FILE)
    facts = _facts(store, actor_iri_for_siren(BASE, "441001237"))
    assert facts[SCHEMA + "foundingDate"] == {"2009-11-03"}  # the row that gave the SIRET
    assert facts[str(PREFIXES["eg"]) + "rna"] == {"W442004321"}  # the store's, kept
    assert any("rna" in c and "W442001234" in c for c in result.conflicts), result.conflicts
