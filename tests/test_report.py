"""The territorial report: figures worked out by hand on the query fixture, escaping, fr/en.

The fixture (tests/fixtures/queries/ecosystem.ttl, whose header is a cheat sheet) puts ten
actors in Nantes Métropole (EPCI 244400404): a01 a04 a09 a10 a13 in Nantes, a02 a03 a08 a14 in
Rezé, and the EPCI itself (LA1). The département adds LA2 and four actors in Saint-Nazaire.
Every number asserted below is derived in the comment next to it.
"""

from __future__ import annotations

import base64
import hashlib
import html.parser
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from markupsafe import escape
from typer.testing import CliRunner

from ecograph.cli import app
from ecograph.geography import geography, resolve_territory
from ecograph.network.projection import AUTHORITY_TYPES, ProjectionFilter, project
from ecograph.render import charts
from ecograph.render.report import (
    TerritoryReport,
    build_report,
    cut,
    report_territory,
)
from ecograph.render.report_page import print_pdf, render_html
from ecograph.render.report_text import LANGS, Formats, words
from ecograph.store import EmbeddedStore, open_store

ECOSYSTEM = Path(__file__).parent / "fixtures" / "queries" / "ecosystem.ttl"
NANTES_METROPOLE = "epci/244400404"
ACTOR = "https://w3id.org/ecograph/data/actor/"
SVG_PATH = "{http://www.w3.org/2000/svg}path"

HOSTILE = {
    "sector": "<img src=x onerror=alert(1)>",
    "domain": "<script>alert(2)</script>",
    "type": '"><svg onload=alert(3)>',
    "actor": "' onmouseover='alert(4)' <b>&amp;</b>",
    "actor2": "</title><script>alert(5)</script>",
    "ptype": "</td></tr></table><iframe srcdoc='<script>alert(6)</script>'>",
}

HOSTILE_TRIG = """
@prefix eg: <https://w3id.org/ecograph/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix g: <https://w3id.org/ecograph/data/graph/> .
g:ontology {{
  <https://w3id.org/ecograph/id/sector/hostile> skos:prefLabel {sector}@fr , {sector}@en .
  <https://w3id.org/ecograph/id/domain/hostile> skos:prefLabel {domain}@fr , {domain}@en ;
      skos:inScheme <https://w3id.org/ecograph/id/domain> .
  <https://w3id.org/ecograph/id/actor-type/hostile> skos:prefLabel {type}@fr , {type}@en .
  <https://w3id.org/ecograph/id/partnership-type/hostile> skos:prefLabel {ptype}@fr ,
      {ptype}@en .
}}
g:source-a {{
  <{actor}h1> a eg:Actor ; skos:prefLabel {actor_name}@fr ;
      eg:actorType <https://w3id.org/ecograph/id/actor-type/hostile> ;
      eg:sector <https://w3id.org/ecograph/id/sector/hostile> ;
      eg:basedIn <https://w3id.org/ecograph/territory/commune/44109> ;
      eg:worksOn <https://w3id.org/ecograph/id/domain/hostile> .
  <{actor}h2> a eg:Actor ; skos:prefLabel {actor2_name}@fr ;
      eg:actorType <https://w3id.org/ecograph/id/actor-type/association> ;
      eg:sector <https://w3id.org/ecograph/id/sector/ess> ;
      eg:basedIn <https://w3id.org/ecograph/territory/commune/44109> ;
      eg:worksOn <https://w3id.org/ecograph/id/domain/hostile> .
  <https://w3id.org/ecograph/data/partnership/h1> a eg:Partnership ;
      eg:partnershipType <https://w3id.org/ecograph/id/partnership-type/hostile> ;
      eg:partner <{actor}h1> , <{actor}a01> ;
      eg:domain <https://w3id.org/ecograph/id/domain/hostile> .
  <https://w3id.org/ecograph/data/partnership/h2> a eg:Partnership ;
      eg:partnershipType <https://w3id.org/ecograph/id/partnership-type/funding> ;
      eg:partner <{actor}h2> , <{actor}h1> ; eg:funder <{actor}h2> ;
      eg:beneficiary <{actor}h1> ; eg:amount 1000.0 .
  <https://w3id.org/ecograph/data/partnership/h3> a eg:Partnership ;
      eg:partnershipType <https://w3id.org/ecograph/id/partnership-type/coConstruction> ;
      eg:partner <{actor}h2> , <{actor}a10> .
}}
"""


def fixture_quads() -> list[ox.Quad]:
    """The query fixture: ontology extract, territories extract, two sources."""
    return list(ox.parse(path=ECOSYSTEM, format=ox.RdfFormat.TRIG))


