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

from ecograph.geography import geography, resolve_territory
from ecograph.name_keys import name_key
from ecograph.namespaces import territory_iri

_WITH_DEPARTEMENT = re.compile(r"^(.*?)\s*\((\d[0-9AB]|\d{3})\)\s*$")
_CODE = re.compile(r"^(\d[0-9AB]\d{3})$|^(\d{4})$")


class PlaceProblem(ValueError):
    """A cell that names no territory, or several; the text says what to write instead."""


_ABBREVIATIONS = ((re.compile(r"\bst\b"), "saint"), (re.compile(r"\bste\b"), "sainte"))


def _place_key(name: str) -> str:
    """A commune name for matching: ``name_key`` with St/Ste spelt out (La Poste's habit)."""
    key = name_key(name)
    for pattern, word in _ABBREVIATIONS:
        key = pattern.sub(word, key)
    return key


@functools.cache
def _by_name() -> dict[str, list[str]]:
    names: dict[str, list[str]] = defaultdict(list)
    table = geography()
    for commune in table.communes.values():
        names[_place_key(commune.name)].append(commune.code)
    for arrondissement in table.arrondissements.values():
        names[_place_key(arrondissement.name)].append(arrondissement.code)
    return names


@functools.lru_cache(maxsize=65536)
def commune_iri(text: str, *, departement: str | None = None) -> str:
    """The IRI of the commune a cell names (INSEE code or name), or ``PlaceProblem``."""
    table = geography()
    raw = text.strip()
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
    hinted = _WITH_DEPARTEMENT.match(raw)
    if hinted:
        raw, departement = hinted[1], hinted[2]
    codes = _by_name().get(_place_key(raw), [])
    if departement:  # a hint: a unique name stands even if the postcode disagrees
        codes = [c for c in codes if _departement_of(c) == departement] or codes
    if len(codes) == 1:
        code = codes[0]
        level = "commune" if code in table.communes else "arrondissement-municipal"
        return territory_iri(level, code)
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
