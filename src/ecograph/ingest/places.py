"""Communes and territories named in a cell: "44109", "Nantes", "Saint-Denis (93)", "1053".

Territory IRIs are fixed by the data model, so a cell only has to be matched to an INSEE
code. Names are matched with accents, case and hyphens ignored; a name shared by several
communes needs its département ("Saint-Denis (93)") or the INSEE code, and the message says
which communes it could be.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass

from ecograph.geography import departement_of_postcode, geography, place_key, resolve_territory
from ecograph.name_keys import name_key
from ecograph.namespaces import actor_iri_for_siren, authority_iri, territory_iri

_WITH_DEPARTEMENT = re.compile(r"^(.*?)\s*\((\d[0-9AB]|\d{3})\)\s*$")
_CODE = re.compile(r"^(\d[0-9AB]\d{3})$|^(\d{4})$")


class PlaceProblem(ValueError):
    """A cell that names no territory, or several; the text says what to write instead."""


def postcode_of(cell: str | None) -> str | None:
    """A La Poste postcode as a cell holds it: "44000", "44000.0" (Excel), "1000" (Excel
    dropped the leading zero of 01000); ``None`` for anything else."""
    text = (cell or "").strip()
    text = text[:-2] if text.endswith(".0") else text
    if text.isdigit() and len(text) in (4, 5):
        return text.zfill(5)
    return None


@functools.cache
def _by_name() -> dict[str, list[str]]:
    names: dict[str, list[str]] = defaultdict(list)
    table = geography()
    for commune in table.communes.values():
        names[place_key(commune.name)].append(commune.code)
    for arrondissement in table.arrondissements.values():
        names[place_key(arrondissement.name)].append(arrondissement.code)
    return names


@functools.cache
def _by_former_name() -> dict[str, list[str]]:
    """A merged commune's name → the current communes that took in a commune of that name."""
    names: dict[str, list[str]] = defaultdict(list)
    for name, current in geography().former_communes.values():
        if current in geography().communes:
            names[place_key(name)].append(current)
    return names


_CEDEX = re.compile(r"^(.*?)[\s,]+cedex(?:\s*\d+)?\s*$", re.IGNORECASE)


#: Longer than any commune's name with its CEDEX, arrondissement or département hint: a cell
#: longer than this names no commune, and reading it as one would cost time for nothing (the
#: patterns below, and the lookups, are not meant for a 100,000-character cell).
MAX_PLACE_CHARACTERS = 200


def _bounded(text: str) -> str:
    """The cell, stripped, or ``PlaceProblem`` when it is too long to name a commune."""
    raw = text.strip()
    if len(raw) > MAX_PLACE_CHARACTERS:
        raise PlaceProblem(
            f"a cell of {len(raw):,} characters names no commune (a name, even with its "
            f"CEDEX or département, has at most {MAX_PLACE_CHARACTERS})"
        )
    return raw


@functools.lru_cache(maxsize=65536)
def resolve_commune(text: str, *, postcode: str | None = None) -> tuple[str, str | None]:
    """(the commune's IRI, what was assumed to find it, or None), or ``PlaceProblem``.

    Besides :func:`commune_iri`, reads what addresses and registers carry: the INSEE code or
    the name of a commune since merged into another («72384», «CHATEAU DU LOIR», now part of
    Montval-sur-Loir) and a CEDEX suffix («LE MANS CEDEX 2», a business address's town).
    """
    _bounded(text)
    try:
        return commune_iri(text, postcode=postcode), None
    except PlaceProblem as problem:
        table = geography()
        former = table.former_communes.get(text.strip())
        if former is not None and former[1] in table.communes:
            now = table.communes[former[1]]
            return _commune_iri(now.code), (
                f"«{text.strip()}» is the code of a former commune ({former[0]}), now part of "
                f"{now.name} ({now.code}): placed there"
            )
        cedex = _CEDEX.match(text.strip())
        if cedex and cedex[1]:
            iri, also = resolve_commune(cedex[1], postcode=postcode)
            said = f"«{text.strip()}» is a CEDEX address: read as «{cedex[1]}»"
            return iri, f"{said}; {also}" if also else said
        if place_key(text) in _by_name():  # a current name, only ambiguous: not a former one
            raise problem from None
        departement = departement_of_postcode(postcode_of(postcode) or "")
        merged = sorted(set(_by_former_name().get(place_key(text), [])))
        if departement:
            merged = [c for c in merged if _departement_of(c) == departement] or merged
        if len(merged) != 1:
            raise problem from None
        name = table.communes[merged[0]].name
        return _commune_iri(merged[0]), (
            f"«{text.strip()}» is a former commune, now part of {name} ({merged[0]}): placed there"
        )


