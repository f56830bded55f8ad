"""Cross-sector metrics of a projected ecosystem, as plain sorted tables.

:func:`compute_metrics` runs every measure on a :class:`~ecograph.network.projection.
Projection` and returns a :class:`MetricsResult`: one table for the whole graph, per sector,
the sector mixing matrix, per territory (EPCI and département), per domain, per actor and per
community. :mod:`ecograph.network.metrics_rdf` writes it into the store.

The measures live in one module per family, each a pure function over networkx graphs:

==================  ===========================================  ==========================
module              measures                                     engine
==================  ===========================================  ==========================
``mixing``          cross-sector share, mixing matrix, E-I       numpy
                    (global, per group, per node, per territory
                    or domain), sector assortativity
``diversity``       Blau and Shannon (natural log) of partner    numpy, scipy sparse
                    sectors and of community members
``centrality``      betweenness (exact below                     igraph (networkx: same
                    ``EXACT_BETWEENNESS_BELOW`` actors, else     sources, same numbers)
                    sampled with a seed)
``brokerage``       Burt constraint and effective size;          scipy sparse; Python sets
                    Gould–Fernandez roles on funding ties
``communities``     Louvain (seeded), modularity                 igraph; numpy
==================  ===========================================  ==========================

Degree and weighted degree are counted from the edge arrays (same as ``G.degree``).
Everything is deterministic: the same projection and seed give equal results. Undefined
values (an isolated actor's E-I or constraint, a sector without ties) are ``None``.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

import numpy as np

from ecograph.gcpause import collector_paused
from ecograph.geography import TerritoryTable, geography
from ecograph.network.arrays import GraphArrays, graph_arrays
from ecograph.network.brokerage import ROLES, brokerage_roles, constraint, effective_size
from ecograph.network.centrality import (
    BETWEENNESS_SAMPLES,
    EXACT_BETWEENNESS_BELOW,
    betweenness,
    betweenness_sources,
)
from ecograph.network.communities import louvain_communities, modularity
from ecograph.network.diversity import blau, partner_diversity, shannon
from ecograph.network.library_counts import (
    DomainActivity,
    FunderTotals,
    FundingFlowActivity,
    PartnershipSectors,
    PartnershipYearActivity,
    ProjectSectors,
    SectorPairActivity,
    funder_totals,
    funding_flows,
    partnership_sectors,
    partnership_years,
    project_sectors,
    territory_activity,
)
from ecograph.network.mixing import (
    TieSummary,
    attribute_assortativity,
    cross_sector_ties,
    ei_index_by_node,
    mixing_matrix,
    tie_summaries,
)
from ecograph.network.projection import Projection

__all__ = [
    "ActorMetrics",
    "CommunityMetrics",
    "GlobalMetrics",
    "GroupMetrics",
    "MetricsResult",
    "MixingCell",
    "compute_metrics",
]

TERRITORY_LEVELS = ("epci", "departement")
TOP_DOMAINS = 3


def _value(x: float) -> float | None:
    """A float for the tables: ``None`` when undefined (NaN)."""
    return None if x is None or math.isnan(x) else float(x)


@dataclass(frozen=True)
class GlobalMetrics:
    """The whole ecosystem in one row."""

    actors: int
    ties: int
    cross_sector_ties: int
    cross_sector_share: float | None
    ei_index: float | None
    sector_assortativity: float | None
    communities: int
    modularity: float | None
    betweenness_method: str
    seed: int


@dataclass(frozen=True)
class GroupMetrics:
    """Ties of a sector, territory or domain (see :func:`~ecograph.network.mixing.
    tie_summaries` for which ties belong to it). ``scope`` is ``sector``, ``epci``,
    ``departement`` or ``domain``; ``key`` the sector or domain local name, or the
    territory code."""

    scope: str
    key: str
    actors: int
    ties: int
    internal_ties: int
    same_sector_ties: int
    cross_sector_ties: int
    cross_sector_share: float | None
    ei_index: float | None

    @classmethod
    def of(cls, scope: str, key: str, summary: TieSummary) -> GroupMetrics:
        return cls(
            scope,
            key,
            summary.actors,
            summary.ties,
            summary.internal_ties,
            summary.same_sector_ties,
            summary.cross_sector_ties,
            _value(summary.cross_sector_share),
            _value(summary.ei_index),
        )


@dataclass(frozen=True)
class MixingCell:
    """One cell of the sector mixing matrix: ``ties`` between ``sector`` and ``other``,
    and their ``share`` of all ties involving ``sector`` (row-normalised)."""

    sector: str
    other: str
    ties: int
    share: float


@dataclass(frozen=True)
class ActorMetrics:
    """One actor's position. Brokerage role counts come from the funding ties."""

    actor: str
    name: str
    sector: str
    degree: int
    weighted_degree: float
    betweenness: float
    constraint: float | None
    effective_size: float | None
    blau: float | None
    shannon: float | None
    ei_index: float | None
    community: int | None
    coordinator: int
    gatekeeper: int
    representative: int
    consultant: int
    liaison: int
    #: Partnerships the actor is a partner (``eg:partner``) in; 0 for an isolated actor.
    partnerships: int = 0

    @property
    def brokerage(self) -> int:
        """All Gould–Fernandez roles together."""
        return (
            self.coordinator
            + self.gatekeeper
            + self.representative
            + self.consultant
            + self.liaison
        )


