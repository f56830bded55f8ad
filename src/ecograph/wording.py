"""The words of ecograph's tables, in English and French.

Labels of concepts (sectors, domains, types) come from the SKOS scheme in the store; the words
around them (table titles, column headers) come from here, so that ``--lang fr`` gives a
French table from title to last cell. Keys are the English text: a phrase missing here stays
English, and tests/test_wording.py checks that every phrase the code asks for has its French.
"""

from __future__ import annotations

FRENCH: dict[str, str] = {
    # ecograph stats
    "Ecosystem": "Écosystème",
    "Actors by actor type": "Acteurs par type d'acteur",
    "Actors by sector": "Acteurs par secteur",
    "Actors by domain": "Acteurs par domaine",
    "Domains, stated by a source or inferred from words": (
        "Domaines, déclarés par une source ou déduits des mots"
    ),
    "actors\nstated": "acteurs\ndéclaré",
    "actors\ninferred": "acteurs\ndéduit",
    "partnerships\nstated": "partenariats\ndéclaré",
    "partnerships\ninferred": "partenariats\ndéduit",
    "Partnerships by type": "Partenariats par type",
    "Actors by EPCI": "Acteurs par EPCI",
    "actor type": "type d'acteur",
    "sector": "secteur",
    "domain": "domaine",
    "partnership type": "type de partenariat",
    "EPCI": "EPCI",
    "count": "nombre",
    "what": "quoi",
    "actors": "acteurs",
    "projects": "projets",
    "partnerships": "partenariats",
    "funding partnerships": "partenariats de financement",
    "funding total (EUR)": "total des financements (EUR)",
    # ecograph gaps
    "Sectors present that never work together here": (
        "Secteurs présents qui ne travaillent jamais ensemble ici"
    ),
    "Domains without an actor, or without a public/private partner": (
        "Domaines sans acteur, ou sans partenaire public/privé"
    ),
    "Communities of the same département with no tie between them": (
        "Communautés d'un même département sans aucun lien entre elles"
    ),
    "Suggested partnerships": "Partenariats suggérés",
    "territory": "territoire",
    "sectors": "secteurs",
    "missing": "manque",
    "actors on it": "acteurs du domaine",
    "population": "population",
    "département": "département",
    "community": "communauté",
    "size": "taille",
    "actor": "acteur",
    "should meet": "devrait rencontrer",
    "score": "score",
    "why": "pourquoi",
    "any actor": "tout acteur",
    "{sector} partner": "partenaire : {sector}",
    "{isolated} isolated actors (no tie), {peripheral} peripheral (one tie).": (
        "{isolated} acteurs isolés (aucun lien), {peripheral} périphériques (un seul lien)."
    ),
    # ecograph metrics
    "Cross-sector collaboration": "Collaboration entre secteurs",
    "By sector": "Par secteur",
    "Sector mixing matrix (ties; row share)": (
        "Matrice des liens entre secteurs (liens ; part de la ligne)"
    ),
    "Top {top} brokers (betweenness)": "Les {top} principaux intermédiaires (intermédiarité)",
    "Communities": "Communautés",
    "value": "valeur",
    "cross sector ties": "liens entre secteurs",
    "betweenness method": "méthode d'intermédiarité",
    "seed": "graine",
    "constraint": "contrainte",
    "top domains": "domaines principaux",
    "epci": "EPCI",
    "epci share": "part de l'EPCI",
    # ecograph demo
    "Cross-sector collaboration (sample)": "Collaboration entre secteurs (exemple)",
    "Top 5 brokers (betweenness)": "Les 5 principaux intermédiaires (intermédiarité)",
    "Top 5 suggested partnerships": "Les 5 partenariats suggérés en tête",
    "  Gap: {a} and {b} never work together in the département ({n} and {m} actors).": (
        "  Manque : {a} et {b} ne travaillent jamais ensemble dans le département ({n} et {m} "
        "acteurs)."
    ),
    "  Gap: no {sector} partner in any {domain} partnership.": (
        "  Manque : aucun partenaire du {sector} dans les partenariats du domaine {domain}."
    ),
    "ties": "liens",
    "cross sector share": "part des liens entre secteurs",
    "ei index": "indice E-I",
    "sector assortativity": "assortativité par secteur",
    "communities": "communautés",
    "modularity": "modularité",
    "name": "nom",
    "degree": "degré",
    "betweenness": "intermédiarité",
    "blau": "Blau",
}


def say(text: str, lang: str, **values: object) -> str:
    """``text`` in ``lang`` (English or French), with ``{name}`` fields filled from ``values``."""
    phrase = FRENCH.get(text, text) if lang == "fr" else text
    return phrase.format(**values) if values else phrase
