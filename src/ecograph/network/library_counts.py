"""Counts for the query library: who works with whom and who funds whom, per territory.

They are counted in memory from the projection (not by querying the store) and written
into the metrics graph, where the library queries that declare ``# requires: metrics`` read
them.

"Which sector pairs never collaborate in this territory?" and "which domains have no public
partner here?" need every partnership's members and their sectors. Asked of Oxigraph on disk
at 100,000 actors, such a query reads about a million rows, far too slow for a query a user
waits on. The projection already holds those rows in memory, so this module counts, for every
territory, what those queries count, and :mod:`ecograph.network.metrics_rdf` writes the
counts into the metrics graph, where the queries read a few dozen rows.

The semantics are the library queries' own, so the same fixture gives the same golden
results either way (tests/test_queries.py):

- a partnership or project *belongs to* a territory when at least one of its partners or
  participants is based in it, at any level: an actor's ``eg:basedIn`` place and every
  territory that place lies in (``eg:within*``, :meth:`TerritoryTable.enclosing`);
- a *sector pair* of a partnership or project is two different sectors of its members
  (members anywhere, not only local ones);
- a *domain* of a partnership or project is its ``eg:domain``; the actors of a domain in a
  territory are the members of its partnerships and projects there.

Partnerships are also counted ecosystem-wide by type and starting year, with their amounts in
euros (:func:`partnership_years`): "partnerships by type and year" otherwise groups every
partnership's type, date, amount and currency. And funding
partnerships are counted per territory of their beneficiaries and pair of actor types
(:func:`funding_flows`), which "funding to associations" reads, and per funder
(:func:`funder_totals`), which "top funders" reads: that query otherwise groups every funding
partnership's funders, beneficiaries, amount and currency before a single name is read.
Each project's number of member sectors (:func:`project_sectors`) is what "projects without a
partner from another sector" filters on, instead of grouping every project's members; each
partnership's number of partner sectors (:func:`partnership_sectors`) is how "cross-sector
partnerships" finds its partnerships: counting them in the query reads every partner's sector
again, a quarter of that query's time. The figures are in bench/README.md
(``bench_queries.py``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

import networkx as nx
import numpy as np

from ecograph.geography import TerritoryTable
from ecograph.namespaces import PREFIXES
from ecograph.network.arrays import sorted_unique
from ecograph.network.projection import Context, Projection
from ecograph.vocab import PARTNERSHIP_TYPE


@dataclass(frozen=True)
class SectorPairActivity:
    """The partnerships and projects of a territory that bring sectors ``sector_a`` and
    ``sector_b`` (local names, ``sector_a < sector_b`` as IRIs) together."""

    territory: str
    sector_a: str
    sector_b: str
    partnerships: int
    projects: int


@dataclass(frozen=True)
class DomainActivity:
    """The partnerships and projects of a territory on one domain (local name): how many,
    how many distinct actors take part, and the sectors (local names) those actors are in."""

    territory: str
    domain: str
    partnerships: int
    projects: int
    actors: int
    sectors: tuple[str, ...]


@dataclass(frozen=True)
class PartnershipYearActivity:
    """The partnerships of one type (IRI) that started in ``year`` (None: no start date),
    ecosystem-wide: how many, and their amounts in euros summed exactly (a partnership with no
    amount, or one in another currency, adds 0)."""

    partnership_type: str
    year: int | None
    partnerships: int
    euros: Decimal


def partnership_years(contexts: Iterable[Context]) -> list[PartnershipYearActivity]:
    """Count partnerships by type and starting year, as the library query does: a partnership
    with two types counts under each; its year is that of its (earliest) ``schema:startDate``.

    Sorted by type IRI, then year (undated last).
    """
    counts: dict[tuple[str, int | None], tuple[int, Decimal]] = {}
    for context in contexts:
        if context.kind != "partnership":
            continue
        year = context.start.year if context.start else None
        for kind in context.types:
            partnerships, euros = counts.get((kind, year), (0, Decimal(0)))
            counts[(kind, year)] = (partnerships + 1, euros + context.euros)
    return [
        PartnershipYearActivity(kind, year, partnerships, euros)
        for (kind, year), (partnerships, euros) in sorted(
            counts.items(), key=lambda item: (item[0][0], item[0][1] is None, item[0][1] or 0)
        )
    ]


@dataclass(frozen=True)
class FundingFlowActivity:
    """Funding partnerships (``egpt:funding``) from funders of one actor type to beneficiaries
    of another (type IRIs) based in ``territory`` (at any level): how many partnerships, how
    many distinct funders and beneficiaries, and their amounts in euros (each partnership's
    once)."""

    territory: str
    funder_type: str
    beneficiary_type: str
    partnerships: int
    funders: int
    beneficiaries: int
    euros: Decimal


def funding_flows(projection: Projection, table: TerritoryTable) -> list[FundingFlowActivity]:
    """Count funding flows per beneficiary territory and pair of actor types.

    The library query's semantics: a partnership counts once per (funder type, beneficiary
    type) whatever its number of funders and beneficiaries; a beneficiary belongs to every
    territory its ``eg:basedIn`` place lies in. Actor types are those of the projected actors
    (of the ``egtype:`` scheme). Sorted by territory, funder type, beneficiary type.
    """
    funding = str(PARTNERSHIP_TYPE.funding)
    kinds = {
        actor: PREFIXES["egtype"] + kind
        for actor, kind in projection.collaboration.nodes(data="actor_type")
        if kind
    }
    places = dict(projection.collaboration.nodes(data="place", default=""))
    cells: dict[tuple[str, str, str], tuple[set[str], set[str], set[str]]] = {}
    euros: dict[tuple[str, str, str], Decimal] = {}
    around: dict[str, tuple[str, ...]] = {}
    for iri in sorted(projection.contexts):
        context = projection.contexts[iri]
        if funding not in context.types:
            continue
        funders = [(f, kinds[f]) for f in context.funders if f in kinds]
        for beneficiary in context.beneficiaries:
            beneficiary_type = kinds.get(beneficiary)
            if beneficiary_type is None:
                continue
            place = places[beneficiary]
            if place not in around:
                around[place] = table.enclosing(place) if place else ()
            for territory in around[place]:
                for funder, funder_type in funders:
                    key = (territory, funder_type, beneficiary_type)
                    found = cells.setdefault(key, (set(), set(), set()))
                    if iri not in found[0]:
                        found[0].add(iri)
                        euros[key] = euros.get(key, Decimal(0)) + context.euros
                    found[1].add(funder)
                    found[2].add(beneficiary)
    return [
        FundingFlowActivity(
            *key, len(partnerships), len(funder_set), len(beneficiary_set), euros[key]
        )
        for key, (partnerships, funder_set, beneficiary_set) in sorted(cells.items())
    ]


@dataclass(frozen=True)
class FunderTotals:
    """What one funder (IRI) funds, ecosystem-wide: its funding partnerships
    (``egpt:funding``), their distinct beneficiaries, and their amounts in euros summed
    exactly (each partnership's once)."""

    funder: str
    partnerships: int
    beneficiaries: int
    euros: Decimal


def funder_totals(contexts: Iterable[Context]) -> list[FunderTotals]:
    """Total every funder's funding partnerships, as the "top funders" query does.

    Every stated ``eg:funder`` counts, projected actor or not; a partnership with two funders
    counts in full for each. Sorted by funder IRI.
    """
    funding = str(PARTNERSHIP_TYPE.funding)
    partnerships: dict[str, int] = {}
    euros: dict[str, Decimal] = {}
    beneficiaries: dict[str, set[str]] = {}
    for context in contexts:
        if funding not in context.types:
            continue
        for funder in set(context.funders):
            partnerships[funder] = partnerships.get(funder, 0) + 1
            euros[funder] = euros.get(funder, Decimal(0)) + context.euros
            beneficiaries.setdefault(funder, set()).update(context.beneficiaries)
    return [
        FunderTotals(funder, partnerships[funder], len(beneficiaries[funder]), euros[funder])
        for funder in sorted(partnerships)
    ]


@dataclass(frozen=True)
class ProjectSectors:
    """How many distinct sectors a project's members are in: its leads, its participants and
    the partners of the partnerships made for it (``eg:forProject``)."""

    project: str
    sectors: int


def project_sectors(projection: Projection) -> list[ProjectSectors]:
    """Count each project's member sectors, as the library query does.

    Members without a sector (or not projected actors) are left out; a project none of whose
    members has a sector gets no row. Sorted by project IRI.
    """
    members: dict[str, set[str]] = {}
    for project, leads in projection.leads.items():
        members.setdefault(project, set()).update(leads)
    for iri, context in projection.contexts.items():
        if context.kind == "project":
            members.setdefault(iri, set()).update(context.members)
    for partnership, projects in projection.partnerships_for.items():
        partnering = projection.contexts.get(partnership)
        if partnering is None or partnering.kind != "partnership":
            continue
        for project in projects:
            members.setdefault(project, set()).update(partnering.members)
    return [
        ProjectSectors(project, sectors) for project, sectors in _sector_counts(projection, members)
    ]


@dataclass(frozen=True)
class PartnershipSectors:
    """How many distinct sectors a partnership's partners are in; 2 or more makes it
    cross-sector."""

    partnership: str
    sectors: int


def partnership_sectors(projection: Projection) -> list[PartnershipSectors]:
    """Count each partnership's partner sectors, as "cross-sector partnerships" would.

    Partners without a sector are left out; a partnership none of whose partners has a
    sector gets no row. Sorted by partnership IRI.
    """
    partners = {
        iri: context.members.keys()
        for iri, context in projection.contexts.items()
        if context.kind == "partnership"
    }
    return [
        PartnershipSectors(partnership, sectors)
        for partnership, sectors in _sector_counts(projection, partners)
    ]


def _sector_counts(
    projection: Projection, members: Mapping[str, Iterable[str]]
) -> list[tuple[str, int]]:
    """(IRI, number of distinct sectors among its members) for each IRI of ``members``
    with at least one member in a sector, sorted by IRI."""
    sector_of = {
        actor: sector for actor, sector in projection.collaboration.nodes(data="sector") if sector
    }
    counts = []
    for iri in sorted(members):
        sectors = {sector_of[m] for m in members[iri] if m in sector_of}
        if sectors:
            counts.append((iri, len(sectors)))
    return counts


def territory_activity(
    projection: Projection, table: TerritoryTable
) -> tuple[list[SectorPairActivity], list[DomainActivity]]:
    """Count sector pairs and domain activity for every territory with any activity.

    Sorted by territory IRI, then sectors or domain: same projection, same lists. Counted
    with numpy over integer codes: a dictionary update per (partnership, territory, pair)
    is far slower at 100,000 actors.
    """
    G = projection.collaboration
    contexts = [projection.contexts[iri] for iri in sorted(projection.contexts)]
    member_ids: dict[str, int] = {}
    ctx_of, member_of = [], []
    for c, context in enumerate(contexts):
        for member in context.members:
            ctx_of.append(c)
            member_of.append(member_ids.setdefault(member, len(member_ids)))
    pair_ctx, pair_member = (
        np.asarray(ctx_of, dtype=np.int64),
        np.asarray(member_of, dtype=np.int64),
    )
    members = list(member_ids)
    sectors = sorted({G.nodes[m].get("sector") or "" for m in members if m in G} - {""})
    sector_code = {s: i for i, s in enumerate(sectors)}
    bit = np.array(
        [
            1 << sector_code[G.nodes[m]["sector"]]
            if m in G and G.nodes[m].get("sector") in sector_code
            else 0
            for m in members
        ],
        dtype=np.int64,
    )
    territories, starts, flat = _member_territories(G, members, table)
    kind = np.array([0 if c.kind == "partnership" else 1 for c in contexts], dtype=np.int64)
    n_ctx, n_terr = len(contexts), len(territories)
    if n_ctx == 0 or n_terr == 0:
        return [], []
    # each context's sector bit mask, and the (context, territory) pairs it belongs to
    mask = np.zeros(n_ctx, dtype=np.int64)
    np.bitwise_or.at(mask, pair_ctx, bit[pair_member])
    counts = np.diff(starts)[pair_member]
    ct_ctx = np.repeat(pair_ctx, counts)
    ct_terr = flat[_ranges(starts[pair_member], counts)]
    ct = sorted_unique(ct_ctx * n_terr + ct_terr)
    ct_ctx, ct_terr = ct // n_terr, ct % n_terr
    # sector pairs: count (territory, mask, kind), then credit every pair inside each mask
    n_masks = 1 << len(sectors)
    by_mask = np.bincount(
        (ct_terr * n_masks + mask[ct_ctx]) * 2 + kind[ct_ctx], minlength=n_terr * n_masks * 2
    ).reshape(n_terr, n_masks, 2)
    sector_rows = []
    pairs = list(itertools.combinations(range(len(sectors)), 2))
    with_pair = {
        pair: [m for m in range(n_masks) if (m >> pair[0]) & 1 and (m >> pair[1]) & 1]
        for pair in pairs
    }
    totals = {pair: by_mask[:, with_pair[pair], :].sum(axis=1) for pair in pairs}
    for t in np.argsort(np.asarray(territories)).tolist():
        for a, b in pairs:
            partnerships, projects = (int(x) for x in totals[(a, b)][t])
            if partnerships or projects:
                sector_rows.append(
                    SectorPairActivity(
                        territories[t], sectors[a], sectors[b], partnerships, projects
                    )
                )
    return sector_rows, _domain_rows(
        contexts, territories, sectors, ct_ctx, ct_terr, kind, mask, pair_ctx, pair_member, bit
    )


def _domain_rows(
    contexts: list,
    territories: list[str],
    sectors: list[str],
    ct_ctx: np.ndarray,
    ct_terr: np.ndarray,
    kind: np.ndarray,
    mask: np.ndarray,
    pair_ctx: np.ndarray,
    pair_member: np.ndarray,
    bit: np.ndarray,
) -> list[DomainActivity]:
    """Per (territory, domain): partnerships, projects, distinct members, sectors present."""
    domains = sorted({_local(d) for c in contexts for d in c.domains})
    if not domains:
        return []
    domain_code = {d: i for i, d in enumerate(domains)}
    cd_ctx, cd_dom = [], []
    for c, context in enumerate(contexts):
        for domain in sorted({_local(x) for x in context.domains}):
            cd_ctx.append(c)
            cd_dom.append(domain_code[domain])
    cd_ctx_a, cd_dom_a = np.asarray(cd_ctx, dtype=np.int64), np.asarray(cd_dom, dtype=np.int64)
    n_dom, n_terr = len(domains), len(territories)
    # join (context, territory) with (context, domain) on the context: both sorted by context
    per_ctx = np.bincount(cd_ctx_a, minlength=len(contexts))
    first = np.concatenate(([0], np.cumsum(per_ctx)))
    repeat = per_ctx[ct_ctx]
    j_ctx = np.repeat(ct_ctx, repeat)
    j_terr = np.repeat(ct_terr, repeat)
    j_dom = cd_dom_a[_ranges(first[ct_ctx], repeat)]
    cell = j_terr * n_dom + j_dom
    size = n_terr * n_dom
    partnerships = np.bincount(cell, weights=(kind[j_ctx] == 0), minlength=size)
    projects = np.bincount(cell, weights=(kind[j_ctx] == 1), minlength=size)
    present = np.zeros(size, dtype=np.int64)
    np.bitwise_or.at(present, cell, mask[j_ctx])
    # distinct members per cell: (cell, context) → the context's members, then unique
    per_ctx_members = np.bincount(pair_ctx, minlength=len(contexts))
    member_first = np.concatenate(([0], np.cumsum(per_ctx_members)))
    order = np.argsort(pair_ctx, kind="stable")
    sorted_members = pair_member[order]
    m_repeat = per_ctx_members[j_ctx]
    m_cell = np.repeat(cell, m_repeat)
    m_member = sorted_members[_ranges(member_first[j_ctx], m_repeat)]
    n_members = int(pair_member.max()) + 1 if pair_member.size else 1
    distinct = sorted_unique(m_cell * n_members + m_member) // n_members
    actors = np.bincount(distinct, minlength=size)
    rows = []
    for t in np.argsort(np.asarray(territories)).tolist():
        for d in range(n_dom):
            i = t * n_dom + d
            if partnerships[i] or projects[i]:
                rows.append(
                    DomainActivity(
                        territories[t],
                        domains[d],
                        int(partnerships[i]),
                        int(projects[i]),
                        int(actors[i]),
                        tuple(s for k, s in enumerate(sectors) if (present[i] >> k) & 1),
                    )
                )
    return rows


def _member_territories(
    G: nx.Graph, members: list[str], table: TerritoryTable
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Territory IRIs, and each member's territory codes as CSR (``starts``, ``flat``): its
    place and every territory around it; none for members that are not projected actors."""
    cache: dict[str, tuple[str, ...]] = {}
    code: dict[str, int] = {}
    starts, flat = [0], []
    for member in members:
        place = G.nodes[member].get("place", "") if member in G else ""
        if place not in cache:
            cache[place] = table.enclosing(place) if place else ()
        for territory in cache[place]:
            flat.append(code.setdefault(territory, len(code)))
        starts.append(len(flat))
    return list(code), np.asarray(starts, dtype=np.int64), np.asarray(flat, dtype=np.int64)


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(start, start + length)`` for each pair, vectorised."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    return np.arange(total, dtype=np.int64) + offsets


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
