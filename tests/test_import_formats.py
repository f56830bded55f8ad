"""SCDL subsidies, SIRENE/ESS lists (excerpts of the real ess-numerique files) and RDF, safely."""

from __future__ import annotations

import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from ecograph.ingest.importer import ImportRefused, detect_format, import_file
from ecograph.ingest.readers import read_table
from ecograph.ingest.sirene import legal_form, naf_domain
from ecograph.namespaces import PREFIXES, actor_iri_for_siren, graph_iri

from .conftest import FIXTURES as ALL_FIXTURES

FIXTURES = Path(__file__).parent / "fixtures" / "import"


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reject files go to the current folder by default: keep them out of the checkout."""
    monkeypatch.chdir(tmp_path)


ESS = ALL_FIXTURES / "ess-numerique"
BASE = "https://w3id.org/ecograph/data/"


def _nantes_authority(store) -> None:
    """The territories graph's description of the commune of Nantes (enough to merge with)."""
    nantes = f"<{actor_iri_for_siren(BASE, '214401093')}>"
    turtle = f"""{nantes} a eg:LocalAuthority ; skos:prefLabel "Nantes"@fr ;
        eg:actorType egtype:commune ; eg:sector egsec:public ;
        eg:siren "214401093"^^eg:SIREN ; eg:basedIn egterr:commune\\/44109 ."""
    prefixes = "".join(f"@prefix {k}: <{v}> .\n" for k, v in PREFIXES.items())
    store.load(
        (prefixes + turtle).encode(),
        format=ox.RdfFormat.TURTLE,
        graph=graph_iri(BASE, "territories"),
    )


def test_scdl_rows_become_funding_partnerships(store, tmp_path) -> None:
    _nantes_authority(store)
    path = FIXTURES / "subventions_scdl.csv"
    assert detect_format(path, path.read_bytes(), table=read_table(path)) == "scdl"
    result = import_file(store, path)
    assert result.format == "scdl"
    # 6 rows: one TOTAL; a row repeated exactly is another grant (nothing real is lost)
    assert result.counts["partnerships"] == 5
    assert result.counts["rowsSkipped"] == 1
    rows = store.select("""SELECT ?funder ?beneficiary ?amount ?date WHERE {
        ?p eg:partnershipType egpt:funding ; eg:funder ?funder ; eg:beneficiary ?beneficiary ;
           eg:partner ?funder, ?beneficiary ; eg:amount ?amount ; eg:currency "EUR" .
        OPTIONAL { ?p schema:startDate ?date } } ORDER BY ?amount""")
    nantes = actor_iri_for_siren(BASE, "214401093")
    assert {r["funder"].value for r in rows} == {nantes}
    assert [(r["amount"].value, r["date"].value) for r in rows] == [
        ("800", "2019-09-15"),
        ("1234.56", "2019-06-15"),
        ("1234.56", "2019-06-15"),
        ("3000", "2019-09-15"),
        ("12500", "2019-03-01"),
    ]
    # the commune stays described by the territories graph: this source only makes it an actor
    graphs = store.select(
        "SELECT ?g ?p WHERE { VALUES ?a { UNDEF } GRAPH ?g { ?a ?p ?o } }",
        {"a": ox.NamedNode(nantes)},
    )
    assert {r["p"].value for r in graphs if "import" in r["g"].value} == {PREFIXES["rdf"] + "type"}
    restos = actor_iri_for_siren(BASE, "775671993")
    assert store.ask(
        "ASK { VALUES ?a { UNDEF } ?a a eg:Actor ; eg:siren '775671993'^^eg:SIREN ;"
        " eg:siret '77567199300019'^^eg:SIRET ; eg:actorType egtype:association }",
        {"a": ox.NamedNode(restos)},
    )
    assert store.ask(
        "ASK { ?a eg:rna 'W442001234'^^eg:RNA ; skos:prefLabel "
        "'Amicale Laïque Chantenay'@fr ; eg:actorType egtype:association }"
    )
    assert store.ask(
        "ASK { ?a skos:prefLabel 'Collectif des Jardins de Doulon'@fr ; "
        "eg:actorType egtype:network }"
    )
    assert any("SIRET cut to its SIREN" in a for a in result.assumptions)


def test_scdl_funders_and_beneficiaries_merge_with_actors_already_there(store, tmp_path) -> None:
    import_file(store, FIXTURES / "actors_cp1252.csv")
    result = import_file(store, FIXTURES / "subventions_scdl.csv")
    assert result.counts["actorsMerged"] == 1  # the Restos, by SIREN
    restos = actor_iri_for_siren(BASE, "775671993")
    names = store.select(
        "SELECT ?p ?n WHERE { VALUES ?a { UNDEF } ?a ?p ?n "
        "FILTER(isLiteral(?n) && lang(?n) = 'fr') }",
        {"a": ox.NamedNode(restos)},
    )
    assert {(r["p"].value, r["n"].value) for r in names if "skos" in r["p"].value} == {
        (PREFIXES["skos"] + "prefLabel", "Les Restos du Cœur – Loire"),
        (PREFIXES["skos"] + "altLabel", "RESTOS DU COEUR"),
    }


