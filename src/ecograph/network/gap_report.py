"""The gap report of one projection: every structural gap and the suggested partnerships, as one
plain object, written as JSON or CSV by :mod:`ecograph.table_files`.

The finders live in :mod:`ecograph.network.gaps`; this module only runs them together, so the
CLI, the notebooks and any other caller get the same report from one call, and writes it out.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ecograph.geography import TerritoryTable, geography
from ecograph.labels import Labels
from ecograph.network import gaps
from ecograph.network.communities import louvain_communities
from ecograph.network.projection import Projection
from ecograph.table_files import write_tables

#: The report's tables, in the order they are printed and written.
TABLES = ("sector_pairs", "domains", "actors", "communities", "suggestions")

#: Each table's row type, for the CSV header of an empty table.
ROW_TYPES: dict[str, type] = {
    "sector_pairs": gaps.SectorPairGap,
    "domains": gaps.DomainGap,
    "actors": gaps.ActorGap,
    "communities": gaps.CommunityGap,
    "suggestions": gaps.Suggestion,
}


@dataclass(frozen=True)
class GapReport:
    """Structural gaps (all of them, largest first) and the best suggested partnerships."""

    sector_pairs: list[gaps.SectorPairGap]
    domains: list[gaps.DomainGap]
    actors: list[gaps.ActorGap]
    communities: list[gaps.CommunityGap]
    suggestions: list[gaps.Suggestion]

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        """Every table as rows of plain fields, keyed as in :data:`TABLES`."""
        return {name: [dataclasses.asdict(row) for row in getattr(self, name)] for name in TABLES}


def gap_report(
    projection: Projection,
    labels: Labels,
    domains: Iterable[str],
    *,
    table: TerritoryTable | None = None,
    level: str = "epci",
    actor: Hashable | None = None,
    top: int = 10,
    seed: int = 0,
) -> GapReport:
    """The gaps of ``projection``'s collaboration graph and its ``top`` suggestions.

    ``domains`` are the local names of every domain of the scheme (a domain nobody works on is
    a gap too); ``level`` is the territory level of the sector and domain gaps; with ``actor``
    the suggestions answer "who should this actor meet?" (``KeyError`` when it is not in the
    graph). Communities are Louvain's, seeded like the metrics, so their numbers match
    ``ecograph metrics``.
    """
    graph = projection.collaboration
    table = table or geography()
    return GapReport(
        sector_pairs=gaps.sector_pair_gaps(graph, level=level),
        domains=gaps.domain_gaps(graph, projection.contexts, table, domains, level=level),
        actors=gaps.actor_gaps(graph),
        communities=gaps.community_gaps(
            graph, [set(c) for c in louvain_communities(graph, seed=seed)]
        ),
        suggestions=gaps.suggest(graph, labels, actor=actor, top=top, seed=seed),
    )


def write_report(
    report: GapReport,
    fmt: str,
    *,
    out: Path | None = None,
    stream: IO[str] | None = None,
    formula_escape: bool = True,
) -> list[Path]:
    """Write the report as ``fmt`` ("json" or "csv"), through
    :func:`ecograph.table_files.write_tables`: JSON to ``out/gaps.json`` or ``stream``, CSV one
    file per table into ``out``, each with its header even when empty."""
    headers = {
        name: [field.name for field in dataclasses.fields(row_type)]
        for name, row_type in ROW_TYPES.items()
    }
    return write_tables(
        report.tables(),
        fmt,
        name="gaps",
        out=out,
        stream=stream,
        headers=headers,
        formula_escape=formula_escape,
    )


__all__ = [
    "TABLES",
    "GapReport",
    "gap_report",
    "write_report",
]
