"""The territorial report's figures: one :class:`TerritoryReport` for a commune, EPCI,
département or région.

Why a data class apart from the page: the numbers are what a local authority quotes, so they
are computed once here, tested against hand-worked values, and rendered by
:mod:`ecograph.render.report_page` (HTML, PDF) without any arithmetic in the template.

The store is projected once, filtered to the territory's parent (commune → EPCI, EPCI →
département, département → région, région → the whole dataset); the territory is then cut out
of that projection, which costs one projection instead of two. The parent's projection keeps
the attributes of partners based outside it (``Projection.outside``: the State funding an
association of the EPCI), and leaves out the rest of France: projecting the nation for one
département's report took 230 s and 18 GiB at 1.5 M actors. The territory's cut is exactly
what ``project(store, ProjectionFilter(territory=...))`` returns: the same graph builder runs
on the same actors and contexts (a test checks it), so the report's figures match
``ecograph metrics --territory``.
"""

from __future__ import annotations

import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from ecograph.geography import Territory, TerritoryTable, geography, parent_of, resolve_territory
from ecograph.labels import Labels
from ecograph.network import gaps
from ecograph.network.metrics import MetricsResult, compute_metrics
from ecograph.network.mixing import tie_summaries
from ecograph.network.projection import (
    Projection,
    ProjectionFilter,
    _build,  # the projection's own graph builder: the cut is then exactly a filtered projection
    actors_in_territory,
    project,
)
from ecograph.render.origins import OriginCount, actor_origins, count_origins
from ecograph.render.report_text import words
from ecograph.scope import domain_names
from ecograph.store.base import Store
from ecograph.vocab import PARTNERSHIP_TYPE

__all__ = [
    "Broker",
    "Comparison",
    "Count",
    "FundingFlow",
    "SectorRow",
    "SuggestedPartnership",
    "TerritoryReport",
    "build_report",
    "report_territory",
]

LEVELS = ("commune", "epci", "departement", "region")
#: The level whose territories a report breaks its actors down by.
SUB_LEVEL = {"region": "departement", "departement": "epci", "epci": "commune"}
#: Sectors in the order every table and chart shows them; others follow alphabetically.
SECTOR_ORDER = ("public", "privateForProfit", "ess", "civilSociety", "academic")
FUNDING_TYPE = str(PARTNERSHIP_TYPE.funding)


# ----------------------------------------------------------------------------- data classes
@dataclass(frozen=True)
class Count:
    """A labelled count: ``key`` is the concept's local name or a territory code."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class DomainFunding:
    """The funding partnerships of one domain touching the territory: how many, their euros,
    and how many of them have that domain only because ecograph's keyword rules inferred it
    from their words (no source states it)."""

    key: str
    label: str
    grants: int
    amount: float
    inferred: int


@dataclass(frozen=True)
class Comparison:
    """Cross-sector collaboration of one territory: ties between two of its actors."""

    territory: Territory
    actors: int
    ties: int
    cross_sector_ties: int

    @property
    def cross_sector_share(self) -> float | None:
        """Share of ties between different sectors (``None`` without ties)."""
        return self.cross_sector_ties / self.ties if self.ties else None

    @property
    def ei_index(self) -> float | None:
        """Krackhardt's E-I index, ``(E − I) / (E + I)`` (``None`` without ties)."""
        return (2 * self.cross_sector_ties - self.ties) / self.ties if self.ties else None


@dataclass(frozen=True)
class SectorRow:
    """One sector's actors and E-I index, in the territory and in its parent."""

    sector: str
    label: str
    actors: int
    ei_index: float | None
    parent_actors: int
    parent_ei_index: float | None


@dataclass(frozen=True)
class FundingFlow:
    """Funding from actors of one sector to actors of another, in euros."""

    funder_sector: str
    funder_label: str
    beneficiary_sector: str
    beneficiary_label: str
    partnerships: int
    amount: float


@dataclass(frozen=True)
class Broker:
    """An actor on many shortest paths between others."""

    actor: str
    name: str
    sector: str
    sector_label: str
    type_label: str
    commune: str
    degree: int
    betweenness: float
    blau: float | None
    brokerage: int


@dataclass(frozen=True)
class SuggestedPartnership:
    """Two untied actors who should meet, with the sentence that says why."""

    actor_a: str
    name_a: str
    sector_a: str
    actor_b: str
    name_b: str
    sector_b: str
    score: float
    explanation: str


