"""The State's grant lists, as published: every grant lands with its beneficiary, and a row
that only totals a beneficiary's grants is no grant.

Two real files (tests/fixtures/README.md has their source and cut):

- the parliamentary reserve of 2016: «nom;prenom;groupe;beneficiaire;adresse;descriptif;…»,
  the first three columns naming the member of parliament who proposed the grant, the
  address sometimes a street address, sometimes a town, and a commune often named bare
  («BENONCES»);
- the State's list of associations it subsidised in 2010 (a budget annex, «jaune»): a total
  row for each association, then one row per budget line («IMPUTATION»), associations of
  one name with their total rows first and their detail rows after.

The expected figures are computed from the files with the csv module, not by the importer.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from ecograph.ingest.importer import import_file
from ecograph.ingest.synonyms import concept_iri
from ecograph.name_keys import name_key
from ecograph.vocab import EG

FIXTURES = Path(__file__).parent / "fixtures" / "import"
RESERVE = FIXTURES / "reserve_parlementaire_2016_head.csv"
JAUNE = FIXTURES / "jaune_2010_head.csv"
CENTRES_SOCIAUX = FIXTURES / "jaune_2010_centres_sociaux.csv"
STATE = "État"


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def _euros(text: str) -> Decimal:
    return Decimal(text.replace(" ", "").replace("\u00a0", ""))


def _received(store) -> list[tuple[str, Decimal | None]]:  # type: ignore[no-untyped-def]
    """(beneficiary's name, amount or None) of every funding tie."""
    rows = store.select(
        "SELECT ?n ?a WHERE { ?p eg:partnershipType egpt:funding ; eg:beneficiary ?b . "
        "?b skos:prefLabel ?n OPTIONAL { ?p eg:amount ?a } }"
    )
    return [(r["n"].value, Decimal(r["a"].value) if r.get("a") else None) for r in rows]


# ----------------------------------------------------------------- the parliamentary reserve
def test_the_beneficiary_is_the_beneficiary_column_not_the_proposers_name(store) -> None:  # type: ignore[no-untyped-def]
    rows = _rows(RESERVE)
    result = import_file(store, RESERVE, funder=STATE)
    assert not result.rejects and result.counts["partnerships"] == len(rows)
    received = _received(store)
    assert sum(a for _, a in received if a is not None) == sum(_euros(r["montant"]) for r in rows)
    names = {name for name, _ in received}
    assert "Revivre" in names and "La Sapaudia Bus Info" in names
    # the member of parliament who proposed the grant is a note, never a beneficiary
    proposers = {r["nom"] for r in rows}
    assert not names & proposers
    assert store.ask("ASK { ?p skos:note 'nom : ABEILLE'@fr ; eg:amount 6800.00 }")
    # «descriptif» is the grant's object
    assert store.ask(
        "ASK { ?p dcterms:description ?d FILTER(STRSTARTS(?d, "
        '"Projet d\'aide aux réfugiés syriens")) }'
    )


def test_an_address_places_its_beneficiary_and_stays_as_a_note(store) -> None:  # type: ignore[no-untyped-def]
    result = import_file(store, RESERVE, funder=STATE)
    # «… 16, rue du Révérend Père Lucien Aubry 94120 Fontenay-sous-Bois»: Fontenay-sous-Bois
    assert store.ask(
        "ASK { ?a skos:prefLabel 'Revivre'@fr ; eg:basedIn "
        "<https://w3id.org/ecograph/territory/commune/94033> ; skos:note ?n "
        "FILTER(STRSTARTS(STR(?n), 'adresse : Maison Du Citoyen')) }"
    )
    # «BP13 94161 Saint-Mandé Cedex»: a CEDEX address is its town
    assert store.ask(
        "ASK { ?a skos:prefLabel 'La Saint-Mandéenne'@fr ; eg:basedIn "
        "<https://w3id.org/ecograph/territory/commune/94067> }"
    )
    # two associations of one name in two towns are two actors
    assert len(store.select("SELECT ?a WHERE { ?a skos:prefLabel 'Sou des Ecoles'@fr }")) == 2
    said = "\n".join(result.assumptions)
    assert "adresse: no commune read in the address" in said  # «Haut-Bugey», a region


def test_a_commune_named_bare_is_that_local_authority(store) -> None:  # type: ignore[no-untyped-def]
    result = import_file(store, RESERVE, funder=STATE)
    benonces = f"{store.base_iri}actor/siren/210100376"  # the commune of Bénonces (01)
    assert store.ask(
        f"ASK {{ ?p eg:beneficiary <{benonces}> ; eg:amount 2000.00 ; dcterms:description ?d "
        "FILTER(CONTAINS(?d, \"mise aux normes d'accessibilité de l'église\")) }"
    )
    assert store.ask(f"ASK {{ <{benonces}> <{EG.sector}> <{concept_iri('sector', 'public')}> }}")
    said = "\n".join(result.assumptions)
    assert "beneficiary «BENONCES» recognised by its name as the local authority Bénonces" in said
    # a commune recognised twice is one actor, not a name merge to review
    assert not any("LIEURAN" in merge.name for merge in result.name_merges)


# ------------------------------------------------------------------- the State's budget annex
def test_total_rows_are_not_grants_and_every_budget_line_is(store) -> None:  # type: ignore[no-untyped-def]
    rows = _rows(CENTRES_SOCIAUX)
    details = [r for r in rows if r["Détail des subventions"].strip()]
    result = import_file(store, CENTRES_SOCIAUX, funder=STATE)
    assert not result.rejects
    assert result.counts["partnerships"] == len(details) == 16
    assert result.counts["rowsSkipped"] == len(rows) - len(details)
    received = _received(store)
    assert sum(a for _, a in received if a is not None) == sum(
        _euros(r["Détail des subventions"]) for r in details
    )
    # the 72 Montfort centre's total row comes first, its budget line four rows later, under
    # another programme than its neighbours': matched by its SIREN, not by being next to it
    assert ("CENTRE SOCIAL RURAL - 72 MONTFORT LE GESNOIS", Decimal("30000")) in received
    assert store.ask(
        "ASK { ?p eg:amount ?a ; skos:note ?n FILTER(?a = 30000) "
        "FILTER(CONTAINS(?n, '106 - Actions en faveur des familles vulnérables')) }"
    )


def test_a_total_its_lines_do_not_add_up_to_is_kept_and_said(store) -> None:  # type: ignore[no-untyped-def]
    # the excerpt ends inside ABAVEM's lines: its total (38,000) has one line of 36,500 here
    rows = _rows(JAUNE)
    details = [r for r in rows if r["Détail des subventions"].strip()]
    result = import_file(store, JAUNE, funder=STATE)
    assert result.counts["partnerships"] == len(details) + 1
    abavem = [a for n, a in _received(store) if n.startswith("ABAVEM")]
    assert sorted(abavem, key=str) == [Decimal("36500"), None]
    assert store.ask("ASK { ?p skos:note 'Total des subventions : 38 000'@fr }")
    said = "\n".join(result.assumptions)
    assert "whose detail rows do not add up to it" in said


def test_two_budget_lines_of_one_amount_are_two_grants(store) -> None:  # type: ignore[no-untyped-def]
    # «20 CENTIMES DANS L'EAU»: 1,500 € under programme 131 and 1,500 € under programme 163
    result = import_file(store, JAUNE, funder=STATE)
    amounts = [a for n, a in _received(store) if n.startswith("20 CENTIMES DANS L'EAU")]
    assert sorted(amounts) == [Decimal("1500"), Decimal("1500"), Decimal("3500")]
    # told apart by their budget lines, they are not «the same grant again»
    assert not any("the same grant appears again" in line for line in result.assumptions)


def test_a_total_row_with_no_budget_line_is_the_grant(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # The centres' excerpt with the Montfort centre's one budget line taken out: its total
    # row is then the only figure the list gives for it.
    lines = CENTRES_SOCIAUX.read_text(encoding="utf-8").splitlines(keepends=True)
    cut = [line for line in lines if not line.startswith("786344945;") or ";;30 000;" in line]
    assert len(cut) == len(lines) - 1
    path = tmp_path / "cut.csv"
    path.write_text("".join(cut), encoding="utf-8")
    result = import_file(store, path, funder=STATE)
    assert ("CENTRE SOCIAL RURAL - 72 MONTFORT LE GESNOIS", Decimal("30000")) in _received(store)
    assert result.counts["partnerships"] == 16
    said = "\n".join(result.assumptions)
    assert "the total is imported as its grant" in said


def test_a_beneficiary_named_as_an_authority_is_that_authority_and_only_then(
    store,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    path = tmp_path / "list.csv"
    path.write_text(
        "beneficiaire;montant\n"
        "Ville de Saint-Herblain;1000\n"  # the commune 44162
        "SAINT-DENIS;700\n",  # several communes bear the name: none is assumed
        encoding="utf-8",
    )
    result = import_file(store, path, funder=STATE)
    assert result.counts["partnerships"] == 2
    rows = store.select(
        "SELECT ?b ?n ?s WHERE { ?p eg:beneficiary ?b . ?b skos:prefLabel ?n ; eg:sector ?s }"
    )
    found = {r["n"].value: (r["b"].value, r["s"].value) for r in rows}
    public = concept_iri("sector", "public")
    assert found["Ville de Saint-Herblain"] == (f"{store.base_iri}actor/siren/214401622", public)
    assert found["SAINT-DENIS"][1] != public
    assert "/actor/siren/" not in found["SAINT-DENIS"][0]


def test_a_communes_name_says_nothing_of_what_its_grant_funds(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # «hôpital» is a health keyword; Neuilly-l'Hôpital (80) is a commune, its road works none
    path = tmp_path / "list.csv"
    path.write_text(
        "beneficiaire;descriptif;montant\n"
        "NEUILLY-L'HOPITAL;la réalisation de travaux d'aménagement sécuritaire;5000\n"
        "Association de l'Hôpital de jour;Fonctionnement;800\n",
        encoding="utf-8",
    )
    import_file(store, path, funder=STATE)
    rows = store.select(
        "SELECT ?n WHERE { ?p eg:beneficiary ?b ; eg:inferredDomain egdom:health . "
        "?b skos:prefLabel ?n }"
    )
    assert [r["n"].value for r in rows] == ["Association de l'Hôpital de jour"]


def test_a_header_saying_beneficiary_wins_and_file_order_settles_the_others(
    store,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    generic = tmp_path / "generic.csv"  # «Nom» first, «Structure» its kind: the name is «Nom»
    generic.write_text("Nom;Structure;Montant\nLes Amis du Lac;Association;300\n", "utf-8")
    import_file(store, generic, funder=STATE)
    named = tmp_path / "named.csv"  # «nom» is the proposer: «beneficiaire» says who receives
    named.write_text("nom;prenom;beneficiaire;montant\nMARTIN;Paul;Club Nautique;200\n", "utf-8")
    import_file(store, named, funder=STATE)
    names = {name for name, _ in _received(store)}
    assert names == {"Les Amis du Lac", "Club Nautique"}


def test_the_2013_reserve_imports_in_its_own_layout(store) -> None:  # type: ignore[no-untyped-def]
    # comma-separated, the beneficiary first, addresses on several lines and wrapped in
    # quotes of their own («"Cour de la Mairie\n86700 COUHE"»), the proposer's département
    path = FIXTURES / "reserve_parlementaire_2013_head.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    result = import_file(store, path, funder=STATE)
    assert not result.rejects and result.counts["partnerships"] == len(rows) == 138
    received = _received(store)
    assert sum(a for _, a in received if a is not None) == sum(Decimal(r["Montant"]) for r in rows)
    # «A Portée de Voix» and «A portée de Voix», neither placed, are one actor, for review
    assert {name_key(name) for name, _ in received} == {name_key(r["Bénéficiaire"]) for r in rows}
    assert [m.name for m in result.name_merges] == ["A portée de Voix"]
    # Couhé merged into Valence-en-Poitou (86082) in 2019
    assert store.ask(
        "ASK { ?a skos:prefLabel '2000 Danses'@fr ; eg:basedIn "
        "<https://w3id.org/ecograph/territory/commune/86082> }"
    )
    said = "\n".join(result.assumptions)
    assert "«COUHE» is a former commune" in said
