"""The analysis steps behind ``ecograph network``, ``metrics`` and ``gaps``, in one place.

Turns what a user types (a territory as ``epci/244400404``, a domain as ``housing``) into the
IRIs the projection needs. Keeping this here leaves the CLI without logic and lets notebooks call
the same functions; the labels explanations are written with are :class:`ecograph.labels.Labels`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ecograph.ingest.territories import TerritoryTable, read_table
from ecograph.labels import Labels
from ecograph.namespaces import PREFIXES, TERRITORY_BASE
from ecograph.network.projection import Projection, ProjectionFilter, project


@dataclass(frozen=True)
class Scope:
    """What the user asked to look at, in their words (any field may be None)."""

    territory: str | None = None
    domain: str | None = None
    partnership_type: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    def to_filter(self) -> ProjectionFilter:
        """The projection filter, with names turned into IRIs."""
        return ProjectionFilter(
            territory=territory_iri_from_user(self.territory) if self.territory else None,
            domain=_concept("egdom", self.domain),
            partnership_type=_concept("egpt", self.partnership_type),
            start=self.since,
            end=self.until,
        )


def territory_iri_from_user(text: str) -> str:
    """``epci/244400404``, ``departement/44``, ``commune/44109`` or a full territory IRI."""
    if text.startswith(TERRITORY_BASE):
        return text
    if "://" in text or "/" not in text:
        raise ValueError(
            f"territory {text!r}: write LEVEL/CODE such as epci/244400404, "
            "departement/44, commune/44109 or region/52"
        )
    return TERRITORY_BASE + text


def _concept(prefix: str, name: str | None) -> str | None:
    if not name:
        return None
    return name if "://" in name else PREFIXES[prefix] + name


def project_scope(store: Any, scope: Scope, table: TerritoryTable | None = None) -> Projection:
    """Project the part of the store the scope names."""
    return project(store, scope.to_filter(), table or read_table())


def domain_names(store: Any) -> list[str]:
    """Local names of every domain of the scheme loaded in the store."""
    return sorted(Labels.from_store(store, "en").domains)