@dataclass
class TerritoryReport:
    """Everything the territorial report shows, in the report's language.

    Labels are resolved at build time (``lang``); keys are kept beside them for tests and
    exports. ``projection``, ``metrics``, ``raw_suggestions`` and ``labels`` are what the
    embedded map is drawn from; they are left out of comparisons and of the repr.
    ``fictional_actors`` counts the territory's actors that come from the built-in sample (or
    another generated ecosystem), so the page can say they are made up.
    """

    territory: Territory
    parent: Territory
    lang: str
    seed: int
    actors_by_type: list[Count]
    actors_by_sector: list[Count]
    actors_by_domain: list[Count]
    #: Actors whose domains include one only ecograph's keyword rules give (no source).
    actors_with_inferred_domain: int
    funding_by_domain: list[DomainFunding]
    sub_level: str | None
    actors_by_sub_territory: list[Count]
    partnerships_by_type: list[Count]
    projects: int
    funding: list[FundingFlow]
    funding_without_amount: int
    here: Comparison
    there: Comparison
    sector_rows: list[SectorRow]
    sectors: list[tuple[str, str]]  # (key, label), the order of the mixing matrix
    mixing_ties: list[list[int]]
    mixing_shares: list[list[float]]
    brokers: list[Broker]
    sector_gaps: list[tuple[str, str, int, int]]  # (label a, label b, actors a, actors b)
    sub_sector_gaps: list[tuple[str, str, str, int, int]]  # (territory name, a, b, n a, n b)
    #: (domain label, missing: "actor" or a sector key, the sector's label, actors on it)
    domain_gaps: list[tuple[str, str, str, int]]
    isolated: int
    peripheral: int
    suggestions: list[SuggestedPartnership]
    betweenness_method: str
    fictional_actors: int
    #: Actors per source, real first: which are real and where each comes from.
    origins: list[OriginCount]
    #: Actors of unknown place, counted in because one of the territory's authorities funds
    #: them (:func:`~ecograph.network.projection.actors_in_territory`).
    unplaced: int
    projection: Projection = field(repr=False, compare=False)
    metrics: MetricsResult = field(repr=False, compare=False)
    raw_suggestions: list[gaps.Suggestion] = field(repr=False, compare=False)
    #: The store's labels in ``lang`` (the map's legend uses them too).
    labels: Labels = field(repr=False, compare=False)
    #: For a commune's report, its EPCI's projection: the report maps the commune among the
    #: EPCI's communes, since a commune has no parts of its own to map.
    context: Projection | None = field(default=None, repr=False, compare=False)
    timings: dict[str, float] = field(default_factory=dict, repr=False, compare=False)

    @property
    def funding_total(self) -> float:
        """All funding amounts touching the territory, in euros."""
        return sum(flow.amount for flow in self.funding)

    @property
    def empty(self) -> bool:
        """True when no actor is based in the territory: there is nothing to report on."""
        return self.here.actors == 0

    @property
    def partnerships(self) -> int:
        """Partnerships with at least one actor of the territory."""
        return sum(row.count for row in self.partnerships_by_type)


# ----------------------------------------------------------------------------- territories
def report_territory(text: str, *, table: TerritoryTable | None = None) -> Territory:
    """The territory a report can be drawn for, from what the user typed: any form
    :func:`~ecograph.geography.resolve_territory` reads, at a level in :data:`LEVELS`.

    Raises ValueError for text the geography refuses, and for an overseas collectivity or an
    arrondissement municipal, which the report's comparisons have no parent rule for.
    """
    place = resolve_territory(text, table=table)
    if place.level not in LEVELS:
        raise ValueError(
            f"territory {text!r} is {place.label}: a report covers a commune, an EPCI, "
            "a département or a région"
        )
    return place


def members(full: Projection, territory: Territory) -> set[str]:
    """Actors of the territory in a projection that holds it: based in it (at any level below it,
    or at the territory itself), or of unknown place and funded by one of its authorities
    (:func:`~ecograph.network.projection.actors_in_territory`)."""
    G = full.collaboration
    if territory.level == "france":
        return {str(node) for node in G}
    actors = {str(node): data for node, data in G.nodes(data=True)}
    return actors_in_territory(actors, full.contexts.values(), territory.iri)


def cut(full: Projection, territory: Territory) -> Projection:
    """The projection of the actors of ``territory`` and the contexts they take part in: the
    same graphs as ``project(store, ProjectionFilter(territory=territory.iri))``."""
    G = full.collaboration
    actors = {node: dict(data) for node, data in G.nodes(data=True)}
    return _build(
        actors,
        members(full, territory),
        list(full.contexts.values()),
        ProjectionFilter(territory=territory.iri),
    )


