"""French organisation identifiers: SIREN, SIRET and RNA.

Actor IRIs are derived from SIREN or RNA (so re-importing the same actor merges), which makes
a wrong identifier worse than a missing one: it silently splits or merges actors. These
functions say whether a value is a well-formed identifier and, when it is not, what was
expected, in words a user of a spreadsheet can act on.

- SIREN: 9 digits whose Luhn check digit is right (INSEE, the legal unit).
- SIRET: 14 digits = SIREN + 5-digit establishment number (NIC), Luhn over the 14 digits.
  La Poste is the documented exception: it has more establishments than the NIC can number
  with a Luhn key, so its SIRETs (SIREN 356000000) are valid when the sum of their digits is
  a multiple of 5. Its head office, 35600000000048, passes the ordinary Luhn check.
- RNA (Répertoire national des associations): "W", a 3-character district code (département
  code, which may hold a letter, e.g. 2A, 9R, then the sub-prefecture digit) and a 6-digit
  number, e.g. W751234567, W9R1000123.

Everything here is pure: no I/O, no state, nothing happens at import.
"""

from __future__ import annotations

import re

__all__ = [
    "LA_POSTE_SIREN",
    "luhn_valid",
    "normalise_rna",
    "normalise_siren",
    "normalise_siret",
    "pad_lost_zeros",
    "rna_problem",
    "siren_problem",
    "siret_problem",
]

LA_POSTE_SIREN = "356000000"
"""La Poste's SIREN; its establishments' SIRETs follow the digit-sum rule instead of Luhn."""

_RNA_PATTERN = re.compile(r"W[0-9A-Z]{9}")
# Separators people type or spreadsheets add: ASCII and non-breaking spaces, dots, hyphens.
_SEPARATORS = re.compile(r"[\s.\-\u00a0\u202f]+")

_MESSAGES: dict[str, dict[str, str]] = {
    "empty": {
        "en": "a {name} has {width} {unit}; the value is empty",
        "fr": "un {name} a {width} {unit_fr} ; la valeur est vide",
    },
    "separators": {
        "en": "a {name} is written as {width} {unit} with nothing between them; "
        "«{value}» contains spaces, dots or hyphens",
        "fr": "un {name} s'écrit avec {width} {unit_fr} sans séparateur ; "
        "«{value}» contient des espaces, points ou tirets",
    },
    "not_digits": {
        "en": "a {name} is made of digits only; «{value}» contains «{char}»",
        "fr": "un {name} ne contient que des chiffres ; «{value}» contient «{char}»",
    },
    "length": {
        "en": "a {name} has {width} digits; «{value}» has {length}",
        "fr": "un {name} a {width} chiffres ; «{value}» en a {length}",
    },
    "lost_zeros": {
        "en": " (leading zeros lost by a spreadsheet? keep identifiers as text)",
        "fr": " (zéros de tête perdus par un tableur ? gardez les identifiants en texte)",
    },
    "luhn": {
        "en": "«{value}» is not a valid {name}: its check digit (Luhn key) is wrong, "
        "so a digit is probably mistyped or swapped",
        "fr": "«{value}» n'est pas un {name} valide : sa clé de contrôle (Luhn) est fausse, "
        "un chiffre est sans doute mal saisi ou inversé",
    },
    "la_poste": {
        "en": "«{value}» is not a valid La Poste SIRET: it needs a valid Luhn key or a digit "
        "sum that is a multiple of 5 (here {total})",
        "fr": "«{value}» n'est pas un SIRET de La Poste valide : il faut une clé de Luhn valide "
        "ou une somme des chiffres multiple de 5 (ici {total})",
    },
    "siret_siren": {
        "en": "«{value}» is not a valid SIRET: its first 9 digits, the SIREN «{siren}», "
        "have a wrong check digit (Luhn key)",
        "fr": "«{value}» n'est pas un SIRET valide : ses 9 premiers chiffres, le SIREN "
        "«{siren}», ont une clé de contrôle (Luhn) fausse",
    },
    "rna_length": {
        "en": "an RNA number has 10 characters, a W then 9 digits or capital letters "
        "(e.g. W751234567); «{value}» has {length}",
        "fr": "un numéro RNA a 10 caractères, un W puis 9 chiffres ou lettres majuscules "
        "(par exemple W751234567) ; «{value}» en a {length}",
    },
    "rna_w": {
        "en": "an RNA number starts with a capital W (e.g. W751234567); «{value}» starts "
        "with «{char}»",
        "fr": "un numéro RNA commence par un W majuscule (par exemple W751234567) ; "
        "«{value}» commence par «{char}»",
    },
    "rna_chars": {
        "en": "after the W, an RNA number has only digits and capital letters "
        "(e.g. W9R1000123); «{value}» contains «{char}»",
        "fr": "après le W, un numéro RNA ne contient que des chiffres et des lettres "
        "majuscules (par exemple W9R1000123) ; «{value}» contient «{char}»",
    },
}


def _message(key: str, lang: str, **fields: object) -> str:
    """The message ``key`` in ``lang`` ("en" or "fr"), filled with ``fields``."""
    if lang not in ("en", "fr"):
        raise ValueError(f'lang must be "en" or "fr", not {lang!r}')
    return _MESSAGES[key][lang].format(**fields)


def _require_text(value: object, name: str) -> str:
    """Refuse numbers: an identifier stored as a number has already lost its leading zeros."""
    if not isinstance(value, str):
        raise TypeError(
            f"a {name} must be given as text (str), not {type(value).__name__}: "
            "numbers lose leading zeros"
        )
    return value


