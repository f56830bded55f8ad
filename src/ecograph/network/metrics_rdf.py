"""Write cross-sector metrics into the store, in their own named graph ``{base}graph/metrics``.

That graph always describes the whole ecosystem: metrics of a filtered projection (one
territory, domain, partnership type or period) are refused, not written. Readers query the
union of all graphs, so a second, partial set of the same measures, in this graph or in
another, would sit beside the whole ecosystem's and give every actor two betweenness values
and every library count two answers. A filtered run's tables are for the terminal and files.

Each run replaces the whole graph in one all-or-nothing step (:func:`replace_graph`, which
writes only the triples that changed), so a reader sees the complete old graph or the complete
new one, even when the run is killed mid-write: never none, never a mix, and no scratch graph
left behind. The graph describes
itself (``eg:SourceGraph``, title, version, and how betweenness was computed). The vocabulary
is the "Network metrics" section of the ontology; the model is in
``docs/decisions/0001-data-model.md``:

- each actor (by its data IRI) gets ``eg:degree``, ``eg:weightedDegree``,
  ``eg:betweenness``, ``eg:constraint``, ``eg:effectiveSize``, ``eg:sectorBlau``,
  ``eg:sectorShannon``, ``eg:eiIndex`` (undefined values are left out) and the
  Gould–Fernandez counts ``eg:brokerageCoordinator`` … ``eg:brokerageTotal`` (left out when
  zero);
- ``eg:TieSummary`` nodes for the ecosystem, each sector, EPCI, département and domain;
- ``eg:SectorMixing`` nodes for the cells of the mixing matrix;
- ``eg:Community`` nodes with their ``eg:member`` actors.

Only measures are written: names, sectors, domains and territories stay in the data graphs,
and queries join them (the default graph is the union of all graphs). That is how
:data:`TOP_BROKERS_QUERY` answers "which actors broker most in housing?": it matches actors
that ``eg:worksOn`` the domain (data graph) and orders them by ``eg:betweenness`` (metrics
graph), returning their Gould–Fernandez total and constraint alongside::

    top_brokers(store, DOMAIN.housing)

To rank by another notion of brokerage, order the subquery by ``eg:brokerageTotal`` (funding
chains brokered) or by ascending ``eg:constraint`` (Burt: fewer ties among one's partners).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import math
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

import numpy as np
import pyoxigraph as ox

from ecograph import __version__
from ecograph.gcpause import collector_paused
from ecograph.metrics_state import counts_fingerprint, metrics_graph
from ecograph.namespaces import PREFIXES, TERRITORY_BASE, territory_iri
from ecograph.network.metrics import GroupMetrics, MetricsResult
from ecograph.provenance import graph_description
from ecograph.rdfterms import nt_iri, nt_literal
from ecograph.store.base import Store, bound_text
from ecograph.store.graph_replace import replace_graph
from ecograph.vocab import EG

__all__ = [
    "TOP_BROKERS_QUERY",
    "FilteredMetricsError",
    "metrics_ntriples",
    "replace_graph",
    "top_brokers",
    "top_brokers_query",
    "write_metrics",
]

METRICS_TITLE = "Network metrics: cross-sector mixing, diversity, brokerage, communities"

_RDF_TYPE = nt_iri(PREFIXES["rdf"] + "type")
_XSD_INTEGER = PREFIXES["xsd"] + "integer"
_XSD_DOUBLE = PREFIXES["xsd"] + "double"
_XSD_DECIMAL = PREFIXES["xsd"] + "decimal"
_ROLE_TERMS = (
    ("coordinator", EG.brokerageCoordinator),
    ("gatekeeper", EG.brokerageGatekeeper),
    ("representative", EG.brokerageRepresentative),
    ("consultant", EG.brokerageConsultant),
    ("liaison", EG.brokerageLiaison),
)

_TOP_BROKERS_TEMPLATE = """
PREFIX eg: <https://w3id.org/ecograph/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?actor (SAMPLE(?label) AS ?name) (STR(?betweenness) AS ?betweennessText)
       (COALESCE(SAMPLE(?total), 0) AS ?brokerage) (STR(SAMPLE(?c)) AS ?constraintText)