def hostile_quads() -> list[ox.Quad]:
    """Labels and names written to run script if pasted into HTML or SVG unescaped."""

    def literal(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    text = HOSTILE_TRIG.format(
        actor=ACTOR,
        sector=literal(HOSTILE["sector"]),
        domain=literal(HOSTILE["domain"]),
        type=literal(HOSTILE["type"]),
        ptype=literal(HOSTILE["ptype"]),
        actor_name=literal(HOSTILE["actor"]),
        actor2_name=literal(HOSTILE["actor2"]),
    )
    return list(ox.parse(text, format=ox.RdfFormat.TRIG))


def hostile_report(folder: Path, lang: str = "fr") -> TerritoryReport:
    """The Nantes Métropole report of the fixture plus the hostile actors and labels."""
    with open_store(folder) as store:
        store.add(fixture_quads() + hostile_quads())
        return build_report(store, NANTES_METROPOLE, lang=lang)


@pytest.fixture(scope="module")
def ecosystem(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    with open_store(tmp_path_factory.mktemp("report") / "ws") as store:
        store.add(fixture_quads())
        yield store


@pytest.fixture(scope="module")
def nantes(ecosystem: EmbeddedStore) -> TerritoryReport:
    return build_report(ecosystem, NANTES_METROPOLE, lang="fr")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> TerritoryReport:
    return hostile_report(tmp_path_factory.mktemp("hostile") / "ws")


def _by_key(rows: list) -> dict[str, int]:
    return {row.key: row.count for row in rows}


# ----------------------------------------------------------------------------- territories
# Every form a user may type is tested once, in test_geography.py; here, what the report adds.
@pytest.mark.parametrize(
    ("text", "level"), [("975", "com"), ("arrondissement-municipal/75101", "arrondissement")]
)
def test_report_refuses_levels_it_has_no_parent_rule_for(text: str, level: str) -> None:
    with pytest.raises(ValueError, match=f"is {level}.*a report covers a commune"):
        report_territory(text)


def test_report_reads_territories_with_the_one_parser() -> None:
    assert report_territory("Nantes Métropole") == resolve_territory("epci/244400404")
    with pytest.raises(ValueError, match="no EPCI has the code '999999999'"):
        report_territory("epci/999999999")


def test_cut_is_the_filtered_projection(ecosystem: EmbeddedStore) -> None:
    """Cutting the whole projection gives exactly what projecting with the filter gives."""
    table = geography()
    full = project(ecosystem, ProjectionFilter(), table=table)
    for text in (NANTES_METROPOLE, "44", "commune/44143", "region/52"):
        place = resolve_territory(text, table=table)
        mine = cut(full, place)
        theirs = project(ecosystem, ProjectionFilter(territory=place.iri), table=table)
        for name in ("collaboration", "bipartite", "funding"):
            a, b = getattr(mine, name), getattr(theirs, name)
            assert list(a.nodes(data=True)) == list(b.nodes(data=True)), (text, name)
            assert list(a.edges(data=True)) == list(b.edges(data=True)), (text, name)
        assert sorted(mine.contexts) == sorted(theirs.contexts)


ACROSS_TRIG = """
@prefix eg: <https://w3id.org/ecograph/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix kind: <https://w3id.org/ecograph/id/actor-type/> .
@prefix sector: <https://w3id.org/ecograph/id/sector/> .
@prefix ptype: <https://w3id.org/ecograph/id/partnership-type/> .
@prefix actor: <https://w3id.org/ecograph/data/actor/> .
@prefix place: <https://w3id.org/ecograph/territory/commune/> .
<https://w3id.org/ecograph/data/graph/across> {
  actor:x44 a eg:Actor ; skos:prefLabel "Ancenis side"@fr ; eg:actorType kind:association ;
      eg:sector sector:ess ; eg:basedIn place:44003 .
  actor:x49 a eg:Actor ; skos:prefLabel "Maine-et-Loire side"@fr ;
      eg:actorType kind:association ; eg:sector sector:ess ; eg:basedIn place:49160 .
  actor:paris a eg:Actor ; skos:prefLabel "A Paris foundation"@fr ;
      eg:actorType kind:foundation ; eg:sector sector:privateNonProfit ;
      eg:basedIn place:75056 .
  <https://w3id.org/ecograph/data/partnership/x1> a eg:Partnership ;
      eg:partnershipType ptype:funding ; eg:partner actor:paris , actor:x44 ;
      eg:funder actor:paris ; eg:beneficiary actor:x44 ; eg:amount 5000.0 .
  <https://w3id.org/ecograph/data/partnership/x2> a eg:Partnership ;
      eg:partnershipType ptype:coConstruction ; eg:partner actor:x44 , actor:x49 .
}
"""


def test_the_report_projects_the_parent_and_keeps_partners_from_elsewhere(
    tmp_path: Path,
) -> None:
    """A report projects its parent territory, not France: the figures are still those of the
    whole store's cut. An EPCI across two départements (244400552: Loire-Atlantique and
    Maine-et-Loire) keeps its actors on both sides, and a funder from Paris keeps its sector."""
    table = geography()
    with open_store(tmp_path / "ws") as store:
        store.add(fixture_quads() + list(ox.parse(ACROSS_TRIG, format=ox.RdfFormat.TRIG)))
        whole = project(store, ProjectionFilter(), table=table)
        for text in ("epci/244400552", "44", "commune/44003", NANTES_METROPOLE):
            report = build_report(store, text, table=table)
            expected = cut(whole, report.territory)
            mine = report.projection
            assert list(mine.collaboration.nodes(data=True)) == list(
                expected.collaboration.nodes(data=True)
            ), text
            assert list(mine.collaboration.edges(data=True)) == list(
                expected.collaboration.edges(data=True)
            ), text
            assert sorted(mine.contexts) == sorted(expected.contexts), text
        across = build_report(store, "epci/244400552", table=table)
        assert across.here.actors == 2 and across.here.ties == 1
        flows = {(f.funder_sector, f.beneficiary_sector): f.amount for f in across.funding}
        assert flows == {("privateNonProfit", "ess"): 5000.0}
        # Loire-Atlantique is projected within its région: Paris is a partner from elsewhere
        departement = build_report(store, "44", table=table)
        assert all(f.funder_sector and f.beneficiary_sector for f in departement.funding)
        assert "privateNonProfit" in {f.funder_sector for f in departement.funding}


# ----------------------------------------------------------------------------- figures
def test_actor_counts(nantes: TerritoryReport) -> None:
    assert nantes.here.actors == 10
    # ess: a01 a02 a03 a04 a10 a14; one each of civil society (a08), academic (a09),
    # private for-profit (a13) and public (LA1).
    assert _by_key(nantes.actors_by_sector) == {
        "ess": 6,
        "civilSociety": 1,
        "academic": 1,
        "privateForProfit": 1,
        "public": 1,
    }
    assert nantes.actors_by_sector[0].label == "Économie sociale et solidaire"
    # associations a01 a02 a03 a14; the others are one of a kind.
    assert _by_key(nantes.actors_by_type) == {
        "association": 4,
        "foundation": 1,
        "citizenCollective": 1,
        "researchEducation": 1,
        "scic": 1,
        "company": 1,
        "epci": 1,
    }
    # poverty: a01 a03 a04 a09 LA1; housing: a01 a02 a08 LA1; food: a03 a08 a14;
    # digital inclusion: a09 a10 a13; employment: a04.
    assert _by_key(nantes.actors_by_domain) == {
        "poverty": 5,
        "housing": 4,
        "food": 3,
        "digitalInclusion": 3,
        "employment": 1,
    }
    # Nantes five, Rezé four; the EPCI authority is based at the EPCI itself.
    assert [(r.key, r.label, r.count) for r in nantes.actors_by_sub_territory] == [
        ("44109", "Nantes", 5),
        ("44143", "Rezé", 4),
        ("", "à l'échelle du territoire", 1),
    ]
    assert nantes.sub_level == "commune"


def test_partnerships_and_funding(nantes: TerritoryReport) -> None:
    # Touching the EPCI: t01–t04, t06–t09, t12–t14 (t05, t10, t11 are elsewhere).
    assert _by_key(nantes.partnerships_by_type) == {
        "funding": 7,
        "coConstruction": 1,
        "inKind": 1,
        "research": 1,
        "serviceDelivery": 1,
    }
    assert nantes.partnerships == 11
    assert nantes.projects == 3  # p1 p2 p3; p4 is in Saint-Nazaire and Angers
    # public → ess: t01 20,000 + t02 15,000 (recorded twice, counted once) + t06 10,000;
    # ess → ess: t03 8,000 + t04 5,000.50; ess → civil society: t14 3,000 (a12 in Angers).
    assert [
        (f.funder_sector, f.beneficiary_sector, f.partnerships, f.amount) for f in nantes.funding
    ] == [
        ("public", "ess", 3, 45000.0),
        ("ess", "ess", 2, 13000.5),
        ("ess", "civilSociety", 1, 3000.0),
    ]
    assert nantes.funding_total == 61000.5
    assert nantes.funding_without_amount == 1  # t13


def test_cross_sector_against_the_parent(nantes: TerritoryReport) -> None:
    # Ten ties inside the EPCI: LA1–a01, LA1–a02, a01–a02, a01–a04, a01–a08, a02–a08, a03–a04,
    # a09–a10, a09–a13, a10–a13. Same sector: a01–a02, a01–a04, a03–a04 → 7 cross.
    here = nantes.here
    assert (here.ties, here.cross_sector_ties) == (10, 7)
    assert here.cross_sector_share == pytest.approx(0.7)
    assert here.ei_index == pytest.approx(0.4)
    # Loire-Atlantique adds LA2–a01, LA2–a06, LA2–a08, a05–a06, a03–a07 (all cross) and
    # a06–a15 (ess–ess): 16 ties, 12 cross.
    there = nantes.there
    assert there.territory.code == "44"
    assert (there.actors, there.ties, there.cross_sector_ties) == (15, 16, 12)
    assert there.cross_sector_share == pytest.approx(0.75)
    assert there.ei_index == pytest.approx(0.5)
    ess = next(row for row in nantes.sector_rows if row.sector == "ess")
    # ess ties in the EPCI: 9, three inside ess → (6 − 3) / 9; in the département 14 and 4.
    assert ess.ei_index == pytest.approx(1 / 3)
    assert (ess.actors, ess.parent_actors) == (6, 8)
    assert ess.parent_ei_index == pytest.approx(6 / 14)


def test_mixing_matrix(nantes: TerritoryReport) -> None:
    assert [key for key, _ in nantes.sectors] == [
        "public",
        "privateForProfit",
        "ess",
        "civilSociety",
        "academic",
    ]
    # Rows in that order; the diagonal counts each same-sector tie once.
    assert nantes.mixing_ties == [
        [0, 0, 2, 0, 0],
        [0, 0, 1, 0, 1],
        [2, 1, 3, 2, 1],
        [0, 0, 2, 0, 0],
        [0, 1, 1, 0, 0],
    ]
    assert nantes.mixing_shares[2] == pytest.approx([2 / 9, 1 / 9, 3 / 9, 2 / 9, 1 / 9])


def test_brokers(nantes: TerritoryReport) -> None:
    # Component LA1 a01 a02 a03 a04 a08: a04 is on the 4 paths from a03; a01 on the 6 paths
    # from a03/a04 to LA1, a02, a08 and on one of the two LA1–a08 paths; a02 on the other.
    # Normalised by (n−1)(n−2)/2 = 36.
    assert [(b.actor.rsplit("/", 1)[-1], b.betweenness) for b in nantes.brokers] == [
        ("a01", pytest.approx(6.5 / 36)),
        ("a04", pytest.approx(4 / 36)),
        ("a02", pytest.approx(0.5 / 36)),
    ]
    assert nantes.brokers[0].commune == "Nantes"
    assert nantes.brokers[0].type_label == "Association"


def test_gaps(nantes: TerritoryReport) -> None:
    # Tied sector pairs: public–ess, ess–ess, ess–civil, academic–ess, private–ess,
    # academic–private. The five other pairs of the five sectors present never meet.
    assert set(nantes.sector_gaps) == {
        ("Enseignement et recherche", "Société civile", 1, 1),
        ("Enseignement et recherche", "Secteur public", 1, 1),
        ("Société civile", "Secteur privé lucratif", 1, 1),
        ("Société civile", "Secteur public", 1, 1),
        ("Secteur privé lucratif", "Secteur public", 1, 1),
    }
    # Public partners only in poverty (t06) and housing (t02); a private one only in digital
    # inclusion (a13 in t12 and p3).
    assert [(domain, missing, n) for domain, missing, _, n in nantes.domain_gaps] == [
        ("Inclusion numérique", "public", 3),
        ("Emploi et insertion", "privateForProfit", 1),
        ("Emploi et insertion", "public", 1),
        ("Alimentation", "privateForProfit", 3),
        ("Alimentation", "public", 3),
        ("Logement", "privateForProfit", 4),
        ("Pauvreté et précarité", "privateForProfit", 5),
    ]
    assert (nantes.isolated, nantes.peripheral) == (1, 1)  # a14 has no tie, a03 one


def test_suggestions_are_untied_pairs_with_reasons(nantes: TerritoryReport) -> None:
    G = nantes.projection.collaboration
    assert nantes.suggestions
    for s in nantes.suggestions:
        assert not G.has_edge(s.actor_a, s.actor_b)
        assert s.explanation.startswith("Les deux ") and s.name_a and s.name_b


def test_commune_report_compares_with_its_epci(ecosystem: EmbeddedStore) -> None:
    reze = build_report(ecosystem, "commune/44143", lang="en")
    # a02 a03 a08 a14; ties a02–a08 only (a01, a04 are in Nantes).
    assert (reze.here.actors, reze.here.ties, reze.here.cross_sector_ties) == (4, 1, 1)
    assert reze.parent.code == "244400404" and reze.there.ties == 10
    assert reze.sub_level is None and reze.actors_by_sub_territory == []
    assert reze.actors_by_sector[0].label == "Social and solidarity economy"


def test_departement_report_breaks_down_by_epci(ecosystem: EmbeddedStore) -> None:
    report = build_report(ecosystem, "44")
    counts = _by_key(report.actors_by_sub_territory)
    # Saint-Nazaire is in the CARENE (244400644) in the 2026 geography; LA2 is départemental.
    assert counts == {"244400404": 10, "244400644": 4, "": 1}
    assert report.parent.code == "52"


@pytest.mark.parametrize("lang", LANGS)
def test_territory_without_actors(ecosystem: EmbeddedStore, lang: str) -> None:
    """Paris has no actor in the fixture: the report says so in one paragraph, and writes
    none of the empty sections."""
    report = build_report(ecosystem, "commune/75056", lang=lang)
    assert (report.here.actors, report.here.ties, report.here.cross_sector_share) == (0, 0, None)
    assert report.brokers == [] and report.suggestions == [] and report.empty
    page = render_html(report)
    w = words(lang)
    assert f'<p class="empty" id="empty">{escape(w["empty"])}</p>' in page
    assert w["title"].format(name="Paris") in page
    for section in ("summary", "actors", "mixing", "brokers", "gaps", "suggestions", "map"):
        assert f'id="{section}"' not in page
    assert w["mixing.empty"] not in page and w["brokers.none"] not in page
    assert "<nav" not in page and "<svg" not in page
    assert w["method"] not in page  # no method for figures that were not computed


def test_a_territory_with_actors_is_not_called_empty(nantes: TerritoryReport) -> None:
    page = render_html(nantes)
    assert not nantes.empty and 'id="empty"' not in page and 'id="summary"' in page


def test_report_command_says_a_territory_has_no_actors(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    with open_store(folder) as store:
        store.add(fixture_quads())
    out = tmp_path / "paris.html"
    result = CliRunner().invoke(
        app,
        ["--store", str(folder), "report", "--territory", "commune/75056", "--out", str(out)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stdout
    assert "No actor is based in Paris" in result.stdout
    assert escape(words("fr")["empty"]) in out.read_text(encoding="utf-8")


def test_report_command_says_when_the_territories_are_not_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A grant file imported into a workspace without the geography: its actors are placed
    through the territories, so the report is empty, and says what to run."""
    from ecograph.ingest.importer import import_file

    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "ws"
    grants = Path(__file__).parent / "fixtures" / "import" / "scdl_vendee_2017_excerpt.csv"
    with open_store(folder) as store:
        import_file(store, grants)
    result = CliRunner().invoke(
        app,
        ["--store", str(folder), "report", "--territory", "85", "--out", str(tmp_path / "r.html")],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stdout
    said = " ".join(result.stdout.split())
    assert "No actor is based in Vendée" in said and "run `ecograph territories`" in said
    mapped = CliRunner().invoke(
        app,
        ["--store", str(folder), "map", "--territory", "85", "--out", str(tmp_path / "m.html")],
        catch_exceptions=False,
    )
    assert mapped.exit_code == 0 and "run `ecograph territories`" in " ".join(mapped.stdout.split())


# ----------------------------------------------------------------------------- the sample
def _header(page: str) -> str:
    return page[page.index("<header>") : page.index("</header>")]


@pytest.mark.parametrize("lang", LANGS)
def test_a_report_on_the_sample_says_its_actors_are_fictional(
    sample_store: EmbeddedStore, lang: str
) -> None:
    report = build_report(sample_store, "epci/244400404", lang=lang, top=3)
    assert report.here.actors > 0 and report.fictional_actors > 0
    # what is not made up is the real local authorities the sample ties (territories graph)
    G = report.projection.collaboration
    real = report.here.actors - report.fictional_actors
    assert real == sum(G.nodes[n]["actor_type"] in AUTHORITY_TYPES for n in G)
    assert [c.origin.reference for c in report.origins if not c.origin.fictional] == [True]
    header = _header(render_html(report))
    assert escape(words(lang)["fictional.all"]) in header
    other = "en" if lang == "fr" else "fr"
    assert escape(words(other)["fictional.all"]) not in header


def test_a_report_on_real_data_does_not_call_it_fictional(nantes: TerritoryReport) -> None:
    assert nantes.fictional_actors == 0
    page = render_html(nantes)
    assert 'id="fictional"' not in page
    assert all(escape(words(lang)["fictional.all"]) not in page for lang in LANGS)


def test_sample_actors_are_told_apart_by_their_graph(tmp_path: Path) -> None:
    """Imported actors beside the sample: the report counts only the sample's as fictional,
    by the graph they come from (the fixture's actors are in graph/source-a and -b)."""
    from ecograph.sample import fictional_actors, load_sample

    with open_store(tmp_path / "ws") as store:
        store.add(fixture_quads())
        load_sample(store)
        made_up = fictional_actors(store)
        report = build_report(store, NANTES_METROPOLE, lang="en", top=3)
    real = {ACTOR + f"a{n:02d}" for n in range(1, 15)}
    assert made_up and not made_up & real
    in_report = set(report.projection.collaboration)
    assert report.fictional_actors == len(in_report & made_up)
    assert 0 < report.fictional_actors < report.here.actors
    header = _header(render_html(report))
    expected = words("en")["fictional.some"].format(
        n=report.fictional_actors, total=report.here.actors
    )
    assert escape(expected) in header


UNPLACED_TRIG = """
@prefix eg: <https://w3id.org/ecograph/ontology#> .
@prefix egpt: <https://w3id.org/ecograph/id/partnership-type/> .
@prefix egtype: <https://w3id.org/ecograph/id/actor-type/> .
@prefix egsec: <https://w3id.org/ecograph/id/sector/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix a: <https://w3id.org/ecograph/data/actor/> .
@prefix p: <https://w3id.org/ecograph/data/partnership/> .
@prefix g: <https://w3id.org/ecograph/data/graph/> .
g:import\\/grants {
  g:import\\/grants a eg:SourceGraph ; dcterms:title "Import of grants.csv"@en ;
      dcterms:source "grants.csv" .
  a:u1 a eg:Actor ; skos:prefLabel "Funded by Nantes Métropole"@fr ;
      eg:actorType egtype:association ; eg:sector egsec:ess .
  a:u2 a eg:Actor ; skos:prefLabel "Funded by an association"@fr ;
      eg:actorType egtype:association ; eg:sector egsec:ess .
  a:u3 a eg:Actor ; skos:prefLabel "Funded by the département"@fr ;
      eg:actorType egtype:association ; eg:sector egsec:ess .
  a:siren\\/244400404 a eg:Actor .
  a:authority\\/departement\\/44 a eg:Actor .
  p:g1 a eg:Partnership ; eg:partnershipType egpt:funding ; eg:amount 500.0 ;
      eg:partner a:siren\\/244400404 , a:u1 ;
      eg:funder a:siren\\/244400404 ; eg:beneficiary a:u1 .
  p:g2 a eg:Partnership ; eg:partnershipType egpt:funding ;
      eg:partner a:a01 , a:u2 ; eg:funder a:a01 ; eg:beneficiary a:u2 .
  p:g3 a eg:Partnership ; eg:partnershipType egpt:funding ;
      eg:partner a:authority\\/departement\\/44 , a:u3 ;
      eg:funder a:authority\\/departement\\/44 ; eg:beneficiary a:u3 .
}
"""


@pytest.fixture(scope="module")
def with_unplaced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    """The fixture plus a grants file naming three beneficiaries without an address."""
    with open_store(tmp_path_factory.mktemp("unplaced") / "ws") as store:
        store.add(fixture_quads() + list(ox.parse(UNPLACED_TRIG, format=ox.RdfFormat.TRIG)))
        yield store


def test_beneficiaries_of_unknown_place_join_their_funding_authoritys_territory(
    with_unplaced: EmbeddedStore,
) -> None:
    """u1 is funded by Nantes Métropole (an authority of the EPCI), u3 by the département,
    u2 by an association: only an authority's grant ties a placeless actor to a territory,
    and the filtered projection agrees with the report's cut."""
    epci = build_report(with_unplaced, NANTES_METROPOLE, lang="en", top=3)
    inside = set(epci.projection.collaboration)
    assert ACTOR + "u1" in inside
    assert not {ACTOR + "u2", ACTOR + "u3"} & inside
    assert epci.unplaced == 1
    departement = build_report(with_unplaced, "44", lang="fr", top=3)
    inside = set(departement.projection.collaboration)
    assert {ACTOR + "u1", ACTOR + "u3"} <= inside  # the EPCI's authority is in 44 too
    assert ACTOR + "u2" not in inside
    assert departement.unplaced == 2
    assert _by_key(departement.actors_by_sub_territory)["?"] == 2
    names = {row.key: row.label for row in departement.actors_by_sub_territory}
    assert names["?"] == words("fr")["unknown_place"]
    filtered = project(
        with_unplaced, ProjectionFilter(territory=resolve_territory("44").iri)
    ).collaboration
    assert set(filtered) == inside
    page = render_html(departement)
    assert 'id="unplaced"' in page and "2 de ces acteurs" in page


def test_origins_say_which_actors_are_real_and_from_which_file(
    with_unplaced: EmbeddedStore,
) -> None:
    report = build_report(with_unplaced, "44", lang="fr", top=3)
    counts = {c.origin.label: c.actors for c in report.origins}
    # every actor once: u1, u3 and the two authorities come from grants.csv (an import
    # graph is preferred), the fixture's others from its two source graphs
    assert sum(counts.values()) == report.here.actors
    assert counts["réel — grants.csv"] == 4
    assert all(not c.origin.fictional for c in report.origins)
    header = _header(render_html(report))
    assert 'id="origins"' in header and "réel — grants.csv" in header


def test_a_sample_authority_a_real_source_states_is_real(tmp_path: Path) -> None:
    """The sample ties real local authorities; the territories graph states them too, so
    they are not counted among the made-up actors."""
    from ecograph.render.origins import actor_origins, count_origins
    from ecograph.sample import fictional_actors, load_sample

    nantes_metropole = "https://w3id.org/ecograph/data/actor/siren/244400404"
    with open_store(tmp_path / "ws") as store:
        load_sample(store)
        before = fictional_actors(store)
        assert nantes_metropole in before
        store.add(
            [
                ox.Quad(
                    ox.NamedNode(nantes_metropole),
                    ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                    ox.NamedNode("https://w3id.org/ecograph/ontology#LocalAuthority"),
                    ox.NamedNode("https://w3id.org/ecograph/data/graph/territories"),
                )
            ]
        )
        made_up = fictional_actors(store)
        assert made_up == before - {nantes_metropole}
        full = project(store)
        counts = count_origins(
            (data for _, data in full.collaboration.nodes(data=True)), actor_origins(store)
        )
    fictional = [c for c in counts if c.origin.fictional]
    assert len(fictional) == 1 and fictional[0].actors == len(made_up)
    assert sum(c.actors for c in counts) == full.collaboration.number_of_nodes()


def test_an_epci_report_maps_actors_per_inhabitant_by_commune(nantes: TerritoryReport) -> None:
    """The choropleth: one shape per commune of Nantes Métropole (24), each with its figure
    in the table beside it; a commune without an actor is white and said so."""
    page = render_html(nantes)
    svg = re.search(r'<div class="chart-box" id="chart-density">(.*?)</div>', page, re.S)
    assert svg is not None
    root = ET.fromstring(svg.group(1))
    shapes = root.findall(SVG_PATH)
    members = geography().communes_by_epci["244400404"]
    assert len(shapes) == len(members) == 24
    assert all(shape.get("d", "").rstrip().endswith("Z") for shape in shapes)  # closed rings
    titles = [shape.find("{http://www.w3.org/2000/svg}title").text for shape in shapes]
    nantes_title = next(t for t in titles if t.startswith("Nantes :"))
    assert "aucun acteur" not in nantes_title  # 5 actors for 323,000 inhabitants
    white = [s for s in shapes if s.get("fill") == "#ffffff"]
    assert white and all(
        "aucun acteur" in s.find("{http://www.w3.org/2000/svg}title").text for s in white
    )
    rows = re.findall(
        r"<tr><td>(.*?)</td>", page.split('id="table-density"')[1].split("</table>")[0]
    )
    assert len(rows) == 24 and "Nantes" in rows


def test_an_epci_report_maps_funding_received_per_inhabitant(nantes: TerritoryReport) -> None:
    """From the fixture's header: Nantes's a01 receives t01 20,000 + t03 8,000 + t06 10,000
    = 38,000 €; Rezé's a02 15,000 (t02) and a03 5,000.50 (t04), a08's t13 has no amount."""
    page = render_html(nantes)
    block = page.split('id="table-funding"')[1].split("</table>")[0]
    rows = {
        name: amount
        for name, amount in re.findall(r'<tr><td>(.*?)</td><td class="num">(.*?)</td>', block)
    }
    assert len(rows) == 24
    assert rows["Nantes"].replace("\u202f", " ").startswith("38 000")
    assert rows["Rezé"].replace("\u202f", " ").startswith("20 000")
    svg = re.search(r'<div class="chart-box" id="chart-funding">(.*?)</div>', page, re.S)
    assert svg is not None and len(ET.fromstring(svg.group(1)).findall(SVG_PATH)) == 24


def test_an_epci_report_maps_where_a_social_domain_has_no_actor(nantes: TerritoryReport) -> None:
    """The third choropleth: the communes without an actor in the social domain that leaves
    the most inhabitants out, shaded by population, and one line per domain. Checked against
    the actors' own domains and communes."""
    page = render_html(nantes)
    members = geography().communes_by_epci["244400404"]
    people = {c.code: c.population or 0 for c in members}
    with_actor: dict[str, set[str]] = {}
    for _, data in nantes.projection.collaboration.nodes(data=True):
        for domain in str(data.get("domains") or "").split():
            with_actor.setdefault(domain, set()).add(str(data.get("commune") or ""))

    def left_out(domain: str) -> tuple[int, int]:
        codes = [c for c in people if c not in with_actor.get(domain, set()) and people[c]]
        return len(codes), sum(people[c] for c in codes)

    summary = page.split('id="summary-domain-gap"')[1].split("</ul>")[0]
    lines = dict(re.findall(r"<li><strong>(.*?)</strong> — (.*?)</li>", summary))
    assert len(lines) == 6
    parts, inhabitants = left_out("housing")
    expected = f"{parts} communes sur 24 sans acteur, {inhabitants:,} habitants"
    assert lines["Logement"].replace("\u202f", ",") == expected
    worst = max(
        ("ageing", "health", "housing", "poverty", "employment", "childhoodYouth"),
        key=lambda d: left_out(d)[1],
    )
    svg = re.search(r'<div class="chart-box" id="chart-domain-gap">(.*?)</div>', page, re.S)
    assert svg is not None
    shapes = ET.fromstring(svg.group(1)).findall(SVG_PATH)
    assert len(shapes) == 24
    shaded = [s for s in shapes if s.get("fill") != "#ffffff"]
    assert len(shaded) == left_out(worst)[0]


def test_a_commune_report_maps_it_among_the_communes_of_its_epci(
    ecosystem: EmbeddedStore,
) -> None:
    """A commune has no parts: its report draws the three maps of its EPCI's 24 communes,
    the commune outlined, with the figures of the whole EPCI (Nantes's 5 actors, and the
    others')."""
    report = build_report(ecosystem, "commune/44109", lang="fr", top=3)
    page = render_html(report)
    for name in ("density", "funding", "domain-gap"):
        svg = re.search(rf'<div class="chart-box" id="chart-{name}">(.*?)</div>', page, re.S)
        assert svg is not None, name
        shapes = ET.fromstring(svg.group(1)).findall(SVG_PATH)
        assert len(shapes) == 24
        outlined = [s for s in shapes if s.get("stroke-width") == "2.4"]
        assert len(outlined) == 1, name
        title = outlined[0].find("{http://www.w3.org/2000/svg}title").text
        assert title.startswith("Nantes :")
    rows = dict(
        re.findall(
            r'<tr><td>(.*?)</td><td class="num">(.*?)</td>',
            page.split('id="table-density"')[1].split("</table>")[0],
        )
    )
    assert len(rows) == 24 and int(rows["Nantes"]) == 5
    assert sum(int(v.replace("\u202f", "")) for v in rows.values()) > 5  # the neighbours too


# ----------------------------------------------------------------------------- wording
def test_no_french_text_calls_the_database_a_shop() -> None:
    """ "Magasin" is a shop: the French for the store is "base de données"."""
    source = Path(__file__).resolve().parents[1] / "src" / "ecograph"
    offenders = [
        str(path.relative_to(source))
        for path in sorted(source.rglob("*"))
        if path.suffix in (".py", ".j2", ".html", ".js")
        and "magasin" in path.read_text(encoding="utf-8").casefold()
    ]
    assert offenders == []
    assert "base de données" in words("fr")["sources"]


def test_page_says_where_the_figures_come_from(nantes: TerritoryReport) -> None:
    assert escape(words("fr")["sources"]) in render_html(nantes)


@pytest.mark.parametrize("lang", LANGS)
def test_brokerage_column_explains_its_zeros(
    nantes: TerritoryReport, ecosystem: EmbeddedStore, lang: str
) -> None:
    report = nantes if lang == "fr" else build_report(ecosystem, NANTES_METROPOLE, lang="en")
    page = render_html(report)
    table = page[page.index('<table id="broker-table">') :]
    note = f'<p class="note" id="brokerage-note">{escape(words(lang)["brokerage.note"])}</p>'
    # The legend follows the table it explains, before the next section.
    assert table.index(note) < table.index("</section>")
    assert words(lang)["col.brokerage"] in table[: table.index("</table>")]
    # The zeros it explains are real: brokers of the fixture with no funding chain.
    assert any(b.brokerage == 0 for b in report.brokers)


def test_pdf_without_a_browser_says_what_to_do(tmp_path: Path) -> None:
    page = tmp_path / "r.html"
    page.write_text("<p>x</p>", encoding="utf-8")
    with pytest.raises(RuntimeError, match="could not print"):
        print_pdf(page, tmp_path / "r.pdf", chromium=str(tmp_path / "no-such-chromium"))


def test_same_seed_same_report(ecosystem: EmbeddedStore, nantes: TerritoryReport) -> None:
    assert build_report(ecosystem, NANTES_METROPOLE, lang="fr") == nantes


def test_sample_departement_report_is_quick(sample_store: EmbeddedStore) -> None:
    started = time.perf_counter()
    report = build_report(sample_store, "44")
    page = render_html(report)
    elapsed = time.perf_counter() - started
    assert report.here.actors > 400 and "<svg" in page
    assert elapsed < 30, f"the sample département report took {elapsed:.1f} s"


# ----------------------------------------------------------------------------- words
def test_both_languages_have_every_phrase() -> None:
    assert set(words("fr")) == set(words("en"))
    with pytest.raises(ValueError, match="fr or en"):
        words("de")


def test_number_formats() -> None:
    fr, en = Formats("fr"), Formats("en")
    assert fr.integer(12345) == "12\u202f345" and en.integer(12345) == "12,345"
    assert fr.decimal(-0.25) == "−0,25" and en.decimal(0.25) == "0.25"
    assert fr.percent(0.7) == "70\u202f%" and en.percent(0.7) == "70%"
    assert fr.amount(61000.5) == "61\u202f000\u202f€" and en.amount(1500) == "€1,500"
    assert fr.percent(None) == "—"


@pytest.mark.parametrize("lang", LANGS)
def test_page_in_each_language(
    nantes: TerritoryReport, ecosystem: EmbeddedStore, lang: str
) -> None:
    report = nantes if lang == "fr" else build_report(ecosystem, NANTES_METROPOLE, lang="en")
    page = render_html(report)
    assert f'<html lang="{lang}">' in page
    assert words(lang)["title"].format(name="Nantes Métropole") in page
    assert words(lang)["mixing"] in page
    expected = {"fr": "61\u202f000\u202f€", "en": "€61,000"}[lang]
    assert expected in page


# ----------------------------------------------------------------------------- escaping
class _Collector(html.parser.HTMLParser):
    """Every start tag and attribute of a page, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(page: str) -> _Collector:
    collector = _Collector()
    collector.feed(page)
    collector.close()
    return collector


def test_hostile_names_are_text_in_the_page(hostile: TerritoryReport) -> None:
    page = render_html(hostile, map_page="<p>map</p>")
    parsed = _parse(page)
    tags = [tag for tag, _ in parsed.tags]
    assert "script" not in tags and "img" not in tags and tags.count("iframe") == 1
    for tag, attributes in parsed.tags:
        assert not any(name.startswith("on") for name in attributes), (tag, attributes)
    text = "".join(parsed.text)
    for value in HOSTILE.values():
        assert value in text, value  # shown, as text
    assert page.count("<script") == 0


def test_hostile_labels_are_text_in_the_svg(hostile: TerritoryReport) -> None:
    page = render_html(hostile)
    svgs = [page[start : page.index("</svg>", start) + 6] for start in _find_all(page, "<svg ")]
    assert len(svgs) >= 6
    found = ""
    for svg in svgs:
        root = ET.fromstring(svg)  # well-formed XML: nothing broke out of a text node
        for element in root.iter():
            assert element.tag.rsplit("}", 1)[-1] in {"svg", "title", "g", "rect", "text", "path"}
            assert not any(name.startswith("on") for name in element.attrib)
        found += "".join(root.itertext())
    for key in ("sector", "domain", "type", "ptype"):
        assert HOSTILE[key] in found or HOSTILE[key][:41] in found, key


def _find_all(text: str, needle: str) -> list[int]:
    found, start = [], text.find(needle)
    while start != -1:
        found.append(start)
        start = text.find(needle, start + 1)
    return found


def test_map_goes_into_a_sandboxed_srcdoc(nantes: TerritoryReport) -> None:
    map_page = (
        '<!doctype html><html><body><div id="x" title="a&quot;b">"\'&amp;</div>'
        "<script>document.title = '<b>'</script></body></html>"
    )
    page = render_html(nantes, map_page=map_page)
    frames = [attrs for tag, attrs in _parse(page).tags if tag == "iframe"]
    assert len(frames) == 1
    assert frames[0]["sandbox"] == "allow-scripts"
    assert frames[0]["srcdoc"] == map_page  # escaped in the attribute, intact once parsed
    # Only the map's executable script is allowed, by its hash; no map, no script at all.
    expected = (
        "'sha256-"
        + base64.b64encode(hashlib.sha256(b"document.title = '<b>'").digest()).decode()
        + "'"
    )
    assert f"script-src {expected}" in _policy(page)
    assert "unsafe-inline" not in _policy(page).split("script-src")[1]
    assert "script-src 'none'" in _policy(render_html(nantes))


def _policy(page: str) -> str:
    """The page's Content-Security-Policy, as the browser reads it."""
    return next(
        attributes["content"] or ""
        for tag, attributes in _parse(page).tags
        if tag == "meta" and attributes.get("http-equiv") == "Content-Security-Policy"
    )


def test_no_external_asset(nantes: TerritoryReport) -> None:
    page = render_html(nantes)
    for tag, attributes in _parse(page).tags:
        for name in ("src", "href"):
            value = attributes.get(name) or ""
            assert not value or value.startswith("#"), (tag, name, value)
    assert "default-src 'none'" in _policy(page)


# ----------------------------------------------------------------------------- charts
def test_bar_chart_escapes_and_scales() -> None:
    svg = charts.bar_chart(
        [("<b>a</b>", 4), ('x" onload="y', 2), ("z", 0)], title="<t>", value_text=str
    )
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    widths = [float(r.get("width")) for r in root.iter(f"{ns}rect")]
    assert widths[0] == pytest.approx(2 * widths[1]) and widths[2] == 0
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert "<b>a</b>" in texts and 'x" onload="y' in texts
    assert root.find(f"{ns}title").text == "<t>"


def test_heat_map_cells_and_contrast() -> None:
    svg = charts.heat_map(
        ["A", "<B>"],
        [[1, 3], [3, 0]],
        [[0.25, 0.75], [1.0, 0.0]],
        title="m",
        legend="share",
        share_text=lambda s: f"{s:.0%}",
        cell_text=lambda n, s: (str(n), f"{s:.0%}"),
    )
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    cells = [t.text for t in root.iter(f"{ns}text") if (t.get("class") or "").startswith("cell")]
    assert cells == ["1", "25%", "3", "75%", "3", "100%", "0", "0%"]
    for colour in charts.BLUES:
        assert charts.contrast(colour, charts.ink_on(colour)) >= 4.5
    assert charts.ramp_colour(0) == charts.BLUES[0] and charts.ramp_colour(1) == charts.BLUES[-1]


# ----------------------------------------------------------------------------- command line
def test_report_command(ecosystem: EmbeddedStore, tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    with open_store(folder) as store:
        store.add(fixture_quads())
    out = tmp_path / "nantes.html"
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "--store",
            str(folder),
            "report",
            "--territory",
            NANTES_METROPOLE,
            "--out",
            str(out),
            "--no-map",
            "--lang",
            "en",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stdout
    assert "Territorial report — Nantes Métropole" in out.read_text(encoding="utf-8")
    assert "10 actors" in result.stdout
    refused = runner.invoke(app, ["--store", str(folder), "report", "--territory", "epci/1"])
    assert refused.exit_code == 2 and "epci/1" in refused.output
