"""Counts that describe an ecosystem at a glance: by type, sector, domain and territory.

Every count is ``COUNT(DISTINCT …)`` because the default graph is the union of the source
graphs, where a fact stated by two sources appears twice. Labels come from the ontology graph
in the language asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ecograph.labels import Labels
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
    "domain": """
        SELECT ?key (COUNT(DISTINCT ?actor) AS ?n) WHERE {
          ?actor a eg:Actor ; eg:worksOn ?key .
        } GROUP BY ?key""",
    "partnership type": """
        SELECT ?key (COUNT(DISTINCT ?partnership) AS ?n) WHERE {
          ?partnership a eg:Partnership ; eg:partnershipType ?key .
        } GROUP BY ?key""",
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


def totals(store: Any) -> dict[str, float]:
    """Actors, projects, partnerships, funding partnerships and their total amount."""
    row = store.select(TOTALS_QUERY)[0]
    funding = store.select(FUNDING_QUERY)[0]
    return {
        "actors": int(row["actors"].value),
        "projects": int(row["projects"].value),
        "partnerships": int(row["partnerships"].value),
        "funding partnerships": int(funding["n"].value),
        "funding total (EUR)": float(funding["total"].value) if funding["total"] else 0.0,
    }


def count_tables(store: Any, lang: str = "en") -> list[CountTable]:
    """Counts by actor type, sector, domain, partnership type and EPCI, titled in ``lang``."""
    labels = Labels.from_store(store, lang)
    tables = []
    for key, query in BY_CONCEPT_QUERIES.items():
        rows = [(labels.of(r["key"].value), int(r["n"].value)) for r in store.select(query)]
        title = f"Actors by {key}" if key != "partnership type" else "Partnerships by type"
        tables.append(CountTable(say(title, lang), say(key, lang), _sorted(rows)))
    epci_rows = [(r["label"].value, int(r["n"].value)) for r in store.select(BY_EPCI_QUERY)]
    tables.append(CountTable(say("Actors by EPCI", lang), "EPCI", _sorted(epci_rows)))
    return tables


def _sorted(rows: list[tuple[str, int]]) -> list[tuple[str, int]]:
    return sorted(rows, key=lambda row: (-row[1], row[0]))
