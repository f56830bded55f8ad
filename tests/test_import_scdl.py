"""SCDL subsidy files in the shapes they are published in, with nothing real lost: headers by
field name or title, Excel identifiers, grants without an amount, local-authority funders by
name, rows split by unquoted commas, grant lists without a funder column (``--funder``).

The two real files (Maine-et-Loire whole, a cut of Loire-Atlantique) are fixtures with their
attribution in tests/fixtures/README.md; every count and euro sum is computed here from the
file itself, independently of the importer."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ecograph.cli import app
from ecograph.ingest.importer import ImportRefused, detect_format, import_file
from ecograph.ingest.places import authority_named
from ecograph.ingest.readers import read_table
from ecograph.ingest.scdl import (
    SCDL_COLUMNS,
    looks_like_scdl,
    repair_row,
    resolve_funder,
    scdl_positions,
)
from ecograph.namespaces import PREFIXES, actor_iri_for_siren, authority_iri, graph_iri
from ecograph.store import open_store

FIXTURES = Path(__file__).parent / "fixtures" / "import"
BASE = "https://w3id.org/ecograph/data/"
MAINE_ET_LOIRE = FIXTURES / "scdl_maine_et_loire.csv"
LOIRE_ATLANTIQUE = FIXTURES / "scdl_loire_atlantique_cut.csv"


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reject files go to the current folder by default: keep them out of the checkout."""
    monkeypatch.chdir(tmp_path)