# ----------------------------------------------------------------------------- the report
def build_report(
    store: Store,
    territory: str | Territory,
    *,
    lang: str = "fr",
    seed: int = 0,
    top: int = 10,
    table: TerritoryTable | None = None,
) -> TerritoryReport:
    """Compute the territorial report of ``territory`` from ``store``.

    Parameters
    ----------
    store : Store
        Embedded or remote, holding the ontology (for labels) and the ecosystem.
    territory : str or Territory
        As :func:`report_territory` reads it (``epci/244400404``, ``44``, ``Nantes``…).
    lang : str
        ``fr`` (default) or ``en``: labels and explanations.
    seed : int
        Seeds Louvain, sampled betweenness and the link score.
    top : int
        Rows of the brokers, gaps and suggestions tables.

    Raises
    ------
    ValueError
        For a territory the geography does not know, or an unknown language.
    """
    text = words(lang)
    table = table or geography()
    place = (
        territory if isinstance(territory, Territory) else report_territory(territory, table=table)
    )
    parent = parent_of(place, table=table)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    full = project(store, ProjectionFilter(territory=_scope(place, parent, table)), table=table)
    here = cut(full, place)
    timings["projection"] = time.perf_counter() - started
    labels = Labels.from_store(store, lang=lang, table=table)
    named = labels.missing_as(text["unknown"])
    G = here.collaboration

    started = time.perf_counter()
    metrics = compute_metrics(here, seed=seed, activity=False)
    timings["metrics"] = time.perf_counter() - started

    started = time.perf_counter()
    parent_graph = full.collaboration.subgraph(members(full, parent))
    sector_keys = _sector_order({data.get("sector", "") for _, data in G.nodes(data=True)})
    ties, shares = _mixing(metrics, sector_keys)
    sub_level = SUB_LEVEL.get(place.level)
    found_gaps = _gaps(store, here, place, sub_level, table, named, text, top)
    timings["gaps"] = time.perf_counter() - started

    started = time.perf_counter()
    raw = gaps.suggest(G, labels, top=top, seed=seed)
    timings["suggestions"] = time.perf_counter() - started

    partnerships = Counter(
        _local(c.partnership_type or "") for c in here.contexts.values() if c.kind == "partnership"
    )
    flows, without_amount = _funding(here, _sectors(full), named)
    # each actor once, under a real source when one states it (the sample's actors are the
    # ones only generated graphs state: what ``sample.fictional_actors`` returns)
    origins = count_origins(
        (data for _, data in G.nodes(data=True)), actor_origins(store, lang=lang)
    )
    return TerritoryReport(
        territory=place,
        parent=parent,
        lang=lang,
        seed=seed,
        actors_by_type=_counts(_values(G, "actor_type"), named.actor_type),
        actors_by_sector=_counts(_values(G, "sector"), named.sector),
        actors_by_domain=_counts(_values(G, "domains", split=True), named.domain),
        actors_with_inferred_domain=sum(
            1 for _, inferred in G.nodes(data="inferred_domains", default="") if inferred
        ),
        funding_by_domain=_funding_by_domain(here, named),
        sub_level=sub_level,
        actors_by_sub_territory=(
            _counts(_sub_territories(G, sub_level), _territory_names(named, sub_level, text))
            if sub_level
            else []
        ),
        partnerships_by_type=_counts(partnerships, named.partnership_type),
        projects=sum(c.kind == "project" for c in here.contexts.values()),
        funding=flows,
        funding_without_amount=without_amount,
        here=_comparison(G, place),
        there=_comparison(parent_graph, parent),
        sector_rows=_sector_rows(G, parent_graph, sector_keys, named),
        sectors=[(key, named.sector(key)) for key in sector_keys],
        mixing_ties=ties,
        mixing_shares=shares,
        brokers=_brokers(metrics, G, named, top),
        **found_gaps,
        suggestions=[_suggestion(s, G, named) for s in raw],
        betweenness_method=metrics.overall.betweenness_method,
        fictional_actors=sum(c.actors for c in origins if c.origin.fictional),
        origins=origins,
        unplaced=sum(1 for _, place in G.nodes(data="place") if not place),
        projection=here,
        metrics=metrics,
        raw_suggestions=raw,
        labels=labels,
        context=cut(full, parent) if place.level == "commune" and parent.level == "epci" else None,
        timings=timings,
    )


def _scope(place: Territory, parent: Territory, table: TerritoryTable) -> str | None:
    """The territory to project for a report: the parent when it holds the whole of
    ``place``, else the whole dataset (None). A commune lies in its EPCI and a département in
    its région, but an EPCI across two départements is compared with one of them."""
    if parent.level == "france":
        return None
    if place.level == "epci":
        departements = {c.departement for c in table.communes_by_epci.get(place.code, [])}
        if departements != {parent.code}:
            return None
    return parent.iri


