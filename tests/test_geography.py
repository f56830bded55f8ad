"""The one territory parser, and the places that take a territory from a user through it."""

from __future__ import annotations

import shlex
from pathlib import Path

import pyoxigraph as ox
import pytest

from ecograph.geography import (
    Territory,
    geography,
    name_key,
    parent_of,
    resolve_territory,
    split_territory_iri,
)
from ecograph.ingest.places import PlaceProblem, resolve_commune, territory_ref
from ecograph.namespaces import TERRITORY_BASE
from ecograph.queries import (
    PARAMETER_USAGE,
    Parameter,
    QueryError,
    find_query,
    parameter_term,
    run_query,
)
from ecograph.scope import Scope
from ecograph.store import EmbeddedStore

LOIRE_ATLANTIQUE = TERRITORY_BASE + "departement/44"


# ----------------------------------------------------------------------------- accepted forms
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("44", ("departement", "44")),
        (" 44 ", ("departement", "44")),
        ("2A", ("departement", "2A")),
        ("2a", ("departement", "2A")),
        ("974", ("departement", "974")),
        ("975", ("com", "975")),  # Saint-Pierre-et-Miquelon has no département
        ("departement/44", ("departement", "44")),
        ("epci/244400404", ("epci", "244400404")),
        ("244400404", ("epci", "244400404")),
        ("commune/44109", ("commune", "44109")),
        ("44109", ("commune", "44109")),
        ("region/52", ("region", "52")),
        ("com/975", ("com", "975")),
        ("arrondissement-municipal/75101", ("arrondissement-municipal", "75101")),
        ("75101", ("arrondissement-municipal", "75101")),
        (LOIRE_ATLANTIQUE, ("departement", "44")),
        (TERRITORY_BASE + "epci/244400404", ("epci", "244400404")),
        ("Nantes Métropole", ("epci", "244400404")),
        ("nantes metropole", ("epci", "244400404")),
        ("NANTES-MÉTROPOLE", ("epci", "244400404")),
        ("Loire-Atlantique", ("departement", "44")),
        ("loire atlantique", ("departement", "44")),
        ("Nantes", ("commune", "44109")),
        ("Pays de la Loire", ("region", "52")),
        ("Paris 1er Arrondissement", ("arrondissement-municipal", "75101")),
    ],
)
def test_every_accepted_form(text: str, expected: tuple[str, str]) -> None:
    place = resolve_territory(text)
    assert (place.level, place.code) == expected
    assert place.iri == TERRITORY_BASE + "/".join(expected)
    assert place.name and place.population


def test_names_and_populations_come_from_the_table() -> None:
    table = geography()
    assert resolve_territory("epci/244400404") == Territory(
        "epci", "244400404", "Nantes Métropole", table.epcis["244400404"][2]
    )
    loire_atlantique = resolve_territory("44")
    assert loire_atlantique.name == "Loire-Atlantique"
    assert loire_atlantique.population == sum(c.population or 0 for c in table.communes_in("44"))


def test_geography_is_read_once() -> None:
    assert geography() is geography()


def test_name_key_ignores_case_accents_hyphens_and_ligatures() -> None:
    assert name_key("Nantes Métropole") == name_key("nantes-metropole") == "nantes metropole"
    assert name_key("Œuvre  d'Ain") == "oeuvre d ain"


# ----------------------------------------------------------------------------- refusals
def test_a_shared_name_is_refused_with_its_candidates() -> None:
    with pytest.raises(ValueError, match="4 territories have this name") as refused:
        resolve_territory("Saint-Denis")
    for code in ("11339", "30247", "93066", "97411"):
        assert f"commune/{code} (Saint-Denis)" in str(refused.value)
    # a name shared across levels is as ambiguous: the département and the commune of Paris
    with pytest.raises(ValueError, match=r"departement/75 \(Paris\).*commune/75056 \(Paris\)"):
        resolve_territory("paris")