WHERE {
  {
    SELECT ?actor ?betweenness WHERE {
      VALUES ?domain { UNDEF }
      ?actor eg:worksOn|eg:inferredWorksOn ?domain ;
             eg:betweenness ?betweenness .
    }
    ORDER BY DESC(?betweenness) ?actor
    LIMIT $limit
  }
  OPTIONAL { ?actor skos:prefLabel ?label }
  OPTIONAL { ?actor eg:brokerageTotal ?total }
  OPTIONAL { ?actor eg:constraint ?c }
}
GROUP BY ?actor ?betweenness
ORDER BY DESC(?betweenness) ?actor
"""


def top_brokers_query(limit: int = 10) -> str:
    """The SPARQL of :func:`top_brokers`: bind ``?domain`` (``VALUES ?domain { UNDEF }``).

    Ranking happens in a subquery before names and counts are joined, so only ``limit``
    actors are looked up, not every actor of the domain. The doubles are read as text
    (``STR``): Virtuoso prints a typed double to 6 significant digits, its text to 16.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"limit must be a positive integer, not {limit!r}")
    return _TOP_BROKERS_TEMPLATE.replace("$limit", str(limit))


#: "Which actors broker most in a domain?" — the ten with the highest betweenness.
TOP_BROKERS_QUERY = top_brokers_query(10)


class FilteredMetricsError(ValueError):
    """Metrics of a filtered projection were about to replace the whole ecosystem's."""


class StaleMetricsError(RuntimeError):
    """The data changed between reading the ecosystem and writing its metrics."""


@collector_paused()
def write_metrics(
    store: Store,
    result: MetricsResult,
    *,
    version: str | None = None,
    computed_on: str | None = None,
) -> str:
    """Replace ``{base}graph/metrics`` with ``result``, atomically; return the graph IRI.

    ``result`` must cover the whole ecosystem: a filtered one raises
    :class:`FilteredMetricsError` and leaves the store untouched.

    When the result covers the whole ecosystem with its activity counts, the graph also
    records a fingerprint of the data it was computed from and of the counts' layout
    (``eg:dataFingerprint``, :func:`counts_fingerprint`), so the library queries that read
    those counts can tell whether they are still current (:func:`metrics_state`).

    ``computed_on`` is that fingerprint as it was when the projection was read (``ecograph
    metrics`` reads the data, lets go of the store while it computes, then takes the writer
    lock only to write): when the data changed in between, :class:`StaleMetricsError` is
    raised and nothing is written, so the graph never claims to describe data it was not
    computed from.
    """
    if computed_on is not None and computed_on != counts_fingerprint(
        store, metrics_graph(store.base_iri)
    ):
        raise StaleMetricsError(
            "the data changed while the metrics were computed (an import or a removal landed "
            "in between); nothing was written: compute them again"
        )
    if not result.whole_ecosystem:
        raise FilteredMetricsError(
            "metrics of a filtered projection are not written into the store: its metrics "
            "graph holds the whole ecosystem's, which the library queries read"
        )
    graph = metrics_graph(store.base_iri)
    description = graph_description(graph, title=METRICS_TITLE, version=version or __version__)
    method = (
        f"Computed on the whole ecosystem. Betweenness: {result.overall.betweenness_method}; "
        f"Louvain seed {result.overall.seed}; Shannon entropy in nats."
    )
    description.append(
        f"{nt_iri(graph)} {nt_iri(PREFIXES['dcterms'] + 'description')} "
        f"{nt_literal(method, lang='en')} ."
    )
    if result.activity_counted:
        fingerprint = counts_fingerprint(store, graph)
        description.append(
            f"{nt_iri(graph)} {nt_iri(EG.dataFingerprint)} {nt_literal(fingerprint)} ."
        )
    lines = itertools.chain(_lines(result, store.base_iri), description)
    replace_graph(store, graph, _chunks(lines))
    return graph


