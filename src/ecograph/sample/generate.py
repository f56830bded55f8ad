"""Seeded synthetic ecosystems on real French territories, of any size.

The built-in sample (``ecograph demo``) and ``ecograph generate`` both come from here, so the
sample and the benchmark data share one set of distributions. The structure is deliberate,
because later analyses must have something to find:

* clusters: most ties stay inside an EPCI (``LOCAL_SHARE``), fewer cross the territory;
* brokers: about 2% of actors are very active and tie across sectors and EPCIs;
* isolated actors: about 6% take part in nothing;
* ``NO_PUBLIC_PARTNER_DOMAINS``: no public body funds or joins anything in these domains;
* ``NEVER_MEET``: these two sectors never share a partnership or a project;
* degree is skewed (Pareto activity), funding flows from authorities and foundations to the
  social economy, procurement from public buyers to companies and social enterprises.

Actors are fictional (names from ``names.py``, no identifiers); the local authorities are the
real communes, EPCIs, département and région, referenced by their SIREN-based IRIs so that they
join the territories graph. Output is N-Triples text, identical for the same arguments.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import TypedDict

from ecograph.geography import Commune, TerritoryTable, resolve_territory
from ecograph.namespaces import (
    PREFIXES,
    actor_iri_for_siren,
    authority_iri,
    territory_iri,
)
from ecograph.rdfterms import nt_iri, nt_literal
from ecograph.sample import names
from ecograph.vocab import ACTOR_TYPE, DOMAIN, EG, PARTNERSHIP_TYPE, PROJECT_STATUS, SECTOR

# ----------------------------------------------------------------------------- distributions
#: Share of each actor type among fictional actors.
TYPE_WEIGHTS: dict[str, float] = {
    "association": 44,
    "foundation": 3,
    "corporateFoundation": 2,
    "socialEnterprise": 3,
    "scop": 3,
    "scic": 2,
    "insertionEnterprise": 4,
    "company": 18,
    "stateBody": 2,
    "citizenCollective": 8,
    "researchEducation": 5,
    "network": 4,
}
#: The sector each type belongs to (associations: some are informal civil society).
DEFAULT_SECTOR: dict[str, str] = {
    "association": "ess",
    "foundation": "ess",
    "corporateFoundation": "privateForProfit",
    "socialEnterprise": "ess",
    "scop": "ess",
    "scic": "ess",
    "insertionEnterprise": "ess",
    "company": "privateForProfit",
    "stateBody": "public",
    "citizenCollective": "civilSociety",
    "researchEducation": "academic",
    "network": "ess",
    "commune": "public",
    "epci": "public",
    "departement": "public",
    "region": "public",
}
ASSOCIATION_CIVIL_SOCIETY_SHARE = 0.12
DOMAIN_WEIGHTS: dict[str, float] = {
    "poverty": 12,
    "employment": 11,
    "health": 10,
    "housing": 9,
    "education": 9,
    "childhoodYouth": 8,
    "ageing": 8,
    "environment": 8,
    "culture": 7,
    "food": 6,
    "disability": 6,
    "mobility": 5,
    "digitalInclusion": 4,
    "migration": 3,
}
PARTNERSHIP_TYPE_WEIGHTS: dict[str, float] = {
    "funding": 28,
    "coConstruction": 20,
    "serviceDelivery": 14,
    "procurement": 8,
    "inKind": 10,
    "membership": 10,
    "research": 10,
}
NEVER_MEET = frozenset({"privateForProfit", "civilSociety"})
NO_PUBLIC_PARTNER_DOMAINS = frozenset({"digitalInclusion", "migration"})
ISOLATED_SHARE = 0.06
BROKER_SHARE = 0.02
LOCAL_SHARE = 0.68  # a partner is drawn from the same EPCI this often
PROJECT_TIE_SHARE = 0.35  # share of partnerships made inside a project
REFERENCE_DATE = dt.date(2026, 11, 1)  # "today" for project statuses: fixed, for determinism

AUTHORITY_TYPES = frozenset({"commune", "epci", "departement", "region"})
FUNDERS = AUTHORITY_TYPES | {"stateBody", "foundation", "corporateFoundation"}
FUNDED = frozenset(
    {
        "association",
        "socialEnterprise",
        "scop",
        "scic",
        "insertionEnterprise",
        "citizenCollective",
        "researchEducation",
        "network",
        "foundation",
    }
)
BUYERS = AUTHORITY_TYPES | {"stateBody"}
SUPPLIERS = frozenset({"company", "scop", "scic", "insertionEnterprise", "socialEnterprise"})
GIVERS = frozenset({"company", "corporateFoundation"})
RECEIVERS = frozenset({"association", "citizenCollective", "insertionEnterprise", "network"})
NETWORKS = frozenset({"network"})
RESEARCHERS = frozenset({"researchEducation"})
PROJECT_LEADS = FUNDED - {"foundation"}

_RDF_TYPE = nt_iri(PREFIXES["rdf"] + "type")
_XSD = PREFIXES["xsd"]


_SCHEMES = {
    "egdom": DOMAIN,
    "egsec": SECTOR,
    "egtype": ACTOR_TYPE,
    "egpt": PARTNERSHIP_TYPE,
    "egstat": PROJECT_STATUS,
}


@functools.cache
def _eg(local: str) -> str:
    """An ontology term in N-Triples form; a misspelt name raises (vocab fails closed)."""
    return nt_iri(str(getattr(EG, local)))


@functools.cache
def _concept(prefix: str, local: str) -> str:
    """A SKOS concept of one of ecograph's schemes, checked against the generated vocab."""
    return nt_iri(str(getattr(_SCHEMES[prefix], local)))


