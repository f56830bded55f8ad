"""Domains inferred on import, from the words of real grants (the Maine-et-Loire SCDL file):
kept apart from stated ones, explained, switched off on demand, and read by the queries,
``stats`` and the report."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from ecograph.cli import app
from ecograph.ingest.importer import ImportRefused, import_file
from ecograph.ingest.territories import load_territories
from ecograph.ontology import load_ontology
from ecograph.queries import find_query, run_query
from ecograph.stats import domain_counts
from ecograph.store import EmbeddedStore, open_store

from .conftest import write_whole_metrics

FIXTURES = Path(__file__).parent / "fixtures" / "import"
MAINE_ET_LOIRE = FIXTURES / "scdl_maine_et_loire.csv"

GRANTS_OF = """
SELECT ?grant ?domain WHERE {
  VALUES ?name { UNDEF }
  ?actor skos:prefLabel ?name .
  ?grant eg:beneficiary ?actor ; eg:inferredDomain ?domain .
}
"""
EVIDENCE = """
SELECT ?keyword ?place ?label ?via WHERE {
  VALUES ?subject { UNDEF }
  VALUES ?domain { UNDEF }
  ?subject eg:domainEvidence ?e .
  ?e a eg:DomainEvidence ; eg:evidenceFor ?domain ; eg:matchedKeyword ?keyword ;
     eg:matchedIn ?place ; rdfs:label ?label .
  FILTER(LANG(?label) = "fr")
  OPTIONAL { ?e eg:viaPartnership ?via }
}
"""
ACTOR = "SELECT ?a WHERE { VALUES ?name { UNDEF } ?a a eg:Actor ; skos:prefLabel ?name }"


def egdom(local: str) -> ox.NamedNode:
    return ox.NamedNode(f"https://w3id.org/ecograph/id/domain/{local}")


def rows_of(result) -> list[dict[str, object]]:
    """A library query's rows as dicts of term (None when unbound)."""
    return [dict(zip(result.variables, row, strict=True)) for row in result.rows]


def actor(store: EmbeddedStore, name: str) -> ox.NamedNode:
    rows = store.select(ACTOR, {"name": ox.Literal(name, language="fr")})
    assert len(rows) == 1, name
    return ox.NamedNode(rows[0]["a"].value)


