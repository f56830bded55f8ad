"""Grant files as local authorities publish them: every grant lands, with its amount and
names as the authority wrote them, and nothing that is not a grant does.

The Vendée's 2018 file is comma-separated with unquoted decimal commas, each line ends in «;»
or «;;», two lines are written in quotes whole, and its lines from July on are encoded in
UTF-8 twice («DÃ©partemental», «27Â 000,00»). Montpellier's list of 2013 ends with its total,
unworded. The expected rows below were read off the published lines by eye, or computed from
the file with the csv module (tests/fixtures/README.md), not taken from the importer."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from ecograph.ingest.double_encoding import undo_double_encoding
from ecograph.ingest.importer import import_file
from ecograph.ingest.readers import read_csv_text, read_table
from ecograph.ingest.scdl import project_named_in_name, repair_row
from ecograph.ingest.values import parse_amount

FIXTURES = Path(__file__).parent / "fixtures" / "import"
VENDEE_2018 = FIXTURES / "scdl_vendee_2018_excerpt.csv"
VENDEE_2017 = FIXTURES / "scdl_vendee_2017_excerpt.csv"

#: (beneficiary, amount) of each published line, as a reader of the file sees them.
GRANTS_2018 = {
    ("LES ARTS FLORISSANTS", Decimal("100000.00")),
    ("Association Le Refuge de Grasla", Decimal("28000.00")),
    ("Association des Petites Cités de Caractere de la Vendée", Decimal("39000.00")),
    (
        "Organisateurs et Amis du Festival Danses et Musiques du Monde - Cugand",
        Decimal("70000.00"),
    ),
    ("EARL BEL AIR", Decimal("25060.40")),
    ("Comité d'Organisation de la Fête du Chrono des Herbiers", Decimal("27000.00")),
    ("Ateliers Méca Sud Vendée", Decimal("25000.00")),
    ("Association Jusqu'à la Mort Accompagner La Vie", Decimal("29000.00")),
}


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reject files go to the current folder by default: keep them out of the checkout."""
    monkeypatch.chdir(tmp_path)


def _grants(store) -> set[tuple[str, Decimal]]:  # type: ignore[no-untyped-def]
    rows = store.select(
        "SELECT ?n ?a WHERE { ?p eg:partnershipType egpt:funding ; eg:amount ?a ; "
        "eg:beneficiary ?b . ?b skos:prefLabel ?n }"
    )
    return {(r["n"].value, Decimal(r["a"].value)) for r in rows}


def test_every_2018_grant_lands_with_its_name_and_amount(store) -> None:  # type: ignore[no-untyped-def]
    result = import_file(store, VENDEE_2018)
    assert not result.rejects and result.counts["partnerships"] == len(GRANTS_2018)
    assert _grants(store) == GRANTS_2018
    # the object of a line written in quotes whole keeps its own quotes
    assert store.ask(
        "ASK { ?p dcterms:description ?d "
        "FILTER(CONTAINS(?d, 'festival \"Les Nuits Musicales en Vendée Romane\"')) }"
    )
    # no «Ã» left in the data (the import's own note about the repair quotes one)
    assert not store.ask(
        "ASK { ?s ?p ?o FILTER(ISLITERAL(?o) && CONTAINS(STR(?o), 'Ã') "
        "&& ?p != <https://w3id.org/ecograph/import#assumption>) }"
    )
    said = "\n".join(result.assumptions)
    assert "3 line(s) were encoded in UTF-8 twice" in said
    assert "end in a run of semicolon characters" in said
    assert "row 4: the whole line was written in quotes as one value" in said
    assert "row 8: the whole line was written in quotes as one value" in said


def test_a_decimal_comma_in_the_payment_conditions_does_not_make_a_row_ambiguous(
    store,  # type: ignore[no-untyped-def]
) -> None:
    result = import_file(store, VENDEE_2017)
    assert not result.rejects
    assert _grants(store) == {
        ("Association Marie Brisson", Decimal("24975.00")),
        ("Maison Départementale de l'Emploi et du Développement Economique", Decimal("29358.34")),
    }
    notes = [r["n"].value for r in store.select("SELECT ?n WHERE { ?p skos:note ?n }")]
    assert any("Avance de 20,00% mise en paiement" in n for n in notes), notes