@functools.lru_cache(maxsize=65536)
def commune_iri(text: str, *, postcode: str | None = None) -> str:
    """The IRI of the commune a cell names (INSEE code or name), or ``PlaceProblem``.

    ``postcode`` is the address's postcode, when the row has one. It settles homonyms the
    way La Poste does (the communes it serves, then the name among them), and when the name
    is not among them its first digits still narrow the search to one département: a town
    spelt as the INSEE spells it stands even if the postcode is stale.
    """
    table = geography()
    raw = _bounded(text)
    code = raw[:-2] if raw.endswith(".0") else raw
    match = _CODE.match(code)
    if match:
        code = match[1] or code.zfill(5)
        if code in table.communes:
            return territory_iri("commune", code)
        if code in table.arrondissements:
            return territory_iri("arrondissement-municipal", code)
        raise PlaceProblem(
            f"«{raw}» is not the INSEE code of a current commune (2026); "
            "write the 5-character code (e.g. 44109) or the commune's name"
        )
    postal = postcode_of(postcode)
    if postal:
        served = table.commune_at(postal, raw)
        if served is not None:
            return _commune_iri(served.code)
    departement = departement_of_postcode(postal or "")
    hinted = _WITH_DEPARTEMENT.match(raw)
    if hinted:
        raw, departement = hinted[1], hinted[2]
    if not raw:
        raise PlaceProblem(
            f"postcode «{postcode}» serves several communes or none; write the town's name"
        )
    codes = _by_name().get(place_key(raw), [])
    if departement:  # a hint: a unique name stands even if the postcode disagrees
        codes = [c for c in codes if _departement_of(c) == departement] or codes
    if len(codes) == 1:
        return _commune_iri(codes[0])
    if not codes:
        raise PlaceProblem(
            f"no commune is named «{text.strip()}»; write its INSEE code "
            "(e.g. 44109) or its name as the INSEE spells it (e.g. Nantes)"
        )
    where = ", ".join(sorted({_departement_of(c) for c in codes}))
    raise PlaceProblem(
        f"«{text.strip()}» names {len(codes)} communes (départements {where}); "
        "write its INSEE code or add the département, e.g. "
        f"«{raw} ({sorted({_departement_of(c) for c in codes})[0]})»"
    )


def _commune_iri(code: str) -> str:
    level = "commune" if code in geography().communes else "arrondissement-municipal"
    return territory_iri(level, code)


def _departement_of(code: str) -> str:
    table = geography()
    commune = table.communes.get(code) or table.arrondissements.get(code)
    return commune.departement if commune else ""


def territory_ref(text: str) -> str:
    """A project's territory: LEVEL/CODE (epci/244400404, departement/44), a territory IRI,
    read by :func:`~ecograph.geography.resolve_territory`, or a commune (code or name, with
    the import's spellings: "Saint-Denis (93)", "St-Herblain", "1053")."""
    raw = text.strip()
    if "/" in raw:
        try:
            territory = resolve_territory(raw)
        except ValueError as err:
            raise PlaceProblem(str(err)) from None
        return territory.iri or ""
    return commune_iri(raw)


# ----------------------------------------------------------------------------- authorities
@dataclass(frozen=True)
class Authority:
    """A local authority of the shipped geography, as a funder names it."""

    level: str  # departement, region, commune or epci (TERRITORY_LEVELS)
    code: str
    label: str  # as the territories graph writes it ("Département Loire-Atlantique")
    siren: str | None  # communes and EPCIs; None for départements and régions

    def iri(self, base: str) -> str:
        """The node the territories graph gives this authority (by SIREN when it has one)."""
        if self.siren:
            return actor_iri_for_siren(base, self.siren)
        return authority_iri(base, self.level, self.code)


