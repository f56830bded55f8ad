"""Project the knowledge graph into networkx graphs for analysis.

Single-property SELECTs stream what the analysis needs and nothing else (never ``rdf:type``
or label edges as ties): the actors with their attributes, who takes part in each partnership
or project (the "contexts" that tie actors), and each context's type, date, amount and
domains; Python joins them. Territory codes at every
level come from the shipped geography table, not from the store.

The actor–actor collaboration graph has an edge between two actors when they share at least
one partnership or project; the edge keeps which ones (``partnerships``, ``projects``) and its
``weight`` is how many. Funding ties also go into a directed graph (funder → beneficiary) for
brokerage roles. Node and edge order is sorted, so the same store gives the same graph.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter
from typing import Any

import networkx as nx

from ecograph.gcpause import collector_paused
from ecograph.geography import TerritoryTable, geography, split_territory_iri
from ecograph.namespaces import TERRITORY_BASE
from ecograph.provenance import ACTOR_SOURCES_QUERY
from ecograph.store.base import Store

# One single-property scan per attribute, joined in Python. Oxigraph answers a scan of one
# property fast and a many-pattern join with OPTIONALs and GROUP BY slowly: at 100,000 actors
# two joined queries take about three times as long as these scans.
ACTORS_QUERY = "SELECT DISTINCT ?s WHERE { ?s a eg:Actor }"
ACTOR_SCANS = {
    "name": "SELECT ?s ?o WHERE { ?s skos:prefLabel ?o }",
    "type": "SELECT ?s ?o WHERE { ?s eg:actorType ?o }",
    "sector": "SELECT ?s ?o WHERE { ?s eg:sector ?o }",
    "place": "SELECT ?s ?o WHERE { ?s eg:basedIn ?o }",
    "domains": "SELECT ?s ?o WHERE { ?s eg:worksOn ?o }",
    # what ecograph inferred from the words of the actor's name or grants (domain_rules)
    "inferred_domains": "SELECT ?s ?o WHERE { ?s eg:inferredWorksOn ?o }",
    "sources": ACTOR_SOURCES_QUERY,
}
CONTEXT_SCANS = {
    "partner": "SELECT ?s ?o WHERE { ?s eg:partner ?o }",
    "participant": "SELECT ?s ?o WHERE { ?s eg:hasParticipant ?o }",
    "funder": "SELECT ?s ?o WHERE { ?s eg:funder ?o }",
    "beneficiary": "SELECT ?s ?o WHERE { ?s eg:beneficiary ?o }",
    "ptype": "SELECT ?s ?o WHERE { ?s eg:partnershipType ?o }",
    "amount": "SELECT ?s ?o WHERE { ?s eg:amount ?o }",
    "currency": "SELECT ?s ?o WHERE { ?s eg:currency ?o }",
    "start": "SELECT ?s ?o WHERE { ?s schema:startDate ?o }",
    "domain": "SELECT ?s ?o WHERE { ?s eg:domain ?o }",
    "inferred_domain": "SELECT ?s ?o WHERE { ?s eg:inferredDomain ?o }",
}

#: The scans that name a context's members: what tells which contexts a territory needs.
MEMBER_SCANS = ("partner", "participant", "funder", "beneficiary")

#: How projects reach their other members: their leads, and the partnerships made for them.
#: Kept apart from the contexts' members, which make the ties (a lead is not a participant).
PROJECT_LINK_SCANS = {
    "leads": "SELECT ?s ?o WHERE { ?s eg:lead ?o }",
    "partnerships_for": "SELECT ?s ?o WHERE { ?s eg:forProject ?o }",
}

LEVELS = ("commune", "epci", "departement", "region")


@dataclass(frozen=True)
class ProjectionFilter:
    """Which part of the ecosystem to project. Empty fields mean no restriction.

    ``territory`` is a territory IRI at any level; ``domain`` a domain concept IRI;
    ``partnership_type`` a partnership-type concept IRI (projects are then left out);
    ``start``/``end`` keep contexts that started within the period (undated ones are kept
    only without a period).
    """

    territory: str | None = None
    domain: str | None = None
    partnership_type: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None


_NO_DOMAINS: frozenset[str] = frozenset()


@dataclass(slots=True)
class Context:
    """A partnership or project: what ties actors together.

    Slotted, with its domain sets shared between contexts that have the same ones: a
    national store has millions of contexts, and a ``__dict__`` and two sets each cost more
    than the rest of the context.
    """

    iri: str
    kind: str  # "partnership" | "project"
    partnership_type: str | None = None
    start: dt.date | None = None
    amount: float | None = None
    #: Stated (``eg:domain``) and inferred (``eg:inferredDomain``) domains together.
    domains: frozenset[str] = frozenset()
    members: dict[str, str] = field(default_factory=dict)  # actor IRI → role
    #: Every ``eg:partnershipType`` (one is expected; ``partnership_type`` is the first).
    types: tuple[str, ...] = ()
    #: The amount counted in euros, exactly as written: 0 when there is no amount or it is
    #: in another currency (``eg:currency`` other than "EUR"), as the library queries count.
    euros: Decimal = Decimal(0)
    #: Every ``eg:funder`` and ``eg:beneficiary`` (sorted), as stated: ``members`` gives each
    #: member one role, so an actor both funder and beneficiary shows there as beneficiary.
    funders: tuple[str, ...] = ()
    beneficiaries: tuple[str, ...] = ()
    #: The domains among ``domains`` that only ecograph's keyword rules give, no source.
    inferred_domains: frozenset[str] = frozenset()


@dataclass
class Projection:
    """The networkx views of one (filtered) ecosystem.

    ``collaboration`` holds every kept actor, with its attributes, and the actor–actor ties;
    ``funding`` the funder → beneficiary ties; ``contexts`` the kept partnerships and projects.
    """

    collaboration: nx.Graph
    funding: nx.DiGraph
    contexts: dict[str, Context]
    #: Project → its ``eg:lead`` actors, and partnership → the projects it is ``eg:forProject``,
    #: for the whole store (filters do not apply): what "projects without a partner from
    #: another sector" counts besides the participants.
    leads: dict[str, list[str]] = field(default_factory=dict)
    partnerships_for: dict[str, list[str]] = field(default_factory=dict)
    #: The attributes of actors outside the kept ones who share a kept partnership or
    #: project: a territory's partners from elsewhere (the State funding its associations).
    outside: dict[str, dict[str, Any]] = field(default_factory=dict)

    @functools.cached_property
    def bipartite(self) -> nx.Graph:
        """The actor–project graph (actors ``bipartite=0``, projects ``bipartite=1``).

        Built on first use: no metric reads it, and building it costs seconds at 100,000
        actors.
        """
        graph = nx.Graph()
        graph.add_nodes_from(
            (iri, {"bipartite": 0, **attributes})
            for iri, attributes in self.collaboration.nodes(data=True)
        )
        for iri in sorted(self.contexts):
            context = self.contexts[iri]
            if context.kind != "project":
                continue
            graph.add_node(
                iri, bipartite=1, domains=" ".join(sorted(_local(d) for d in context.domains))
            )
            graph.add_edges_from(
                (actor, iri) for actor in sorted(context.members) if actor in self.collaboration
            )
        return graph

    def sector_ties(self) -> nx.Graph:
        """Sector-level aggregate: an edge per sector pair with the number of ties between them
        (self-loops count ties inside a sector); nodes carry their actor count."""
        return _aggregate(self.collaboration, "sector")

    def territory_ties(self, *, level: str = "epci") -> nx.Graph:
        """Territory-level aggregate at ``level`` (commune, epci, departement, region)."""
        return _aggregate(self.collaboration, level)


def project(
    store: Store, filters: ProjectionFilter | None = None, *, table: TerritoryTable | None = None
) -> Projection:
    """Scan ``store`` (embedded or remote) and build the graphs."""
    filters = filters or ProjectionFilter()
    table = table or geography()
    with collector_paused():
        return _project(store, filters, table)


#: Every query a projection reads, by name: the rows the workspace caches.
SCANS = {"actors": ACTORS_QUERY, **ACTOR_SCANS, **CONTEXT_SCANS, **PROJECT_LINK_SCANS}


def _project(store: Store, filters: ProjectionFilter, table: TerritoryTable) -> Projection:
    from ecograph.network.projection_cache import cached_rows

    # Each scan's rows are dropped once read into its dict: the rows of all scans at once
    # would be the projection's peak.
    rows = cached_rows(store, SCANS)
    actor_iris = sorted(set(rows.pop("actors").column(0)))
    wanted = None
    if filters.territory is None:
        values = {key: _scan(rows.pop(key)) for key in ACTOR_SCANS}
        scans = {key: _scan(rows.pop(key)) for key in CONTEXT_SCANS}
    else:
        # What tells where the territory ends first; the rest only for what it keeps.
        values = {"place": _scan(rows.pop("place"))}
        scans = {key: _scan(rows.pop(key)) for key in MEMBER_SCANS}
        actor_iris, wanted = _near(actor_iris, values, scans, filters.territory, table)
        needed = set(actor_iris)
        values |= {key: _scan(rows.pop(key), needed) for key in ACTOR_SCANS if key != "place"}
        scans |= {key: _scan(rows.pop(key), wanted) for key in CONTEXT_SCANS.keys() - scans.keys()}
    actors = _actor_attributes(actor_iris, values, table)
    del values
    contexts = _contexts(scans, only=wanted)
    del scans
    kept_contexts = [c for c in contexts.values() if _context_kept(c, filters)]
    del contexts
    kept_actors = actors_in_territory(actors, kept_contexts, filters.territory)
    projection = _build(actors, kept_actors, kept_contexts, filters)
    if filters.territory is not None:
        projection.outside = {
            actor: actors[actor]
            for context in projection.contexts.values()
            for actor in context.members
            if actor in actors and actor not in kept_actors
        }
    projection.leads, projection.partnerships_for = (
        _scan(rows.pop(key)) for key in ("leads", "partnerships_for")
    )
    return projection


def _near(
    actor_iris: list[str],
    values: Mapping[str, Mapping[str, list[str]]],
    scans: Mapping[str, Mapping[str, list[str]]],
    territory: str,
    table: TerritoryTable,
) -> tuple[list[str], set[str]]:
    """What a projection filtered to ``territory`` needs of the nation: the actors whose
    attributes it reads (in order) and the contexts it builds.

    Why: a département is a hundredth of France, and working out every actor's attributes
    and every grant's object to keep a hundredth of them is what made a territory's map or
    report as slow and as large as the whole nation's. The answer is a superset, so that
    :func:`actors_in_territory` and the graph builder then decide on it exactly as on the
    whole store:

    - the territory's actors may be those based in it and, among the actors of no known
      place, those a context names beside one of its authorities (see
      :func:`actors_in_territory`): a superset of them, because types are not checked here;
    - the contexts are those naming one of them in any role, which holds every context a
      kept actor takes part in and every grant of the territory's authorities;
    - the actors are every actor those contexts name: the territory's, and its partners
      from elsewhere (``Projection.outside``).
    """
    places = values["place"]
    inside: dict[str, bool] = {}
    known = set(actor_iris)
    placed = set()
    for iri in actor_iris:
        place = _first(places, iri)
        found = inside.get(place)
        if found is None:
            found = inside[place] = _in_territory(
                {**territory_codes(place, table), "place": place}, territory
            )
        if found:
            placed.add(iri)
    roles = [scans[key] for key in MEMBER_SCANS]

    def naming(actors: set[str]) -> set[str]:
        """The contexts that name one of ``actors`` in any role."""
        return {
            context
            for role in roles
            for context, named in role.items()
            if not actors.isdisjoint(named)
        }

    def members(contexts: set[str]) -> set[str]:
        """The actors these contexts name, in any role."""
        return {a for role in roles for c in contexts for a in role.get(c, ()) if a in known}

    candidates = placed | {a for a in members(naming(placed)) if a not in places}
    contexts = naming(candidates)
    needed = members(contexts) | candidates
    return sorted(needed), contexts


def _scan(rows: Iterable[Sequence[str]], only: set[str] | None = None) -> dict[str, list[str]]:
    """Subject → sorted distinct values of one property, from a scan's (subject, value) rows;
    with ``only``, for those subjects alone.

    Most subjects have one value, so lists are only deduplicated and sorted when longer: at
    100,000 actors a set and a sort per subject would cost more than the scan itself.
    """
    values: dict[str, list[str]] = {}
    if only is not None:
        rows = ((subject, value) for subject, value in rows if subject in only)
    for subject, value in rows:
        found = values.get(subject)
        if found is None:
            values[subject] = [value]
        elif value not in found:
            found.append(value)
    for found in values.values():
        if len(found) > 1:
            found.sort()
    return values


# ----------------------------------------------------------------------------- reading rows
def _actor_attributes(
    iris: list[str], values: dict[str, dict[str, list[str]]], table: TerritoryTable
) -> dict[str, dict[str, Any]]:
    """Each actor's attributes, in ``iris`` order.

    Actors share communes, so the territory codes of each distinct place are worked out once.
    """
    places: dict[str, dict[str, str]] = {}
    # Types, sectors and domain lists repeat from actor to actor: one string each, not one
    # per actor (an actor's attributes are most of a national projection's memory).
    texts: dict[str, str] = {}

    def shared(text: str) -> str:
        return texts.setdefault(text, text)

    local = functools.lru_cache(maxsize=None)(_local)  # concept IRIs: a few hundred
    name, kind, sector, place_of, domains, inferred, sources = (
        values[key]
        for key in ("name", "type", "sector", "place", "domains", "inferred_domains", "sources")
    )
    actors: dict[str, dict[str, Any]] = {}
    for iri in iris:
        place = _first(place_of, iri)
        codes = places.get(place)
        if codes is None:
            codes = places[place] = territory_codes(place, table)
        stated, guessed = domains.get(iri, ()), inferred.get(iri, ())
        attributes: dict[str, Any] = {
            "name": _first(name, iri),
            "actor_type": local(_first(kind, iri)),
            "sector": local(_first(sector, iri)),
            "domains": shared(" ".join(sorted({local(d) for d in (*stated, *guessed)})))
            if stated or guessed
            else "",
            # Those of the domains no source states: ecograph inferred them from words.
            "inferred_domains": shared(
                " ".join(sorted({local(d) for d in guessed} - {local(d) for d in stated}))
            )
            if guessed
            else "",
            "place": place,
            # The source graphs stating the actor: where it comes from, real or generated.
            "sources": shared(" ".join(sources.get(iri, []))),
        }
        attributes.update(codes)
        actors[iri] = attributes
    return actors


def _first(values: Mapping[str, list[str]], subject: str) -> str:
    """The subject's first (smallest) value, or "" when it has none."""
    found = values.get(subject)
    return found[0] if found else ""


