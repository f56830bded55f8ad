"""The words people use for types, sectors, domains, partnership types and statuses.

A value such as "Asso", "association loi 1901" or "Association" must land on one concept of
ecograph's SKOS schemes. Lookups go through ``name_key`` (case, accents and punctuation
ignored) over, in order: the user's mapping file, the concept's local name, its labels in the
schemes (``skos:prefLabel``/``altLabel``, French and English), and the usual French synonyms
below. Unknown values are not guessed: the row is refused with the list of accepted values.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import pyoxigraph as ox
from rdflib.namespace import DefinedNamespace

from ecograph.name_keys import name_key
from ecograph.namespaces import PREFIXES
from ecograph.resources import ontology_dir
from ecograph.vocab import ACTOR_TYPE, DOMAIN, EG, PARTNERSHIP_TYPE, PROJECT_STATUS, SECTOR

_DEFAULT_SECTOR = str(EG.defaultSector)

#: Field name → (scheme prefix in PREFIXES, scheme file).
SCHEMES: dict[str, tuple[str, str]] = {
    "type": ("egtype", "actor-types.ttl"),
    "sector": ("egsec", "sectors.ttl"),
    "domain": ("egdom", "domains.ttl"),
    "partnership_type": ("egpt", "partnership-types.ttl"),
    "status": ("egstat", "project-status.ttl"),
}
#: Field name → its scheme's generated vocabulary, which refuses a concept it lacks.
_TERMS: dict[str, type[DefinedNamespace]] = {
    "type": ACTOR_TYPE,
    "sector": SECTOR,
    "domain": DOMAIN,
    "partnership_type": PARTNERSHIP_TYPE,
    "status": PROJECT_STATUS,
}

SYNONYMS: dict[str, dict[str, str]] = {
    "type": {
        "asso": "association",
        "assoc": "association",
        "association loi 1901": "association",
        "association loi de 1901": "association",
        "association declaree": "association",
        "association de droit local": "association",
        "aisbl": "association",
        "association reconnue d utilite publique": "association",
        "arup": "association",
        "fondation reconnue d utilite publique": "foundation",
        "fonds de dotation": "foundation",
        "fondation d entreprise": "corporateFoundation",
        "ess": "socialEnterprise",
        "esus": "socialEnterprise",
        "entreprise sociale": "socialEnterprise",
        "entreprise de l ess": "socialEnterprise",
        "cooperative": "socialEnterprise",
        "mutuelle": "socialEnterprise",
        "scop sa": "scop",
        "scop sarl": "scop",
        "scic sas": "scic",
        "scic sa": "scic",
        "scic sarl": "scic",
        "ei": "insertionEnterprise",
        "etti": "insertionEnterprise",
        "aci": "insertionEnterprise",
        "chantier d insertion": "insertionEnterprise",
        "siae": "insertionEnterprise",
        "esat": "insertionEnterprise",
        "entreprise adaptee": "insertionEnterprise",
        "sa": "company",
        "sas": "company",
        "sasu": "company",
        "sarl": "company",
        "eurl": "company",
        "snc": "company",
        "societe": "company",
        "pme": "company",
        "tpe": "company",
        "entreprise privee": "company",
        "auto entrepreneur": "company",
        "micro entreprise": "company",
        "entreprise individuelle": "company",
        "collectivite": "localAuthority",
        "collectivite territoriale": "localAuthority",
        "ccas": "localAuthority",
        "cias": "localAuthority",
        "syndicat mixte": "localAuthority",
        "mairie": "commune",
        "ville": "commune",
        "municipalite": "commune",
        "communaute de communes": "epci",
        "communaute d agglomeration": "epci",
        "communaute urbaine": "epci",
        "metropole": "epci",
        "agglomeration": "epci",
        "conseil departemental": "departement",
        "conseil general": "departement",
        "conseil regional": "region",
        "etat": "stateBody",
        "prefecture": "stateBody",
        "ministere": "stateBody",
        "service de l etat": "stateBody",
        "caf": "stateBody",
        "ars": "stateBody",
        "france travail": "stateBody",
        "pole emploi": "stateBody",
        "etablissement public": "stateBody",
        "collectif": "citizenCollective",
        "collectif d habitants": "citizenCollective",
        "groupe informel": "citizenCollective",
        "universite": "researchEducation",
        "ecole": "researchEducation",
        "laboratoire": "researchEducation",
        "college": "researchEducation",
        "lycee": "researchEducation",
        "recherche": "researchEducation",
        "reseau": "network",
        "federation": "network",
        "union": "network",
        "tete de reseau": "network",
        "groupement": "network",
    },
    "sector": {
        "public": "public",
        "prive": "privateForProfit",
        "prive lucratif": "privateForProfit",
        "entreprise": "privateForProfit",
        "marchand": "privateForProfit",
        "economie sociale et solidaire": "ess",
        "non lucratif": "ess",
        "associatif": "ess",
        "societe civile": "civilSociety",
        "citoyen": "civilSociety",
        "academique": "academic",
        "recherche": "academic",
        "enseignement": "academic",
    },
    "domain": {
        "sante": "health",
        "logement": "housing",
        "hebergement": "housing",
        "vieillissement": "ageing",
        "personnes agees": "ageing",
        "seniors": "ageing",
        "pauvrete": "poverty",
        "precarite": "poverty",
        "solidarite": "poverty",
        "lutte contre la pauvrete": "poverty",
        "education": "education",
        "formation": "education",
        "emploi": "employment",
        "insertion": "employment",
        "insertion professionnelle": "employment",
        "environnement": "environment",
        "transition ecologique": "environment",
        "ecologie": "environment",
        "alimentation": "food",
        "aide alimentaire": "food",
        "mobilite": "mobility",
        "transport": "mobility",
        "culture": "culture",
        "sport": "culture",
        "handicap": "disability",
        "enfance": "childhoodYouth",
        "jeunesse": "childhoodYouth",
        "petite enfance": "childhoodYouth",
        "numerique": "digitalInclusion",
        "inclusion numerique": "digitalInclusion",
        "migrants": "migration",
        "migration": "migration",
        "accueil des refugies": "migration",
    },
    "partnership_type": {
        "subvention": "funding",
        "financement": "funding",
        "aide": "funding",
        "aide en numeraire": "funding",
        "dotation": "funding",
        "co construction": "coConstruction",
        "coconstruction": "coConstruction",
        "partenariat": "coConstruction",
        "prestation": "serviceDelivery",
        "prestation de service": "serviceDelivery",
        "convention de service": "serviceDelivery",
        "marche public": "procurement",
        "achat": "procurement",
        "commande publique": "procurement",
        "marche": "procurement",
        "mecenat": "inKind",
        "aide en nature": "inKind",
        "apport en nature": "inKind",
        "sponsoring": "inKind",
        "adhesion": "membership",
        "membre": "membership",
        "recherche": "research",
        "recherche action": "research",
    },
    "status": {
        "prevu": "planned",
        "a venir": "planned",
        "en projet": "planned",
        "en cours": "ongoing",
        "actif": "ongoing",
        "termine": "completed",
        "fini": "completed",
        "acheve": "completed",
        "clos": "completed",
        "arrete": "stopped",
        "abandonne": "stopped",
        "suspendu": "stopped",
    },
}


@functools.cache
def scheme_words(field: str) -> dict[str, str]:
    """``name_key(word) → local name`` for one field, from the scheme file and SYNONYMS."""
    prefix, filename = SCHEMES[field]
    namespace = PREFIXES[prefix]
    words: dict[str, str] = {}
    with (ontology_dir() / "schemes" / filename).open("rb") as handle:
        for quad in ox.parse(handle, ox.RdfFormat.TURTLE):
            subject = quad.subject
            if not (isinstance(subject, ox.NamedNode) and subject.value.startswith(namespace)):
                continue
            local = subject.value[len(namespace) :]
            if not local:
                continue
            words.setdefault(name_key(local), local)
            if quad.predicate.value in (
                PREFIXES["skos"] + "prefLabel",
                PREFIXES["skos"] + "altLabel",
            ):
                words.setdefault(name_key(quad.object.value), local)
    words.pop("", None)
    for word, local in SYNONYMS.get(field, {}).items():
        words.setdefault(name_key(word), local)
    return words


@functools.cache
def concepts(field: str) -> tuple[str, ...]:
    """The local names of one scheme's concepts (what a mapping may map values to)."""
    return tuple(sorted(set(scheme_words(field).values())))


