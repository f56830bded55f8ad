"""Cell values as people type them in French spreadsheets, read into clean values.

Every reader returns either the clean value or raises ``ValueProblem`` whose message says what
was expected, in the user's terms ("a number such as 1 234,56"), never Python's. The row and
column are added by the caller, which knows them.

- missing: empty, NA, N/A, "-", "[ND]" (INSEE's "non diffusible")… all mean "no value";
- numbers: "3 000", "1 234,56", "12 500 €", "1.234,56", "1234.56", "-12,5"; an amount
  (``parse_amount``) may be absent, which is not zero;
- dates: 2019-03-01, 01/03/2019, 1/3/19, 01.03.2019, 2019-03-01T00:00:00; as spans
  (``parse_date_span``): a bare year, a month, a period "2017-10-06/2018-06-30" or
  "2018-04-01_2018-12-31", with both ends kept;
- identifiers: SIREN with spaces, stored as a number (leading zeros lost, "62201199.0",
  "2.2490001900015E+13"), with Excel's apostrophe ("224 900 019 000 15'"), or given as a
  SIRET (the SIREN is its first 9 digits); RNA in any case. One a spreadsheet rounded
  ("22530000000000", "7,86E+13") raises ``RoundedIdentifier``, a wrong check digit
  ``LuhnInvalidIdentifier``: the caller decides what to do (find the actor by name).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ecograph.identifiers import (
    luhn_valid,
    normalise_rna,
    normalise_siren,
    rna_problem,
    siren_problem,
    siret_problem,
)
from ecograph.name_keys import name_key

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
        "nc",
        "n.c.",
        "non communiqué",
        "non communique",
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


#: Amounts at or past this are refused: no grant is that large, and Decimal's 28 digits must
#: hold the value with its cents.
_LARGEST = Decimal(10) ** 18


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
        value = Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern above rules it out
        raise ValueProblem(f"expected a number such as 1 234,56; got «{raw}»") from None
    if abs(value) >= _LARGEST:
        raise ValueProblem(
            f"«{raw}» is not a plausible amount (a billion billion or more): a column shift "
            "or an identifier in an amount column?"
        )
    return value


def parse_amount(text: str) -> Decimal | None:
    """An amount in euros, or None when the cell holds none (empty, NA, "-"…): no amount is
    not zero (in-kind aid has none). "250.0", "100 000,00", "1 234,56 €", "-12 500"."""
    if is_missing(text):
        return None
    return parse_decimal(text.replace("\u2212", "-"))


def decimal_lexical(value: Decimal) -> str:
    """The canonical xsd:decimal form with two decimals (amounts in euros)."""
    return f"{value.quantize(Decimal('0.01')):f}"


# ----------------------------------------------------------------------------- dates
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?$")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?:\s+[\d:]+)?$")
_YMD_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})(?:\.0)?$")
#: "6 octobre 2017", "1er mars 2019", "12 déc. 2018": a date as French text writes it.
_FRENCH = re.compile(r"^(\d{1,2})(?:er)?\s+([^\W\d_]+)\.?\s+(\d{4})$")
_FRENCH_MONTHS = {
    **dict.fromkeys(("janvier", "janv"), 1),
    **dict.fromkeys(("fevrier", "fevr", "fev"), 2),
    "mars": 3,
    **dict.fromkeys(("avril", "avr"), 4),
    "mai": 5,
    "juin": 6,
    **dict.fromkeys(("juillet", "juil"), 7),
    "aout": 8,
    **dict.fromkeys(("septembre", "sept"), 9),
    **dict.fromkeys(("octobre", "oct"), 10),
    **dict.fromkeys(("novembre", "nov"), 11),
    **dict.fromkeys(("decembre", "dec"), 12),
}


def parse_date(text: str, *, today: dt.date | None = None) -> dt.date:
    """A date written 2019-03-01, 01/03/2019 (day first, as in France), 1/3/19, 01.03.2019
    or in words ("1er mars 2019", "12 déc. 2018").

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
        match = _FRENCH.match(raw)
        month = _FRENCH_MONTHS.get(name_key(match[2])) if match else None
        if match and month:
            return dt.date(int(match[3]), month, int(match[1]))
    except ValueError:
        raise ValueProblem(
            f"«{raw}» is not a real date (day, month or year out of range)"
        ) from None
    raise ValueProblem(f"expected a date such as 2019-03-01 or 01/03/2019; got «{raw}»")


@dataclass(frozen=True)
class DateSpan:
    """The days a date cell covers: one day, a month, a year, or a period written
    start/end. ``end`` is None for a period whose end is words ("2017-12-12/fin-action"),
    ``start`` None for one whose start is not given ("NC/2019-06-30")."""

    start: dt.date | None
    end: dt.date | None


