"""Cell values as people type them in French spreadsheets, read into clean values.

Every reader returns either the clean value or raises ``ValueProblem`` whose message says what
was expected, in the user's terms ("a number such as 1 234,56"), never Python's. The row and
column are added by the caller, which knows them.

- missing: empty, NA, N/A, "-", "[ND]" (INSEE's "non diffusible")… all mean "no value";
- numbers: "3 000", "1 234,56", "12 500 €", "1.234,56", "1234.56", "-12,5";
- dates: 2019-03-01, 01/03/2019, 1/3/19, 01.03.2019, 2019-03-01T00:00:00, Excel dates;
- identifiers: SIREN with spaces, stored as a number (leading zeros lost, "62201199.0"), or
  given as a SIRET (the SIREN is its first 9 digits); RNA in any case.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from ecograph.identifiers import (
    luhn_valid,
    normalise_rna,
    normalise_siren,
    rna_problem,
    siren_problem,
    siret_problem,
)

MISSING_MARKERS = frozenset(
    {
        "",
        "na",
        "n/a",
        "n.a.",
        "n.a",
        "nan",
        "null",
        "none",
        "-",
        "--",
        "—",
        "–",
        "?",
        "nd",
        "[nd]",
        "n.d.",
        "#n/a",
        "#na",
        "néant",
        "neant",
        "non renseigné",
        "non renseigne",
        "inconnu",
        "sans objet",
        "s.o.",
    }
)


class ValueProblem(ValueError):
    """A cell that cannot be read as what its column holds; the text is for the user."""


def is_missing(text: str) -> bool:
    """Whether a cell means "no value" (empty, NA, N/A, -, [ND], néant…)."""
    return text.strip().casefold() in MISSING_MARKERS


# ----------------------------------------------------------------------------- numbers
_CURRENCY = re.compile(r"(€|eur(os?)?\b|euros?|ttc|ht)", re.IGNORECASE)
_SPACES = re.compile(r"[\s\u00a0\u202f']+")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def parse_decimal(text: str) -> Decimal:
    """A French-written amount as a Decimal: "12 500 €" → 12500, "1 234,56" → 1234.56.

    A comma is the decimal mark unless there are several ("1,234,567"); a single dot followed
    by exactly three digits is a thousands mark ("12.500" → 12500), as French writing does;
    otherwise a dot is a decimal mark ("1234.5", spreadsheet exports).
    """
    raw = text
    cleaned = _SPACES.sub("", _CURRENCY.sub("", text.strip()))
    if cleaned.startswith("(") and cleaned.endswith(")"):  # accounting negatives
        cleaned = "-" + cleaned[1:-1]
    if "," in cleaned and "." in cleaned:
        decimal_mark = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        cleaned = cleaned.replace(thousands, "").replace(decimal_mark, ".")
    elif "," in cleaned:
        cleaned = cleaned.replace(",", "") if cleaned.count(",") > 1 else cleaned.replace(",", ".")
    elif cleaned.count(".") > 1 or re.fullmatch(r"[+-]?\d{1,3}\.\d{3}", cleaned):
        cleaned = cleaned.replace(".", "")
    if not _NUMBER.match(cleaned):
        raise ValueProblem(f"expected a number such as 1 234,56 or 12 500 €; got «{raw}»")
    try:
        return Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern above rules it out
        raise ValueProblem(f"expected a number such as 1 234,56; got «{raw}»") from None


def decimal_lexical(value: Decimal) -> str:
    """The canonical xsd:decimal form with two decimals (amounts in euros)."""
    return f"{value.quantize(Decimal('0.01')):f}"


# ----------------------------------------------------------------------------- dates
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?$")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?:\s+[\d:]+)?$")
_YMD_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})(?:\.0)?$")


def parse_date(text: str, *, today: dt.date | None = None) -> dt.date:
    """A date written 2019-03-01, 01/03/2019 (day first, as in France), 1/3/19 or 01.03.2019.

    Two-digit years are read in the window that ends this year ("19" → 2019, "85" → 1985).
    A bare year ("2019") means 1 January of that year.
    """
    raw = text.strip()
    match = _ISO.match(raw) or _YMD_SLASH.match(raw)
    try:
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        match = _DMY.match(raw)
        if match:
            year = int(match[3])
            if len(match[3]) == 2:
                this_year = (today or dt.date.today()).year
                year += 2000 if 2000 + year <= this_year else 1900
            return dt.date(year, int(match[2]), int(match[1]))
        match = _YEAR.match(raw)
        if match:
            return dt.date(int(match[1]), 1, 1)
    except ValueError:
        raise ValueProblem(
            f"«{raw}» is not a real date (day, month or year out of range)"
        ) from None
    raise ValueProblem(f"expected a date such as 2019-03-01 or 01/03/2019; got «{raw}»")


# ----------------------------------------------------------------------------- identifiers
_FLOAT_TAIL = re.compile(r"^(\d+)\.0+$")
_SCIENTIFIC = re.compile(r"^\d(?:[.,]\d+)?[eE]\+?\d+$")


def _digits_from_spreadsheet(raw: str) -> str:
    """Undo what a spreadsheet did to a number-looking identifier: "62201199.0" → "62201199",
    "5,52100554E+08" → "552100554"."""
    compact = re.sub(r"[\s\u00a0\u202f]+", "", raw)
    float_tail = _FLOAT_TAIL.match(compact)
    if float_tail:
        return float_tail[1]
    text = normalise_siren(raw)
    if _SCIENTIFIC.match(compact):
        text = compact
        try:
            return str(int(Decimal(text.replace(",", "."))))
        except InvalidOperation:  # pragma: no cover
            return text
    return text


def read_siren(raw: str) -> tuple[str, str | None]:
    """A SIREN from a cell that may hold a SIREN or a SIRET, typed any way.

    Returns ``(siren, note)`` where ``note`` says what was assumed (zeros restored, SIRET cut
    to its SIREN), or raises ``ValueProblem`` naming what was expected.
    """
    digits = _digits_from_spreadsheet(raw)
    note = None
    if digits.isascii() and digits.isdigit():
        if len(digits) in (13, 14):
            padded = digits.zfill(14)
            problem = siret_problem(padded)
            if problem:
                raise ValueProblem(problem)
            return padded[:9], (
                "SIRET cut to its SIREN (first 9 digits)"
                if len(digits) == 14
                else "SIRET with its leading zero restored, cut to its SIREN"
            )
        if 6 <= len(digits) < 9 and luhn_valid(digits.zfill(9)):
            note = f"leading zeros restored ({digits} → {digits.zfill(9)})"
            digits = digits.zfill(9)
    problem = siren_problem(digits)
    if problem:
        if digits != raw.strip():
            problem += f" (read from «{raw.strip()}»)"
        raise ValueProblem(problem)
    return digits, note


def read_siret(raw: str) -> tuple[str, str | None]:
    """A SIRET (14 digits), zeros lost by a spreadsheet restored when the Luhn key agrees."""
    digits = _digits_from_spreadsheet(raw)
    note = None
    if (
        digits.isascii()
        and digits.isdigit()
        and 10 <= len(digits) < 14
        and siret_problem(digits.zfill(14)) is None
    ):
        note = f"leading zeros restored ({digits} → {digits.zfill(14)})"
        digits = digits.zfill(14)
    problem = siret_problem(digits)
    if problem:
        raise ValueProblem(problem)
    return digits, note


def read_rna(raw: str) -> str:
    """An RNA number ("w751234567 " → "W751234567")."""
    value = normalise_rna(raw)
    problem = rna_problem(value)
    if problem:
        raise ValueProblem(problem)
    return value


def looks_like_rna(raw: str) -> bool:
    """Whether a cell holds an RNA number rather than a SIREN/SIRET."""
    return normalise_rna(raw).startswith("W")


# ----------------------------------------------------------------------------- names
_LIST_MARKS = re.compile(r"[;|\n,]")


def clean_text(text: str) -> str:
    """A cell's text with outer spaces removed and inner runs of spaces kept as written."""
    return text.strip()


def split_list(text: str) -> list[str]:
    """A cell holding several values: "santé; logement", "a|b", "a, b" or one per line."""
    if not _LIST_MARKS.search(text):
        return [text.strip()] if text.strip() and not is_missing(text) else []
    parts = re.split(r"[;|\n]+", text)
    if len(parts) == 1 and "," in text:
        parts = text.split(",")
    return [p.strip() for p in parts if p.strip() and not is_missing(p)]