@dataclass(frozen=True)
class CommunityMetrics:
    """A Louvain community of two actors or more, numbered from 1, largest first.

    ``sectors`` counts members per sector; ``top_domains`` are the (up to three) domains
    most members work on; ``epci``/``departement`` the territory most members are based in,
    with the share of members based there.
    """

    community: int
    size: int
    sectors: dict[str, int]
    blau: float | None
    shannon: float | None
    top_domains: tuple[str, ...]
    epci: str
    epci_share: float
    departement: str
    departement_share: float


@dataclass
class MetricsResult:
    """Every table of :func:`compute_metrics`, each sorted.

    ``timings`` (seconds per step) is left out of comparisons: two results of the same
    projection and seed compare equal.
    """

    overall: GlobalMetrics
    sectors: list[GroupMetrics]
    mixing: list[MixingCell]
    territories: list[GroupMetrics]
    domains: list[GroupMetrics]
    actors: list[ActorMetrics]
    communities: list[CommunityMetrics]
    sector_pairs: list[SectorPairActivity] = field(default_factory=list)
    domain_activity: list[DomainActivity] = field(default_factory=list)
    partnership_years: list[PartnershipYearActivity] = field(default_factory=list)
    funding_flows: list[FundingFlowActivity] = field(default_factory=list)
    funders: list[FunderTotals] = field(default_factory=list)
    project_sectors: list[ProjectSectors] = field(default_factory=list)
    partnership_sectors: list[PartnershipSectors] = field(default_factory=list)
    whole_ecosystem: bool = True
    #: Whether the activity counts (``sector_pairs``, ``domain_activity``,
    #: ``partnership_years``, ``funding_flows``, ``funders``, ``project_sectors``,
    #: ``partnership_sectors``) were counted (see ``activity=``).
    activity_counted: bool = True
    timings: dict[str, float] = field(default_factory=dict, compare=False)

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        """Plain rows (dicts of str, int, float or None) per table, for CSV or JSON.

        Community sector counts become one ``sector_<name>`` column each, top domains one
        space-separated string, and each actor row gains the ``brokerage`` total.
        """
        sectors = sorted(
            {s for c in self.communities for s in c.sectors} | {row.key for row in self.sectors}
        )
        communities = []
        for c in self.communities:
            row = asdict(c)
            del row["sectors"]
            row["top_domains"] = " ".join(c.top_domains)
            row.update({f"sector_{s}": c.sectors.get(s, 0) for s in sectors})
            communities.append(row)
        return {
            "global": [asdict(self.overall)],
            "sectors": [asdict(r) for r in self.sectors],
            "mixing": [asdict(r) for r in self.mixing],
            "territories": [asdict(r) for r in self.territories],
            "domains": [asdict(r) for r in self.domains],
            "actors": [{**asdict(r), "brokerage": r.brokerage} for r in self.actors],
            "communities": communities,
            "territory_sector_pairs": [asdict(r) for r in self.sector_pairs],
            "territory_domains": [
                {**asdict(r), "sectors": " ".join(r.sectors)} for r in self.domain_activity
            ],
            "partnership_years": [
                {**asdict(r), "euros": str(r.euros)} for r in self.partnership_years
            ],
            "funding_flows": [{**asdict(r), "euros": str(r.euros)} for r in self.funding_flows],
            "funders": [{**asdict(r), "euros": str(r.euros)} for r in self.funders],
            "project_sectors": [asdict(r) for r in self.project_sectors],
            "partnership_sectors": [asdict(r) for r in self.partnership_sectors],
        }