def top_brokers(store: Store, domain: str, *, limit: int = 10) -> list[dict[str, Any]]:
    """The ``limit`` actors working on ``domain`` (a domain concept IRI) with the highest
    betweenness, with their name, Gould–Fernandez total and constraint."""
    rows = store.select(top_brokers_query(limit), {"domain": ox.NamedNode(str(domain))})
    result = []
    for row in rows:
        name, constraint = row.get("name"), row.get("constraintText")
        result.append(
            {
                "actor": bound_text(row, "actor"),
                "name": name.value if name is not None else None,
                "betweenness": float(bound_text(row, "betweennessText")),
                "brokerage": int(bound_text(row, "brokerage")),
                "constraint": float(constraint.value) if constraint is not None else None,
            }
        )
    return result


def _chunks(lines: Iterable[str], size: int = 10_000) -> Iterator[str]:
    """N-Triples lines joined ``size`` at a time: a national metrics graph (9 M triples at a
    quarter of France, 1.6 GB of text) goes to the store without ever being one string."""
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) == size:
            yield "\n".join(batch) + "\n"
            batch.clear()
    if batch:
        yield "\n".join(batch) + "\n"


@collector_paused()
def metrics_ntriples(result: MetricsResult, base: str) -> str:
    """The metrics as N-Triples text (deterministic: same result, same bytes)."""
    return "".join(f"{line}\n" for line in _lines(result, base))


# Numbers never need escaping, and the predicates are a few dozen IRIs written a million
# times at 100,000 actors: formatting them directly, without the general escaping, keeps
# this module's time low there.
_INTEGER_SUFFIX = f'"^^{nt_iri(_XSD_INTEGER)}'
_DOUBLE_SUFFIX = f'"^^{nt_iri(_XSD_DOUBLE)}'
_predicate = functools.lru_cache(maxsize=None)(nt_iri)


def _integer(value: int) -> str:
    return f'"{int(value)}{_INTEGER_SUFFIX}'


def _double(value: float) -> str:
    """The double as Oxigraph writes it back ("0", "0.0000001", "INF"): the shortest digits
    that round-trip, with no exponent and no ".0". Written in another form, each value would
    count as changed at every rewrite of the graph (``store.graph_replace``)."""
    text = repr(float(value))
    if text.endswith(".0"):
        text = text[:-2]
    elif "e" in text:
        text = np.format_float_positional(value, unique=True, trim="-")
    elif not math.isfinite(value):
        text = "NaN" if math.isnan(value) else ("INF" if value > 0 else "-INF")
    return f'"{text}{_DOUBLE_SUFFIX}'


def _key(concept: str) -> str:
    """A concept's local name for a node IRI when it is one of ecograph's schemes' (they end
    in a plain name), else a digest of the whole IRI, so two concepts never share a node."""
    for scheme in ("egpt", "egtype"):
        if concept.startswith(PREFIXES[scheme]):
            return concept[len(PREFIXES[scheme]) :]
    return hashlib.sha256(concept.encode()).hexdigest()[:16]


def _decimal(value: Decimal) -> str:
    """xsd:decimal's canonical form: no exponent, no trailing zeros ("23000.5", "12000")."""
    text = format(value.normalize(), "f") if value else "0"
    return nt_literal(text, datatype=_XSD_DECIMAL)


def _triple(subject: str, predicate: str, obj: str) -> str:
    return f"{subject} {_predicate(predicate)} {obj} ."