def territory_codes(place: str, table: TerritoryTable) -> dict[str, str]:
    """Codes of the commune, EPCI, département and région a place lies in ("" if none).

    Actors are based in a commune; authorities are placed at the territory they govern, so a
    département authority has a département and région but no commune or EPCI.
    """
    codes = dict.fromkeys(LEVELS, "")
    if not place.startswith(TERRITORY_BASE):
        return codes
    level, _, code = place[len(TERRITORY_BASE) :].partition("/")
    if level == "arrondissement-municipal" and code in table.arrondissements:
        level, code = "commune", table.arrondissements[code].parent or ""
    if level == "commune" and code in table.communes:
        commune = table.communes[code]
        codes.update(
            commune=code,
            epci=commune.epci or "",
            departement=commune.departement,
            region=commune.region,
        )
    elif level == "epci" and code in table.epcis:
        members = table.communes_by_epci.get(code, [])
        codes["epci"] = code
        departements = {c.departement for c in members}
        regions = {c.region for c in members}
        codes["departement"] = departements.pop() if len(departements) == 1 else ""
        codes["region"] = regions.pop() if len(regions) == 1 else ""
    elif level == "departement" and code in table.departements:
        codes.update(departement=code, region=table.departements[code][1])
    elif level in ("region", "com"):
        codes["region"] = code
    return codes