@pytest.mark.parametrize(
    ("text", "message", "closest"),
    [
        ("epci/999999999", "no EPCI has the code '999999999' in the 2026 geography", "epci/"),
        ("departement/99", "no département has the code '99'", "departement/9"),
        ("99", "no département has the code '99'", "departement/9"),
        ("epci/24440040", "no EPCI has the code '24440040'", "epci/244400404 (Nantes Métropole)"),
        ("commune/99999", "no commune has the code '99999'", "commune/"),
        ("region/99", "no région has the code '99'", "region/"),
        (
            "Nantes Metropolis",
            "no territory has this name in the 2026 geography",
            "epci/244400404 (Nantes Métropole)",
        ),
        ("Loire Atlantic", "no territory has this name", "departement/44 (Loire-Atlantique)"),
    ],
)
def test_unknown_codes_and_names_are_refused_with_the_closest(
    text: str, message: str, closest: str
) -> None:
    with pytest.raises(ValueError, match=f"territory {text!r}") as refused:
        resolve_territory(text)
    assert message in str(refused.value)
    assert f"closest: {closest}" in str(refused.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        (TERRITORY_BASE, "empty"),
        ("4", "a bare code has 2–3 characters"),
        ("1053", "a bare code has 2–3 characters"),
        ("canton/4401", "unknown level 'canton'"),
        ("http://example.org/departement/44", "not a territory IRI"),
        (TERRITORY_BASE + "canton/4401", "unknown level 'canton'"),
    ],
)
def test_malformed_text_is_refused_with_the_forms_to_write(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as refused:
        resolve_territory(text)
    assert "epci/244400404" in str(refused.value)


def test_split_territory_iri() -> None:
    assert split_territory_iri(TERRITORY_BASE + "epci/244400404") == ("epci", "244400404")
    with pytest.raises(ValueError, match="not a territory IRI"):
        split_territory_iri("https://example.org/epci/1")


# ----------------------------------------------------------------------------- parents
def test_parents() -> None:
    table = geography()
    nantes = resolve_territory("commune/44109", table=table)
    assert (parent_of(nantes, table=table).level, parent_of(nantes, table=table).code) == (
        "epci",
        "244400404",
    )
    island = next(c for c in table.communes.values() if not c.epci and c.departement == "85")
    assert (
        parent_of(resolve_territory(f"commune/{island.code}", table=table), table=table).code
        == "85"
    )
    # CC Usses et Rhône straddles Ain (01, 3,515 people) and Haute-Savoie (74, 18,389).
    assert parent_of(resolve_territory("epci/200070852", table=table), table=table).code == "74"
    assert parent_of(resolve_territory("44", table=table), table=table).code == "52"
    assert parent_of(resolve_territory("region/52", table=table), table=table).level == "france"
    assert parent_of(resolve_territory("75101", table=table), table=table) == resolve_territory(
        "commune/75056"
    )


# ----------------------------------------------------------------------------- its users
@pytest.mark.parametrize("text", ["44", "Loire-Atlantique", "departement/44", LOIRE_ATLANTIQUE])
def test_scope_reads_the_territory_with_the_parser(text: str) -> None:
    assert Scope(territory=text).to_filter().territory == LOIRE_ATLANTIQUE


def test_scope_refuses_an_unknown_territory() -> None:
    with pytest.raises(ValueError, match="no EPCI has the code '999999999'"):
        Scope(territory="epci/999999999").to_filter()


def test_import_territory_ref_checks_level_code_with_the_parser() -> None:
    assert territory_ref("epci/244400404") == TERRITORY_BASE + "epci/244400404"
    assert territory_ref(LOIRE_ATLANTIQUE) == LOIRE_ATLANTIQUE
    assert territory_ref("Saint-Denis (93)") == TERRITORY_BASE + "commune/93066"  # import's own
    with pytest.raises(PlaceProblem, match="closest: epci/244400404"):
        territory_ref("epci/24440040")


# ----------------------------------------------------------------------------- query parameters
def test_territory_parameter_binds_the_resolved_iri() -> None:
    parameter = Parameter("territory", "territory", "44", "a territory")
    for text in ("44", "departement/44", "Loire-Atlantique", LOIRE_ATLANTIQUE):
        assert parameter_term(parameter, text) == ox.NamedNode(LOIRE_ATLANTIQUE)
    with pytest.raises(QueryError, match="parameter 'territory': territory 'epci/999999999'"):
        parameter_term(parameter, "epci/999999999")


def test_library_territory_parameters_are_of_type_territory() -> None:
    from ecograph.queries import load_catalogue

    typed = {
        query.name: query.parameter("territory").type
        for query in load_catalogue().values()
        if any(p.name == "territory" for p in query.parameters)
    }
    assert "actors-in-territory" in typed
    assert set(typed.values()) == {"territory"}


def test_query_with_a_code_gives_the_rows_of_the_iri(sample_store: EmbeddedStore) -> None:
    query = find_query("actors-in-territory")
    by_code = run_query(sample_store, query, {"territory": "44"})
    by_iri = run_query(sample_store, query, {"territory": LOIRE_ATLANTIQUE, "lang": "fr"})
    assert by_code.rows and by_code.rows == by_iri.rows
    assert by_code.variables == by_iri.variables


def test_usage_shows_how_to_pass_parameters() -> None:
    assert "-p territory 44" in PARAMETER_USAGE
    usage = find_query("actors-in-territory").usage()
    assert usage == "ecograph query actors-in-territory -p territory commune/44143"
    assert find_query("search-actors-by-name").usage().endswith("-p text solidar")


def test_a_rq_file_without_header_runs_as_plain_sparql(
    tmp_path: Path, sample_store: EmbeddedStore
) -> None:
    path = tmp_path / "mine.rq"
    path.write_text(
        "PREFIX eg: <https://w3id.org/ecograph/ontology#>\n"
        "SELECT (COUNT(*) AS ?n) WHERE { ?a a eg:Actor }\n",
        encoding="utf-8",
    )
    query = find_query(str(path))
    assert (query.title, query.parameters) == ("mine.rq", ())
    assert query.usage() == f"ecograph query {shlex.quote(str(path))}"
    result = run_query(sample_store, query)
    assert result.variables == ["n"] and int(result.rows[0][0].value) > 0
    # a header that has begun must still be whole
    path.write_text("# title: Mine\nSELECT * WHERE { ?s ?p ?o }\n", encoding="utf-8")
    with pytest.raises(QueryError, match="description"):
        find_query(str(path))


@pytest.mark.parametrize(
    ("postcode", "town", "code"),
    [
        ("44000", "", "44109"),  # one commune behind the postcode
        ("44300", "NANTES", "44109"),  # one of a large town's several postcodes
        ("44800", "St Herblain", "44162"),  # La Poste's abbreviation spelt out
        ("44140", "Le Bignon", "44014"),  # a postcode several communes share
        ("93200", "SAINT DENIS", "93066"),  # a homonym settled by its postcode
        ("97400", "Saint-Denis", "97411"),
        ("75001", "Paris", "75056"),  # a town and its arrondissement: the town
    ],
)
def test_a_postal_address_gives_its_commune(postcode: str, town: str, code: str) -> None:
    found = geography().commune_at(postcode, town)
    assert found is not None and found.code == code


@pytest.mark.parametrize(
    ("postcode", "town"), [("44140", ""), ("99999", "Nantes"), ("44000", "Paris")]
)
def test_an_address_that_names_no_single_commune_gives_none(postcode: str, town: str) -> None:
    assert geography().commune_at(postcode, town) is None


@pytest.mark.parametrize(
    ("text", "postcode", "code", "said"),
    [
        ("Nantes", None, "44109", None),
        # delegated communes (INSEE, 2026): Vouvray-sur-Loir and Château-du-Loir are part of
        # Montval-sur-Loir (72071) since 2017; Cherré names one in 49 and one in 72
        ("72384", None, "72071", "code of a former commune (Vouvray-sur-Loir)"),
        ("CHATEAU DU LOIR", "72500", "72071", "former commune, now part of Montval-sur-Loir"),
        ("Cherré", "72400", "72080", "now part of Cherré-Au"),
        ("Cherré", "49330", "49080", "now part of Les Hauts-d'Anjou"),
        ("LE MANS CEDEX 2", "72016", "72181", "CEDEX address: read as «LE MANS»"),
        ("NANTES CEDEX", None, "44109", "CEDEX address"),
    ],
)
def test_addresses_name_merged_communes_and_cedex_towns(
    text: str, postcode: str | None, code: str, said: str | None
) -> None:
    iri, assumed = resolve_commune(text, postcode=postcode)
    assert iri.endswith(f"/commune/{code}")
    assert (assumed is None) if said is None else (said in (assumed or ""))


@pytest.mark.parametrize(
    "text",
    [
        "Cherré",  # two former communes of that name, and nothing to tell them apart
        "Saint-Denis",  # a current name shared by four communes: not read as a former one
        "Atlantis CEDEX",
    ],
)
def test_a_merged_or_cedex_name_that_is_not_one_commune_stays_refused(text: str) -> None:
    with pytest.raises(PlaceProblem):
        resolve_commune(text)


def test_the_table_keeps_the_merged_communes() -> None:
    former = geography().former_communes
    assert len(former) == 2576  # 2,105 delegated and 471 associated communes (COG 2026)
    assert former["72071"] == ("Château-du-Loir", "72071")
    assert all(current in geography().communes for _, current in former.values())