def _values(G: nx.Graph, attribute: str, *, split: bool = False) -> Counter[str]:
    counts: Counter[str] = Counter()
    for _, value in G.nodes(data=attribute, default=""):
        if split:
            counts.update(str(value).split())
        else:
            counts[str(value or "")] += 1
    return counts


#: The sub-territory key of actors whose place is unknown.
UNKNOWN_PLACE = "?"


def _sub_territories(G: nx.Graph, level: str) -> Counter[str]:
    """Actors per sub-territory code: "" for those placed at the territory itself (its own
    authority), :data:`UNKNOWN_PLACE` for those whose place is unknown."""
    counts: Counter[str] = Counter()
    for _, data in G.nodes(data=True):
        counts[str(data.get(level) or "") if data.get("place") else UNKNOWN_PLACE] += 1
    return counts


def _counts(counts: Mapping[str, int], label: Any) -> list[Count]:
    """Largest first, then by label."""
    rows = [Count(key, label(key), n) for key, n in counts.items()]
    return sorted(rows, key=lambda r: (-r.count, _sort_key(r.label), r.key))


def _sort_key(label: str) -> str:
    """Accents ignored, so "Établissement" sorts among the E's as a reader expects."""
    decomposed = unicodedata.normalize("NFKD", label.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _territory_names(labels: Labels, level: str, text: Mapping[str, str]) -> Any:
    def name(code: str) -> str:
        if not code:
            return text["whole_territory"]
        if code == UNKNOWN_PLACE:
            return text["unknown_place"]
        found = labels.territory(level, code)
        if found is None:
            return code
        return f"{found} ({code})" if level == "departement" else found

    return name


def _sector_order(keys: Iterable[str]) -> list[str]:
    rank = {key: i for i, key in enumerate(SECTOR_ORDER)}
    return sorted(keys, key=lambda k: (rank.get(k, len(rank)), k))


def _mixing(metrics: MetricsResult, keys: list[str]) -> tuple[list[list[int]], list[list[float]]]:
    cells = {(c.sector, c.other): c for c in metrics.mixing}
    ties = [[cells[(a, b)].ties if (a, b) in cells else 0 for b in keys] for a in keys]
    shares = [[cells[(a, b)].share if (a, b) in cells else 0.0 for b in keys] for a in keys]
    return ties, shares


def _comparison(G: nx.Graph, territory: Territory) -> Comparison:
    sector = dict(G.nodes(data="sector", default=""))
    cross = sum(1 for a, b in G.edges() if sector[a] != sector[b])
    return Comparison(territory, G.number_of_nodes(), G.number_of_edges(), cross)


def _sector_rows(G: nx.Graph, parent: nx.Graph, keys: list[str], labels: Labels) -> list[SectorRow]:
    here = tie_summaries(G, "sector") if G.number_of_nodes() else {}
    there = tie_summaries(parent, "sector") if parent.number_of_nodes() else {}
    rows = []
    for key in keys:
        mine, theirs = here.get(key), there.get(key)
        rows.append(
            SectorRow(
                key,
                labels.sector(key),
                mine.actors if mine else 0,
                _defined(mine.ei_index) if mine else None,
                theirs.actors if theirs else 0,
                _defined(theirs.ei_index) if theirs else None,
            )
        )
    return rows


def _defined(value: float) -> float | None:
    return None if value != value else float(value)  # NaN → None


def _sectors(projection: Projection) -> dict[str, str]:
    """The sector of every actor a projection knows: its own, and its partners from
    elsewhere."""
    sectors = {
        str(actor): str(sector)
        for actor, sector in projection.collaboration.nodes(data="sector", default="")
    }
    sectors.update(
        (actor, str(data.get("sector", ""))) for actor, data in projection.outside.items()
    )
    return sectors


def _funding(
    here: Projection, sectors: Mapping[str, str], labels: Labels
) -> tuple[list[FundingFlow], int]:
    """Funding partnerships touching the territory, summed by (funder, beneficiary) sector.

    A partnership with several funder–beneficiary pairs has its amount split equally between
    them, so the flows add up to the amounts recorded."""
    amounts: dict[tuple[str, str], float] = defaultdict(float)
    counts: Counter[tuple[str, str]] = Counter()
    without_amount = 0
    for context in here.contexts.values():
        if context.kind != "partnership" or context.partnership_type != FUNDING_TYPE:
            continue
        funders = [a for a, role in context.members.items() if role == "funder"]
        beneficiaries = [a for a, role in context.members.items() if role == "beneficiary"]
        pairs = [(f, b) for f in funders for b in beneficiaries]
        if not pairs:
            continue
        if context.amount is None:
            without_amount += 1
            continue
        for funder, beneficiary in pairs:
            key = (sectors.get(funder, ""), sectors.get(beneficiary, ""))
            amounts[key] += context.amount / len(pairs)
            counts[key] += 1
    flows = [
        FundingFlow(f, labels.sector(f), b, labels.sector(b), counts[(f, b)], amount)
        for (f, b), amount in amounts.items()
    ]
    return sorted(
        flows, key=lambda x: (-x.amount, x.funder_label, x.beneficiary_label)
    ), without_amount


def _funding_by_domain(here: Projection, labels: Labels) -> list[DomainFunding]:
    """Funding partnerships touching the territory, by domain, most euros first. A grant of
    several domains counts in each (so the bars may add up to more than the total)."""
    grants: Counter[str] = Counter()
    inferred: Counter[str] = Counter()
    amounts: dict[str, float] = defaultdict(float)
    for context in here.contexts.values():
        if context.kind != "partnership" or context.partnership_type != FUNDING_TYPE:
            continue
        for domain in context.domains:
            key = _local(domain)
            grants[key] += 1
            inferred[key] += domain in context.inferred_domains
            amounts[key] += context.amount or 0.0
    rows = [
        DomainFunding(key, labels.domain(key), grants[key], amounts[key], inferred[key])
        for key in grants
    ]
    return sorted(rows, key=lambda r: (-r.amount, -r.grants, _sort_key(r.label)))


def _brokers(metrics: MetricsResult, G: nx.Graph, labels: Labels, top: int) -> list[Broker]:
    ranked = sorted(
        (a for a in metrics.actors if a.betweenness > 0),
        key=lambda a: (-a.betweenness, a.name, a.actor),
    )[:top]
    brokers = []
    for row in ranked:
        data = G.nodes[row.actor]
        commune = data.get("commune", "")
        brokers.append(
            Broker(
                row.actor,
                row.name,
                row.sector,
                labels.sector(row.sector),
                labels.actor_type(data.get("actor_type", "")),
                (labels.territory("commune", commune) or "") if commune else "",
                row.degree,
                row.betweenness,
                row.blau,
                row.brokerage,
            )
        )
    return brokers


def _gaps(
    store: Store,
    here: Projection,
    place: Territory,
    sub_level: str | None,
    table: TerritoryTable,
    labels: Labels,
    text: Mapping[str, str],
    top: int,
) -> dict[str, Any]:
    """Sector pairs that never meet (in the territory and in each sub-territory), domains
    without an actor or a public/private partner, isolated and peripheral actors."""
    G = here.collaboration
    pairs = [
        (labels.sector(g.sector_a), labels.sector(g.sector_b), g.actors_a, g.actors_b)
        for g in gaps.sector_pair_gaps(G, level=place.level)
        if g.territory == place.code
    ]
    sub_pairs = []
    if sub_level in ("epci", "departement"):
        name = _territory_names(labels, sub_level, text)
        sub_pairs = [
            (
                name(g.territory),
                labels.sector(g.sector_a),
                labels.sector(g.sector_b),
                g.actors_a,
                g.actors_b,
            )
            for g in gaps.sector_pair_gaps(G, level=sub_level)[:top]
        ]
    domains = [
        (
            labels.domain(g.domain),
            g.missing,
            "" if g.missing == "actor" else labels.sector(g.missing),
            g.actors_on_domain,
        )
        for g in gaps.domain_gaps(G, here.contexts, table, domain_names(store), level=place.level)
        if g.territory == place.code
    ]
    edge = gaps.actor_gaps(G)
    return {
        "sector_gaps": pairs,
        "sub_sector_gaps": sub_pairs,
        "domain_gaps": domains,
        "isolated": sum(g.kind == "isolated" for g in edge),
        "peripheral": sum(g.kind == "peripheral" for g in edge),
    }


def _suggestion(s: gaps.Suggestion, G: nx.Graph, labels: Labels) -> SuggestedPartnership:
    a, b = G.nodes[s.actor_a], G.nodes[s.actor_b]
    return SuggestedPartnership(
        str(s.actor_a),
        str(a.get("name", "")),
        labels.sector(a.get("sector", "")),
        str(s.actor_b),
        str(b.get("name", "")),
        labels.sector(b.get("sector", "")),
        s.score,
        s.explanation,
    )


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1] if iri else ""