def _contexts(
    scans: Mapping[str, Mapping[str, list[str]]], *, only: set[str] | None = None
) -> dict[str, Context]:
    """Partnerships (anything with ``eg:partner``) and projects (``eg:hasParticipant``):
    all of them, or those whose IRI is in ``only``."""
    contexts: dict[str, Context] = {}
    dates = functools.lru_cache(maxsize=None)(_date)  # a few thousand distinct dates
    none: list[str] = []
    domain_sets: dict[frozenset[str], frozenset[str]] = {}  # a few hundred distinct ones
    shared = domain_sets.setdefault
    ptypes, start_dates, amounts_of, currencies_of, domains_of, funders_of, beneficiaries_of = (
        scans[key]
        for key in ("ptype", "start", "amount", "currency", "domain", "funder", "beneficiary")
    )
    inferred_of = scans["inferred_domain"]
    for kind, members, role in (
        ("partnership", "partner", "partner"),
        ("project", "participant", "participant"),
    ):
        for iri, actors in scans[members].items():
            if iri in contexts or (only is not None and iri not in only):
                continue
            types = ptypes.get(iri, none)
            starts = [d for d in (dates(v) for v in start_dates.get(iri, none)) if d]
            amounts = [
                (a, v)
                for a, v in ((_float(v), v) for v in amounts_of.get(iri, none))
                if a is not None
            ]
            currencies = currencies_of.get(iri, none)
            in_euros = amounts and (not currencies or currencies[0] == "EUR")
            funders, beneficiaries = funders_of.get(iri, none), beneficiaries_of.get(iri, none)
            stated, inferred = domains_of.get(iri, none), inferred_of.get(iri, none)
            every_domain = frozenset((*stated, *inferred))
            inferred_only = every_domain - frozenset(stated) if inferred else _NO_DOMAINS
            context = contexts[iri] = Context(
                iri=iri,
                kind=kind,
                partnership_type=types[0] if kind == "partnership" and types else None,
                start=min(starts) if starts else None,
                amount=amounts[0][0] if amounts else None,
                domains=shared(every_domain, every_domain),
                inferred_domains=shared(inferred_only, inferred_only),
                types=tuple(types) if kind == "partnership" else (),
                euros=Decimal(amounts[0][1]) if in_euros else Decimal(0),
                funders=tuple(funders),
                beneficiaries=tuple(beneficiaries),
            )
            roles = context.members = dict.fromkeys(actors, role)
            for directed, named in (("funder", funders), ("beneficiary", beneficiaries)):
                for actor in named:
                    if actor in roles:
                        roles[actor] = directed
    return contexts