def _lines(result: MetricsResult, base: str) -> Iterator[str]:
    ecosystem = nt_iri(f"{base}metrics/ecosystem")
    overall = result.overall
    yield _triple(ecosystem, PREFIXES["rdf"] + "type", nt_iri(EG.TieSummary))
    yield _triple(ecosystem, EG.summaryLevel, nt_literal("ecosystem"))
    yield _triple(ecosystem, EG.actorCount, _integer(overall.actors))
    yield _triple(ecosystem, EG.tieCount, _integer(overall.ties))
    yield _triple(ecosystem, EG.crossSectorTieCount, _integer(overall.cross_sector_ties))
    yield _triple(ecosystem, EG.communityCount, _integer(overall.communities))
    for term, value in (
        (EG.crossSectorShare, overall.cross_sector_share),
        (EG.eiIndex, overall.ei_index),
        (EG.sectorAssortativity, overall.sector_assortativity),
        (EG.modularity, overall.modularity),
    ):
        if value is not None:
            yield _triple(ecosystem, term, _double(value))
    for row in (*result.sectors, *result.territories, *result.domains):
        yield from _summary(row, base)
    for cell in result.mixing:
        if not (cell.sector and cell.other):
            continue
        subject = nt_iri(f"{base}metrics/mixing/{cell.sector}/{cell.other}")
        yield f"{subject} {_RDF_TYPE} {nt_iri(EG.SectorMixing)} ."
        yield _triple(subject, EG.fromSector, nt_iri(PREFIXES["egsec"] + cell.sector))
        yield _triple(subject, EG.toSector, nt_iri(PREFIXES["egsec"] + cell.other))
        yield _triple(subject, EG.tieCount, _integer(cell.ties))
        yield _triple(subject, EG.tieShare, _double(cell.share))
    for actor in result.actors:
        subject = nt_iri(actor.actor)
        yield _triple(subject, EG.degree, _integer(actor.degree))
        yield _triple(subject, EG.weightedDegree, _double(actor.weighted_degree))
        yield _triple(subject, EG.betweenness, _double(actor.betweenness))
        yield _triple(subject, EG.actorPartnershipCount, _integer(actor.partnerships))
        for term, value in (
            (EG.constraint, actor.constraint),
            (EG.effectiveSize, actor.effective_size),
            (EG.sectorBlau, actor.blau),
            (EG.sectorShannon, actor.shannon),
            (EG.eiIndex, actor.ei_index),
        ):
            if value is not None:
                yield _triple(subject, term, _double(value))
        for role, term in _ROLE_TERMS:
            if getattr(actor, role):
                yield _triple(subject, term, _integer(getattr(actor, role)))
        if actor.brokerage:
            yield _triple(subject, EG.brokerageTotal, _integer(actor.brokerage))
    members: dict[int, list[str]] = {}
    for actor in result.actors:
        if actor.community is not None:
            members.setdefault(actor.community, []).append(actor.actor)
    for community in result.communities:
        subject = nt_iri(f"{base}metrics/community/{community.community}")
        yield f"{subject} {_RDF_TYPE} {nt_iri(EG.Community)} ."
        yield _triple(subject, EG.actorCount, _integer(community.size))
        if community.blau is not None:
            yield _triple(subject, EG.sectorBlau, _double(community.blau))
        if community.shannon is not None:
            yield _triple(subject, EG.sectorShannon, _double(community.shannon))
        for domain in community.top_domains:
            yield _triple(subject, EG.mainDomain, nt_iri(PREFIXES["egdom"] + domain))
        if community.epci:
            yield _triple(subject, EG.mainTerritory, nt_iri(territory_iri("epci", community.epci)))
        if community.departement:
            yield _triple(
                subject,
                EG.mainTerritory,
                nt_iri(territory_iri("departement", community.departement)),
            )
        for member in members.get(community.community, ()):
            yield _triple(subject, EG.member, nt_iri(member))
    yield from _activity_lines(result, base)