def _file_amounts(path: Path, column: int) -> tuple[int, list[Decimal]]:
    """(data rows, the amounts written) read with the csv module and Decimal alone."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))[1:]
    return len(rows), [Decimal(r[column]) for r in rows if r[column].strip()]


def _grants(store) -> tuple[int, Decimal, int]:
    """(grants, their euro sum, grants with an amount) as the store holds them."""
    rows = store.select(
        "SELECT ?p ?a WHERE { ?p eg:partnershipType egpt:funding OPTIONAL { ?p eg:amount ?a } }"
    )
    amounts = [Decimal(r["a"].value) for r in rows if r["a"] is not None]
    return len(rows), sum(amounts, Decimal(0)), len(amounts)


def _funders(store) -> set[str]:
    return {r["f"].value for r in store.select("SELECT DISTINCT ?f WHERE { ?p eg:funder ?f }")}


# ----------------------------------------------------------------------------- real files
def test_maine_et_loire_imports_whole_with_every_grant_and_euro(store) -> None:
    rows, amounts = _file_amounts(MAINE_ET_LOIRE, 8)
    result = import_file(store, MAINE_ET_LOIRE)
    assert result.format == "scdl" and not result.rejects
    assert result.counts["partnerships"] == rows == 75
    count, total, with_amount = _grants(store)
    assert (count, total, with_amount) == (rows, sum(amounts), len(amounts))
    # the funder's SIRET «224 900 019 000 15'» (spaces, Excel apostrophe): one authority node
    assert _funders(store) == {authority_iri(BASE, "departement", "49")}
    assert store.ask(
        "ASK { VALUES ?a { UNDEF } ?a a eg:Actor ; eg:siren '224900019'^^eg:SIREN ; "
        "eg:actorType egtype:departement }",
        {"a": ox.NamedNode(authority_iri(BASE, "departement", "49"))},
    )
    # «7,86E+13» (rounded by Excel) and a Luhn-invalid SIRET: kept as notes, never as a SIREN
    assert not store.ask("ASK { ?a eg:siren '334523819'^^eg:SIREN }")
    notes = [r["n"].value for r in store.select("SELECT ?n WHERE { ?a skos:note ?n }")]
    assert any("7,86E+13" in n for n in notes) and any("33 452 381 900 011" in n for n in notes)
    assert any("«7,86E+13»" in a and "rounded" in a for a in result.assumptions)
    # columns outside the schema are notes on each grant (Colonne1 is empty: no note)
    assert result.unused_columns == []
    assert any("natureDecision, Colonne1" in a for a in result.assumptions)
    decisions = store.select("SELECT ?n WHERE { ?p skos:note ?n FILTER(STRSTARTS(?n, 'nature')) }")
    assert len(decisions) == rows and "natureDecision : délibération" in {
        r["n"].value for r in decisions
    }


def test_loire_atlantique_titles_years_and_grants_without_amount(store) -> None:
    path = LOIRE_ATLANTIQUE
    assert detect_format(path, path.read_bytes(), table=read_table(path)) == "scdl"
    rows, amounts = _file_amounts(path, 7)
    result = import_file(store, path)
    assert not result.rejects and result.counts["partnerships"] == rows
    count, total, with_amount = _grants(store)
    assert (count, total, with_amount) == (rows, sum(amounts), len(amounts))
    assert rows - with_amount == 32  # aid without an amount: funding ties without one
    total_text = f"{sum(amounts):,.2f}".replace(",", " ")
    assert f"grants: {rows:,}, {total_text} € in all; 32 without an amount" in result.assumptions
    assert _funders(store) == {authority_iri(BASE, "departement", "44")}
    # the largest grant names no beneficiary at all: it lands, on an actor that says so
    largest = store.select(
        "SELECT ?b ?n WHERE { ?p eg:amount 34692695.75 ; eg:beneficiary ?b . ?b skos:prefLabel ?n }"
    )
    assert len(largest) == 1 and "non renseigné" in largest[0]["n"].value
    # a bare year is 1 January of that year
    years = store.select("SELECT DISTINCT ?d WHERE { ?p schema:startDate ?d }")
    assert {r["d"].value[5:] for r in years} == {"01-01"}
    # the fields the model has no property for are notes on their grant: none is dropped
    assert result.unused_columns == []
    with LOIRE_ATLANTIQUE.open(encoding="utf-8", newline="") as handle:
        cells = list(csv.reader(handle, delimiter=";"))[1:]
    for column, field_name in {
        10: "datesPeriodeVersement",
        13: "pourcentageSubvention",
        14: "montantPret",
        15: "montantGarantie",
        16: "avantagesNature",
        17: "estimationAvantagesNature",
    }.items():
        filled = sorted(r[column].strip() for r in cells if r[column].strip())
        notes = store.select(
            "SELECT ?n WHERE { VALUES ?field { UNDEF } "
            "?p skos:note ?n FILTER(CONTAINS(?n, ?field)) }",
            {"field": ox.Literal(f"({field_name}) : ")},
        )
        assert filled and sorted(r["n"].value.split(" : ", 1)[1] for r in notes) == filled


def test_a_funder_recognised_by_name_is_the_territories_authority(store) -> None:
    """With the territories graph there, the funder is its authority node, not a new one."""
    node = f"<{authority_iri(BASE, 'departement', '44')}>"
    turtle = f"""{node} a eg:LocalAuthority ; skos:prefLabel "Département Loire-Atlantique"@fr ;
        eg:actorType egtype:departement ; eg:sector egsec:public ."""
    prefixes = "".join(f"@prefix {k}: <{v}> .\n" for k, v in PREFIXES.items())
    store.load(
        (prefixes + turtle).encode(),
        format=ox.RdfFormat.TURTLE,
        graph=graph_iri(BASE, "territories"),
    )
    result = import_file(store, LOIRE_ATLANTIQUE)
    assert _funders(store) == {authority_iri(BASE, "departement", "44")}
    assert result.counts["actorsMerged"] == 1
    labels = store.select(
        "SELECT ?n WHERE { VALUES ?a { UNDEF } ?a skos:prefLabel ?n }",
        {"a": ox.NamedNode(node[1:-1])},
    )
    assert [r["n"].value for r in labels] == ["Département Loire-Atlantique"]


# ----------------------------------------------------------------------------- headers
@pytest.mark.parametrize(
    "header",
    [
        list(SCDL_COLUMNS),
        [c.upper() for c in SCDL_COLUMNS],
        [
            "Nom de l'attribuant",
            "Identification de l'attribuant (SIRET)",
            "Date de la convention de subvention",
            "Référence de la décision",
            "Nom du bénéficiaire",
            "Identification du bénéficiaire",
            "Objet de la subvention",
            "Montant total de la subvention",
            "Nature de la subvention",
        ],
        [
            "NOM DE L ATTRIBUANT",
            "identification de l'attribuant",
            "date de la convention",
            "nom du beneficiaire",
            "identification du beneficiaire",
            "MONTANT TOTAL DE LA SUBVENTION",
            "",
            "Colonne1",
        ],
    ],
)
def test_headers_by_field_name_or_title_any_case_or_accents(header: list[str]) -> None:
    assert looks_like_scdl(header)
    found = scdl_positions(header)
    assert {"nomAttribuant", "idAttribuant", "nomBeneficiaire", "montant"} <= set(found)
    assert header[found["montant"]].casefold().startswith("montant")


def test_schema_2_1_fields_and_other_money_columns_are_not_the_amount() -> None:
    header = [*SCDL_COLUMNS, "Montant du prêt", "Montant de la garantie"]
    found = scdl_positions(header)
    assert header[found["montant"]] == "montant"
    assert {"rnaBeneficiaire", "dispositifAide", "multiFinanceur"} <= set(found)
    assert not looks_like_scdl(["nom", "montant", "commune"])


# ----------------------------------------------------------------------------- authorities
@pytest.mark.parametrize(
    ("name", "level", "code"),
    [
        ("Conseil Départemental de la Mayenne", "departement", "53"),
        ("Département de Loire-Atlantique", "departement", "44"),
        ("CONSEIL GENERAL DE MAINE ET LOIRE", "departement", "49"),
        ("Région Pays de la Loire", "region", "52"),
        ("Conseil régional des Pays de la Loire", "region", "52"),
        ("Ville de Nantes", "commune", "44109"),
        ("Commune du Pouliguen", "commune", "44135"),
        ("Nantes Métropole", "epci", "244400404"),
        ("CD44", "departement", "44"),
        ("Département de la Sarthe - Direction de la culture", "departement", "72"),
        ("Ville de Nantes (DGA Culture)", "commune", "44109"),
    ],
)
def test_local_authority_funders_are_recognised_by_name(name: str, level: str, code: str) -> None:
    found = authority_named(name)
    assert found is not None and (found.level, found.code) == (level, code)


def test_names_that_are_not_one_authority_are_not_taken_for_one() -> None:
    assert authority_named("Association des Amis de Nantes") is None
    assert authority_named("Association Nantes - Sport") is None
    assert authority_named("Commune de Saint-Denis") is None  # several communes: say which
    reunion = authority_named("Commune de Saint-Denis", siren="219740115")
    assert reunion is not None and reunion.code == "97411"


def test_funder_option_reads_sirens_codes_and_names() -> None:
    assert resolve_funder("44109").authority is not None
    assert resolve_funder("Ville de Nantes").siren == "214401093"
    assert resolve_funder("214401093").authority is not None  # a commune's SIREN
    assert resolve_funder("775671993").siren == "775671993"
    assert resolve_funder("Fondation Quelconque").name == "Fondation Quelconque"
    with pytest.raises(ValueError, match="expected a SIREN"):
        resolve_funder("1234")


# ----------------------------------------------------------------------------- nothing lost
def test_bad_identifiers_conflicts_and_missing_amounts_land_and_are_listed(store) -> None:
    result = import_file(store, FIXTURES / "subventions_quirks.csv")
    count, total, with_amount = _grants(store)
    assert (count, total, with_amount) == (7, Decimal("2015050.50"), 6)
    assert _funders(store) == {
        authority_iri(BASE, "departement", "53"),  # 4 rows: 3 SIRETs (one rounded), 1 none
        authority_iri(BASE, "region", "52"),
        actor_iri_for_siren(BASE, "244400404"),
    }
    text = "\n".join(result.assumptions)
    assert "another SIREN (225300029)" in text and "«22530000000000»" in text
    assert "«775400004»" in text and "Luhn" in text
    assert "no amount" in text and "neither named nor identified" in text
    for bad in ("775400004", "225300029"):
        assert not store.ask(f"ASK {{ ?a eg:siren '{bad}'^^eg:SIREN }}")
    # found by name: the Luhn-invalid row and the region's row are one beneficiary
    jardins = store.select("SELECT ?a WHERE { ?a skos:prefLabel 'Jardins Solidaires'@fr }")
    assert len(jardins) == 1
    assert result.unused_columns == []
    assert store.ask("ASK { ?p skos:note ?n FILTER(STRSTARTS(?n, 'Remarques : ')) }")


def test_strict_refuses_what_would_otherwise_be_assumed(store) -> None:
    with pytest.raises(ImportRefused) as refused:
        import_file(store, FIXTURES / "subventions_quirks.csv", strict=True)
    rows = {r.row for r in refused.value.result.rejects}
    assert rows == {3, 4, 5, 8} and len(store) == 0


# ----------------------------------------------------------------------------- commas
def test_rows_split_by_unquoted_commas_are_repaired_and_listed(store) -> None:
    result = import_file(store, FIXTURES / "subventions_commas.csv")
    assert _grants(store) == (4, Decimal("104050.50"), 4)
    names = {r["n"].value for r in store.select("SELECT ?n WHERE { ?a skos:prefLabel ?n }")}
    assert "Amis du quartier, Nantes Nord" in names
    assert store.ask("ASK { ?p dcterms:description ?d FILTER(STRSTARTS(?d, 'Sport, culture')) }")
    repaired = [a for a in result.assumptions if "repaired" in a]
    assert [a.split(":")[0] for a in repaired] == ["row 2", "row 3"]


def test_a_row_that_cannot_be_repaired_in_one_way_is_refused_with_its_row(store) -> None:
    with pytest.raises(ImportRefused, match=r"row 2 — the row has 10 cells .* in quotes"):
        import_file(store, FIXTURES / "subventions_commas_ambiguous.csv")


def test_repair_anchors_on_dates_identifiers_and_amounts() -> None:
    roles = ["text", "id", "date", "text", "number", "text"]
    cells = ["Ville", "21440109300015", "2019-01-02", "Asso", " Nord", "12 000", "50", "aide"]
    assert repair_row(cells, roles, ",") == [
        "Ville",
        "21440109300015",
        "2019-01-02",
        "Asso, Nord",
        "12 000,50",
        "aide",
    ]
    assert repair_row(["a", "b", "c"], ["text", "text"], ",") is None  # a tie: refused


# ----------------------------------------------------------------------------- --funder
GRANT_LIST = (
    "Bénéficiaire;Code postal;Ville;Objet;Subvention de fonctionnement;"
    "Subvention d'investissement;Garantie d'emprunt\n"
    "Amicale Laïque Chantenay;44100;Nantes;Fête;1 200,00;;\n"
    "Collectif Vélo;44000;Nantes;Ateliers;800;15 000;\n"
    "Jardins Solidaires;44300;Nantes;;;;250 000\n"
    "Théâtre du Pont;44100;Nantes;Saison;;;\n"
)


def test_a_grant_list_without_funder_column_takes_funder_option(store, tmp_path) -> None:
    path = tmp_path / "votes-2024.csv"
    path.write_text(GRANT_LIST, encoding="utf-8")
    result = import_file(store, path, funder="Ville de Nantes")
    # one grant per filled amount column, one tie without amount for the row with none; the
    # loan guarantee is a tie whose figure is a note: 250 000 € guaranteed is not given
    assert _grants(store) == (5, Decimal("17000.00"), 3)
    assert store.ask(
        "ASK { ?p eg:beneficiary/skos:prefLabel 'Jardins Solidaires'@fr ; "
        'skos:note "garantie d\'emprunt : 250 000"@fr FILTER NOT EXISTS { ?p eg:amount ?a } }'
    )
    assert _funders(store) == {actor_iri_for_siren(BASE, "214401093")}
    descriptions = {
        r["d"].value for r in store.select("SELECT ?d WHERE { ?p dcterms:description ?d }")
    }
    assert "Ateliers — subvention d'investissement" in descriptions
    assert "garantie d'emprunt" in descriptions
    assert store.ask("ASK { ?a skos:prefLabel 'Collectif Vélo'@fr ; eg:basedIn ?c }")
    assert not result.rejects
    # an empty column beside a filled one is not a missing amount; a row with none is said
    said = "\n".join(result.assumptions)
    assert "no amount (aid in kind?)" not in said
    assert "no amount in any amount column: a funding tie without one (row 5)" in said


def test_a_grant_lists_beneficiaries_are_placed_by_postcode_and_town(store, tmp_path) -> None:
    """La Poste's addresses: the postcode settles homonyms ("Saint-Denis" is 93066 in 93200
    and 97411 in 97400), "St" is "Saint", Excel drops the leading zero of 01000, and a
    postcode that serves one commune is enough without a town."""
    path = tmp_path / "votes.csv"
    path.write_text(
        "Bénéficiaire;Code postal;Ville;Objet;Montant\n"
        "Le Relais;93200;Saint-Denis;Accueil;100\n"
        "Les Amis du Port;97400;ST DENIS;Accueil;100\n"
        "Club de l'Ain;1000;St Denis les Bourg;Sport;100\n"
        "Atelier Vélo;44340;;Ateliers;100\n"
        "Sans Adresse;;Saint-Denis;Accueil;100\n",
        encoding="utf-8",
    )
    result = import_file(store, path, funder="Région Pays de la Loire")
    places = {
        r["n"].value: r["c"].value.rsplit("/", 1)[-1] if r["c"] is not None else None
        for r in store.select(
            "SELECT ?n ?c WHERE { ?a skos:prefLabel ?n ; eg:sector ?s "
            "OPTIONAL { ?a eg:basedIn ?c } }"
        )
    }
    assert places["Le Relais"] == "93066"
    assert places["Les Amis du Port"] == "97411"
    assert places["Club de l'Ain"] == "01344"
    assert places["Atelier Vélo"] == "44020"
    assert places["Sans Adresse"] is None  # Saint-Denis names many communes: said, not guessed
    assert any("Saint-Denis" in a and "communes" in a for a in result.assumptions)
    assert _grants(store)[:2] == (5, Decimal("500"))


def test_a_loan_column_in_a_list_is_said_on_the_tie_not_counted(store, tmp_path) -> None:
    """The 2017 annex's "Montant du prêt" is a note beside an SCDL montant, and in a voted
    list too: a loan is paid back, so its figure is said on the funding tie (a tie of its
    own when the row has no grant) but never summed with the grants' euros."""
    path = tmp_path / "prets.csv"
    path.write_text(
        "Bénéficiaire;Ville;Subvention;Montant du prêt\n"
        "Habitat du Parc;Nantes;1000;800000\n"
        "Refuge;Nantes;;400000\n",
        encoding="utf-8",
    )
    result = import_file(store, path, funder="Département de Loire-Atlantique")
    assert _grants(store) == (2, Decimal("1000"), 1)
    notes = {r["n"].value for r in store.select("SELECT ?n WHERE { ?p skos:note ?n }")}
    assert {"prêt : 800000", "prêt : 400000"} <= notes
    descriptions = {
        r["d"].value for r in store.select("SELECT ?d WHERE { ?p dcterms:description ?d }")
    }
    assert "prêt" in descriptions
    assert not result.unused_columns


