"""How a map looks and speaks: colours, shapes, sizes and the words of its controls.

Kept apart from the drawing code so a designer (or a translator) changes one file. Colours
are the Okabe–Ito palette, readable with the common colour-vision deficiencies; sectors get
the five strongest, partnership types reuse them on edges (edges and nodes never share a
legend row, so the reuse does not confuse).

Labels of sectors, actor types, domains and partnership types are not here: they come from
the SKOS schemes, through :class:`ecograph.labels.Labels`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = [
    "EDGE_COLOURS",
    "METRICS",
    "SECTOR_COLOURS",
    "SHAPES",
    "SUGGESTION_COLOUR",
    "WORDS",
    "node_sizes",
    "shape_of",
]

OTHER = "#999999"
SECTOR_COLOURS = {
    "public": "#0072B2",
    "privateForProfit": "#E69F00",
    "ess": "#009E73",
    "civilSociety": "#CC79A7",
    "academic": "#56B4E9",
}
# One shape per family of actor types: vis-network has seven shapes that keep the label
# outside the node (the others grow with their label, which breaks "size by metric").
SHAPES = {
    "association": "dot",
    "citizenCollective": "dot",
    "foundation": "star",
    "corporateFoundation": "star",
    "socialEnterprise": "diamond",
    "scop": "diamond",
    "scic": "diamond",
    "insertionEnterprise": "diamond",
    "company": "square",
    "localAuthority": "triangle",
    "commune": "triangle",
    "epci": "triangle",
    "departement": "triangle",
    "region": "triangle",
    "stateBody": "triangleDown",
    "researchEducation": "hexagon",
    "network": "hexagon",
}
EDGE_COLOURS = {
    "funding": "#D55E00",
    "coConstruction": "#0072B2",
    "serviceDelivery": "#009E73",
    "procurement": "#E69F00",
    "inKind": "#CC79A7",
    "membership": "#56B4E9",
    "research": "#F0E442",
    "project": "#7F7F7F",
}
SUGGESTION_COLOUR = "#222222"
SUGGESTION_DASHES = [8, 6]
MIN_SIZE, MAX_SIZE = 6.0, 36.0

# Metrics a node can be sized by: attribute of ActorMetrics (or "degree" from the graph).
METRICS = (
    "degree",
    "weighted_degree",
    "betweenness",
    "brokerage",
    "effective_size",
    "constraint",
    "blau",
    "shannon",
)

WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "search": "Rechercher un acteur",
        "search_button": "Trouver",
        "matches": "résultat(s)",
        "no_match": "Aucun acteur de ce nom.",
        "untied": "acteurs sans lien (cliquer pour les voir)",
        "sectors": "Secteurs",
        "types": "Types d'acteurs",
        "origins": "Origine des données",
        "origin": "Origine",
        "ties": "Liens",
        "domain": "Domaine",
        "territory": "Territoire",
        "all_domains": "Tous les domaines",
        "all_territories": "Tous les territoires",
        "departements": "Départements",
        "epcis": "Intercommunalités",
        "suggestions": "Partenariats suggérés",
        "suggestion": "Partenariat suggéré",
        "project": "Projet commun",
        "reset": "Tout afficher",
        "shown": "nœuds affichés sur",
        "labels": "noms lisibles (les autres au survol ou en zoomant)",
        "size_by": "Taille",
        "type": "Type",
        "sector": "Secteur",
        "commune": "Commune",
        "domains": "Domaines",
        "actors": "acteurs",
        "group_community": "Communauté",
        "no_commune": "sans commune",
        "placed_at": "placé au centre de",
        "missing_coords": "commune sans point sur la carte",
        "aggregated": "Vue agrégée : chaque nœud regroupe des acteurs "
        "({level}). Filtrez par territoire ou domaine pour voir les acteurs.",
        "level_community": "communautés",
        "level_epci": "intercommunalités",
        "level_departement": "départements",
        "partners": "partenariats",
        "projects": "projets",
        "why": "Pourquoi",
        "score": "score",
        "filters": "Filtres",
        "legend": "Légende",
        "unplaced": "non localisé",
        "layer": "Fond de carte",
        "layer_none": "aucun (les limites seules)",
        "layer_density": "Acteurs pour 1 000 habitants",
        "layer_density_none": "aucun acteur",
        "layer_funding": "Financements reçus par habitant (€)",
        "layer_funding_none": "aucun financement reçu",
        "layer_domain": "Acteurs « {domain} » pour 1 000 habitants",
        "layer_domain_none": "aucun acteur du domaine",
        "degree": "degré",
        "weighted_degree": "degré pondéré",
        "betweenness": "intermédiarité",
        "brokerage": "courtage",
        "effective_size": "taille effective",
        "constraint": "contrainte",
        "blau": "diversité (Blau)",
        "shannon": "diversité (Shannon)",
        "count": "nombre d'acteurs",
        "map": "Carte de l'écosystème",
        "sep": " : ",
        "isolated": "Acteurs sans communauté",
    },
    "en": {
        "search": "Find an actor",
        "search_button": "Find",
        "matches": "match(es)",
        "no_match": "No actor by that name.",
        "untied": "actors without a tie (click to list them)",
        "sectors": "Sectors",
        "types": "Actor types",
        "origins": "Where the data comes from",
        "origin": "Origin",
        "ties": "Ties",
        "domain": "Domain",
        "territory": "Territory",
        "all_domains": "All domains",
        "all_territories": "All territories",
        "departements": "Départements",
        "epcis": "Intercommunalities (EPCI)",
        "suggestions": "Suggested partnerships",
        "suggestion": "Suggested partnership",
        "project": "Shared project",
        "reset": "Show all",
        "shown": "nodes shown of",
        "labels": "names readable (the others on hover or by zooming in)",
        "size_by": "Size",
        "type": "Type",
        "sector": "Sector",
        "commune": "Commune",
        "domains": "Domains",
        "actors": "actors",
        "group_community": "Community",
        "no_commune": "no commune",
        "placed_at": "placed at the centre of",
        "missing_coords": "commune without a point on the map",
        "aggregated": "Aggregated view: each node groups actors "
        "({level}). Filter by territory or domain to see the actors.",
        "level_community": "communities",
        "level_epci": "intercommunalities",
        "level_departement": "départements",
        "partners": "partnerships",
        "projects": "projects",
        "why": "Why",
        "score": "score",
        "filters": "Filters",
        "legend": "Legend",
        "unplaced": "not located",
        "layer": "Map layer",
        "layer_none": "none (borders only)",
        "layer_density": "Actors per 1,000 inhabitants",
        "layer_density_none": "no actor",
        "layer_funding": "Funding received per inhabitant (€)",
        "layer_funding_none": "no funding received",
        "layer_domain": '"{domain}" actors per 1,000 inhabitants',
        "layer_domain_none": "no actor on the domain",
        "degree": "degree",
        "weighted_degree": "weighted degree",
        "betweenness": "betweenness",
        "brokerage": "brokerage",
        "effective_size": "effective size",
        "constraint": "constraint",
        "blau": "diversity (Blau)",
        "shannon": "diversity (Shannon)",
        "count": "number of actors",
        "map": "Ecosystem map",
        "sep": ": ",
        "isolated": "Actors outside any community",
    },
}


def shape_of(actor_type: str) -> str:
    """The vis-network shape of an actor type (``dot`` when unknown)."""
    return SHAPES.get(actor_type, "dot")


def node_sizes(values: Sequence[float | None]) -> list[float]:
    """Sizes in pixels, the area growing with the value (square root scale).

    Undefined values (``None``) and the smallest get ``MIN_SIZE``; negative values (an E-I
    index) are shifted so the smallest is zero.
    """
    known = [v for v in values if v is not None and not math.isnan(v)]
    if not known:
        return [MIN_SIZE] * len(values)
    low, high = min(min(known), 0.0), max(known)
    span = high - low
    sizes = []
    for value in values:
        if value is None or math.isnan(value) or span == 0:
            sizes.append(MIN_SIZE)
        else:
            share = math.sqrt((value - low) / span)
            sizes.append(round(MIN_SIZE + (MAX_SIZE - MIN_SIZE) * share, 1))
    return sizes