def test_the_ess_numerique_files_import(store) -> None:
    """The SIRENE ESS list, then the enriched list of the same SIRENs plus tiers-lieux: the
    second import merges what the first created (fixture counts in tests/fixtures/README.md)."""
    insee = import_file(store, ESS / "04_ess_flag_insee.csv")
    assert insee.format == "sirene" and insee.counts["rowsImported"] == 63
    assert insee.counts["actorsCreated"] == 63 and not insee.rejects
    enriched = import_file(store, ESS / "x_enriched.csv")
    assert enriched.format == "sirene" and enriched.counts["rowsRejected"] == 0
    assert (enriched.counts["actorsMerged"], enriched.counts["actorsCreated"]) == (63, 6)
    counts = {
        r["t"].value.rsplit("/", 1)[1]: int(r["n"].value)
        for r in store.select(
            "SELECT ?t (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a eg:Actor ; eg:actorType ?t } "
            "GROUP BY ?t"
        )
    }
    # By legal form (9220 association, 5458 SCOP); SIRENE's ESS flag makes the other
    # companies social enterprises.
    assert counts == {"association": 43, "scop": 4, "socialEnterprise": 19, "company": 3}
    assert sum(counts.values()) == len(store.select("SELECT DISTINCT ?a WHERE { ?a a eg:Actor }"))
    # leading zero kept (the first SIREN of the file is 062201199)
    assert store.ask("ASK { ?a eg:siren '062201199'^^eg:SIREN }")
    assert len(store.select("SELECT ?r WHERE { ?a eg:rna ?r }")) == 32


def test_legal_forms_give_type_and_sector() -> None:
    assert legal_form("9220")[1:] == ("association", "ess")
    assert legal_form("9300")[1:] == ("foundation", "ess")
    assert legal_form("5458")[1:] == ("scop", "ess")
    assert legal_form("5710")[1:] == ("company", "privateForProfit")
    assert legal_form("7210")[1:] == ("commune", "public")
    assert legal_form("7346")[1:] == ("epci", "public")
    assert legal_form("9999")[1:] == ("association", "ess")  # by its first digits
    assert naf_domain("88.91A") == "childhoodYouth" and naf_domain("62.01Z") is None


def test_sirene_company_flagged_ess_is_a_social_enterprise(store, tmp_path) -> None:
    path = tmp_path / "sirene.csv"
    path.write_text(
        "siren,denominationUniteLegale,categorieJuridiqueUniteLegale,"
        "activitePrincipaleUniteLegale,economieSocialeSolidaireUniteLegale\n"
        "100070044,TEAM MOVE,5710,88.99B,O\n100029172,[ND],9220,62.01Z,O\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportRefused, match=r"row 3, column «denominationUniteLegale».*no name"):
        import_file(store, path, rejects_path=tmp_path / "r.csv")
    result = import_file(store, path, keep_good_rows=True, rejects_path=tmp_path / "r.csv")
    assert result.counts["actorsCreated"] == 1
    assert store.ask(
        "ASK { ?a eg:siren '100070044'^^eg:SIREN ; "
        "eg:actorType egtype:socialEnterprise ; eg:sector egsec:ess ; "
        "eg:inferredWorksOn egdom:poverty ; eg:domainEvidence ?why . "
        "?why eg:matchedKeyword '88.99B' ; eg:matchedIn 'code NAF' }"
    )


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("actors.ttl", "Association Turtle"),
        ("actors.nt", "Association N-Triples"),
        ("actors.nq", "Acteur en quads"),
        ("actors.rdf", "Association RDF/XML"),
        ("actors_local_context.jsonld", "Association JSON-LD"),
    ],
)
def test_rdf_formats_import_into_one_graph(store, name: str, label: str) -> None:
    result = import_file(store, FIXTURES / name)
    assert result.format.startswith("rdf/")
    rows = store.select("SELECT ?g WHERE { GRAPH ?g { ?a a eg:Actor ; skos:prefLabel ?l } }")
    assert [r["g"].value for r in rows] == [result.graph]
    assert store.select("SELECT ?l WHERE { ?a skos:prefLabel ?l }")[0]["l"].value == label


def test_a_billion_laughs_file_is_refused_at_once(store) -> None:
    path = FIXTURES / "billion_laughs.rdf"
    assert path.stat().st_size < 1024
    started = time.perf_counter()
    with pytest.raises(
        ImportRefused,
        match=r"billion_laughs.rdf: this XML file declares "
        r"entities.*billion laughs",
    ):
        import_file(store, path)
    assert time.perf_counter() - started < 2 and len(store) == 0


def test_remote_jsonld_contexts_are_refused(store) -> None:
    with pytest.raises(ImportRefused, match=r"«https://schema\.org/» is remote"):
        import_file(store, FIXTURES / "actors_remote_context.jsonld")


def test_rdf_syntax_errors_give_the_line(store) -> None:
    with pytest.raises(ImportRefused, match=r"broken.ttl: not valid turtle — .*line 2"):
        import_file(store, FIXTURES / "broken.ttl")
    assert len(store) == 0
