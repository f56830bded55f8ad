"""What part of the ecosystem to analyse: the scope behind ``network``, ``metrics``, ``gaps``
and ``map``.

Turns what a user types (a territory as ``44``, ``epci/244400404`` or ``Nantes Métropole``
through :func:`ecograph.geography.resolve_territory`, a domain as ``housing``) into the IRIs
the projection needs. Keeping this here leaves the CLI without logic and lets notebooks call
the same functions; the labels explanations are written with are :class:`ecograph.labels.Labels`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ecograph.geography import TerritoryTable, geography, resolve_territory
from ecograph.labels import Labels
from ecograph.namespaces import PREFIXES
from ecograph.network.projection import Projection, ProjectionFilter, project
from ecograph.store.base import Store


@dataclass(frozen=True)
class Scope:
    """What the user asked to look at, in their words (any field may be None)."""

    territory: str | None = None
    domain: str | None = None
    partnership_type: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    def to_filter(self) -> ProjectionFilter:
        """The projection filter, with names turned into IRIs (ValueError for a territory
        that :func:`~ecograph.geography.resolve_territory` refuses)."""
        return ProjectionFilter(
            territory=resolve_territory(self.territory).iri if self.territory else None,
            domain=_concept("egdom", self.domain),
            partnership_type=_concept("egpt", self.partnership_type),
            start=self.since,
            end=self.until,
        )


def _concept(prefix: str, name: str | None) -> str | None:
    if not name:
        return None
    return name if "://" in name else PREFIXES[prefix] + name


def project_scope(store: Store, scope: Scope, *, table: TerritoryTable | None = None) -> Projection:
    """Project the part of the store the scope names."""
    return project(store, scope.to_filter(), table=table or geography())


def domain_names(store: Store) -> list[str]:
    """Local names of every domain of the scheme loaded in the store."""
    return sorted(Labels.from_store(store, lang="en").domains)
