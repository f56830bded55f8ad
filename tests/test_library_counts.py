"""Per-territory activity counts, by hand on a tiny ecosystem (the golden query tests check
the same counts against the library queries' own SPARQL semantics on a bigger fixture)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import networkx as nx
import pyoxigraph as ox

from ecograph.geography import geography
from ecograph.namespaces import PREFIXES, territory_iri
from ecograph.network.library_counts import (
    FunderTotals,
    FundingFlowActivity,
    PartnershipSectors,
    PartnershipYearActivity,
    ProjectSectors,
    funder_totals,
    funding_flows,
    partnership_sectors,
    partnership_years,
    project_sectors,
    territory_activity,
)
from ecograph.network.projection import Context, Projection, project
from ecograph.store import EmbeddedStore

NANTES = territory_iri("commune", "44109")
METROPOLE = territory_iri("epci", "244400404")
DEPARTEMENT = territory_iri("departement", "44")
REGION = territory_iri("region", "52")
DOMAIN = "https://w3id.org/ecograph/id/domain/"


def _projection() -> Projection:
    G = nx.Graph()
    G.add_node("asso", sector="ess", place=NANTES)
    G.add_node("city", sector="public", place=NANTES)
    G.add_node("firm", sector="privateForProfit", place=territory_iri("commune", "49007"))
    G.add_node("dept", sector="public", place=DEPARTEMENT)
    contexts = {
        "p1": Context(
            "p1",
            "partnership",
            domains={DOMAIN + "housing"},
            members={"asso": "partner", "city": "partner"},
        ),
        "p2": Context(
            "p2",
            "partnership",
            domains={DOMAIN + "housing", DOMAIN + "health"},
            members={"asso": "partner", "firm": "partner", "outsider": "partner"},
        ),
        "j1": Context(
            "j1",
            "project",
            domains={DOMAIN + "health"},
            members={"dept": "participant", "firm": "participant"},
        ),
    }
    return Projection(G, nx.DiGraph(), contexts)


def test_sector_pairs_by_territory_by_hand() -> None:
    pairs, _ = territory_activity(_projection(), geography())
    found = {(p.territory, p.sector_a, p.sector_b): (p.partnerships, p.projects) for p in pairs}
    # Nantes: p1 (ess–public) and p2 (ess–private, via a member based elsewhere); j1 is not
    # Nantes' (dept and firm are based elsewhere)
    assert found[(NANTES, "ess", "public")] == (1, 0)
    assert found[(NANTES, "ess", "privateForProfit")] == (1, 0)
    assert (NANTES, "privateForProfit", "public") not in found
    # the département gets j1 through the département council itself (based at that level)
    assert found[(DEPARTEMENT, "privateForProfit", "public")] == (0, 1)
    # an EPCI is in no département in the territory graph, and the council is not in the EPCI
    assert (METROPOLE, "privateForProfit", "public") not in found
    # Angers (49007) is in Maine-et-Loire, same région: the région sees everything
    assert found[(REGION, "ess", "privateForProfit")] == (1, 0)
    assert found[(REGION, "privateForProfit", "public")] == (0, 1)


def test_domain_activity_by_hand() -> None:
    _, domains = territory_activity(_projection(), geography())
    found = {(d.territory, d.domain): d for d in domains}
    housing = found[(NANTES, "housing")]
    # p1 and p2; their members asso, city, firm and the untyped "outsider"
    assert (housing.partnerships, housing.projects, housing.actors) == (2, 0, 4)
    assert housing.sectors == ("ess", "privateForProfit", "public")
    health = found[(DEPARTEMENT, "health")]
    # p2 (asso, in Nantes) and j1 (the council): everyone but the city takes part
    assert (health.partnerships, health.projects, health.actors) == (1, 1, 4)
    assert health.sectors == ("ess", "privateForProfit", "public")
    assert (METROPOLE, "health") in found and found[(METROPOLE, "health")].projects == 0


TYPE = PREFIXES["egpt"]


def test_partnerships_by_type_and_year_by_hand() -> None:
    day = dt.date(2024, 3, 1)
    contexts = [
        Context("a", "partnership", start=day, types=(TYPE + "funding",), euros=Decimal("1000.25")),
        Context(
            "b",
            "partnership",
            start=dt.date(2024, 12, 31),
            types=(TYPE + "funding",),
            euros=Decimal("2000"),
        ),
        # two types: counted under each
        Context("c", "partnership", start=day, types=(TYPE + "funding", TYPE + "research")),
        Context("d", "partnership", types=(TYPE + "research",), euros=Decimal("7")),  # undated
        Context("e", "partnership", start=day),  # no type: not counted
        Context("j", "project", start=day),  # projects are not partnerships
    ]
    assert partnership_years(contexts) == [
        PartnershipYearActivity(TYPE + "funding", 2024, 3, Decimal("3000.25")),
        PartnershipYearActivity(TYPE + "research", 2024, 1, Decimal(0)),
        PartnershipYearActivity(TYPE + "research", None, 1, Decimal(7)),
    ]


def test_projection_counts_euros_as_written_and_skips_other_currencies(
    store: EmbeddedStore,
) -> None:
    eg = PREFIXES["eg"]
    lines = []
    for name, amount, currency in (
        ("p1", '"0.1"', None),
        ("p2", '"0.2"', '"EUR"'),
        ("p3", '"500"', '"CHF"'),
        ("p4", None, None),
    ):
        subject = f"<https://e.org/{name}>"
        for partner in (f"<https://e.org/a{name}>", f"<https://e.org/b{name}>"):
            lines += [
                f"{subject} <{eg}partner> {partner} .",
                f"{partner} <{PREFIXES['rdf']}type> <{eg}Actor> .",
            ]
        if amount:
            lines.append(f"{subject} <{eg}amount> {amount}^^<{PREFIXES['xsd']}decimal> .")
        if currency:
            lines.append(f"{subject} <{eg}currency> {currency} .")
    store.load("\n".join(lines).encode(), format=ox.RdfFormat.N_TRIPLES, graph="https://e.org/g")
    euros = {iri.rsplit("/", 1)[1]: c.euros for iri, c in project(store).contexts.items()}
    # exact decimals (0.1 + 0.2 is 0.3, not 0.30000000000000004), CHF left out, none is 0
    assert euros == {"p1": Decimal("0.1"), "p2": Decimal("0.2"), "p3": 0, "p4": 0}
    assert sum(euros.values()) == Decimal("0.3")


def test_funding_flows_by_beneficiary_territory_by_hand() -> None:
    G = nx.Graph()
    for actor, kind, place in (
        ("asso", "association", NANTES),
        ("asso2", "association", territory_iri("commune", "49007")),
        ("fdn", "foundation", territory_iri("commune", "75056")),
        ("city", "commune", NANTES),
        ("firm", "company", NANTES),
    ):
        G.add_node(actor, actor_type=kind, place=place)
    funding, research = (TYPE + "funding",), (TYPE + "research",)
    contexts = {
        c.iri: c
        for c in (
            Context(
                "f1",
                "partnership",
                types=funding,
                funders=("fdn",),
                beneficiaries=("asso",),
                euros=Decimal("1000.5"),
            ),
            # two funders of two types, two beneficiaries: once per pair of types and territory
            Context(
                "f2",
                "partnership",
                types=funding,
                funders=("city", "fdn"),
                beneficiaries=("asso", "asso2"),
                euros=Decimal(200),
            ),
            Context(
                "r1",
                "partnership",
                types=research,
                funders=("fdn",),
                beneficiaries=("asso",),
                euros=Decimal(7),
            ),  # not a funding partnership
            Context(
                "f4",
                "partnership",
                types=funding,
                funders=("firm",),
                beneficiaries=("asso",),
                euros=Decimal(5),
            ),
        )
    }
    flows = funding_flows(Projection(G, nx.DiGraph(), contexts), geography())
    found = {
        (f.territory, f.funder_type.rsplit("/", 1)[1], f.beneficiary_type.rsplit("/", 1)[1]): (
            f.partnerships,
            f.funders,
            f.beneficiaries,
            f.euros,
        )
        for f in flows
    }
    assert found[(NANTES, "foundation", "association")] == (2, 1, 1, Decimal("1200.5"))
    assert found[(NANTES, "commune", "association")] == (1, 1, 1, Decimal(200))
    assert found[(NANTES, "company", "association")] == (1, 1, 1, Decimal(5))
    # Angers' association is in Maine-et-Loire (49); both are in the région
    assert found[(territory_iri("departement", "49"), "foundation", "association")] == (
        1,
        1,
        1,
        Decimal(200),
    )
    assert found[(REGION, "foundation", "association")] == (2, 1, 2, Decimal("1200.5"))
    # funders' own territories do not count: Paris sees nothing
    assert not [key for key in found if key[0] == territory_iri("commune", "75056")]
    assert flows == sorted(flows, key=lambda f: (f.territory, f.funder_type, f.beneficiary_type))
    assert all(isinstance(f, FundingFlowActivity) for f in flows)


def test_funder_totals_by_hand() -> None:
    funding, research = (TYPE + "funding",), (TYPE + "research",)
    contexts = [
        Context(
            "f1",
            "partnership",
            types=funding,
            funders=("fdn",),
            beneficiaries=("asso",),
            euros=Decimal("1000.5"),
        ),
        # two funders: the partnership counts in full for each
        Context(
            "f2",
            "partnership",
            types=funding,
            funders=("city", "fdn"),
            beneficiaries=("asso", "asso2"),
            euros=Decimal("0.25"),
        ),
        Context(
            "r1",
            "partnership",
            types=research,
            funders=("fdn",),
            beneficiaries=("x",),
            euros=Decimal(7),
        ),  # not a funding partnership
        # no amount (or another currency): counted, adds 0
        Context(
            "f3", "partnership", types=(*research, *funding), funders=("city",), beneficiaries=()
        ),
    ]
    assert funder_totals(contexts) == [
        FunderTotals("city", partnerships=2, beneficiaries=2, euros=Decimal("0.25")),
        FunderTotals("fdn", partnerships=2, beneficiaries=2, euros=Decimal("1000.75")),
    ]


def test_project_sectors_count_leads_participants_and_partners_for_the_project() -> None:
    projection = _projection()
    projection.contexts["j2"] = Context("j2", "project", members={"asso": "participant"})
    projection.leads = {"j1": ["dept"], "j2": ["asso"], "j3": ["city"], "j4": ["outsider"]}
    # p1 (asso, city: ess and public) is made for j2; p2 names a project that is not one here
    projection.partnerships_for = {"p1": ["j2"], "j1": ["j3"]}
    assert project_sectors(projection) == [
        ProjectSectors("j1", 2),  # dept (public) leads; dept and firm take part
        ProjectSectors("j2", 2),  # asso leads and takes part; p1 brings city (public)
        ProjectSectors("j3", 1),  # city alone: j1 is a project, not a partnership made for j3
        # j4: its only member has no sector (not a projected actor): no row
    ]


def test_partnership_sectors_count_partners_with_a_sector() -> None:
    projection = _projection()
    projection.contexts["p3"] = Context(
        "p3", "partnership", members={"asso": "partner", "asso2": "partner"}
    )
    projection.contexts["p4"] = Context("p4", "partnership", members={"outsider": "partner"})
    projection.collaboration.add_node("asso2", sector="ess")
    assert partnership_sectors(projection) == [
        PartnershipSectors("p1", 2),  # asso (ess) and city (public)
        PartnershipSectors("p2", 2),  # asso and firm; "outsider" has no sector
        PartnershipSectors("p3", 1),  # two associations: not cross-sector
        # p4: its only partner has no sector: no row; j1 is a project, not a partnership
    ]