def luhn_valid(digits: str) -> bool:
    """Whether ``digits`` (ASCII digits only) passes the Luhn check used by SIREN and SIRET.

    The Luhn key catches every single-digit typo and most swaps of two neighbouring digits,
    which are the usual mistakes when identifiers are copied by hand. Returns False for an
    empty string or any character that is not an ASCII digit (``str.isdigit`` alone would
    accept "²" or Arabic-Indic digits).
    """
    if not digits or not (digits.isascii() and digits.isdigit()):
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = ord(char) - 48
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def _format_problem(value: str, name: str, width: int, lang: str) -> str | None:
    """Shared SIREN/SIRET checks of shape (length, characters), before any check digit."""
    unit = {"en": "digits", "fr": "chiffres"}
    if value == "":
        return _message("empty", lang, name=name, width=width, unit=unit["en"], unit_fr=unit["fr"])
    if not (value.isascii() and value.isdigit()):
        stripped = _SEPARATORS.sub("", value)
        if stripped != value and stripped.isascii() and stripped.isdigit():
            return _message(
                "separators",
                lang,
                name=name,
                width=width,
                value=value,
                unit=unit["en"],
                unit_fr=unit["fr"],
            )
        bad = next(c for c in value if not ("0" <= c <= "9"))
        return _message("not_digits", lang, name=name, value=value, char=bad)
    if len(value) != width:
        text = _message("length", lang, name=name, width=width, value=value, length=len(value))
        if len(value) < width:
            text += _message("lost_zeros", lang)
        return text
    return None


def siren_problem(value: str, *, lang: str = "en") -> str | None:
    """None when ``value`` is a valid SIREN, else what was expected, in plain words.

    Checks the shape (exactly 9 ASCII digits, no separators) then the Luhn check digit.
    ``lang`` chooses the language of the explanation ("en" or "fr"). Raises TypeError for a
    non-string, because a SIREN read as a number has already lost its leading zeros.
    """
    value = _require_text(value, "SIREN")
    problem = _format_problem(value, "SIREN", 9, lang)
    if problem is not None:
        return problem
    if not luhn_valid(value):
        return _message("luhn", lang, value=value, name="SIREN")
    return None


def siret_problem(value: str, *, lang: str = "en") -> str | None:
    """None when ``value`` is a valid SIRET, else what was expected, in plain words.

    Checks the shape (exactly 14 ASCII digits), then the Luhn key over the 14 digits — or,
    for La Poste (SIREN 356000000), a digit sum that is a multiple of 5 — and finally that
    the first 9 digits are a valid SIREN, since a SIRET is its legal unit's SIREN followed by
    the establishment number.
    """
    value = _require_text(value, "SIRET")
    problem = _format_problem(value, "SIRET", 14, lang)
    if problem is not None:
        return problem
    if value.startswith(LA_POSTE_SIREN):
        total = sum(ord(c) - 48 for c in value)
        if not (luhn_valid(value) or total % 5 == 0):
            return _message("la_poste", lang, value=value, total=total)
    elif not luhn_valid(value):
        return _message("luhn", lang, value=value, name="SIRET")
    if not luhn_valid(value[:9]):
        return _message("siret_siren", lang, value=value, siren=value[:9])
    return None


def rna_problem(value: str, *, lang: str = "en") -> str | None:
    """None when ``value`` is a well-formed RNA number, else what was expected.

    An RNA number is "W" followed by 9 digits or capital letters (the district code may hold
    a letter: W9R1000123, W2A1002593). There is no check digit, so this is a shape check
    only; it matches the ``^W[0-9A-Z]{9}$`` pattern of the SHACL shapes.
    """
    value = _require_text(value, "RNA")
    if _RNA_PATTERN.fullmatch(value):
        return None
    if len(value) != 10:
        return _message("rna_length", lang, value=value, length=len(value))
    if value[0] != "W":
        return _message("rna_w", lang, value=value, char=value[0])
    bad = next(c for c in value[1:] if not ("0" <= c <= "9" or "A" <= c <= "Z"))
    return _message("rna_chars", lang, value=value, char=bad)


def normalise_siren(raw: str) -> str:
    """``raw`` without the separators people type: spaces (incl. non-breaking), dots, hyphens.

    "552 100 554" and "552.100.554" become "552100554". Nothing else is changed — no padding,
    no case change — so that a value that is still wrong is reported as the user wrote it.
    Restoring zeros lost by a spreadsheet is a separate, explicit step: ``pad_lost_zeros``.
    """
    return _SEPARATORS.sub("", raw.strip())


def normalise_siret(raw: str) -> str:
    """``raw`` without separators, as ``normalise_siren`` ("552 100 554 00013")."""
    return normalise_siren(raw)


def normalise_rna(raw: str) -> str:
    """``raw`` without separators and in capitals ("w751234567 " becomes "W751234567")."""
    return _SEPARATORS.sub("", raw.strip()).upper()


def pad_lost_zeros(raw: str, width: int) -> str:
    """Left-pad an all-digit ``raw`` with zeros up to ``width`` characters.

    Spreadsheets read "062201199" as the number 62201199 and drop the zero. Only an importer
    knows whether a column went through such a conversion, so padding is never implicit:
    call this on those columns only. Values that are not all digits, or already ``width``
    long or longer, are returned unchanged so that validation reports them as they were.
    """
    if width < 1:
        raise ValueError(f"width must be at least 1, not {width}")
    if raw.isascii() and raw.isdigit() and len(raw) < width:
        return raw.zfill(width)
    return raw