def evidence(store: EmbeddedStore, subject: ox.NamedNode, domain: str) -> list[dict[str, str]]:
    rows = store.select(EVIDENCE, {"subject": subject, "domain": egdom(domain)})
    names = ("keyword", "place", "label", "via")
    return [{k: (r[k].value if r[k] is not None else "") for k in names} for r in rows]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ontology, territories and the Maine-et-Loire grants, with metrics, as a user has them."""
    path = tmp_path_factory.mktemp("domains") / "ws"
    with open_store(path) as store:
        load_ontology(store)
        load_territories(store)
        import_file(store, MAINE_ET_LOIRE)
        write_whole_metrics(store)
    return path


@pytest.fixture
def imported(workspace: Path):
    with open_store(workspace, read_only=True) as store:
        yield store


def test_a_grants_domains_come_from_its_object_with_the_keyword_that_gave_them(imported) -> None:
    name = ox.Literal("BANQUE ALIMENTAIRE DU MAINE-ET-LOIRE", language="fr")
    rows = imported.select(GRANTS_OF, {"name": name})
    grants = {r["grant"].value for r in rows}
    assert len(grants) == 2  # two grants, "aide alimentaire aux personnes en difficulté"
    assert {r["domain"].value for r in rows} == {egdom("food").value, egdom("poverty").value}
    found = evidence(imported, ox.NamedNode(sorted(grants)[0]), "food")
    assert found == [
        {
            "keyword": "aide alimentaire",
            "place": "objet",
            "label": "Alimentation : « aide alimentaire » dans l'objet de la subvention",
            "via": "",
        }
    ]


def test_a_beneficiary_takes_the_domain_its_grants_object_gives(imported) -> None:
    """SOS FEMMES's name says nothing; its grants' object («soutien à la parentalité») does,
    and the evidence names the grant."""
    sos = actor(imported, "SOS FEMMES")
    found = evidence(imported, sos, "childhoodYouth")
    assert len(found) == 1
    assert found[0]["place"] == "subvention reçue" and found[0]["keyword"] == "parentalité"
    assert found[0]["via"].startswith("https://w3id.org/ecograph/data/partnership/import/")
    assert imported.ask(
        "ASK { VALUES ?a { UNDEF } VALUES ?d { UNDEF } ?a eg:inferredWorksOn ?d }",
        {"a": sos, "d": egdom("childhoodYouth")},
    )


def test_an_actors_name_gives_its_domain(imported) -> None:
    club = actor(imported, "CHOLET BASKET")
    assert evidence(imported, club, "culture")[0]["place"] == "nom"


def test_inferred_domains_are_never_written_as_stated_ones(imported) -> None:
    assert imported.ask("ASK { ?p eg:inferredDomain ?d }")
    assert not imported.ask("ASK { ?p eg:domain ?d }")
    assert not imported.ask("ASK { ?a eg:worksOn ?d }")
    assert not imported.ask(  # a funder (the Département) is not classified by its name
        "ASK { ?a a eg:LocalAuthority ; eg:inferredWorksOn ?d }"
    )


def test_stats_count_stated_and_inferred_domains_apart(imported) -> None:
    counts = domain_counts(imported, lang="en")
    rows = dict(counts.rows)
    assert counts.columns[1] == "actors\ninferred"
    stated_actors, inferred_actors, stated_ties, inferred_ties = rows["Culture"]
    assert (stated_actors, stated_ties) == (0, 0)
    assert inferred_actors > 5 and inferred_ties > 10


def test_the_domain_queries_answer_on_real_grants_and_say_what_is_inferred(imported) -> None:
    result = run_query(
        imported,
        find_query("actors-and-projects-by-domain"),
        {"territory": "49", "lang": "fr"},
    )
    rows = {r["domain"].value.rsplit("/", 1)[1]: r for r in rows_of(result)}
    assert {"culture", "food", "environment", "migration"} <= set(rows)
    for row in rows.values():  # every one of these actors is there by inference
        assert row["actors"].value == row["inferredActors"].value
    pair = run_query(
        imported,
        find_query("actors-on-two-domains"),
        {
            "domainA": "https://w3id.org/ecograph/id/domain/food",
            "domainB": "https://w3id.org/ecograph/id/domain/poverty",
            "lang": "fr",
        },
    )
    assert {r["name"].value for r in rows_of(pair)} >= {"BANQUE ALIMENTAIRE DU MAINE-ET-LOIRE"}


def test_fact_provenance_says_why_a_grant_has_its_domain(imported) -> None:
    name = ox.Literal("BANQUE ALIMENTAIRE DU MAINE-ET-LOIRE", language="fr")
    grant = sorted(r["grant"].value for r in imported.select(GRANTS_OF, {"name": name}))[0]
    result = run_query(imported, find_query("fact-provenance"), {"subject": grant, "lang": "fr"})
    why = {
        r["objectLabel"].value
        for r in rows_of(result)
        if r["predicate"].value.endswith("#domainEvidence") and r["objectLabel"] is not None
    }
    assert "Alimentation : « aide alimentaire » dans l'objet de la subvention" in why


def test_a_domain_a_source_states_is_not_inferred_again(store, tmp_path: Path) -> None:
    table = tmp_path / "actors.csv"
    table.write_text("nom;type;domaines\nÉpicerie solidaire du Lac;association;poverty\n")
    import_file(store, table)
    epicerie = actor(store, "Épicerie solidaire du Lac")
    assert store.ask("ASK { VALUES ?a { UNDEF } ?a eg:worksOn egdom:poverty }", {"a": epicerie})
    inferred = {
        r["d"].value.rsplit("/", 1)[1]
        for r in store.select(
            "SELECT ?d WHERE { VALUES ?a { UNDEF } ?a eg:inferredWorksOn ?d }", {"a": epicerie}
        )
    }
    assert inferred == {"food"}  # «épicerie* solidaire*» says food and poverty; poverty stated


def test_inference_can_be_turned_off_and_is_part_of_the_sources_version(store) -> None:
    result = import_file(store, MAINE_ET_LOIRE, infer_domains=False)
    assert result.status == "imported"
    assert not store.ask("ASK { ?s eg:inferredDomain ?d }")
    assert not store.ask("ASK { ?s eg:inferredWorksOn ?d }")
    assert not store.ask("ASK { ?s eg:domainEvidence ?e }")
    with pytest.raises(ImportRefused, match=r"other domain rules.*--replace"):
        import_file(store, MAINE_ET_LOIRE)
    again = import_file(store, MAINE_ET_LOIRE, replace=True)
    assert again.status == "replaced" and store.ask("ASK { ?s eg:inferredDomain ?d }")


def test_the_import_command_turns_inference_off(tmp_path: Path) -> None:
    runner = CliRunner()
    store_path = str(tmp_path / "ws")
    done = runner.invoke(
        app,
        [
            "import",
            str(MAINE_ET_LOIRE),
            "--no-infer-domains",
            "--no-metrics",
            "--store",
            store_path,
        ],
    )
    assert done.exit_code == 0, done.output
    with open_store(Path(store_path), read_only=True) as store:
        assert store.ask("ASK { ?p eg:amount ?a }")
        assert not store.ask("ASK { ?s eg:inferredDomain|eg:inferredWorksOn ?d }")


def test_the_report_shows_funding_by_domain_and_what_is_inferred(workspace: Path) -> None:
    from ecograph.render.report import build_report
    from ecograph.render.report_page import render_html

    with open_store(workspace, read_only=True) as store:
        report = build_report(store, "49", lang="fr")
    by_domain = {row.key: row for row in report.funding_by_domain}
    assert by_domain["food"].grants == 4 and by_domain["food"].inferred == 4
    assert by_domain["food"].amount == pytest.approx(2 * 30000 + 2 * 28000)
    html = render_html(report)
    assert 'id="chart-funding-domains"' in html and 'id="table-funding-domains"' in html
    assert 'id="inferred-grants"' in html and 'id="inferred-actors"' in html


def test_domains_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    explained = runner.invoke(app, ["domains", "explain", "Aide au fonctionnement de l'EHPAD"])
    assert explained.exit_code == 0, explained.output
    assert "ageing" in explained.output and "ehpad" in explained.output
    evaluated = runner.invoke(app, ["domains", "evaluate"], env={"COLUMNS": "120"})
    assert evaluated.exit_code == 0, evaluated.output
    assert "test half" in evaluated.output and "Montpellier" in evaluated.output
    broken = tmp_path / "domains.ttl"
    broken.write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "<https://w3id.org/ecograph/id/domain/housing> "
        "skos:inScheme <https://w3id.org/ecograph/id/domain> ; skos:notation 'housing' ; "
        "skos:hiddenLabel 'lo*gement'@fr .\n"
    )
    refused = runner.invoke(app, ["domains", "explain", "--scheme", str(broken), "logement"])
    assert refused.exit_code == 2 and "a * may only end a word" in refused.output


def test_a_grant_that_says_nothing_takes_its_beneficiarys_known_domains(
    store, tmp_path: Path
) -> None:
    """A directory states that «ATAO» works on employment; a grant list names it by SIREN,
    with no object, and its name says nothing: the grant funds employment, and says why."""
    directory = tmp_path / "structures.csv"
    directory.write_text("nom;siren;domaines\nATAO;123456782;employment\n", encoding="utf-8")
    import_file(store, directory)
    grants = tmp_path / "subventions.csv"
    grants.write_text(
        "nomAttribuant;idAttribuant;dateConvention;nomBeneficiaire;idBeneficiaire;objet;montant\n"
        "Département de Loire-Atlantique;22440002800011;2019-05-01;ATAO;123456782;;15000\n"
        "Département de Loire-Atlantique;22440002800011;2019-06-01;ATAO;123456782;"
        "festival des mômes;2000\n",
        encoding="utf-8",
    )
    import_file(store, grants)
    rows = store.select(
        "SELECT ?grant ?domain ?place WHERE { ?grant eg:amount ?amount ; "
        "eg:inferredDomain ?domain ; eg:domainEvidence ?e . ?e eg:evidenceFor ?domain ; "
        "eg:matchedIn ?place }"
    )
    found = {(r["domain"].value.rsplit("/", 1)[1], r["place"].value) for r in rows}
    # the grant with an object keeps its own words' domain; the other takes the actor's
    assert ("employment", "bénéficiaire") in found
    assert ("culture", "objet") in found
    assert ("employment", "objet") not in found