#: Actor types whose grants make a beneficiary of unknown place part of their territory.
AUTHORITY_TYPES = frozenset({"commune", "epci", "departement", "region", "localAuthority"})


def actors_in_territory(
    actors: Mapping[str, Mapping[str, Any]], contexts: Iterable[Context], territory: str | None
) -> set[str]:
    """The actors of ``territory``: those based in it, and those whose place is unknown but
    whom one of its local authorities funds.

    Why the second group: a subsidy file names the beneficiary by SIRET and no address, so
    until the register that places it (SIRENE, RNA) is imported, the only fact tying it to a
    territory is the authority that funds it. Leaving it out would cut a département's own
    grants out of the département's report and map. They are told apart by their empty
    ``place`` attribute, and the report counts them on their own.
    """
    if territory is None:
        return set(actors)
    placed = {iri for iri, attrs in actors.items() if _in_territory(attrs, territory)}
    authorities = {iri for iri in placed if actors[iri].get("actor_type") in AUTHORITY_TYPES}
    if not authorities:
        return placed
    funded: set[str] = set()
    for context in contexts:
        if authorities.intersection(context.funders):
            funded.update(
                b for b in context.beneficiaries if b in actors and not actors[b].get("place")
            )
    return placed | funded


def _in_territory(attributes: Mapping[str, Any], territory: str | None) -> bool:
    """Whether an actor lies in ``territory`` (an IRI :func:`~ecograph.geography.
    resolve_territory` gives): its code at that level, or its own place, matches."""
    if territory is None:
        return True
    level, code = split_territory_iri(territory)
    key = "region" if level == "com" else level  # a collectivity's code is its région code
    return attributes.get(key) == code or attributes.get("place") == territory