T = TypeVar("T")


@collector_paused()
def compute_metrics(
    projection: Projection,
    *,
    seed: int = 0,
    exact_betweenness_below: int = EXACT_BETWEENNESS_BELOW,
    betweenness_samples: int = BETWEENNESS_SAMPLES,
    weight: str | None = "weight",
    attribute: str = "sector",
    table: TerritoryTable | None = None,
    activity: bool = True,
    progress: Callable[[str], None] | None = None,
) -> MetricsResult:
    """Compute every cross-sector metric of ``projection``.

    Parameters
    ----------
    projection : Projection
        From :func:`ecograph.network.projection.project`.
    seed : int
        Seeds betweenness sampling and Louvain.
    exact_betweenness_below : int
        Below this many actors betweenness is exact; above, ``betweenness_samples`` sources
        are sampled (see :func:`ecograph.network.centrality.betweenness` for the error).
    betweenness_samples : int
        Number of sampled sources above the threshold.
    weight : str or None
        Edge attribute of tie strength (number of shared partnerships and projects) used by
        weighted degree, constraint, effective size and Louvain. Betweenness, E-I and
        diversity count ties, unweighted.
    attribute : str
        Node attribute of the groups mixed (the sector).
    table : TerritoryTable, optional
        The geography for the per-territory activity counts (default: the shipped one).
    activity : bool
        Count per-territory sector pairs, domain activity and funding flows, partnerships by
        type and year, per-funder totals and each project's member sectors (what the metrics
        graph gives eight library queries).
        Views that only show metrics (map, report, graph export) pass ``False``.
    progress : callable, optional
        Called with each step's name (the keys of ``timings``) as the step starts, for a
        progress display.

    Returns
    -------
    MetricsResult
        With the seconds each step took in ``timings``. Sampled betweenness is most of the
        time; the figures at 100,000 actors are in bench/README.md (``bench_network.py``).

    Notes
    -----
    Every measure is the documented public function of its module, called on the
    collaboration graph with the graph's :class:`~ecograph.network.arrays.GraphArrays`,
    built once here and passed to each (``arrays=``), so the graph is flattened once rather
    than once per measure.
    """
    G = projection.collaboration
    timings: dict[str, float] = {}

    def step(name: str, compute: Callable[[], T]) -> T:
        if progress is not None:
            progress(name)
        start = time.perf_counter()
        result = compute()
        timings[name] = time.perf_counter() - start
        return result

    arrays = step("arrays", lambda: graph_arrays(G, weight=weight))
    nodes = arrays.nodes

    def summaries(by: str, edge_keys: Any = None) -> dict[str, TieSummary]:
        return tie_summaries(G, by, attribute=attribute, edge_keys=edge_keys, arrays=arrays)

    sector_summary = step("sectors", lambda: summaries(attribute))
    sector_names = list(sector_summary)
    mixing = step("mixing", lambda: _mixing(G, arrays, attribute, sector_names))
    assortativity = step(
        "assortativity", lambda: attribute_assortativity(G, attribute=attribute, arrays=arrays)
    )
    territories = step(
        "territories",
        lambda: [
            GroupMetrics.of(level, key, summary)
            for level in TERRITORY_LEVELS
            for key, summary in summaries(level).items()
        ],
    )
    domains = step(
        "domains",
        lambda: [
            GroupMetrics.of("domain", key, summary)
            for key, summary in summaries("domains", _edge_domains(projection)).items()
        ],
    )
    node_ei = step("ei_by_actor", lambda: ei_index_by_node(G, attribute=attribute, arrays=arrays))
    diversity = step("diversity", lambda: partner_diversity(G, attribute=attribute, arrays=arrays))
    sources = betweenness_sources(
        G, exact_below=exact_betweenness_below, samples=betweenness_samples, seed=seed
    )
    between = step(
        "betweenness",
        lambda: betweenness(
            G,
            exact_below=exact_betweenness_below,
            samples=betweenness_samples,
            seed=seed,
            normalized=True,
            arrays=arrays,
        ),
    )
    constraints = step("constraint", lambda: constraint(G, weight=weight, arrays=arrays))
    sizes = step("effective_size", lambda: effective_size(G, weight=weight, arrays=arrays))
    roles = step(
        "brokerage_roles", lambda: brokerage_roles(projection.funding, attribute=attribute)
    )
    partition = step(
        "louvain",
        lambda: louvain_communities(G, weight=weight, resolution=1.0, seed=seed, arrays=arrays),
    )
    quality = step("modularity", lambda: modularity(G, partition, weight=weight, arrays=arrays))

    sector_pairs, domain_activity = (
        step("territory_activity", lambda: territory_activity(projection, table or geography()))
        if activity
        else ([], [])
    )
    years = (
        step("partnership_years", lambda: partnership_years(projection.contexts.values()))
        if activity
        else []
    )
    flows = (
        step("funding_flows", lambda: funding_flows(projection, table or geography()))
        if activity
        else []
    )
    funders = (
        step("funder_totals", lambda: funder_totals(projection.contexts.values()))
        if activity
        else []
    )
    projects = step("project_sectors", lambda: project_sectors(projection)) if activity else []
    partnership_counts = (
        step("partnership_sectors", lambda: partnership_sectors(projection)) if activity else []
    )

    communities = [c for c in partition if len(c) > 1]
    community_of = {node: i for i, members in enumerate(communities, start=1) for node in members}
    degree = np.bincount(np.concatenate([arrays.source, arrays.target]), minlength=arrays.n)
    strength = np.bincount(arrays.source, weights=arrays.weight, minlength=arrays.n) + np.bincount(
        arrays.target, weights=arrays.weight, minlength=arrays.n
    )
    no_roles = dict.fromkeys(ROLES, 0)
    partnerships: Counter[Hashable] = Counter(
        member
        for context in projection.contexts.values()
        if context.kind == "partnership"
        for member in context.members
    )
    actors = []
    for i, node in enumerate(nodes):
        data = G.nodes[node]
        actors.append(
            ActorMetrics(
                actor=str(node),
                name=str(data.get("name", "")),
                sector=str(data.get(attribute, "")),
                degree=int(degree[i]),
                weighted_degree=float(strength[i]),
                betweenness=float(between[node]),
                constraint=_value(constraints[node]),
                effective_size=_value(sizes[node]),
                blau=_value(diversity[node][0]),
                shannon=_value(diversity[node][1]),
                ei_index=_value(node_ei[node]),
                community=community_of.get(node),
                partnerships=partnerships[node],
                **roles.get(node, no_roles),
            )
        )
    actors.sort(key=lambda a: a.actor)

    m = arrays.m
    cross = cross_sector_ties(G, attribute=attribute, arrays=arrays)
    method = "exact" if sources is None else f"sampled: {len(sources)} sources, seed {seed}"
    overall = GlobalMetrics(
        actors=arrays.n,
        ties=m,
        cross_sector_ties=cross,
        cross_sector_share=cross / m if m else None,
        ei_index=(2 * cross - m) / m if m else None,
        sector_assortativity=_value(assortativity),
        communities=len(communities),
        modularity=_value(quality),
        betweenness_method=method,
        seed=seed,
    )
    return MetricsResult(
        overall=overall,
        sectors=[GroupMetrics.of("sector", key, s) for key, s in sector_summary.items()],
        mixing=mixing,
        territories=sorted(territories, key=lambda r: (r.scope, r.key)),
        domains=sorted(domains, key=lambda r: r.key),
        actors=actors,
        communities=step("describe_communities", lambda: _describe(G, communities, attribute)),
        sector_pairs=sector_pairs,
        domain_activity=domain_activity,
        partnership_years=years,
        funding_flows=flows,
        funders=funders,
        project_sectors=projects,
        partnership_sectors=partnership_counts,
        whole_ecosystem=_unfiltered(G),
        activity_counted=activity,
        timings=timings,
    )


