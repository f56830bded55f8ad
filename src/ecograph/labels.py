"""Human labels of ontology terms, SKOS concepts and territories, in the user's language.

One :class:`Labels` answers every "what do I call this IRI?" of the maps, the report, the gap
explanations and the terminal tables, so they all name a concept the same way. It is made from
the store's ontology graph (:meth:`Labels.from_store`, what a workspace holds, including any
labels a user added) or from the ontology files shipped with the package
(:meth:`Labels.shipped`, for a map or an explanation drawn without a store). Territory names
come from the shipped geography table, read only when first asked for.

It sits low in the layering: it reads the store protocol, the shipped files and the geography
table, and the network, render and CLI layers import it, never the other way round.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping

import pyoxigraph as ox

from ecograph.geography import TerritoryTable, geography
from ecograph.namespaces import PREFIXES, TERRITORY_BASE, graph_iri
from ecograph.resources import ontology_files
from ecograph.store.base import Store

__all__ = ["LABELS_QUERY", "Labels"]

_PREF_LABEL = PREFIXES["skos"] + "prefLabel"
_RDFS_LABEL = PREFIXES["rdfs"] + "label"

# Only the ontology graph: territories alone hold ~70,000 labels that are not wanted here.
# ``!isBlank``, not ``isIRI``: the same for a subject, and Virtuoso's cost estimator takes
# ``isIRI`` beside a LANG test for a scan of billions of rows and refuses the query.
LABELS_QUERY = """
SELECT ?term ?property ?label WHERE {
  VALUES ?graph { UNDEF }
  VALUES ?lang { UNDEF }
  GRAPH ?graph {
    { ?term skos:prefLabel ?label BIND(skos:prefLabel AS ?property) }
    UNION
    { ?term rdfs:label ?label BIND(rdfs:label AS ?property) }
  }
  FILTER(!isBlank(?term) && LANG(?label) = ?lang)
}
"""

#: Schemes whose concepts are named by local name (``ess``, ``housing``) across the code.
_SCHEMES = {
    "sectors": "egsec",
    "domains": "egdom",
    "actor_types": "egtype",
    "partnership_types": "egpt",
}


class Labels:
    """IRI → label in one language, with a readable fallback for what has no label.

    ``terms`` maps full IRIs of ontology terms and concepts to their label in ``lang``;
    ``table`` is the geography territory names come from (default: the shipped table, read on
    first use). Build it with :meth:`from_store` or :meth:`shipped`; the constructor is for
    tests and callers that already hold the labels. ``missing`` is what a concept with an
    empty name is called (see :meth:`missing_as`).
    """

    def __init__(
        self,
        lang: str,
        terms: Mapping[str, str],
        *,
        table: TerritoryTable | None = None,
        missing: str = "",
    ) -> None:
        self.lang = lang
        self.terms: Mapping[str, str] = dict(terms)
        self.missing = missing
        self._table = table
        self._schemes: dict[str, dict[str, str]] = {}

    def missing_as(self, word: str) -> Labels:
        """The same labels, calling a concept with an empty name ``word`` (a report writes
        "non renseigné" where an actor has no sector; a map leaves the row to its legend)."""
        copy = Labels(self.lang, {}, table=self._table, missing=word)
        copy.terms = self.terms
        copy._schemes = self._schemes
        return copy

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_store(
        cls, store: Store, *, lang: str = "fr", table: TerritoryTable | None = None
    ) -> Labels:
        """The labels of the store's ontology graph (``skos:prefLabel``, else ``rdfs:label``)."""
        graph = ox.NamedNode(graph_iri(store.base_iri, "ontology"))
        rows = store.select_values(LABELS_QUERY, {"lang": ox.Literal(lang), "graph": graph})
        return cls(lang, _preferred((term, prop, label) for term, prop, label in rows), table=table)

    @classmethod
    def shipped(cls, lang: str = "fr", *, table: TerritoryTable | None = None) -> Labels:
        """The labels of the ontology files shipped with ecograph, without a store: the same
        files ``ecograph init`` loads, so they agree with a fresh workspace."""
        return cls(lang, _shipped_terms(lang), table=table)

    # ------------------------------------------------------------------ asking
    def of(self, term: str) -> str:
        """The label of an IRI or a CURIE (``egsec:ess``).

        A territory IRI gives the territory's name. Without a label, the answer is the CURIE
        (``egdom:newThing``) when a known prefix fits, else the IRI's local name, so a table
        or a legend never shows a raw full IRI.
        """
        iri = self._expand(term)
        if iri in self.terms:
            return self.terms[iri]
        if iri.startswith(TERRITORY_BASE):
            level, _, code = iri[len(TERRITORY_BASE) :].partition("/")
            name = self.territory(level, code)
            if name is not None:
                return name
        return _curie(iri)

    def concept(self, prefix: str, local: str) -> str:
        """The label of ``local`` in the scheme of ``prefix`` (``"egsec"``, ``"ess"``); the
        local name itself when it has none, and :attr:`missing` for an empty name."""
        if not local:
            return self.missing
        return self.terms.get(PREFIXES[prefix] + local, local)

    def sector(self, local: str) -> str:
        """Label of a sector by local name (``ess``)."""
        return self.concept("egsec", local)

    def domain(self, local: str) -> str:
        """Label of a domain of action by local name (``housing``)."""
        return self.concept("egdom", local)

    def actor_type(self, local: str) -> str:
        """Label of an actor type by local name (``association``)."""
        return self.concept("egtype", local)

    def partnership_type(self, local: str) -> str:
        """Label of a partnership type by local name (``funding``)."""
        return self.concept("egpt", local)

    @property
    def sectors(self) -> Mapping[str, str]:
        """Local name → label of every sector that has a label."""
        return self._scheme("sectors")

    @property
    def domains(self) -> Mapping[str, str]:
        """Local name → label of every domain of action that has a label."""
        return self._scheme("domains")

    @property
    def actor_types(self) -> Mapping[str, str]:
        """Local name → label of every actor type that has a label."""
        return self._scheme("actor_types")

    @property
    def partnership_types(self) -> Mapping[str, str]:
        """Local name → label of every partnership type that has a label."""
        return self._scheme("partnership_types")

    # ------------------------------------------------------------------ territories
    @property
    def table(self) -> TerritoryTable:
        """The geography territory names are read from."""
        if self._table is None:
            self._table = geography()
        return self._table

    def territory(self, level: str, code: str) -> str | None:
        """The name of a territory (``"epci"``, ``"244400404"``), ``None`` when the geography
        does not know it."""
        table = self.table
        if level == "commune":
            commune = table.communes.get(code) or table.arrondissements.get(code)
            return commune.name if commune else None
        if level == "epci":
            return table.epcis[code][0] if code in table.epcis else None
        if level == "departement":
            return table.departements[code][0] if code in table.departements else None
        if level == "region":
            return table.regions.get(code)
        return None

    @property
    def epcis(self) -> Mapping[str, str]:
        """EPCI SIREN → name, for the whole geography."""
        return {code: name for code, (name, _, _) in self.table.epcis.items()}

    # ------------------------------------------------------------------ internals
    def _scheme(self, key: str) -> dict[str, str]:
        if key not in self._schemes:
            namespace = PREFIXES[_SCHEMES[key]]
            self._schemes[key] = {
                iri[len(namespace) :]: label
                for iri, label in self.terms.items()
                if iri.startswith(namespace) and len(iri) > len(namespace)
            }
        return self._schemes[key]

    @staticmethod
    def _expand(term: str) -> str:
        prefix, colon, local = term.partition(":")
        if colon and prefix in PREFIXES and not local.startswith("//"):
            return PREFIXES[prefix] + local
        return term

    def __repr__(self) -> str:
        return f"Labels(lang={self.lang!r}, {len(self.terms)} terms)"