def _context_kept(context: Context, filters: ProjectionFilter) -> bool:
    if filters.domain and filters.domain not in context.domains:
        return False
    if filters.partnership_type and context.partnership_type != filters.partnership_type:
        return False
    if filters.start or filters.end:
        if context.start is None:
            return False
        if filters.start and context.start < filters.start:
            return False
        if filters.end and context.start > filters.end:
            return False
    return True


# ----------------------------------------------------------------------------- building
def _build(
    actors: dict[str, dict[str, Any]],
    kept_actors: set[str],
    contexts: list[Context],
    filters: ProjectionFilter,
) -> Projection:
    """The graphs of the kept actors and contexts, nodes and edges in sorted order."""
    collaboration = nx.Graph()
    funding = nx.DiGraph()
    ordered = sorted(kept_actors)
    collaboration.add_nodes_from((iri, actors[iri]) for iri in ordered)
    funding.add_nodes_from(ordered)
    # The same actor, the same attributes: each funding node holds its collaboration node's
    # attribute dict, not a copy (a copy per actor is a tenth of a national projection).
    funding._node.update(collaboration._node)
    # Pair of actors → the partnerships / projects they share; funder → beneficiary → totals.
    made_of: dict[str, dict[tuple[str, str], list[str]]] = {"partnership": {}, "project": {}}
    flows: dict[tuple[str, str], list[float]] = {}
    kept: dict[str, Context] = {}
    for context in sorted(contexts, key=attrgetter("iri")):
        members = sorted(a for a in context.members if a in kept_actors)
        if not members:
            continue
        kept[context.iri] = context
        ties = made_of[context.kind]
        for pair in itertools.combinations(members, 2):
            found = ties.get(pair)
            if found is None:
                ties[pair] = [context.iri]
            else:
                found.append(context.iri)
        roles = context.members
        for funder in (a for a in members if roles[a] == "funder"):
            for beneficiary in (a for a in members if roles[a] == "beneficiary"):
                flow = flows.setdefault((funder, beneficiary), [0, 0.0])
                flow[0] += 1
                flow[1] += context.amount or 0.0
    partnerships, projects = made_of["partnership"], made_of["project"]
    collaboration.add_edges_from(
        (a, b, _tie(partnerships.get((a, b), []), projects.get((a, b), [])))
        for a, b in sorted(partnerships.keys() | projects.keys())
    )
    funding.add_edges_from(
        (funder, beneficiary, {"weight": weight, "amount": amount})
        for (funder, beneficiary), (weight, amount) in flows.items()
    )
    collaboration.graph["filters"] = filters
    return Projection(collaboration, funding, kept)


def _tie(partnerships: list[str], projects: list[str]) -> dict[str, Any]:
    return {
        "weight": len(partnerships) + len(projects),
        "partnerships": partnerships,
        "projects": projects,
    }


def _aggregate(graph: nx.Graph, attribute: str) -> nx.Graph:
    aggregate = nx.Graph()
    for _, value in sorted(graph.nodes(data=attribute, default="")):
        if aggregate.has_node(value):
            aggregate.nodes[value]["actors"] += 1
        else:
            aggregate.add_node(value, actors=1)
    for a, b in sorted(graph.edges()):
        x, y = sorted((graph.nodes[a].get(attribute, ""), graph.nodes[b].get(attribute, "")))
        if aggregate.has_edge(x, y):
            aggregate[x][y]["ties"] += 1
        else:
            aggregate.add_edge(x, y, ties=1)
    return aggregate


def _local(iri: str) -> str:
    """The last segment of a concept IRI (``…/sector/ess`` → ``ess``)."""
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1] if iri else ""


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None
