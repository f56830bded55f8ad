"""Importing tabular files into a store: shape of the RDF, merges, provenance, rejects,
idempotence, --replace and remove."""

from __future__ import annotations

import csv
from pathlib import Path

import pyoxigraph as ox
import pytest

from ecograph.ingest.importer import ImportRefused, import_file
from ecograph.ingest.mapping import MappingError, load_mapping, parse_mapping
from ecograph.ingest.sources import list_sources, remove_source
from ecograph.namespaces import actor_iri_for_siren

FIXTURES = Path(__file__).parent / "fixtures" / "import"


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reject files go to the current folder by default: keep them out of the checkout."""
    monkeypatch.chdir(tmp_path)


BASE = "https://w3id.org/ecograph/data/"


def _labels(store, iri: str) -> set[str]:
    rows = store.select(
        "SELECT ?l WHERE { VALUES ?a { UNDEF } ?a skos:prefLabel ?l }", {"a": ox.NamedNode(iri)}
    )
    return {r["l"].value for r in rows}


def _value(store, iri: str, prop: str) -> set[str]:
    rows = store.select(
        f"SELECT ?v WHERE {{ VALUES ?a {{ UNDEF }} ?a {prop} ?v }}", {"a": ox.NamedNode(iri)}
    )
    return {r["v"].value for r in rows}


def test_actors_from_a_cp1252_file_have_the_sample_shape(store, tmp_path) -> None:
    result = import_file(store, FIXTURES / "actors_cp1252.csv", rejects_path=tmp_path / "r.csv")
    assert result.status == "imported" and result.counts["rowsImported"] == 4
    restos = actor_iri_for_siren(BASE, "775671993")
    assert _labels(store, restos) == {"Les Restos du Cœur – Loire"}
    assert _value(store, restos, "eg:actorType") == {
        BASE.replace("data/", "") + "id/actor-type/association"
    }
    assert _value(store, restos, "eg:sector") == {"https://w3id.org/ecograph/id/sector/ess"}
    assert _value(store, restos, "eg:basedIn") == {
        "https://w3id.org/ecograph/territory/commune/44109"
    }
    assert {v.rsplit("/", 1)[1] for v in _value(store, restos, "eg:worksOn")} == {"food", "poverty"}
    carpentras = actor_iri_for_siren(BASE, "062201199")  # zero restored
    assert _value(store, carpentras, "eg:siren") == {"062201199"}
    assert any("leading zeros restored" in a for a in result.assumptions)
    assert any("Windows-1252" in a for a in result.assumptions)
    velo = store.select(
        "SELECT ?a WHERE { ?a skos:prefLabel 'Vélocité Rezé'@fr ; "
        "eg:actorType egtype:scop ; eg:sector egsec:ess }"
    )
    assert len(velo) == 1 and "/actor/import/actors-cp1252-csv/A3" in velo[0]["a"].value


def test_the_import_is_described_in_its_graph(store) -> None:
    result = import_file(store, FIXTURES / "actors_bom.csv")
    [info] = list_sources(store)
    assert info.graph == result.graph and info.file == "actors_bom.csv"
    assert info.format == "csv" and info.checksum.startswith("sha256:")
    assert info.counts["rowsRead"] == 2 and info.counts["actorsCreated"] == 2
    assert store.ask(
        "ASK { VALUES ?g { UNDEF } GRAPH ?g { ?g a eg:SourceGraph, prov:Entity ;"
        " prov:generatedAtTime ?t } }",
        {"g": ox.NamedNode(result.graph)},
    )


def test_importing_the_same_file_twice_changes_nothing(store) -> None:
    import_file(store, FIXTURES / "actors_bom.csv")
    before = len(store)
    again = import_file(store, FIXTURES / "actors_bom.csv")
    assert again.status == "unchanged" and "nothing changed" in again.message
    assert len(store) == before


def test_a_new_version_needs_replace_and_replace_swaps_it(store, tmp_path) -> None:
    path = tmp_path / "structures.csv"
    path.write_text("nom;type\nAlpha;association\nBeta;association\n", encoding="utf-8")
    first = import_file(store, path)
    path.write_text("nom;type\nAlpha;association\nGamma;scop\n", encoding="utf-8")
    with pytest.raises(ImportRefused, match="use --replace"):
        import_file(store, path)
    second = import_file(store, path, replace=True)
    assert second.status == "replaced" and second.replaced == [first.graph]
    names = {
        r["n"].value for r in store.select("SELECT ?n WHERE { ?a a eg:Actor ; skos:prefLabel ?n }")
    }
    assert names == {"Alpha", "Gamma"}
    assert [s.graph for s in list_sources(store)] == [second.graph]


def test_remove_takes_a_source_out(store) -> None:
    import_file(store, FIXTURES / "actors_bom.csv")
    removed, _ = remove_source(store, "actors_bom.csv")
    assert len(removed) == 1 and list_sources(store) == []
    assert not store.ask("ASK { ?a a eg:Actor }")


def test_bad_rows_refuse_the_whole_file_and_list_every_reason(store, tmp_path) -> None:
    rejects = tmp_path / "rejects.csv"
    with pytest.raises(ImportRefused) as refused:
        import_file(store, FIXTURES / "subventions_bad.csv", rejects_path=rejects, strict=True)
    message = str(refused.value)
    assert "subventions_bad.csv, row 3, column «dateConvention»: «31/02/2019»" in message
    assert "Nothing was imported" in message and len(store) == 0
    with rejects.open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    assert rows[0][:5] == ["file", "row", "column", "value", "problem"]
    by_row = {r[1]: r for r in rows[1:]}
    assert set(by_row) == {"3", "4", "5"}
    assert "7" in by_row["4"][4] and by_row["4"][2] == "idBeneficiaire"  # 7 digits
    assert by_row["5"][2] == "idAttribuant" and "Luhn" in by_row["5"][4]
    assert by_row["3"][5] == "VILLE DE NANTES"  # the row's own cells follow


def test_keep_good_rows_lands_the_good_ones(store, tmp_path) -> None:
    result = import_file(
        store,
        FIXTURES / "subventions_bad.csv",
        keep_good_rows=True,
        rejects_path=tmp_path / "r.csv",
        strict=True,
    )
    assert result.counts["rowsImported"] == 1 and result.counts["rowsRejected"] == 3
    assert result.counts["partnerships"] == 1 and result.reject_file == tmp_path / "r.csv"
    assert store.ask("ASK { ?p eg:funder ?f ; eg:beneficiary ?b ; eg:amount 12500.00 }")


def test_projects_and_partnerships_point_at_imported_actors(store, tmp_path) -> None:
    for name in ("actors_bom.csv", "projects.csv", "partnerships.csv"):
        import_file(store, FIXTURES / name, rejects_path=tmp_path / "r.csv")
    rows = store.select("""SELECT ?lead ?n WHERE { ?p a eg:Project ; eg:lead ?lead ;
        eg:budget ?b ; eg:status egstat:ongoing ; schema:startDate "2024-01-15"^^xsd:date .
        { SELECT ?p (COUNT(?x) AS ?n) WHERE { ?p eg:hasParticipant ?x } GROUP BY ?p } }""")
    assert [(r["lead"].value, int(r["n"].value)) for r in rows] == [
        (actor_iri_for_siren(BASE, "443061841"), 2)
    ]
    funding = store.select(
        "SELECT ?amount ?project WHERE { ?t eg:partnershipType egpt:funding ;"
        " eg:funder ?f ; eg:beneficiary ?b ; eg:amount ?amount ; "
        "eg:forProject ?project }"
    )
    assert [r["amount"].value for r in funding] == ["12500"]
    [info] = [s for s in list_sources(store) if s.source == "partnerships-csv"]
    assert info.counts["rowsSkipped"] == 1 and info.counts["partnerships"] == 2


def test_actors_merge_by_siren_and_keep_what_each_source_said(store, tmp_path) -> None:
    import_file(store, FIXTURES / "actors_bom.csv")
    other = tmp_path / "reseau.csv"
    other.write_text(
        "nom;siren;type;domaines\nHABITAT ET HUMANISME;443061841;association;pauvreté\n",
        encoding="utf-8",
    )
    result = import_file(store, other)
    assert result.counts["actorsMerged"] == 1 and result.counts["actorsCreated"] == 0
    iri = actor_iri_for_siren(BASE, "443061841")
    assert _labels(store, iri) == {"Habitat & Humanisme, Nantes"}  # one prefLabel
    assert _value(store, iri, "skos:altLabel") == {"HABITAT ET HUMANISME"}
    graphs = store.select(
        "SELECT DISTINCT ?g WHERE { VALUES ?a { UNDEF } GRAPH ?g { ?g dcterms:references ?a } }",
        {"a": ox.NamedNode(iri)},
    )
    assert len(graphs) == 2  # both sources say they named it
    # one fact, one graph: the type is stated once in the union
    assert (
        len(
            store.select(
                "SELECT ?t WHERE { VALUES ?a { UNDEF } ?a eg:actorType ?t }",
                {"a": ox.NamedNode(iri)},
            )
        )
        == 1
    )


def test_conflicting_type_is_reported_not_duplicated(store, tmp_path) -> None:
    import_file(store, FIXTURES / "actors_bom.csv")
    other = tmp_path / "autre.csv"
    other.write_text("nom;siren;type\nH&H;443061841;company\n", encoding="utf-8")
    result = import_file(store, other)
    assert any("actorType" in c and "company" in c for c in result.conflicts)
    iri = actor_iri_for_siren(BASE, "443061841")
    assert {v.rsplit("/", 1)[1] for v in _value(store, iri, "eg:actorType")} == {"association"}


def test_actors_without_identifier_merge_by_name_and_commune_for_review(store, tmp_path) -> None:
    import_file(store, FIXTURES / "actors_bom.csv")
    other = tmp_path / "quartier.csv"
    other.write_text(
        "nom;commune;type\nSOCIETE COOPERATIVE VELO;Nantes;scic\n"
        "Société Coopérative Vélo;Rezé;scic\n",
        encoding="utf-8",
    )
    result = import_file(store, other)
    assert result.counts["actorsMerged"] == 1 and result.counts["actorsCreated"] == 1
    [merge] = result.name_merges
    assert merge.row == 2 and merge.merged_with == "Société Coopérative Vélo"


def test_mapping_files_in_toml_and_yaml_say_the_same(store) -> None:
    toml, yaml = load_mapping(FIXTURES / "mapping.toml"), load_mapping(FIXTURES / "mapping.yaml")
    assert toml.columns == yaml.columns and toml.values == yaml.values
    assert toml.defaults == yaml.defaults
    result = import_file(store, FIXTURES / "actors_mapped.csv", mapping=toml)
    assert result.counts["actorsCreated"] == 3
    rows = store.select(
        "SELECT ?n ?t ?c WHERE { ?a skos:prefLabel ?n ; eg:actorType ?t ; "
        "eg:basedIn ?c ; eg:worksOn egdom:employment }"
    )
    found = {
        (r["n"].value, r["t"].value.rsplit("/", 1)[1], r["c"].value.rsplit("/", 1)[1]) for r in rows
    }
    assert found == {
        ("Tremplin Travail", "insertionEnterprise", "44109"),
        ("Coop Alimentaire", "scic", "44143"),
        ("Les Amis du Quartier", "association", "44109"),
    }


def test_mapping_mistakes_name_the_key_and_the_choices(tmp_path) -> None:
    with pytest.raises(MappingError, match=r"values.type: «Asso» = «assoc», which is not one"):
        parse_mapping({"values": {"type": {"Asso": "assoc"}}})
    with pytest.raises(MappingError, match=r"columns\.nom is not a field of actors"):
        parse_mapping({"kind": "actors", "columns": {"nom": "Nom"}})
    bad = tmp_path / "m.yaml"
    bad.write_text("columns: [unclosed\n")
    with pytest.raises(MappingError, match="not valid YAML"):
        load_mapping(bad)


def test_unknown_words_are_refused_with_the_accepted_ones(store, tmp_path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("nom;type\nAlpha;truc\n", encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        import_file(store, path, rejects_path=tmp_path / "r.csv")
    assert "row 2, column «type»: «truc» — not a known type; expected one of association" in str(
        refused.value
    )


def test_a_missing_required_column_is_named(store, tmp_path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("foo;bar\n1;2\n", encoding="utf-8")
    with pytest.raises(ImportRefused, match="no column for «name»"):
        import_file(
            store, path, kind="actors", keep_good_rows=True, rejects_path=tmp_path / "r.csv"
        )


def test_two_rows_with_one_siren_are_one_actor_found_by_both_ids(store, tmp_path) -> None:
    actors = tmp_path / "doublons.csv"
    actors.write_text(
        "id;nom;siren\nD1;Habitat et Humanisme;443061841\n"
        "D2;HABITAT & HUMANISME;443 061 841\nD3;Autre;\n",
        encoding="utf-8",
    )
    result = import_file(store, actors)
    assert result.counts["actorsCreated"] == 2
    assert any("same SIREN or RNA as row 2" in a for a in result.assumptions)
    ties = tmp_path / "liens.csv"
    ties.write_text("type;partenaires\nco-construction;D2|D3\n", encoding="utf-8")
    assert import_file(store, ties).counts["partnerships"] == 1
    assert store.ask("ASK { ?p eg:partner ?a . ?a eg:siren '443061841'^^eg:SIREN }")


def test_xlsx_actors_and_partnerships_with_number_and_date_cells(store, tmp_path) -> None:
    import datetime as dt

    from openpyxl import Workbook

    actors = Workbook()
    sheet = actors.active
    sheet.append(["Liste des structures du territoire"])  # a title line above the header
    sheet.append(["id", "nom", "type", "siren", "commune"])
    sheet.append(["X1", "Le tiers lieu de Carpentras", "Asso", 62201199, 84031])  # lost zero
    sheet.append(["X2", "Ville de Rezé", "commune", 214401432, "Rezé"])
    actors.save(tmp_path / "structures.xlsx")
    ties = Workbook()
    sheet = ties.active
    sheet.append(["type", "financeur", "bénéficiaire", "date", "montant"])
    sheet.append(["subvention", "X2", "X1", dt.datetime(2023, 5, 2), 1500.5])
    sheet.append(["TOTAL", None, None, None, 1500.5])
    ties.save(tmp_path / "subventions.xlsx")
    first = import_file(store, tmp_path / "structures.xlsx")
    assert first.format == "xlsx" and first.counts["rowsImported"] == 2
    assert any("title" in a for a in first.assumptions)
    second = import_file(store, tmp_path / "subventions.xlsx")
    assert second.counts["partnerships"] == 1 and second.counts["rowsSkipped"] == 1
    assert store.ask("""ASK { ?p eg:funder ?f ; eg:beneficiary ?b ; eg:amount 1500.50 ;
        schema:startDate "2023-05-02"^^xsd:date . ?b eg:siren "062201199"^^eg:SIREN ;
        eg:basedIn egterr:commune\\/84031 . ?f eg:siren "214401432"^^eg:SIREN }""")


def test_imported_data_conforms_to_the_shapes(store) -> None:
    from ecograph.validate import validate_store

    for name in (
        "actors_cp1252.csv",
        "actors_bom.csv",
        "projects.csv",
        "partnerships.csv",
        "subventions_scdl.csv",
        "actors_mapped.csv",
    ):
        mapping = load_mapping(FIXTURES / "mapping.toml") if name == "actors_mapped.csv" else None
        import_file(store, FIXTURES / name, mapping=mapping)
    report = validate_store(store)
    assert report.conforms, report.to_text()


def test_a_replace_stopped_between_its_two_steps_is_finished_by_the_next_import(
    store, tmp_path
) -> None:
    path = tmp_path / "structures.csv"
    path.write_text("nom\nAlpha\n", encoding="utf-8")
    old = import_file(store, path)
    path.write_text("nom\nBeta\n", encoding="utf-8")
    original_drop = store.drop_graph
    store.drop_graph = lambda graph: None  # the process "dies" before dropping the old one
    new = import_file(store, path, replace=True)
    store.drop_graph = original_drop
    assert {s.graph for s in list_sources(store)} == {old.graph, new.graph}
    again = import_file(store, path)
    assert again.status == "unchanged" and "interrupted --replace" in again.message
    assert [s.graph for s in list_sources(store)] == [new.graph]


def test_broken_utf8_rows_land_and_the_broken_lines_are_named(store) -> None:
    result = import_file(store, FIXTURES / "actors_broken_utf8.tsv")
    assert result.counts["rowsImported"] == 3
    assert any("not valid UTF-8 (line(s) 3, 4)" in a for a in result.assumptions)
    assert any("separator: tab" in a for a in result.assumptions)
    names = {r["n"].value for r in store.select("SELECT ?n WHERE { ?a skos:prefLabel ?n }")}
    # the lines that are not UTF-8 are read as Windows-1252 (issue 15): no «\ufffd» left
    assert {"Épicerie solidaire Énergie", "Café des âges"} <= names
