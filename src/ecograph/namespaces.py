"""IRIs that are fixed by ecograph's data model (docs/decisions/0001-data-model.md).

Terms of the ontology live in the generated ``vocab`` module; this module holds the namespace
strings and IRI patterns of *instances*, which are data, not vocabulary.
"""

from __future__ import annotations

ONTOLOGY_IRI = "https://w3id.org/ecograph/ontology"
DEFAULT_BASE_IRI = "https://w3id.org/ecograph/data/"
TERRITORY_BASE = "https://w3id.org/ecograph/territory/"

PREFIXES: dict[str, str] = {
    "eg": "https://w3id.org/ecograph/ontology#",
    "egdom": "https://w3id.org/ecograph/id/domain/",
    "egsec": "https://w3id.org/ecograph/id/sector/",
    "egtype": "https://w3id.org/ecograph/id/actor-type/",
    "egpt": "https://w3id.org/ecograph/id/partnership-type/",
    "egcrit": "https://w3id.org/ecograph/id/criterion/",
    "egstat": "https://w3id.org/ecograph/id/project-status/",
    "egterr": TERRITORY_BASE,
    "igeo": "http://rdf.insee.fr/def/geo#",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

#: Territory levels and the path segment of their IRIs.
TERRITORY_LEVELS = ("region", "com", "departement", "epci", "commune", "arrondissement-municipal")


def territory_iri(level: str, code: str) -> str:
    """The fixed IRI of a French territory, e.g. ``territory_iri("commune", "44109")``."""
    if level not in TERRITORY_LEVELS:
        raise ValueError(f"unknown territory level {level!r}; expected one of {TERRITORY_LEVELS}")
    return f"{TERRITORY_BASE}{level}/{code}"


def graph_iri(base: str, name: str) -> str:
    """A named graph of the workspace, e.g. ``graph_iri(base, "territories")``."""
    return f"{base}graph/{name}"


def actor_iri_for_siren(base: str, siren: str) -> str:
    """Actors with a SIREN get an IRI derived from it, so every source naming them merges."""
    return f"{base}actor/siren/{siren}"


def authority_iri(base: str, level: str, code: str) -> str:
    """A local authority the data gives no SIREN for (départements, régions)."""
    return f"{base}actor/authority/{level}/{code}"


def curie(iri: str, *, extra: dict[str, str] | None = None) -> str:
    """``iri`` written short for people, as ``prefix:local`` under the longest known namespace
    (``egdom:housing``, ``egterr:epci/244400404``), or unchanged when no namespace holds it.

    For display only: a local part may hold ``/``, which Turtle would need escaped.
    """
    namespaces = {**PREFIXES, **(extra or {})}
    best = ""
    for prefix, namespace in namespaces.items():
        if (
            iri.startswith(namespace)
            and len(iri) > len(namespace)
            and len(namespace) > len(namespaces.get(best, ""))
        ):
            best = prefix
    return f"{best}:{iri[len(namespaces[best]) :]}" if best else iri
