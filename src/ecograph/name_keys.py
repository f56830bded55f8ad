"""The key two names share when a person would call them the same.

Imports merge actors by name and commune, the territory parser reads "nantes metropole" as
Nantes Métropole, and ``gaps --actor`` finds an actor from what was typed: all three compare
names through :func:`name_key`, so a name that matches in one place matches in the others.
"""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^0-9a-z]+")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def name_key(text: str) -> str:
    """A name reduced for matching: case, accents, ligatures, punctuation and spaces ignored.

    "Les Restos du Cœur", "LES RESTOS DU COEUR" and "les restos-du-coeur" share one key, as do
    "Nantes Métropole" and "NANTES-METROPOLE".
    """
    if text.isascii():  # most names: no accent to fold, a much shorter path
        return _NOT_WORD.sub(" ", text.lower()).strip()
    lowered = text.casefold()
    if "œ" in lowered or "æ" in lowered:
        lowered = lowered.replace("œ", "oe").replace("æ", "ae")
    folded = unicodedata.normalize("NFKD", lowered)
    return _NOT_WORD.sub(" ", _COMBINING.sub("", folded)).strip()
