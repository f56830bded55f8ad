"""An actor's type when the file does not give it: from its SIREN or its name.

SCDL subsidy files name funders and beneficiaries without saying what they are. Two clues
are reliable enough to use, and each use is reported as an assumption:

- a SIREN starting with 2 belongs to a public body (21 commune, 22 département, 23 région,
  24 and 25 inter-municipal bodies, other 2x public establishments);
- words of the name: "Association…", "Commune de…", "SCOP", "Fondation…", "SARL"…
"""

from __future__ import annotations

import re

from ecograph.name_keys import name_key

_SIREN_PREFIX = {
    "21": "commune",
    "22": "departement",
    "23": "region",
    "24": "epci",
    "25": "localAuthority",
}
_NAME_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), kind)
    for pattern, kind in (
        (r"\bfondation d entreprise\b", "corporateFoundation"),
        (r"\b(fondation|fonds de dotation)\b", "foundation"),
        (r"\bscop\b|\bcooperative ouvriere\b", "scop"),
        (r"\bscic\b|\bcooperative d interet collectif\b", "scic"),
        (
            r"\b(chantier d insertion|entreprise d insertion|esat|etti|regie de quartier)\b",
            "insertionEnterprise",
        ),
        # An authority is named by its kind first ("Région Bretagne", "Conseil départemental
        # de…") or, for an EPCI, last ("Nantes Métropole", "CA Redon Agglomération"): a word
        # met in the middle ("Partage Région Nantaise") names an association's area.
        (
            r"^(communaute de communes|communaute d agglomeration|communaute urbaine|"
            r"metropole|agglomeration)\b|\b(metropole|agglomeration)$",
            "epci",
        ),
        (r"^(conseil departemental|conseil general|departement)\b", "departement"),
        (r"^(conseil regional|region)\b", "region"),
        (r"^(commune|mairie|ville) (de|d|du|des)\b|^(commune|mairie|ville)$", "commune"),
        (
            r"\b(ccas|cias|centre (inter)?communal d action sociale|syndicat mixte|sivom|sivu)\b",
            "localAuthority",
        ),
        (
            r"\b(prefecture|ministere|direction regionale|direction departementale|dreets|"
            r"ddets|caisse d allocations familiales|caf|agence regionale de sante|ars|"
            r"france travail|pole emploi)\b",
            "stateBody",
        ),
        (
            r"\b(universite|ecole|lycee|college|institut|laboratoire|cnrs|inserm|inrae)\b",
            "researchEducation",
        ),
        (r"\b(federation|union regionale|union departementale|reseau|collectif des)\b", "network"),
        (r"\b(association|asso|amicale|club|comite|ligue|oeuvre|foyer)\b", "association"),
        (
            r"\b(sarl|sas|sasu|eurl|snc|sa|sci|selarl|societe|entreprise|ets|etablissements)\b",
            "company",
        ),
        (r"\b(cooperative|mutuelle|coop)\b", "socialEnterprise"),
        (r"\bcollectif\b", "citizenCollective"),
    )
)


def guess_type(name: str | None, siren: str | None) -> str | None:
    """The likeliest actor type, or None when neither the SIREN nor the name tells."""
    if siren and siren.startswith("2"):
        return _SIREN_PREFIX.get(siren[:2], "stateBody")
    if name:
        key = name_key(name)
        for pattern, kind in _NAME_RULES:
            if pattern.search(key):
                return kind
    return None