def _preferred(rows: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    """IRI → label from (term, property, label) rows: ``skos:prefLabel`` wins over
    ``rdfs:label``, and among equals the smallest label, so the answer never depends on the
    order a store returns rows in."""
    best: dict[str, tuple[int, str]] = {}
    for term, prop, label in rows:
        rank = 0 if prop == _PREF_LABEL else 1
        if term not in best or (rank, label) < best[term]:
            best[term] = (rank, label)
    return {term: label for term, (_, label) in best.items()}


@functools.lru_cache(maxsize=4)
def _shipped_terms(lang: str) -> dict[str, str]:
    store = ox.Store()
    for path in ontology_files():
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    rows: list[tuple[str, str, str]] = []
    for prop in (_PREF_LABEL, _RDFS_LABEL):
        for quad in store.quads_for_pattern(None, ox.NamedNode(prop), None):
            term, label = quad.subject, quad.object
            if not (isinstance(term, ox.NamedNode) and isinstance(label, ox.Literal)):
                continue
            if label.language == lang:
                rows.append((term.value, prop, label.value))
    return _preferred(rows)


def _curie(iri: str) -> str:
    """``egdom:housing`` for an IRI in a known namespace (the longest that fits), else the
    part after the last ``#`` or ``/``."""
    fits = [(len(ns), prefix) for prefix, ns in PREFIXES.items() if iri.startswith(ns)]
    if fits:
        _, prefix = max(fits)
        local = iri[len(PREFIXES[prefix]) :]
        if local:
            return f"{prefix}:{local}"
    local = iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return local or iri
