"""The gap report of one projection: every structural gap and the suggested partnerships, as one
plain object, and its JSON and CSV forms.

The finders live in :mod:`ecograph.network.gaps`; this module only runs them together, so the
CLI, the notebooks and any other caller get the same report from one call, and writes it out.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ecograph.geography import TerritoryTable, geography
from ecograph.labels import Labels
from ecograph.network import gaps
from ecograph.network.communities import louvain_communities
from ecograph.network.projection import Projection
from ecograph.safetext import for_stream, spreadsheet_row

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


def report_json(report: GapReport) -> str:
    """The report as one JSON object of tables (lists of objects), without a final newline."""
    return json.dumps(report.tables(), ensure_ascii=False, indent=1, default=str)


def write_json(report: GapReport, stream: IO[str]) -> None:
    """Write the report as JSON, with a final newline, to ``stream``."""
    stream.write(report_json(report) + "\n")


def write_csv(report: GapReport, folder: Path, *, formula_escape: bool = True) -> list[Path]:
    """Write one CSV file per table (``sector_pairs.csv``…) into ``folder``; return their paths.

    Lists of values (a suggestion's shared domains) are joined by spaces. With
    ``formula_escape``, text a spreadsheet would run as a formula is prefixed with ``'``: names
    come from the data.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in report.tables().items():
        path = folder / f"{name}.csv"
        header = [field.name for field in dataclasses.fields(ROW_TYPES[name])]
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            for row in rows:
                cells = [_cell(row[column]) for column in header]
                writer.writerow(spreadsheet_row(cells) if formula_escape else cells)
        written.append(path)
    return written


def write_report(
    report: GapReport,
    fmt: str,
    *,
    out: Path | None = None,
    stream: IO[str] | None = None,
    formula_escape: bool = True,
) -> list[Path]:
    """Write the report as ``fmt`` ("json" or "csv"); return the files written.

    JSON goes to ``out / "gaps.json"`` when a folder is given, else to ``stream`` (made safe
    for a terminal when it is one); CSV needs ``out``, one file per table (:func:`write_csv`).
    """
    if fmt == "csv":
        if out is None:
            raise ValueError("CSV needs a folder: one file per table")
        return write_csv(report, out, formula_escape=formula_escape)
    if fmt != "json":
        raise ValueError(f"unknown format {fmt!r}: json or csv")
    if out is None:
        if stream is None:
            raise ValueError("JSON needs a folder or a stream")
        stream.write(for_stream(report_json(report) + "\n", stream))
        return []
    out.mkdir(parents=True, exist_ok=True)
    path = out / "gaps.json"
    with path.open("w", encoding="utf-8") as handle:
        write_json(report, handle)
    return [path]


def _cell(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return " ".join(str(item) for item in value)
    return value


__all__ = [
    "TABLES",
    "GapReport",
    "gap_report",
    "report_json",
    "write_csv",
    "write_json",
    "write_report",
]