def test_an_scdl_file_with_the_beneficiarys_address_places_it(store, tmp_path) -> None:
    """Some aggregated files add the beneficiary's postcode and town to the schema's
    fields: they place the beneficiary, and any other extra column is a note."""
    path = tmp_path / "subventions-agregees.csv"
    path.write_text(
        "nomAttribuant;idAttribuant;nomBeneficiaire;idBeneficiaire;montant;"
        "Code postal du bénéficiaire;Commune du bénéficiaire;Thématique\n"
        "Région Pays de la Loire;23440003400026;Le Relais;;1000;93200;Saint-Denis;Insertion\n",
        encoding="utf-8",
    )
    result = import_file(store, path)
    assert store.ask(
        "ASK { ?a skos:prefLabel 'Le Relais'@fr ; "
        "eg:basedIn <https://w3id.org/ecograph/territory/commune/93066> }"
    )
    assert store.ask("ASK { ?p skos:note 'Thématique : Insertion'@fr }")
    assert result.unused_columns == []


def test_a_date_that_cannot_be_read_stays_on_its_grant(store, tmp_path) -> None:
    path = tmp_path / "dates.csv"
    path.write_text(
        "nomAttribuant;nomBeneficiaire;dateConvention;montant\n"
        "Ville de Nantes;Collectif Vélo;6 octobre 2017;100\n"
        "Ville de Nantes;Jardins Solidaires;à la signature;200\n",
        encoding="utf-8",
    )
    result = import_file(store, path)
    assert store.ask("ASK { ?p schema:startDate '2017-10-06'^^xsd:date }")
    assert store.ask(
        "ASK { ?p skos:note 'date de la convention (dateConvention) : à la signature'@fr }"
    )
    assert any("not a date; grant kept without one" in a for a in result.assumptions)