def _activity_lines(result: MetricsResult, base: str) -> Iterator[str]:
    """The counts of :mod:`ecograph.network.library_counts`: per-territory sector pairs, funding
    flows and domain activity, partnerships by type and year, per-funder totals and each
    project's member sectors."""
    for pair in result.sector_pairs:
        where = pair.territory[len(TERRITORY_BASE) :]
        subject = nt_iri(f"{base}metrics/sector-pair/{where}/{pair.sector_a}/{pair.sector_b}")
        yield f"{subject} {_RDF_TYPE} {nt_iri(EG.SectorPairActivity)} ."
        yield _triple(subject, EG.summaryOf, nt_iri(pair.territory))
        yield _triple(subject, EG.fromSector, nt_iri(PREFIXES["egsec"] + pair.sector_a))
        yield _triple(subject, EG.toSector, nt_iri(PREFIXES["egsec"] + pair.sector_b))
        yield _triple(subject, EG.partnershipCount, _integer(pair.partnerships))
        yield _triple(subject, EG.projectCount, _integer(pair.projects))
    for row in result.partnership_years:
        subject = nt_iri(
            f"{base}metrics/partnership-year/{_key(row.partnership_type)}/"
            f"{row.year if row.year is not None else 'undated'}"
        )
        yield f"{subject} {_RDF_TYPE} {nt_iri(EG.PartnershipYearActivity)} ."
        yield _triple(subject, EG.activityType, nt_iri(row.partnership_type))
        if row.year is not None:
            yield _triple(subject, EG.activityYear, _integer(row.year))
        yield _triple(subject, EG.partnershipCount, _integer(row.partnerships))
        yield _triple(subject, EG.euroTotal, _decimal(row.euros))
    for flow in result.funding_flows:
        where = flow.territory[len(TERRITORY_BASE) :]
        subject = nt_iri(
            f"{base}metrics/funding-flow/{where}/{_key(flow.funder_type)}/"
            f"{_key(flow.beneficiary_type)}"
        )
        yield f"{subject} {_RDF_TYPE} {nt_iri(EG.FundingFlowActivity)} ."
        yield _triple(subject, EG.summaryOf, nt_iri(flow.territory))
        yield _triple(subject, EG.funderType, nt_iri(flow.funder_type))
        yield _triple(subject, EG.beneficiaryType, nt_iri(flow.beneficiary_type))
        yield _triple(subject, EG.partnershipCount, _integer(flow.partnerships))
        yield _triple(subject, EG.funderCount, _integer(flow.funders))
        yield _triple(subject, EG.beneficiaryCount, _integer(flow.beneficiaries))
        yield _triple(subject, EG.euroTotal, _decimal(flow.euros))
    for funder in result.funders:
        subject = nt_iri(funder.funder)
        yield _triple(subject, EG.fundedPartnershipCount, _integer(funder.partnerships))
        yield _triple(subject, EG.fundedBeneficiaryCount, _integer(funder.beneficiaries))
        yield _triple(subject, EG.fundedEuroTotal, _decimal(funder.euros))
    for project in result.project_sectors:
        yield _triple(nt_iri(project.project), EG.memberSectorCount, _integer(project.sectors))
    for count in result.partnership_sectors:
        yield _triple(nt_iri(count.partnership), EG.partnerSectorCount, _integer(count.sectors))
    for cell in result.domain_activity:
        where = cell.territory[len(TERRITORY_BASE) :]
        subject = nt_iri(f"{base}metrics/domain-activity/{where}/{cell.domain}")
        yield f"{subject} {_RDF_TYPE} {nt_iri(EG.DomainActivity)} ."
        yield _triple(subject, EG.summaryOf, nt_iri(cell.territory))
        yield _triple(subject, EG.activityDomain, nt_iri(PREFIXES["egdom"] + cell.domain))
        yield _triple(subject, EG.partnershipCount, _integer(cell.partnerships))
        yield _triple(subject, EG.projectCount, _integer(cell.projects))
        yield _triple(subject, EG.actorCount, _integer(cell.actors))
        for sector in cell.sectors:
            yield _triple(subject, EG.sectorPresent, nt_iri(PREFIXES["egsec"] + sector))


def _summary(row: GroupMetrics, base: str) -> Iterator[str]:
    subject = nt_iri(f"{base}metrics/{row.scope}/{row.key}")
    about = {
        "sector": lambda k: PREFIXES["egsec"] + k,
        "domain": lambda k: PREFIXES["egdom"] + k,
        "epci": lambda k: territory_iri("epci", k),
        "departement": lambda k: territory_iri("departement", k),
    }[row.scope](row.key)
    yield f"{subject} {_RDF_TYPE} {nt_iri(EG.TieSummary)} ."
    yield _triple(subject, EG.summaryLevel, nt_literal(row.scope))
    yield _triple(subject, EG.summaryOf, nt_iri(about))
    yield _triple(subject, EG.actorCount, _integer(row.actors))
    yield _triple(subject, EG.tieCount, _integer(row.ties))
    yield _triple(subject, EG.internalTieCount, _integer(row.internal_ties))
    yield _triple(subject, EG.crossSectorTieCount, _integer(row.cross_sector_ties))
    if row.cross_sector_share is not None:
        yield _triple(subject, EG.crossSectorShare, _double(row.cross_sector_share))
    if row.ei_index is not None:
        yield _triple(subject, EG.eiIndex, _double(row.ei_index))