def test_doubly_encoded_lines_are_read_back_and_named() -> None:
    table = read_table(VENDEE_2018)
    assert table.assumptions[0].startswith("encoding: 3 line(s) were encoded in UTF-8 twice")
    assert "line(s) 7, 8, 9)" in table.assumptions[0]
    # the funder's name opens every line (two lines are still one quoted value at this stage)
    assert all(
        cells[0].startswith("Conseil Départemental de la Vendée,")
        or cells[0] == "Conseil Départemental de la Vendée"
        for _, cells in table.rows
    )


def test_only_doubly_encoded_lines_change() -> None:
    # a real «Ã» not followed by a UTF-8 trail byte; «É°» would read as «ɰ», no French letter
    genuine = "SÃO TOMÉ;Ação;Ã la carte;ÉTÉ° 2019;Â¡hola!\n"
    twice = "DÃ©partement;27Â\u00a0000,00\n"
    text, note = undo_double_encoding(genuine + twice + genuine)
    assert text == genuine + "Département;27\u00a0000,00\n" + genuine
    assert note is not None and "1 line(s)" in note and "line(s) 2)" in note
    assert undo_double_encoding(genuine) == (genuine, None)


def test_line_ends_are_trimmed_only_when_the_header_ends_the_same_way() -> None:
    kept = read_csv_text("a,b\n1,x;;\n", "kept.csv", separator=",")
    assert kept.rows == [(2, ["1", "x;;"])]
    trimmed = read_csv_text("a,b;;\n1,x;;\n2,y;\n3,z\n", "trimmed.csv", separator=",")
    assert trimmed.columns == ["a", "b"]
    assert [cells for _, cells in trimmed.rows] == [["1", "x"], ["2", "y"], ["3", "z"]]
    assert any("3 line(s), the header's included" in a for a in trimmed.assumptions)


def test_a_piece_that_is_no_nature_of_aid_is_not_joined_into_the_nature() -> None:
    roles = ["text", "id", "date", "text", "number", "nature", "text"]
    cells = ["Ville", "21440109300015", "2019-01-02", "Asso", "12 000", "aide en numéraire"]
    cells += ["versement unique", "solde en fin d'action"]
    # the stray comma is in the conditions: «aide en numéraire,versement unique» is no nature
    assert repair_row(cells, roles, ",") == [
        *cells[:6],
        "versement unique,solde en fin d'action",
    ]


# ----------------------------------------------------------------------------- Montpellier
MONTPELLIER = FIXTURES / "grants_montpellier_2013.csv"


def test_a_total_without_its_word_is_not_a_grant(store) -> None:  # type: ignore[no-untyped-def]
    """Montpellier's list of 2013 ends with «;;;19 256 523 €»: no name, no word, the sum."""
    with MONTPELLIER.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))[1:]
    *grants, last = rows
    amounts = [parse_amount(r[3]) for r in grants]
    assert last[:3] == ["", "", ""] and parse_amount(last[3]) == sum(amounts)  # the file's claim
    result = import_file(store, MONTPELLIER, funder="Ville de Montpellier")
    assert not result.rejects and result.counts["partnerships"] == len(grants) == 937
    total = store.select("SELECT (SUM(?a) AS ?t) WHERE { ?p eg:amount ?a }")[0]["t"]
    assert Decimal(total.value) == sum(amounts) == Decimal("19256523")
    assert any("a total without the word, skipped (row 939)" in a for a in result.assumptions)