def test_negative_amounts_and_lines_ended_by_cr_alone(store, tmp_path) -> None:
    """An old Mac export ends its lines with CR alone; a negative line is a cancellation
    or a repayment: kept as published, so the file's total holds, and said."""
    path = tmp_path / "annulations.csv"
    path.write_bytes(
        "nomAttribuant;nomBeneficiaire;montant\r"
        "Ville de Nantes;Collectif Vélo;2 000,00\r"
        "Ville de Nantes;Collectif Vélo;-1500\r".encode()
    )
    result = import_file(store, path)
    assert _grants(store) == (2, Decimal("500"), 2)
    said = "\n".join(result.assumptions)
    assert "negative amount (a cancellation or a repayment?): kept as published" in said


def test_the_sheet_whose_header_is_a_grant_list_is_taken(store, tmp_path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    notes = workbook.active
    notes.title = "Lisez-moi"
    notes.append(["Subventions votées en 2024 par le conseil municipal"])
    grants = workbook.create_sheet("Subventions")
    for line in GRANT_LIST.splitlines():
        grants.append([cell or None for cell in line.split(";")])
    path = tmp_path / "votes.xlsx"
    workbook.save(path)
    result = import_file(store, path, funder="44109")
    assert _grants(store)[:2] == (5, Decimal("17000.00"))
    assert any("«Subventions»" in a for a in result.assumptions)


def test_import_command_has_strict_and_funder(tmp_path: Path) -> None:
    path = tmp_path / "votes.csv"
    path.write_text(GRANT_LIST, encoding="utf-8")
    runner = CliRunner()
    store = str(tmp_path / "ws")
    done = runner.invoke(
        app, ["--store", store, "import", "--no-metrics", "--funder", "Ville de Nantes", str(path)]
    )
    assert done.exit_code == 0, done.output
    strict = runner.invoke(
        app,
        [
            "--store",
            store,
            "import",
            "--no-metrics",
            "--strict",
            str(FIXTURES / "subventions_quirks.csv"),
        ],
    )
    assert strict.exit_code == 1 and "row 3" in strict.stderr


# ----------------------------------------------------------------------------- round trip
_TITLES = {
    "nomAttribuant": "Nom de l'attribuant",
    "idAttribuant": "Identification de l'attribuant",
    "dateConvention": "Date de la convention de subvention",
    "nomBeneficiaire": "Nom du bénéficiaire",
    "idBeneficiaire": "Identification du bénéficiaire",
    "objet": "Objet de la subvention",
    "montant": "Montant total de la subvention",
}
_SIRETS = ["77567199300019", "44306184100015", "77540000500010", "44310000300013"]


def _excel(siret: str, how: int) -> str:
    """A SIRET as spreadsheets leave it: as is, with spaces, after an apostrophe, as a
    number with ".0", rounded in scientific notation or to zeros (untrusted: the actor is
    found by name)."""
    if how == 4:
        return f"{siret[0]},{siret[1:6]}E+13"
    if how == 5:  # rounded, then written out: 77567000000000
        return siret[:5] + "0" * 9
    if how == 1:
        return " ".join(siret[i : i + 3] for i in range(0, 14, 3))
    if how == 2:
        return "'" + siret
    if how == 3:
        return siret + ".0"
    return siret


def _french(amount: Decimal, how: int) -> str:
    text = f"{amount:.2f}"
    if how == 1:
        whole, cents = text.split(".")
        return f"{int(whole):,}".replace(",", " ") + "," + cents
    if how == 2:
        return text.replace(".", ",") + " €"
    return text


grant_rows = st.lists(
    st.tuples(
        st.integers(0, 3),  # beneficiary
        st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False),
        st.integers(0, 5),  # how the identifier is written
        st.integers(0, 2),  # how the amount is written
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=grant_rows,
    titles=st.booleans(),
    separator=st.sampled_from([";", ",", "\t"]),
    encoding=st.sampled_from(["utf-8", "cp1252"]),
    funder_column=st.booleans(),
    quoted=st.booleans(),
)
def test_count_and_euro_sum_round_trip(
    tmp_path_factory,
    rows,
    titles: bool,
    separator: str,
    encoding: str,
    funder_column: bool,
    quoted: bool,
) -> None:
    """Names or titles; `;`, `,` or tab; UTF-8 or cp1252; Excel identifiers; French amounts
    quoted or not (a comma-separated file with "1 234,56" unquoted is repaired); with a
    funder column or with ``funder=``: every grant and every cent comes back."""
    folder = tmp_path_factory.mktemp("roundtrip")
    fields = ["nomBeneficiaire", "idBeneficiaire", "objet", "montant"]
    if funder_column:
        fields = ["nomAttribuant", "idAttribuant", "dateConvention", *fields]
    header = [_TITLES[f] if titles else f for f in fields]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    writer.writerow(header)
    for number, (who, amount, how_id, how_amount) in enumerate(rows):
        cells = {
            "nomAttribuant": "Département de Loire-Atlantique",
            "idAttribuant": _excel("22440002800011", how_id),
            "dateConvention": "2019",
            "nomBeneficiaire": f"Association n°{who} Éveil",
            "idBeneficiaire": _excel(_SIRETS[who], how_id),
            "objet": f"Aide {number}",
            "montant": _french(amount, how_amount),
        }
        if quoted:
            writer.writerow([cells[f] for f in fields])
        else:
            out.write(separator.join(cells[f] for f in fields) + "\r\n")
    path = folder / "grants.csv"
    path.write_bytes(out.getvalue().encode(encoding))
    with open_store(folder / "ws") as store:
        import_file(
            store,
            path,
            funder=None if funder_column else "Département de Loire-Atlantique",
        )
        count, total, with_amount = _grants(store)
        assert count == with_amount == len(rows)
        assert total == sum((amount for _, amount, _, _ in rows), Decimal(0))
        assert _funders(store) == {authority_iri(BASE, "departement", "44")}


def test_identifiers_kept_as_notes_are_printed_as_text(tmp_path: Path) -> None:
    path = tmp_path / "subventions.csv"
    path.write_text(
        "nomAttribuant;idAttribuant;dateConvention;nomBeneficiaire;idBeneficiaire;montant\n"
        "Ville de Nantes;21440109300015;2019-04-01;ASSO \u202eB;[/]4430618\x1b[2J\x07;100\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app, ["--store", str(tmp_path / "ws"), "import", "--no-metrics", str(path)]
    )
    assert result.exit_code == 0, result.output
    assert "4430618" in result.stdout
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout


def test_a_grant_list_without_funder_option_is_refused_with_the_hint(store, tmp_path) -> None:
    path = tmp_path / "votes.csv"
    path.write_text(GRANT_LIST, encoding="utf-8")
    with pytest.raises(ImportRefused, match="name the funder with --funder"):
        import_file(store, path)


def test_an_untrusted_identifier_finds_the_actor_by_name_in_the_store(store, tmp_path) -> None:
    actors = tmp_path / "acteurs.csv"
    actors.write_text("nom;commune;type\nThéâtre du Pont;Laval;association\n", encoding="utf-8")
    import_file(store, actors)
    result = import_file(store, FIXTURES / "subventions_quirks.csv")
    named = store.select("SELECT DISTINCT ?a WHERE { ?a skos:prefLabel 'Théâtre du Pont'@fr }")
    assert len(named) == 1
    assert any(m.name == "Théâtre du Pont" for m in result.name_merges)  # listed for review
    assert store.ask(
        "ASK { VALUES ?a { UNDEF } ?p eg:beneficiary ?a . ?a skos:note ?n }",
        {"a": named[0]["a"]},
    )


def test_funder_given_by_a_departement_siren_is_its_authority(store, tmp_path) -> None:
    path = tmp_path / "votes.csv"
    path.write_text(GRANT_LIST, encoding="utf-8")
    import_file(store, path, funder="224400028")
    assert _funders(store) == {authority_iri(BASE, "departement", "44")}
    assert store.ask("ASK { ?a eg:siren '224400028'^^eg:SIREN ; a eg:Actor }")


def test_periods_natures_split_by_the_separator_and_funder_cells_left_empty(
    store, tmp_path
) -> None:
    path = tmp_path / "subventions.csv"
    path.write_text(
        "nomAttribuant;idAttribuant;dateConvention;nomBeneficiaire;idBeneficiaire;montant;"
        "nature;conditionsVersement\n"
        "Ville de Nantes;21440109300015;2017-10-06/2018-06-30;Collectif Vélo;;100;"
        "aide en numéraire;aide en nature;unique\n"
        ";;2018-04-01_2018-12-31;Jardins Solidaires;;200;aide en numéraire;unique\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportRefused, match=r"row 3.*neither a name nor an identifier"):
        import_file(store, path)
    result = import_file(store, path, funder="Ville de Nantes")
    assert _grants(store) == (2, Decimal("300.00"), 2)
    dates = {r["d"].value for r in store.select("SELECT ?d WHERE { ?p schema:startDate ?d }")}
    assert dates == {"2017-10-06", "2018-04-01"}
    assert store.ask("ASK { ?p dcterms:description 'aide en numéraire;aide en nature'@fr }")
    assert any("funder cells empty" in a for a in result.assumptions)
    assert _funders(store) == {actor_iri_for_siren(BASE, "214401093")}


def test_what_the_scdl_files_give_conforms_to_the_shapes(store, tmp_path) -> None:
    """Grants without an amount, identifiers as notes, authorities, beneficiaries known only
    by a SIREN (named «SIREN …» until a source names them)."""
    from ecograph.validate import validate_store

    for name in ("scdl_loire_atlantique_cut.csv", "subventions_quirks.csv"):
        import_file(store, FIXTURES / name)
    path = tmp_path / "votes.csv"
    path.write_text(GRANT_LIST, encoding="utf-8")
    import_file(store, path, funder="224400028")
    report = validate_store(store)
    assert report.conforms, report.to_text()
    assert store.ask(
        "ASK { ?a eg:siren '309469658'^^eg:SIREN ; skos:prefLabel 'SIREN 309469658'@fr }"
    )


def test_many_repaired_rows_are_listed_then_counted(store, tmp_path) -> None:
    from ecograph.ingest.scdl import _LISTED

    lines = ["nomAttribuant,idAttribuant,nomBeneficiaire,montant,nature"]
    lines += [
        f"Ville de Nantes,21440109300015,Association {n},{n} 000,50,aide en numéraire"
        for n in range(1, _LISTED + 51)
    ]
    path = tmp_path / "subventions.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = import_file(store, path)
    expected = sum((Decimal(f"{n}000.50") for n in range(1, _LISTED + 51)), Decimal(0))
    assert _grants(store) == (_LISTED + 50, expected, _LISTED + 50)
    assert sum(a.startswith("row ") for a in result.assumptions) == _LISTED
    assert any(
        a.startswith("more rows with separators") and "50 row(s)" in a for a in result.assumptions
    )


def test_a_funder_unnamed_as_an_authority_is_one_by_a_departement_siren(store, tmp_path) -> None:
    path = tmp_path / "subventions.csv"
    path.write_text(
        "nomAttribuant;idAttribuant;nomBeneficiaire;montant\n"
        "Conseil départemental;22440002800011;Collectif Vélo;100\n",
        encoding="utf-8",
    )
    import_file(store, path)
    assert _funders(store) == {authority_iri(BASE, "departement", "44")}


def test_a_total_column_beside_its_parts_is_not_counted_twice(store, tmp_path) -> None:
    path = tmp_path / "votes.csv"
    path.write_text(
        "Association;Fonctionnement;Investissement;Total attribué\n"
        "Collectif Vélo;1 000;500;1 500\nJardins Solidaires;;2 000;2 000\n",
        encoding="utf-8",
    )
    result = import_file(store, path, funder="Nantes Métropole")
    assert _grants(store) == (3, Decimal("3500.00"), 3)
    assert _funders(store) == {actor_iri_for_siren(BASE, "244400404")}
    assert result.unused_columns == []
    totals = store.select("SELECT ?n WHERE { ?p skos:note ?n }")
    assert sorted(r["n"].value for r in totals) == [
        "Total attribué : 1 500",
        "Total attribué : 1 500",
        "Total attribué : 2 000",
    ]


def test_a_file_of_rows_that_cannot_be_repaired_ends_quickly(store, tmp_path) -> None:
    """Many text columns, many stray separators: the search is bounded, the rows refused."""
    import time

    header = ",".join(
        ["nomAttribuant", "nomBeneficiaire", "montant"] + [f"t{i}" for i in range(30)]
    )
    row = ",".join(["Ville de Nantes", "Asso", "100"] + ["x"] * 36)
    path = tmp_path / "subventions.csv"
    path.write_text(header + "\n" + "\n".join([row] * 300) + "\n", encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(ImportRefused, match="row 2 — the row has 39 cells"):
        import_file(store, path)
    assert time.perf_counter() - started < 15


def test_a_service_under_the_funders_siren_is_its_own_beneficiary(store, tmp_path) -> None:
    path = tmp_path / "subventions.csv"
    head = "nomAttribuant;idAttribuant;nomBeneficiaire;idBeneficiaire;montant\n"
    path.write_text(
        head + "Ville de Nantes;21440109300015;CCAS de Nantes;21440109300015;100\n",
        encoding="utf-8",
    )
    result = import_file(store, path)
    assert result.counts["partnerships"] == 1 and result.counts["actorsCreated"] == 2
    assert any("the funder's own SIREN" in a for a in result.assumptions)
    same = tmp_path / "same.csv"
    same.write_text(
        head + "Ville de Nantes;21440109300015;VILLE DE NANTES;21440109300015;100\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportRefused, match="the beneficiary is the funder itself"):
        import_file(store, same)


@pytest.mark.parametrize(
    ("cell", "siren"),
    [
        ("22440002800011", "224400028"),
        ("224 400 028 000 11'", "224400028"),
        ("'22440002800011", "224400028"),
        ("22440002800011.0", "224400028"),
        ("2.2440002800011E13", "224400028"),  # every digit kept: exact
        ("2,24400028E+08", "224400028"),
        ("7,86E+13", None),  # rounded: untrusted
        ("22440000000000", None),  # rounded to zeros: untrusted
        ("224400029", None),  # Luhn key wrong
        ("SIRET : 224 400 028 000 11", "224400028"),  # a label typed before the number
        ("N° SIREN 224400028", "224400028"),
    ],
)
def test_identifier_cells_as_spreadsheets_leave_them(store, tmp_path, cell, siren) -> None:
    path = tmp_path / "subventions.csv"
    path.write_text(
        "nomAttribuant;nomBeneficiaire;idBeneficiaire;montant\n"
        f"Ville de Nantes;Les Amis du Bocage;{cell};100\n",
        encoding="utf-8",
    )
    result = import_file(store, path)
    query = "SELECT ?s WHERE { ?p eg:beneficiary ?b . ?b eg:siren ?s }"
    found = {r["s"].value for r in store.select(query)}
    assert found == ({siren} if siren else set())
    if siren is None:
        assert any(f"«{cell}»" in a for a in result.assumptions)
        assert store.ask("ASK { ?b skos:prefLabel 'Les Amis du Bocage'@fr ; skos:note ?n }")


def test_a_workbook_whose_second_sheet_is_scdl_imports_without_options(store, tmp_path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "Notice"
    workbook.active.append(["Données essentielles des conventions de subvention"])
    sheet = workbook.create_sheet("Données")
    with MAINE_ET_LOIRE.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter=";"):
            sheet.append(row)
    path = tmp_path / "conventions.xlsx"
    workbook.save(path)
    rows, amounts = _file_amounts(MAINE_ET_LOIRE, 8)
    result = import_file(store, path)
    assert result.format == "scdl"
    assert _grants(store) == (rows, sum(amounts), len(amounts))
