"""Counts that describe an ecosystem at a glance: by type, sector, domain and territory.

Every count is ``COUNT(DISTINCT …)`` because the default graph is the union of the source
graphs, where a fact stated by two sources appears twice. Labels come from the ontology graph
in the language asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

from ecograph.labels import Labels
from ecograph.store.base import Store, bound_text
from ecograph.wording import say


@dataclass(frozen=True)
class CountTable:
    """A titled table of (label, count) rows, largest first."""

    title: str
    key: str
    rows: list[tuple[str, int]]


TOTALS_QUERY = """
SELECT
  (COUNT(DISTINCT ?actor) AS ?actors)
  (COUNT(DISTINCT ?project) AS ?projects)
  (COUNT(DISTINCT ?partnership) AS ?partnerships)
WHERE {
  { ?actor a eg:Actor } UNION { ?project a eg:Project } UNION { ?partnership a eg:Partnership }
}
"""

FUNDING_QUERY = """
SELECT (SUM(?amount) AS ?total) (COUNT(?partnership) AS ?n) WHERE {
  SELECT DISTINCT ?partnership ?amount WHERE {
    ?partnership eg:partnershipType egpt:funding ; eg:amount ?amount .
  }
}
"""

BY_CONCEPT_QUERIES = {
    "actor type": """
        SELECT ?key (COUNT(DISTINCT ?actor) AS ?n) WHERE {
          ?actor a eg:Actor ; eg:actorType ?key .
        } GROUP BY ?key""",
    "sector": """
        SELECT ?key (COUNT(DISTINCT ?actor) AS ?n) WHERE {
          ?actor a eg:Actor ; eg:sector ?key .
        } GROUP BY ?key""",
    "partnership type": """
        SELECT ?key (COUNT(DISTINCT ?partnership) AS ?n) WHERE {
          ?partnership a eg:Partnership ; eg:partnershipType ?key .
        } GROUP BY ?key""",
}

#: Per domain: the actors and the partnerships or projects ("partnerships" in the headers)
#: a source says work on it, and those ecograph inferred it for from their words
#: (eg:inferredWorksOn / eg:inferredDomain) and no source states it for.
DOMAIN_QUERY = """
SELECT ?key ?kind (COUNT(DISTINCT ?subject) AS ?n) WHERE {
  {
    ?subject eg:worksOn ?key . BIND("actors stated" AS ?kind)
  } UNION {
    ?subject eg:inferredWorksOn ?key .
    FILTER NOT EXISTS { ?subject eg:worksOn ?key }
    BIND("actors inferred" AS ?kind)
  } UNION {
    ?subject eg:domain ?key . BIND("partnerships stated" AS ?kind)
  } UNION {
    ?subject eg:inferredDomain ?key .
    FILTER NOT EXISTS { ?subject eg:domain ?key }
    BIND("partnerships inferred" AS ?kind)
  }
} GROUP BY ?key ?kind
"""
#: The kinds the query counts, in column order, and each column's header (two lines).
DOMAIN_COLUMNS = {
    "actors stated": "actors\nstated",
    "actors inferred": "actors\ninferred",
    "partnerships stated": "partnerships\nstated",
    "partnerships inferred": "partnerships\ninferred",
}

# Actors roll up from where they are based (a commune, or the territory an authority governs)
# through eg:within* to every enclosing territory; here, to EPCIs.
BY_EPCI_QUERY = """
SELECT ?key (SAMPLE(?name) AS ?label) (COUNT(DISTINCT ?actor) AS ?n) WHERE {
  ?actor a eg:Actor ; eg:basedIn ?place .
  ?place eg:within* ?key .
  ?key a igeo:Intercommunalite ; skos:prefLabel ?name .
} GROUP BY ?key
"""


def totals(store: Store) -> dict[str, float]:
    """Actors, projects, partnerships, funding partnerships and their total amount."""
    row = store.select(TOTALS_QUERY)[0]
    funding = store.select(FUNDING_QUERY)[0]
    return {
        "actors": int(bound_text(row, "actors")),
        "projects": int(bound_text(row, "projects")),
        "partnerships": int(bound_text(row, "partnerships")),
        "funding partnerships": int(bound_text(funding, "n")),
        "funding total (EUR)": float(bound_text(funding, "total")) if funding["total"] else 0.0,
    }


def count_tables(store: Store, *, lang: str = "en") -> list[CountTable]:
    """Counts by actor type, sector, domain, partnership type and EPCI, titled in ``lang``."""
    labels = Labels.from_store(store, lang=lang)
    tables = []
    for key, query in BY_CONCEPT_QUERIES.items():
        rows = [
            (labels.of(bound_text(r, "key")), int(bound_text(r, "n"))) for r in store.select(query)
        ]
        title = f"Actors by {key}" if key != "partnership type" else "Partnerships by type"
        tables.append(CountTable(say(title, lang), say(key, lang), _sorted(rows)))
    epci_rows = [
        (bound_text(r, "label"), int(bound_text(r, "n"))) for r in store.select(BY_EPCI_QUERY)
    ]
    tables.append(CountTable(say("Actors by EPCI", lang), "EPCI", _sorted(epci_rows)))
    return tables


@dataclass(frozen=True)
class DomainCounts:
    """Per domain, how many actors and partnerships or projects work on it, as sources state
    it and as ecograph inferred it (``DOMAIN_COLUMNS``, in that order)."""

    title: str
    columns: tuple[str, ...]
    rows: list[tuple[str, tuple[int, ...]]]


def domain_counts(store: Store, *, lang: str = "en") -> DomainCounts:
    """Stated and inferred domains side by side, the domains with most of either first."""
    labels = Labels.from_store(store, lang=lang)
    counts: dict[str, list[int]] = {}
    for row in store.select(DOMAIN_QUERY):
        cells = counts.setdefault(labels.of(bound_text(row, "key")), [0] * len(DOMAIN_COLUMNS))
        cells[list(DOMAIN_COLUMNS).index(bound_text(row, "kind"))] = int(bound_text(row, "n"))
    rows = sorted(((k, tuple(v)) for k, v in counts.items()), key=lambda r: (-sum(r[1]), r[0]))
    return DomainCounts(
        say("Domains, stated by a source or inferred from words", lang),
        tuple(say(header, lang) for header in DOMAIN_COLUMNS.values()),
        rows,
    )


def _sorted(rows: list[tuple[str, int]]) -> list[tuple[str, int]]:
    return sorted(rows, key=lambda row: (-row[1], row[0]))