def test_a_row_of_only_an_amount_that_is_no_sum_stays_a_grant(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "list.csv"
    path.write_text("STRUCTURE;Montant\nAsso A;1 000 €\nAsso B;500 €\n;1 200 €\n;1 500 €\n")
    result = import_file(store, path, funder="Ville de Montpellier")
    # 1 200 € adds up to nothing above it: a grant whose beneficiary the file does not name;
    # 1 500 € is the sum of the two named grants but not of all three above it, nor since
    # the last total (there was none): it stays a grant too
    assert result.counts["partnerships"] == 4 and result.counts.get("rowsSkipped", 0) == 0


# ----------------------------------------------------------------------------- Sarthe
SARTHE = FIXTURES / "grants_sarthe_2018_excerpt.csv"


def test_a_budget_annex_list_lands_without_counting_guarantees_as_grants(store) -> None:  # type: ignore[no-untyped-def]
    """The Sarthe's list of 2018: «Nom de l'organisme bénéficiaire», a postcode and a town,
    then an operating grant, an investment grant, a loan guarantee, a loan and aid in kind,
    each in its column. A guarantee of 1.8 M€ is not 1.8 M€ given."""
    result = import_file(store, SARTHE, funder="Département de la Sarthe")
    assert not result.rejects and result.counts["rowsImported"] == 17
    amounts = store.select(
        "SELECT ?n ?a WHERE { ?p eg:beneficiary/skos:prefLabel ?n OPTIONAL { ?p eg:amount ?a } }"
    )
    given: dict[str, list[Decimal]] = {}
    for row in amounts:
        given.setdefault(row["n"].value, [])
        if row["a"] is not None:
            given[row["n"].value].append(Decimal(row["a"].value))
    # the file's first eleven rows: an operating grant each, but one of aid in kind («X»)
    assert given["4L AMIGOS"] == [Decimal("500")]
    assert given["1711 EME SECTION DE MEDAILLES MILITAIRES D'ALLON"] == []
    assert sum(len(v) for v in given.values()) == 10 + 4  # ACE 1, ADMR 1, AEP 2
    picked = {"ACADEA", "ACE ACTION CATHOLIQUE ENFANT SARTHE", "ADMR FEDERATION DE LA SARTHE"}
    picked |= {"AEP INSTITUTION ST JOSEPH", "BANQUE ALIMENTAIRE", "WIMOOV VOITURE AND CO"}
    assert {name: sorted(given[name]) for name in picked | {"14 JUILLET"}} == {
        "14 JUILLET": [Decimal("250")],
        "ACADEA": [],  # a guarantee alone: a tie, its figure a note
        "ACE ACTION CATHOLIQUE ENFANT SARTHE": [Decimal("100")],
        "ADMR FEDERATION DE LA SARTHE": [Decimal("13875")],
        "AEP INSTITUTION ST JOSEPH": [Decimal("2914.5"), Decimal("39800")],
        "BANQUE ALIMENTAIRE": [],  # aid in kind, ticked «X»
        "WIMOOV VOITURE AND CO": [],  # «N 82 584,28»: a letter of the town slid into it
    }
    notes = {r["n"].value for r in store.select("SELECT ?n WHERE { ?p skos:note ?n }")}
    assert "garantie d'emprunt : 1 798 193,68" in notes
    assert any("82 584,28" in n for n in notes), "an unread amount is kept as published"
    # «LE MANS CEDEX 2» is Le Mans
    assert store.ask(
        "ASK { ?a skos:prefLabel 'ACE ACTION CATHOLIQUE ENFANT SARTHE'@fr ; "
        "eg:basedIn <https://w3id.org/ecograph/territory/commune/72181> }"
    )


def test_a_project_named_after_the_beneficiary_is_the_grants_object(store) -> None:  # type: ignore[no-untyped-def]
    """«Via Voltaire Projet Prévention, soutien…» and «Via Voltaire Projet Interface»: one
    association, two grants, each with its object."""
    result = import_file(store, MONTPELLIER, funder="Ville de Montpellier")
    rows = store.select(
        "SELECT ?d WHERE { ?p eg:beneficiary ?a ; dcterms:description ?d . "
        "?a skos:prefLabel 'Via Voltaire'@fr }"
    )
    objects = sorted(r["d"].value.split(" — ")[0] for r in rows)
    assert objects == [
        "Interface",
        "Prévention, soutien, orientation sanitaire et sociale pour les jeunes",
    ]
    assert any("110 cell(s) name a project after the beneficiary" in a for a in result.assumptions)
    # a name that ends in a small word keeps «Projet»: «Association du Projet …» is one name
    assert project_named_in_name("Association du Projet Jeunes") == (
        "Association du Projet Jeunes",
        "",
    )