@functools.cache
def concept_iri(field: str, local: str) -> str:
    """The IRI of a concept of a field's scheme, through the generated vocabulary: a name the
    scheme lacks (a typo in the code, or in ``SYNONYMS``) raises ``ValueError`` instead of
    minting an IRI nothing else uses."""
    try:
        return str(_TERMS[field][local])
    except (AttributeError, KeyError):
        raise ValueError(
            f"«{local}» is not a concept of the {field.replace('_', ' ')} scheme"
        ) from None


def lookup(field: str, text: str, *, user: Mapping[str, str] | None = None) -> str | None:
    """The concept (local name) for a value, or None when it names none.

    ``user`` is the mapping file's vocabulary for the field (keys already ``name_key``-ed).
    """
    key = name_key(text)
    if user and key in user:
        return user[key]
    if text.startswith(PREFIXES[SCHEMES[field][0]]):
        local = text[len(PREFIXES[SCHEMES[field][0]]) :]
        return local if local in concepts(field) else None
    return scheme_words(field).get(key)


def accepted(field: str) -> str:
    """The accepted values of a field, for messages."""
    return ", ".join(concepts(field))


@functools.cache
def default_sectors() -> dict[str, str]:
    """Actor type → its ``eg:defaultSector`` as stated in the actor-type scheme."""
    types, sectors = PREFIXES["egtype"], PREFIXES["egsec"]
    found: dict[str, str] = {}
    with (ontology_dir() / "schemes" / "actor-types.ttl").open("rb") as handle:
        for quad in ox.parse(handle, ox.RdfFormat.TURTLE):
            if quad.predicate.value == _DEFAULT_SECTOR:
                found[quad.subject.value[len(types) :]] = quad.object.value[len(sectors) :]
    return found
