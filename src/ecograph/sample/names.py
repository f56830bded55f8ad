"""Word lists for fictional organisation names and descriptions (French).

Names are built from themes and places only: no person's name appears, real or invented.
A name may still resemble a real organisation's by chance; every generated actor is fictional.
"""

from __future__ import annotations

#: How each actor type's name starts.
TYPE_PREFIXES: dict[str, tuple[str, ...]] = {
    "association": ("Association", "Asso", "Association"),
    "foundation": ("Fondation",),
    "corporateFoundation": ("Fondation d'entreprise",),
    "socialEnterprise": ("Entreprise solidaire",),
    "scop": ("SCOP",),
    "scic": ("SCIC",),
    "insertionEnterprise": ("Entreprise d'insertion", "Atelier chantier d'insertion"),
    "company": ("SAS", "SARL", "Groupe"),
    "stateBody": ("Délégation départementale", "Agence territoriale"),
    "citizenCollective": ("Collectif citoyen", "Collectif"),
    "researchEducation": ("Laboratoire", "Institut de formation", "Chaire"),
    "network": ("Réseau", "Fédération", "Union"),
}

#: Words evoking each domain, for names and descriptions.
DOMAIN_WORDS: dict[str, tuple[str, ...]] = {
    "health": ("Santé", "Soins", "Prévention", "Bien-être"),
    "housing": ("Habitat", "Logement", "Toit", "Foyer"),
    "ageing": ("Âge", "Aînés", "Seniors", "Générations"),
    "poverty": ("Solidarité", "Entraide", "Précarité", "Partage"),
    "education": ("Savoirs", "Éducation", "Apprendre", "Réussite"),
    "employment": ("Emploi", "Insertion", "Parcours", "Tremplin"),
    "environment": ("Transition", "Climat", "Biodiversité", "Nature"),
    "food": ("Alimentation", "Circuits courts", "Jardins", "Épicerie"),
    "mobility": ("Mobilité", "Transport", "Vélo", "Déplacements"),
    "culture": ("Culture", "Arts", "Patrimoine", "Scènes"),
    "disability": ("Handicap", "Accessibilité", "Autonomie", "Inclusion"),
    "childhoodYouth": ("Jeunesse", "Enfance", "Familles", "Ados"),
    "digitalInclusion": ("Numérique", "Médiation numérique", "Clic", "Connexion"),
    "migration": ("Accueil", "Exil", "Hospitalité", "Langues"),
}

#: Qualifiers that make names distinct.
QUALIFIERS: tuple[str, ...] = (
    "Ensemble",
    "Horizon",
    "Passerelle",
    "Cap",
    "Avenir",
    "Racines",
    "Ricochet",
    "Boussole",
    "Relais",
    "Escale",
    "Tisser",
    "Sillage",
    "Étincelle",
    "Rencontre",
    "Archipel",
    "Levain",
    "Carrefour",
    "Élan",
    "Ancrage",
    "Estuaire",
    "Canopée",
    "Vivre",
    "Agir",
    "Pluriel",
)

#: French names of domains for descriptions ("agit pour ...").
DOMAIN_PHRASES: dict[str, str] = {
    "health": "la santé",
    "housing": "le logement",
    "ageing": "le bien-vieillir",
    "poverty": "la lutte contre la pauvreté",
    "education": "l'éducation",
    "employment": "l'emploi et l'insertion",
    "environment": "l'environnement",
    "food": "l'alimentation",
    "mobility": "la mobilité",
    "culture": "la culture",
    "disability": "le handicap",
    "childhoodYouth": "l'enfance et la jeunesse",
    "digitalInclusion": "l'inclusion numérique",
    "migration": "l'accueil des personnes migrantes",
}

PROJECT_WORDS: tuple[str, ...] = (
    "Programme",
    "Plateforme",
    "Maison",
    "Tiers-lieu",
    "Parcours",
    "Laboratoire",
    "Fabrique",
    "Pôle",
    "Dispositif",
    "Chantier",
    "Réseau",
    "Festival",
)