@dataclass
class Actor:
    """One generated or authority actor, with what the generator needs to place ties."""

    iri: str
    kind: str
    sector: str
    domains: tuple[str, ...]
    home: Commune | None  # None for département/région authorities (territory-wide)
    epci: str | None
    activity: float
    broker: bool = False
    authority: bool = False
    name: str = ""
    based_in: str = ""

    @functools.cached_property
    def nt(self) -> str:
        """The IRI in N-Triples form, computed once (it is written many times)."""
        return nt_iri(self.iri)


@dataclass(frozen=True)
class EcosystemSpec:
    """What to generate. ``territory`` is a département code ("44", "departement/44") or a
    région ("region/52")."""

    actors: int
    seed: int
    territory: str = "44"
    id_prefix: str = ""
    projects: int | None = None
    partnerships: int | None = None

    @property
    def prefix(self) -> str:
        """Local id prefix keeping instances of different runs apart."""
        return self.id_prefix or f"g{self.seed}-"

    @property
    def project_count(self) -> int:
        return self.projects if self.projects is not None else max(1, self.actors // 4)

    @property
    def partnership_count(self) -> int:
        return self.partnerships if self.partnerships is not None else int(self.actors * 2.5)


@dataclass
class _Pool:
    """Actors with cumulative weights, for O(log n) weighted draws."""

    members: list[int] = field(default_factory=list)
    cumulative: list[float] = field(default_factory=list)

    def add(self, index: int, weight: float) -> None:
        if weight <= 0:
            return
        self.members.append(index)
        self.cumulative.append((self.cumulative[-1] if self.cumulative else 0.0) + weight)

    def draw(self, rng: random.Random) -> int | None:
        if not self.members:
            return None
        point = rng.random() * self.cumulative[-1]
        return self.members[bisect.bisect_right(self.cumulative, point)]


class _Project(TypedDict):
    """One generated project, before it is written as N-Triples."""

    iri: str
    name: str
    lead: int
    participants: list[int]
    domain: str
    territory: str
    start: dt.date
    end: dt.date
    status: str
    budget: float


class _Tie(TypedDict):
    """One generated partnership between two actors (indexes into the actor list)."""

    iri: str
    kind: str
    first: int
    second: int
    domain: str
    project: str | None
    amount: float | None
    start: dt.date


class EcosystemGenerator:
    """Builds one ecosystem; ``ntriples()`` yields it. One instance, one output."""

    def __init__(
        self, spec: EcosystemSpec, table: TerritoryTable, base: str, criteria: Sequence[str]
    ) -> None:
        if spec.actors < 1:
            raise ValueError("an ecosystem needs at least one actor")
        self.spec = spec
        self.table = table
        self.base = base
        self.criteria = list(criteria)
        self.rng = random.Random(spec.seed)
        self.communes = self._communes_of(spec.territory)
        self.actors: list[Actor] = []
        self._used_names: set[str] = set()

    # ------------------------------------------------------------------ territory
    def _communes_of(self, territory: str) -> list[Commune]:
        """Communes of the département or région ``territory`` names, in any form
        :func:`~ecograph.geography.resolve_territory` reads (``44``, ``departement/44``,
        ``region/52``, ``Loire-Atlantique``); ValueError for other levels."""
        place = resolve_territory(territory, table=self.table)
        if place.level == "departement":
            communes = self.table.communes_in(place.code)
        elif place.level == "region":
            communes = [c for c in self.table.communes.values() if c.region == place.code]
        else:
            raise ValueError(
                f"territory {territory!r} is {place.label}: give a département such as "
                "44 (or departement/44), or a région such as region/52"
            )
        return sorted(communes, key=lambda c: c.code)

    # ------------------------------------------------------------------ actors
    def _pick_domains(self, count: int) -> tuple[str, ...]:
        chosen: list[str] = []
        domains, weights = list(DOMAIN_WEIGHTS), list(DOMAIN_WEIGHTS.values())
        while len(chosen) < count:
            domain = self.rng.choices(domains, weights)[0]
            if domain not in chosen:
                chosen.append(domain)
        return tuple(chosen)

    def _name(self, kind: str, domains: tuple[str, ...], place: str) -> str:
        prefix = self.rng.choice(names.TYPE_PREFIXES[kind])
        theme = self.rng.choice(names.DOMAIN_WORDS[domains[0]])
        qualifier = self.rng.choice(names.QUALIFIERS)
        name = f"{prefix} {qualifier} {theme} – {place}"
        for counter in itertools.count(2):
            if name not in self._used_names:
                break
            name = f"{prefix} {qualifier} {theme} {counter} – {place}"
        self._used_names.add(name)
        return name

    def _make_fictional_actors(self) -> None:
        kinds, kind_weights = list(TYPE_WEIGHTS), list(TYPE_WEIGHTS.values())
        commune_weights = [max(c.population or 1, 1) ** 0.6 for c in self.communes]
        cumulative_communes = list(accumulate(commune_weights))
        width = max(4, len(str(self.spec.actors)))
        for i in range(self.spec.actors):
            kind = self.rng.choices(kinds, kind_weights)[0]
            sector = DEFAULT_SECTOR[kind]
            if kind == "association" and self.rng.random() < ASSOCIATION_CIVIL_SOCIETY_SHARE:
                sector = "civilSociety"
            commune = self.communes[
                bisect.bisect_right(
                    cumulative_communes, self.rng.random() * cumulative_communes[-1]
                )
            ]
            domains = self._pick_domains(1 + min(2, int(self.rng.expovariate(1.2))))
            roll = self.rng.random()
            isolated, broker = roll < ISOLATED_SHARE, roll > 1 - BROKER_SHARE
            activity = (
                0.0 if isolated else (12.0 if broker else min(self.rng.paretovariate(1.8), 25.0))
            )
            actor = Actor(
                iri=f"{self.base}actor/{self.spec.prefix}a{i + 1:0{width}d}",
                kind=kind,
                sector=sector,
                domains=domains,
                home=commune,
                epci=commune.epci,
                activity=activity,
                broker=broker,
            )
            actor.name = self._name(kind, domains, commune.name)
            actor.based_in = territory_iri("commune", commune.code)
            self.actors.append(actor)

    def _make_authorities(self) -> None:
        """The real authorities of the territory that take part: région, département(s),
        every EPCI, and the largest communes (one per 25 fictional actors, at least 5)."""
        region_codes = sorted({c.region for c in self.communes})
        departement_codes = sorted({c.departement for c in self.communes})
        epcis = sorted({c.epci for c in self.communes if c.epci})
        by_size = sorted(self.communes, key=lambda c: (-(c.population or 0), c.code))
        communes = by_size[: max(5, min(len(by_size), self.spec.actors // 25))]
        for code in region_codes:
            self._add_authority(
                "region",
                code,
                None,
                self.table.regions[code],
                authority_iri(self.base, "region", code),
            )
        for code in departement_codes:
            self._add_authority(
                "departement",
                code,
                None,
                self.table.departements[code][0],
                authority_iri(self.base, "departement", code),
            )
        for siren in epcis:
            members = self.table.communes_by_epci[siren]
            seat = max(members, key=lambda c: (c.population or 0, c.code))
            self._add_authority(
                "epci",
                siren,
                seat,
                self.table.epcis[siren][0],
                actor_iri_for_siren(self.base, siren),
            )
        for commune in sorted(communes, key=lambda c: c.code):
            iri = (
                actor_iri_for_siren(self.base, commune.siren)
                if commune.siren
                else authority_iri(self.base, "commune", commune.code)
            )
            self._add_authority("commune", commune.code, commune, commune.name, iri)

    def _add_authority(
        self, level: str, code: str, home: Commune | None, name: str, iri: str
    ) -> None:
        domains = self._pick_domains(self.rng.randint(3, 6))
        self.actors.append(
            Actor(
                iri=iri,
                kind=level,
                sector="public",
                domains=domains,
                home=home,
                epci=home.epci if home else None,
                activity=6.0 if level != "commune" else 3.0,
                authority=True,
                name=name,
                based_in=territory_iri(level, code),
            )
        )

    # ------------------------------------------------------------------ pools
    def _build_pools(self) -> None:
        self.pool_all = _Pool()
        self.pool_by_epci: dict[str, _Pool] = {}
        self.pool_by_kinds: dict[frozenset[str], _Pool] = {}
        for index, actor in enumerate(self.actors):
            self.pool_all.add(index, actor.activity)
            if actor.epci:
                self.pool_by_epci.setdefault(actor.epci, _Pool()).add(index, actor.activity)
        for kinds in (
            FUNDERS,
            FUNDED,
            BUYERS,
            SUPPLIERS,
            GIVERS,
            RECEIVERS,
            NETWORKS,
            RESEARCHERS,
            PROJECT_LEADS,
        ):
            pool = _Pool()
            for index, actor in enumerate(self.actors):
                if actor.kind in kinds:
                    pool.add(index, actor.activity)
            self.pool_by_kinds[kinds] = pool

    def _compatible(self, a: Actor, b: Actor, domain: str) -> bool:
        if a is b or {a.sector, b.sector} == NEVER_MEET:
            return False
        return not (domain in NO_PUBLIC_PARTNER_DOMAINS and "public" in (a.sector, b.sector))

    def _draw_partner(
        self, first: Actor, kinds: frozenset[str] | None, domain: str, tries: int = 40
    ) -> int | None:
        """A partner for ``first``: local first, territory-wide sometimes (always for
        brokers, who also prefer another sector), sharing the domain more often than not."""
        for _ in range(tries):
            local = not first.broker and first.epci is not None and self.rng.random() < LOCAL_SHARE
            pool = self.pool_by_epci.get(first.epci or "") if local else None
            if kinds is not None and (pool is None or self.rng.random() < 0.5):
                pool = self.pool_by_kinds[kinds]
            index = (pool or self.pool_all).draw(self.rng)
            if index is None:
                continue
            other = self.actors[index]
            if kinds is not None and other.kind not in kinds:
                continue
            if not self._compatible(first, other, domain):
                continue
            if first.broker and other.sector == first.sector and self.rng.random() < 0.8:
                continue
            if domain not in other.domains and self.rng.random() < 0.6:
                continue
            return index
        return None

    # ------------------------------------------------------------------ projects
    def _make_projects(self) -> list[_Project]:
        projects: list[_Project] = []
        width = max(4, len(str(self.spec.project_count)))
        leads = self.pool_by_kinds[PROJECT_LEADS]
        attempts = 0
        while len(projects) < self.spec.project_count and attempts < self.spec.project_count * 20:
            attempts += 1
            lead_index = leads.draw(self.rng)
            if lead_index is None:
                break
            lead = self.actors[lead_index]
            domain = self.rng.choice(lead.domains)
            participants = [lead_index]
            for _ in range(self.rng.randint(1, 5)):
                candidate = self._draw_partner(lead, None, domain)
                if candidate is None or candidate in participants:
                    continue
                if all(
                    self._compatible(self.actors[p], self.actors[candidate], domain)
                    for p in participants
                ):
                    participants.append(candidate)
            if len(participants) < 2:
                continue
            start = dt.date(2019, 1, 1) + dt.timedelta(days=self.rng.randrange(8 * 365))
            end = start + dt.timedelta(days=self.rng.randrange(180, 4 * 365))
            if start > REFERENCE_DATE:
                status = "planned"
            elif end < REFERENCE_DATE:
                status = "stopped" if self.rng.random() < 0.08 else "completed"
            else:
                status = "ongoing"
            number = len(projects) + 1
            place = lead.home.name if lead.home else lead.name
            projects.append(
                {
                    "iri": f"{self.base}project/{self.spec.prefix}p{number:0{width}d}",
                    "name": (
                        f"{self.rng.choice(names.PROJECT_WORDS)} "
                        f"{self.rng.choice(names.DOMAIN_WORDS[domain])} {place}"
                    ),
                    "lead": lead_index,
                    "participants": participants,
                    "domain": domain,
                    "territory": (territory_iri("epci", lead.epci) if lead.epci else lead.based_in),
                    "start": start,
                    "end": end,
                    "status": status,
                    "budget": round(math.exp(self.rng.uniform(math.log(8e3), math.log(8e5))), -2),
                }
            )
        return projects

    # ------------------------------------------------------------------ partnerships
    def _choose_roles(self, kind: str) -> tuple[frozenset[str] | None, frozenset[str] | None]:
        return {
            "funding": (FUNDERS, FUNDED),
            "procurement": (BUYERS, SUPPLIERS),
            "inKind": (GIVERS, RECEIVERS),
            "membership": (NETWORKS, None),
            "research": (RESEARCHERS, None),
        }.get(kind, (None, None))

    def _make_partnerships(self, projects: list[_Project]) -> list[_Tie]:
        partnerships: list[_Tie] = []
        kinds, weights = list(PARTNERSHIP_TYPE_WEIGHTS), list(PARTNERSHIP_TYPE_WEIGHTS.values())
        target = self.spec.partnership_count
        width = max(4, len(str(target)))
        attempts = 0
        while len(partnerships) < target and attempts < target * 10:
            attempts += 1
            project = None
            if projects and self.rng.random() < PROJECT_TIE_SHARE:
                project = self.rng.choice(projects)
                members = project["participants"]
                first, second = self.rng.sample(members, 2)
                domain = str(project["domain"])
                a, b = self.actors[first], self.actors[second]
                if a.kind in FUNDERS and b.kind in FUNDED:
                    kind = "funding"
                else:
                    kind = self.rng.choice(("coConstruction", "serviceDelivery"))
            else:
                kind = self.rng.choices(kinds, weights)[0]
                first_kinds, second_kinds = self._choose_roles(kind)
                pool = self.pool_by_kinds[first_kinds] if first_kinds else self.pool_all
                drawn = pool.draw(self.rng)
                if drawn is None:
                    continue
                first = drawn
                a = self.actors[first]
                domain = self.rng.choice(a.domains)
                partner = self._draw_partner(a, second_kinds, domain)
                if partner is None:
                    continue
                second, b = partner, self.actors[partner]
            if not self._compatible(a, b, domain):
                continue
            amount = None
            if kind == "funding":
                scale = 60_000 if a.kind in ("region", "departement") else 15_000
                amount = round(self.rng.lognormvariate(math.log(scale), 0.9), -2) or 500.0
            elif kind == "procurement":
                amount = round(self.rng.lognormvariate(math.log(25_000), 0.8), -2) or 500.0
            number = len(partnerships) + 1
            start = dt.date(2016, 1, 1) + dt.timedelta(days=self.rng.randrange(11 * 365))
            partnerships.append(
                {
                    "iri": f"{self.base}partnership/{self.spec.prefix}t{number:0{width}d}",
                    "kind": kind,
                    "first": first,
                    "second": second,
                    "domain": domain,
                    "project": project["iri"] if project else None,
                    "amount": amount,
                    "start": start,
                }
            )
        return partnerships

    # ------------------------------------------------------------------ output
    def ntriples(self) -> Iterator[str]:
        """Build the ecosystem and yield its N-Triples lines."""
        self._make_authorities()
        self._make_fictional_actors()
        self._build_pools()
        projects = self._make_projects()
        partnerships = self._make_partnerships(projects)
        yield from self._actor_lines()
        yield from self._project_lines(projects)
        yield from self._partnership_lines(partnerships)

    def _actor_lines(self) -> Iterator[str]:
        actor_class, label, description = (
            _eg("Actor"),
            nt_iri(PREFIXES["skos"] + "prefLabel"),
            nt_iri(PREFIXES["dcterms"] + "description"),
        )
        for actor in self.actors:
            s = actor.nt
            yield f"{s} {_RDF_TYPE} {actor_class} ."
            for domain in actor.domains:
                yield f"{s} {_eg('worksOn')} {_concept('egdom', domain)} ."
            if actor.authority:  # name, type, sector, SIREN live in the territories graph
                continue
            yield f"{s} {label} {nt_literal(actor.name, lang='fr')} ."
            yield f"{s} {_eg('actorType')} {_concept('egtype', actor.kind)} ."
            yield f"{s} {_eg('sector')} {_concept('egsec', actor.sector)} ."
            yield f"{s} {_eg('basedIn')} {nt_iri(actor.based_in)} ."
            phrase = " et ".join(names.DOMAIN_PHRASES[d] for d in actor.domains)
            place = actor.home.name if actor.home else ""
            text = f"Agit pour {phrase} à {place}. Organisation fictive générée par ecograph."
            yield f"{s} {description} {nt_literal(text, lang='fr')} ."

    def _project_lines(self, projects: list[_Project]) -> Iterator[str]:
        label = nt_iri(PREFIXES["skos"] + "prefLabel")
        start_p, end_p = (
            nt_iri(PREFIXES["schema"] + "startDate"),
            nt_iri(PREFIXES["schema"] + "endDate"),
        )
        assessment_number = 0
        for project in projects:
            s = nt_iri(str(project["iri"]))
            yield f"{s} {_RDF_TYPE} {_eg('Project')} ."
            yield f"{s} {label} {nt_literal(str(project['name']), lang='fr')} ."
            lead = self.actors[project["lead"]]
            yield f"{s} {_eg('lead')} {lead.nt} ."
            for index in project["participants"]:
                yield f"{s} {_eg('hasParticipant')} {self.actors[index].nt} ."
            yield f"{s} {_eg('domain')} {_concept('egdom', str(project['domain']))} ."
            yield f"{s} {_eg('territory')} {nt_iri(str(project['territory']))} ."
            yield f"{s} {_eg('status')} {_concept('egstat', str(project['status']))} ."
            yield f"{s} {start_p} {_date(project['start'])} ."
            yield f"{s} {end_p} {_date(project['end'])} ."
            yield f"{s} {_eg('budget')} {_decimal(project['budget'])} ."
            if project["status"] != "planned" and self.criteria and self.rng.random() < 0.5:
                for criterion in sorted(
                    self.rng.sample(self.criteria, min(len(self.criteria), self.rng.randint(3, 6)))
                ):
                    assessment_number += 1
                    a = nt_iri(f"{project['iri']}/assessment/{assessment_number}")
                    yield f"{a} {_RDF_TYPE} {_eg('Assessment')} ."
                    yield f"{a} {_eg('assesses')} {s} ."
                    yield f"{a} {_eg('criterion')} {nt_iri(criterion)} ."
                    score = str(self.rng.randint(1, 4))
                    yield f"{a} {_eg('score')} {nt_literal(score, datatype=_XSD + 'integer')} ."

    def _partnership_lines(self, partnerships: list[_Tie]) -> Iterator[str]:
        start_p = nt_iri(PREFIXES["schema"] + "startDate")
        for tie in partnerships:
            s = nt_iri(str(tie["iri"]))
            a = self.actors[tie["first"]].nt
            b = self.actors[tie["second"]].nt
            yield f"{s} {_RDF_TYPE} {_eg('Partnership')} ."
            yield f"{s} {_eg('partnershipType')} {_concept('egpt', str(tie['kind']))} ."
            yield f"{s} {_eg('partner')} {a} ."
            yield f"{s} {_eg('partner')} {b} ."
            if tie["kind"] == "funding":
                yield f"{s} {_eg('funder')} {a} ."
                yield f"{s} {_eg('beneficiary')} {b} ."
            yield f"{s} {_eg('domain')} {_concept('egdom', str(tie['domain']))} ."
            yield f"{s} {start_p} {_date(tie['start'])} ."
            if tie["project"]:
                yield f"{s} {_eg('forProject')} {nt_iri(str(tie['project']))} ."
            if tie["amount"] is not None:
                yield f"{s} {_eg('amount')} {_decimal(tie['amount'])} ."
                yield f"{s} {_eg('currency')} {nt_literal('EUR')} ."


def _date(value: dt.date) -> str:
    return nt_literal(value.isoformat(), datatype=_XSD + "date")


def _decimal(value: float) -> str:
    return nt_literal(f"{value:.2f}", datatype=_XSD + "decimal")


def generate_ntriples(
    spec: EcosystemSpec, table: TerritoryTable, base: str, criteria: Sequence[str]
) -> Iterator[str]:
    """The ecosystem described by ``spec`` as N-Triples lines (deterministic)."""
    return EcosystemGenerator(spec, table, base, criteria).ntriples()