#: "Conseil départemental de la Mayenne", "CD 44", "Région Pays de la Loire", "Ville de
#: Nantes", "Mairie du Pouliguen"… (on name keys: lower case, no accents, no punctuation).
_AUTHORITY_PREFIXES = (
    (
        re.compile(r"^(?:conseil (?:departemental|general)|departement|cd|cg)\b ?(.*)$"),
        "departement",
    ),
    (re.compile(r"^(?:conseil regional|region)\b ?(.*)$"), "region"),
    (re.compile(r"^(?:ville|commune|mairie|municipalite)\b ?(.*)$"), "commune"),
)
_COMPACT_DEPARTEMENT = re.compile(r"^c[dg] ?(\d{2,3}|2a|2b)$")
#: What follows the authority's name to name one of its services: " - Direction…", " / …",
#: " (DGA …)", ", service…".
_QUALIFIER = re.compile(r"\s+[-–—/]\s+|\s*[(,]")
#: What "de", "du", "des"… leave of a name: "du Pouliguen" → "le pouliguen" or "pouliguen".
_ARTICLES = (
    ("de la ", ("la ", "")),
    ("de l ", ("l ", "")),
    ("du ", ("le ", "")),
    ("des ", ("les ", "")),
    ("de ", ("",)),
    ("d ", ("",)),
)


def _tails(rest: str) -> list[str]:
    """The names a funder's words after its prefix may stand for, likeliest first."""
    for article, replacements in _ARTICLES:
        if rest.startswith(article):
            tail = rest[len(article) :]
            return [r + tail for r in replacements] + [rest]
    return [rest]


@functools.lru_cache(maxsize=4096)
def authority_named(name: str, *, siren: str | None = None) -> Authority | None:
    """The local authority a funder's name designates, or None.

    Recognised: a département, région or commune after its usual prefix ("Conseil
    Départemental de la Mayenne", "Département de Loire-Atlantique", "CD 44", "Région Pays de la
    Loire", "Ville de Nantes", "Commune du Pouliguen") and an EPCI by its own name ("Nantes
    Métropole"). A commune name several communes share is told apart by ``siren`` when it is
    one of theirs; otherwise it designates none."""
    table = geography()
    key = name_key(name)
    if not key:
        return None
    short = _COMPACT_DEPARTEMENT.match(key)
    if short:  # "CD44", "CG 2A"
        return _authority_of("departement", short[1], siren)
    head = _QUALIFIER.split(name, maxsplit=1)[0]
    if head != name and name_key(head):  # "Département de la Sarthe - Direction de la culture"
        found = authority_named(head, siren=siren)
        if found is not None:
            return found
    for pattern, level in _AUTHORITY_PREFIXES:
        match = pattern.match(key)
        if not match or not match[1]:
            continue
        for tail in _tails(match[1]):
            found = _authority_of(level, tail, siren)
            if found is not None:
                return found
    codes = [code for lvl, code in table.by_name.get(key, []) if lvl == "epci"]
    if len(codes) == 1:
        return _authority("epci", codes[0])
    return None


def authority_of_code(text: str) -> Authority | None:
    """The authority of a territory code a user typed: 44 (département), 44109 (commune),
    244400404 (EPCI SIREN, or a commune's SIREN), region/52…, or None."""
    table = geography()
    raw = text.strip()
    compact = raw.replace(" ", "")
    if compact.isdigit() and len(compact) == 9:
        if compact in table.epcis:
            return _authority("epci", compact)
        for commune in table.communes.values():
            if commune.siren == compact:
                return _authority("commune", commune.code)
        return None
    try:
        territory = resolve_territory(raw)
    except ValueError:
        return None
    if territory.level in ("departement", "region", "commune", "epci"):
        return _authority(territory.level, territory.code)
    return None


def commune_named(name: str) -> Authority | None:
    """The commune a name designates all by itself («BENONCES», «Saint-Herblain»): one
    commune, and only one, bears exactly that name. Lists of grants to communes name them so
    (the State's, the parliamentary reserve's); a name several communes share designates
    none."""
    return _authority_of("commune", name_key(name), None)


def _authority_of(level: str, tail: str, siren: str | None) -> Authority | None:
    table = geography()
    code_text = tail.replace(" ", "").upper()
    if level == "departement" and code_text in table.departements:
        return _authority(level, code_text)
    codes = [code for lvl, code in table.by_name.get(tail, []) if lvl == level]
    if level == "commune" and len(codes) > 1 and siren:
        codes = [c for c in codes if table.communes[c].siren == siren]
    if len(codes) == 1:
        return _authority(level, codes[0])
    return None


_LABEL_PREFIX = {"region": "Région", "departement": "Département"}


def _authority(level: str, code: str) -> Authority:
    table = geography()
    name = table.name_of(level, code)
    label = f"{_LABEL_PREFIX[level]} {name}" if level in _LABEL_PREFIX else name
    if level == "commune":
        siren = table.communes[code].siren
    elif level == "epci":
        siren = code
    else:
        siren = None
    return Authority(level, code, label, siren)