def _unfiltered(G: Any) -> bool:
    """Whether the projection covers the whole ecosystem (no territory, domain, type or
    period filter): only then are the per-territory counts complete."""
    filters = G.graph.get("filters")
    return filters is None or not any(vars(filters).values())


def _mixing(G: Any, arrays: GraphArrays, attribute: str, groups: list[str]) -> list[MixingCell]:
    counts = mixing_matrix(G, attribute=attribute, groups=groups, arrays=arrays)
    shares = mixing_matrix(G, attribute=attribute, normalized=True, groups=groups, arrays=arrays)
    return [
        MixingCell(s, t, int(counts[s][t]), float(shares[s][t])) for s in groups for t in groups
    ]


def _edge_domains(projection: Projection) -> list[list[str]]:
    """The domains (local names) of the partnerships and projects behind each tie, one list
    per edge in the collaboration graph's edge order, for
    :func:`~ecograph.network.mixing.tie_summaries`. A context missing from the projection
    has no domain."""
    local = {
        iri: tuple(domain.rstrip("/").rsplit("/", 1)[-1] for domain in sorted(context.domains))
        for iri, context in projection.contexts.items()
        if context.domains
    }
    found = local.get
    none: tuple[str, ...] = ()
    return [
        [domain for iri in data["partnerships"] for domain in found(iri, none)]
        + [domain for iri in data["projects"] for domain in found(iri, none)]
        for _, _, data in projection.collaboration.edges(data=True)
    ]


def _most_common(values: list[str]) -> tuple[str, float]:
    counts = Counter(v for v in values if v)
    if not counts:
        return "", 0.0
    key, n = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return key, n / len(values)


def _describe(
    G: Any, communities: list[frozenset[Hashable]], attribute: str
) -> list[CommunityMetrics]:
    rows = []
    for number, members in enumerate(communities, start=1):
        data = [G.nodes[n] for n in members]
        sectors = Counter(str(d.get(attribute, "")) for d in data)
        domains: defaultdict[str, int] = defaultdict(int)
        for d in data:
            for domain in str(d.get("domains", "")).split():
                domains[domain] += 1
        top = tuple(
            k for k, _ in sorted(domains.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_DOMAINS]
        )
        epci, epci_share = _most_common([str(d.get("epci", "")) for d in data])
        departement, dep_share = _most_common([str(d.get("departement", "")) for d in data])
        rows.append(
            CommunityMetrics(
                community=number,
                size=len(members),
                sectors=dict(sorted(sectors.items())),
                blau=_value(blau(sectors)),
                shannon=_value(shannon(sectors)),
                top_domains=top,
                epci=epci,
                epci_share=epci_share,
                departement=departement,
                departement_share=dep_share,
            )
        )
    return rows
