"""Properties of identifier cleaning: any valid SIREN or SIRET written the ways people and
spreadsheets write it reads back as itself, and one a spreadsheet rounded is never taken for
another valid identifier. Amounts written the French way read back exactly too."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from ecograph.identifiers import luhn_valid, siret_problem
from ecograph.ingest.values import (
    RoundedIdentifier,
    ValueProblem,
    parse_amount,
    read_organisation_id,
    read_siren,
    read_siret,
)


def _with_key(prefix: str) -> str:
    return next(prefix + d for d in "0123456789" if luhn_valid(prefix + d))


#: SIRENs, with up to three leading zeros (a number loses them; six digits are the fewest a
#: SIREN column is padded from).
sirens = st.builds(
    lambda zeros, rest: _with_key(("0" * zeros + rest)[:8]),
    st.integers(0, 3),
    st.text(alphabet="0123456789", min_size=8, max_size=8),
).filter(lambda s: len(str(int(s))) >= 6)

#: SIRETs: a SIREN, an establishment number from 0001 and the key over the 14 digits
#: (La Poste's, which follow another rule, left out). Up to four leading zeros can be lost.
sirets = st.builds(
    lambda siren, number: _with_key(f"{siren}{number:04d}"),
    sirens,
    st.integers(1, 9999),
).filter(lambda s: not s.startswith("356000000") and len(str(int(s))) >= 10)


def _grouped(digits: str) -> str:
    """Digits in groups of three, as SIRETs are printed ("224 900 019 000 15")."""
    return " ".join(digits[i : i + 3] for i in range(0, len(digits), 3))


def _scientific(digits: str, significant: int, mark: str, *, trim: bool = False) -> str:
    """The number as a spreadsheet writes it in scientific notation, with ``significant``
    digits (rounded half up, as Excel does), trailing zeros dropped when ``trim`` (Excel's
    General format drops them: such a number's last digits are unknown, zeros or not)."""
    value = Decimal(int(digits))
    exponent = value.adjusted()
    mantissa = (value.scaleb(-exponent)).quantize(
        Decimal(1).scaleb(1 - significant), rounding=ROUND_HALF_UP
    )
    if mantissa >= 10:  # 9.99… rounded up
        mantissa, exponent = mantissa / 10, exponent + 1
    text = f"{mantissa.normalize() if trim else mantissa:f}".replace(".", mark)
    return f"{text}E+{exponent:02d}"


def _writings(digits: str) -> st.SearchStrategy[str]:
    """The ways a spreadsheet or a person writes these digits, all keeping every digit."""
    number = str(int(digits))
    return st.sampled_from(
        [
            digits,
            _grouped(digits),
            f"{_grouped(digits)}'",
            f"'{digits}",
            f" {digits}\u2019 ",
            f"{digits}.0",
            number,
            f"{number}.0",
            f"{number},00",
            f'="{digits}"',
            _scientific(digits, len(number), "."),
            _scientific(digits, len(number), ","),
            f"{_grouped(number)}'",
        ]
    )


@given(st.data(), sirets)
def test_any_writing_of_a_valid_siret_reads_back_as_it(data: st.DataObject, siret: str) -> None:
    written = data.draw(_writings(siret))
    found = read_organisation_id(written)
    assert (found.siren, found.siret) == (siret[:9], siret)
    assert read_siret(written)[0] == siret and read_siren(written)[0] == siret[:9]


@given(st.data(), sirens)
def test_any_writing_of_a_valid_siren_reads_back_as_it(data: st.DataObject, siren: str) -> None:
    written = data.draw(_writings(siren))
    found = read_organisation_id(written)
    assert (found.siren, found.siret) == (siren, None)
    assert read_siren(written)[0] == siren


def _never_another(written: str, original: str) -> None:
    """Reading ``written`` raises, or gives back ``original`` itself: never another valid
    identifier."""
    for read in (read_siren, read_siret):
        try:
            value, _ = read(written)
        except ValueProblem:
            continue
        assert original.startswith(value) or value.startswith(original), (written, value)


@given(st.data(), st.one_of(sirets, sirens))
def test_scientific_notation_with_lost_digits_is_never_trusted(
    data: st.DataObject, identifier: str
) -> None:
    width = len(str(int(identifier)))
    significant = data.draw(st.integers(1, width - 1))
    mark = data.draw(st.sampled_from([".", ","]))
    written = _scientific(identifier, significant, mark, trim=data.draw(st.booleans()))
    _never_another(written, identifier)
    try:
        read_organisation_id(written)
    except RoundedIdentifier as rounded:
        assert rounded.raw == written
    except ValueProblem as other:  # rounded up past the identifier's length
        assert len(str(int(Decimal(written.replace(",", "."))))) > 14, other
    else:
        raise AssertionError(f"{written} was accepted")


@given(st.data(), sirets)
def test_a_siret_rounded_and_written_out_in_full_is_never_trusted(
    data: st.DataObject, siret: str
) -> None:
    # what a spreadsheet leaves once its scientific display (at most 9 significant digits
    # for a 14-digit number in a narrow column) is saved again as a plain number
    number = int(siret)
    significant = data.draw(st.integers(1, min(9, len(str(number)) - 5)))
    drop = len(str(number)) - significant
    rounded = str(int((Decimal(number).scaleb(-drop)).quantize(1, ROUND_HALF_UP).scaleb(drop)))
    written = data.draw(st.sampled_from([rounded, f"{rounded}.0", _grouped(rounded) + "'"]))
    _never_another(written, siret)
    if rounded != siret and len(rounded) <= 14:
        try:
            read_organisation_id(written)
        except RoundedIdentifier:
            pass
        else:
            raise AssertionError(f"{written} (from {siret}) was accepted")


@given(sirets, st.integers(0, 13), st.integers(1, 9))
def test_a_mistyped_siret_is_a_luhn_problem_not_another_actor(
    siret: str, position: int, change: int
) -> None:
    typo = siret[:position] + str((int(siret[position]) + change) % 10) + siret[position + 1 :]
    assert siret_problem(typo) is not None
    _never_another(typo, siret)


def _french(value: Decimal, *, group: str, currency: bool) -> str:
    """An amount as a French spreadsheet shows it: "1 234 567,89 €"."""
    sign = "-" if value < 0 else ""
    whole, _, cents = f"{abs(value):.2f}".partition(".")
    groups = [whole[max(0, i - 3) : i] for i in range(len(whole), 0, -3)][::-1]
    return f"{sign}{group.join(groups)},{cents}" + (" €" if currency else "")


@given(
    st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False),
    st.sampled_from([" ", "\u00a0", "\u202f", ""]),
    st.booleans(),
)
def test_any_amount_written_the_french_way_reads_back_exactly(
    value: Decimal, group: str, currency: bool
) -> None:
    written = _french(value, group=group, currency=currency)
    assert parse_amount(written) == value
    assert parse_amount(f"{value:f}") == value  # as a program exports it: "1234.5"