_MONTH = re.compile(r"^(?:(\d{1,2})[/.\-](\d{4})|(\d{4})-(\d{1,2}))$")
#: Where a period's two ends may be cut: "2017-10-06/2018-06-30", "2018-04-01_2018-12-31",
#: "01/03/2019 au 30/06/2019", "2017-2018", "2019 – 2020".
_PERIOD_CUT = re.compile(r"\s*(?:/|_|-|\u2013|\u2014|\s(?:au|à|a)\s)\s*", re.IGNORECASE)
#: A period is never longer ("du 01/03/2019 au 30/06/2019", "2019-06-03/fin de l'action"):
#: a longer cell is refused before it is cut every way.
_LONGEST_DATE_CELL = 120
_FROM = re.compile(r"^(?:du|de|from)\s+", re.IGNORECASE)


def _single_span(text: str, today: dt.date | None) -> DateSpan | None:
    """One date, month or year as a span, or None when ``text`` is not one."""
    raw = text.strip()
    try:
        year = _YEAR.match(raw)
        if year:
            number = int(year[1])
            return DateSpan(dt.date(number, 1, 1), dt.date(number, 12, 31))
        month = _MONTH.match(raw)
        if month:
            number, of = (
                (int(month[2]), int(month[1])) if month[1] else (int(month[3]), int(month[4]))
            )
            following = dt.date(number + of // 12, of % 12 + 1, 1) if 1 <= of <= 12 else None
            if following is None:
                return None
            return DateSpan(dt.date(number, of, 1), following - dt.timedelta(days=1))
    except ValueError:  # year 0 or past 9999
        return None
    try:
        day = parse_date(raw, today=today)
    except ValueProblem:
        return None
    return DateSpan(day, day)


def parse_date_span(text: str, *, today: dt.date | None = None) -> DateSpan:
    """A date cell as the span of days it covers, so that a caller keeps both ends.

    A day (any form ``parse_date`` reads) is a one-day span; a bare year ("2014") its
    1 January to 31 December; a month ("03/2019", "2019-03") its first to last day; a period
    ("2017-10-06/2018-06-30", "2018-04-01_2018-12-31", "du 01/03/2019 au 30/06/2019",
    "2017-2018") runs from its first part's start to its second part's end. A period whose
    end is words without digits ("2017-12-12/fin-action") has no end (None); one whose start
    is a missing marker ("NC/2019-06-30") has no start. Raises ``ValueProblem`` naming what
    was expected. A cell that is itself missing is the caller's to skip (``is_missing``).
    """
    raw = _FROM.sub("", text.strip())
    if len(raw) > _LONGEST_DATE_CELL:
        raise ValueProblem(
            f"expected a date or a period such as 2017-10-06/2018-06-30; got {len(raw):,} "
            f"characters beginning «{raw[:40]}»"
        )
    single = _single_span(raw, today)
    if single is not None:
        return single
    open_ended: DateSpan | None = None
    for cut in _PERIOD_CUT.finditer(raw):
        head, rest = raw[: cut.start()], raw[cut.end() :].strip()
        first = _single_span(head, today)
        last = _single_span(rest, today)
        if first is None:
            if last is not None and head.strip() and is_missing(head):
                open_ended = open_ended or DateSpan(None, last.end)
            continue
        if last is not None:
            if first.start is not None and last.end is not None and last.end < first.start:
                raise ValueProblem(
                    f"«{text.strip()}» ends before it starts; expected a period such as "
                    "2017-10-06/2018-06-30"
                )
            return DateSpan(first.start, last.end)
        if rest and not any(c.isdigit() for c in rest):
            open_ended = open_ended or DateSpan(first.start, None)
    if open_ended is not None:
        return open_ended
    try:
        parse_date(raw, today=today)  # a day out of range says so
    except ValueProblem as err:
        if "not a real date" in str(err):
            raise
    raise ValueProblem(
        "expected a date such as 2019-03-01 or 01/03/2019, a year such as 2014, or a "
        f"period such as 2017-10-06/2018-06-30; got «{text.strip()}»"
    )


# ----------------------------------------------------------------------------- identifiers
class IdentifierProblem(ValueProblem):
    """A SIREN/SIRET cell whose digits cannot be trusted as the identifier.

    ``raw`` is the cell as written; ``digits`` what was read from it (after undoing the
    spreadsheet's artefacts). Callers may catch the subclasses to act on each case.
    """

    def __init__(self, message: str, *, raw: str, digits: str) -> None:
        super().__init__(message)
        self.raw, self.digits = raw, digits


class RoundedIdentifier(IdentifierProblem):
    """An identifier a spreadsheet rounded (``2.2453E+13``, ``22530000000000``): its last
    digits are lost, so it names no one for sure and must never be used as a SIREN or SIRET;
    the actor has to be found another way (by name, for instance)."""


class LuhnInvalidIdentifier(IdentifierProblem):
    """Digits of the right length whose check digit (Luhn key) is wrong: a typo."""


@dataclass(frozen=True)
class OrganisationId:
    """A SIREN, the SIRET it came from when the cell held one, and what was repaired."""

    siren: str
    siret: str | None
    notes: tuple[str, ...] = ()


#: Quotes a spreadsheet or a person leaves around an identifier: Excel's text prefix ``'``
#: (sometimes written out at either end), typographic apostrophes, double quotes.
_QUOTES = "'\u2019\u2018`\u00b4\""
_EXCEL_FORMULA = re.compile(r'^=\s*"(.*)"$')
_BLANKS = re.compile(r"[\s\u00a0\u202f]+")
_FLOAT_TAIL = re.compile(r"^(\d+)[.,]0+$")
_SCIENTIFIC = re.compile(r"^\+?(\d+)(?:[.,](\d*))?[eE]\+?(\d{1,2})$")
#: A SIRET's last five digits (NIC) are the establishment's order number, from 0001, and the
#: Luhn key: "00000" is no establishment's, but what is left when a spreadsheet rounded the
#: number to at most 9 significant digits (Excel's General format shows 6 in a CSV).
_NO_ESTABLISHMENT = "00000"
#: The longest way an identifier is written ("=\"22490001900015\"", "2,24900019000150E+13"
#: with spaces): a longer cell is not read as a number at all.
_LONGEST_WRITING = 40


#: A label typed before the number: "SIRET : 822 127 429 00014", "N° SIREN 822127429".
_ID_LABEL = re.compile(r"^(?:n[°o]\s*)?(?:siret|siren)\s*(?:n[°o])?\s*[:#.]?\s*", re.IGNORECASE)


def _strip_artefacts(raw: str) -> tuple[str, list[str]]:
    """The cell without Excel's formula quotes (``="0123"``), outer apostrophes and spaces."""
    repairs: list[str] = []
    text = raw.strip()
    formula = _EXCEL_FORMULA.match(text)
    if formula:
        text = formula[1].strip()
        repairs.append("Excel formula quotes removed")
    stripped = text.strip(_QUOTES + " \t\u00a0\u202f")
    if stripped != text:
        repairs.append("quote or Excel text apostrophe removed")
    label = _ID_LABEL.match(stripped)
    if label and stripped[label.end() :].strip():
        stripped = stripped[label.end() :].strip()
        repairs.append(f"label «{label[0].strip()}» before the number removed")
    return stripped, repairs


def clean_identifier(raw: str) -> tuple[str, list[str]]:
    """The digits of an identifier cell as a spreadsheet left it, and what was undone.

    Undoes: outer apostrophes and quotes (``224 900 019 000 15'``), Excel's ``="…"``, spaces,
    dots and hyphens between digit groups, a float tail (``62201199.0``) and scientific
    notation that keeps every digit (``2.2490001900015E+13``). Scientific notation with
    fewer significant digits than the number has (``2.2453E+13``) lost the last digits:
    ``RoundedIdentifier`` is raised. Leading zeros are not restored here (the Luhn key says
    whether they may be: ``read_siren`` and ``read_siret`` do it). Anything else is returned
    without separators, for the caller's checks to name.
    """
    text, repairs = _strip_artefacts(raw)
    compact = _BLANKS.sub("", text)
    if len(compact) > _LONGEST_WRITING:  # no identifier: say so without reading it as one
        return normalise_siren(text), repairs
    scientific = _SCIENTIFIC.match(compact)
    if scientific:
        whole, fraction, exponent = scientific[1], scientific[2] or "", int(scientific[3])
        significant = (whole + fraction).lstrip("0")
        if len(fraction) <= exponent and significant:
            digits = str(int(Decimal(f"{whole}.{fraction or 0}e{exponent}")))
            if len(significant) < len(digits):
                raise RoundedIdentifier(
                    f"«{raw.strip()}» is an identifier a spreadsheet rounded to "
                    f"{len(significant)} significant digits ({digits}): its last digits are "
                    "lost; keep identifiers as text, or find the actor by name",
                    raw=raw,
                    digits=digits,
                )
            repairs.append(f"scientific notation read back ({compact} → {digits})")
            return digits, repairs
    float_tail = _FLOAT_TAIL.match(compact)
    if float_tail:
        repairs.append(f"number format undone ({compact} → {float_tail[1]})")
        return float_tail[1], repairs
    return normalise_siren(text), repairs


def _rounded_siret(raw: str, digits: str) -> RoundedIdentifier:
    return RoundedIdentifier(
        f"«{raw.strip()}» ends in {_NO_ESTABLISHMENT}, which no establishment number (NIC) "
        "is: a spreadsheet rounded this SIRET and its last digits are lost; keep "
        "identifiers as text, or find the actor by name",
        raw=raw,
        digits=digits,
    )


def _checked(problem: str | None, raw: str, digits: str, width: int) -> None:
    """Raise the problem ``siren_problem``/``siret_problem`` found: a Luhn error as
    ``LuhnInvalidIdentifier`` when the shape is right, anything else as ``ValueProblem``."""
    if problem is None:
        return
    if digits != raw.strip():
        problem += f" (read from «{raw.strip()}»)"
    if len(digits) == width and digits.isascii() and digits.isdigit():
        if width == 14 and digits.endswith("000"):
            problem += "; it ends in zeros: was it rounded by a spreadsheet?"
        raise LuhnInvalidIdentifier(problem, raw=raw, digits=digits)
    raise ValueProblem(problem)


def _as_siret(digits: str) -> str | None:
    """The 14-digit SIRET these digits are, leading zeros restored when the Luhn key agrees
    (a spreadsheet drops them); None when they are too short for a SIRET. Ten to twelve
    digits that no zeros make a valid SIRET are refused with their length."""
    if not (digits.isascii() and digits.isdigit()) or not 10 <= len(digits) <= 14:
        return None
    padded = digits.zfill(14)
    if len(digits) < 13 and not padded.endswith(_NO_ESTABLISHMENT) and siret_problem(padded):
        _checked(siret_problem(digits), digits, digits, 14)  # names the length
    return padded  # 13 digits: the usual lost zero; the checks then name what is wrong


def read_organisation_id(raw: str) -> OrganisationId:
    """A SIREN (and the SIRET, when the cell held one) from a cell typed any way.

    Raises ``RoundedIdentifier`` for digits a spreadsheet rounded, ``LuhnInvalidIdentifier``
    for a wrong check digit, ``ValueProblem`` for anything else that is not an identifier.
    """
    digits, repairs = clean_identifier(raw)
    siret = _as_siret(digits)
    if siret is not None:
        if siret.endswith(_NO_ESTABLISHMENT):
            raise _rounded_siret(raw, siret)
        _checked(siret_problem(siret), raw, siret, 14)
        if len(digits) < 14:
            repairs.append(f"leading zeros restored ({digits} → {siret})")
        return OrganisationId(siret[:9], siret, tuple(repairs))
    if digits.isascii() and digits.isdigit() and 6 <= len(digits) < 9:
        padded = digits.zfill(9)
        if luhn_valid(padded):
            repairs.append(f"leading zeros restored ({digits} → {padded})")
            digits = padded
    _checked(siren_problem(digits), raw, digits, 9)
    return OrganisationId(digits, None, tuple(repairs))


def read_siren(raw: str) -> tuple[str, str | None]:
    """A SIREN from a cell that may hold a SIREN or a SIRET, typed any way.

    Returns ``(siren, note)`` where ``note`` says what was assumed (zeros restored, SIRET cut
    to its SIREN, spreadsheet artefacts undone; it starts with "SIRET" when the cell held a
    SIRET), or raises ``ValueProblem`` (``RoundedIdentifier``, ``LuhnInvalidIdentifier``)
    naming what was expected.
    """
    found = read_organisation_id(raw)
    notes = list(found.notes)
    if found.siret is not None:
        zeros = any(n.startswith("leading zeros") for n in notes)
        notes = [n for n in notes if not n.startswith("leading zeros")]
        notes.insert(
            0,
            "SIRET with its leading zero restored, cut to its SIREN"
            if zeros
            else "SIRET cut to its SIREN (first 9 digits)",
        )
    return found.siren, "; ".join(notes) or None


def read_siret(raw: str) -> tuple[str, str | None]:
    """A SIRET (14 digits) from a cell typed any way, zeros lost by a spreadsheet restored
    when the Luhn key agrees; raises as ``read_organisation_id`` does."""
    found = read_organisation_id(raw)
    if found.siret is None:
        digits, _ = clean_identifier(raw)
        _checked(siret_problem(digits), raw, digits, 14)
        raise ValueProblem(f"expected a SIRET (14 digits); got «{raw.strip()}»")
    return found.siret, "; ".join(found.notes) or None


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
