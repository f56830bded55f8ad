"""SIREN, SIRET and RNA checks, on crafted values and on real French organisations."""

from __future__ import annotations

import csv

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecograph.identifiers import (
    LA_POSTE_SIREN,
    luhn_valid,
    normalise_rna,
    normalise_siren,
    normalise_siret,
    pad_lost_zeros,
    rna_problem,
    siren_problem,
    siret_problem,
)

from .conftest import FIXTURES

REAL_DATA = FIXTURES / "ess-numerique" / "x_enriched.csv"
LA_POSTE_HEAD_OFFICE = "35600000000048"


def with_check_digit(prefix: str) -> str:
    """``prefix`` plus the one digit that makes it pass Luhn (to craft valid identifiers)."""
    return next(prefix + d for d in "0123456789" if luhn_valid(prefix + d))


def digit_sum(value: str) -> int:
    return sum(int(c) for c in value)


# --- Luhn --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "digits", ["0", "18", "412345670", "356000000", LA_POSTE_HEAD_OFFICE, "41234567000019"]
)
def test_luhn_accepts_valid_numbers(digits: str) -> None:
    assert luhn_valid(digits)


@pytest.mark.parametrize("digits", ["", "1", "412345671", "41234567000018", "4123 45670", "٤١٢"])
def test_luhn_rejects_invalid_or_non_ascii(digits: str) -> None:
    assert not luhn_valid(digits)


def test_luhn_catches_every_single_digit_typo() -> None:
    # The reason SIREN/SIRET carry a Luhn key: any one mistyped digit is detected.
    siren = "412345670"
    for position in range(len(siren)):
        for digit in "0123456789":
            if digit != siren[position]:
                typo = siren[:position] + digit + siren[position + 1 :]
                assert not luhn_valid(typo), typo


@given(st.text(alphabet="0123456789", min_size=1, max_size=20))
def test_exactly_one_check_digit_completes_any_prefix(prefix: str) -> None:
    assert sum(luhn_valid(prefix + d) for d in "0123456789") == 1


# --- SIREN -------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["412345670", "812345676", "216901231", LA_POSTE_SIREN])
def test_valid_siren(value: str) -> None:
    assert siren_problem(value) is None


def test_siren_too_short_says_expected_length_and_suspects_a_spreadsheet() -> None:
    problem = siren_problem("62201199")
    assert problem is not None
    assert "a SIREN has 9 digits; «62201199» has 8" in problem
    assert "leading zeros" in problem


def test_siren_too_long_does_not_mention_zeros() -> None:
    problem = siren_problem("4123456700")
    assert problem == "a SIREN has 9 digits; «4123456700» has 10"


def test_siren_with_separators_says_so() -> None:
    problem = siren_problem("412 345 670")
    assert problem is not None
    assert "spaces, dots or hyphens" in problem


def test_siren_with_a_letter_names_it() -> None:
    assert siren_problem("41234567O") == "a SIREN is made of digits only; «41234567O» contains «O»"


def test_siren_with_wrong_check_digit() -> None:
    problem = siren_problem("412345671")
    assert problem is not None
    assert "«412345671» is not a valid SIREN" in problem
    assert "check digit (Luhn key)" in problem


def test_siren_empty() -> None:
    assert siren_problem("") == "a SIREN has 9 digits; the value is empty"


def test_siren_messages_in_french() -> None:
    assert siren_problem("12345678", lang="fr") == (
        "un SIREN a 9 chiffres ; «12345678» en a 8 (zéros de tête perdus par un tableur ? "
        "gardez les identifiants en texte)"
    )
    assert "clé de contrôle (Luhn)" in (siren_problem("412345671", lang="fr") or "")


def test_siren_refuses_numbers_because_zeros_are_already_lost() -> None:
    with pytest.raises(TypeError, match="leading zeros"):
        siren_problem(62201199)  # type: ignore[arg-type]


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match='"en" or "fr"'):
        siren_problem("1", lang="de")


# --- SIRET -------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["41234567000019", "81234567600017", LA_POSTE_HEAD_OFFICE])
def test_valid_siret(value: str) -> None:
    assert siret_problem(value) is None


def test_siret_wrong_length() -> None:
    assert siret_problem("4123456700001") == (
        "a SIRET has 14 digits; «4123456700001» has 13 "
        "(leading zeros lost by a spreadsheet? keep identifiers as text)"
    )


def test_siret_wrong_check_digit() -> None:
    problem = siret_problem("41234567000018")
    assert problem is not None
    assert "«41234567000018» is not a valid SIRET" in problem


def test_siret_whose_siren_part_fails() -> None:
    # 14 digits that pass Luhn as a whole while their first 9 digits do not.
    siret = with_check_digit("4123456710001")
    assert luhn_valid(siret) and not luhn_valid(siret[:9])
    problem = siret_problem(siret)
    assert problem is not None
    assert "first 9 digits, the SIREN «412345671»" in problem


def test_la_poste_head_office_passes_luhn() -> None:
    assert luhn_valid(LA_POSTE_HEAD_OFFICE)
    assert digit_sum(LA_POSTE_HEAD_OFFICE) % 5 != 0  # so it is valid through Luhn only
    assert siret_problem(LA_POSTE_HEAD_OFFICE) is None


def _la_poste_sirets(*, sum_multiple_of_5: bool) -> list[str]:
    """La Poste SIRETs that fail Luhn, with or without a digit sum that is a multiple of 5."""
    found = []
    for nic in range(1, 2000):
        siret = f"{LA_POSTE_SIREN}{nic:05d}"
        if not luhn_valid(siret) and (digit_sum(siret) % 5 == 0) == sum_multiple_of_5:
            found.append(siret)
    return found


def test_la_poste_sirets_with_digit_sum_multiple_of_5_pass_without_luhn() -> None:
    sirets = _la_poste_sirets(sum_multiple_of_5=True)
    assert len(sirets) > 100
    assert "35600000000015" in sirets  # digits add up to 20
    assert [s for s in sirets if siret_problem(s) is not None] == []


def test_la_poste_sirets_failing_both_rules_are_refused() -> None:
    sirets = _la_poste_sirets(sum_multiple_of_5=False)
    assert len(sirets) > 100
    for siret in sirets:
        problem = siret_problem(siret)
        assert problem is not None and "multiple of 5" in problem, siret
    assert siret_problem("35600000000013") == (
        "«35600000000013» is not a valid La Poste SIRET: it needs a valid Luhn key or a digit "
        "sum that is a multiple of 5 (here 18)"
    )


def test_digit_sum_rule_is_for_la_poste_only() -> None:
    siret = "41234567000021"  # digits add up to 35, Luhn fails
    assert digit_sum(siret) % 5 == 0 and not luhn_valid(siret)
    assert siret_problem(siret) is not None


# --- RNA ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["W751234567", "W9R1000123", "W2A1002593", "W832023177"])
def test_valid_rna(value: str) -> None:
    assert rna_problem(value) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("W75123456", "an RNA number has 10 characters"),
        ("w751234567", "starts with a capital W"),
        ("0751234567", "starts with a capital W"),
        ("W75123456-", "contains «-»"),
        ("W9r1000123", "contains «r»"),
        ("", "has 0"),
    ],
)
def test_invalid_rna_says_what_was_expected(value: str, expected: str) -> None:
    problem = rna_problem(value)
    assert problem is not None
    assert expected in problem


def test_rna_message_in_french() -> None:
    assert "commence par un W majuscule" in (rna_problem("w751234567", lang="fr") or "")


# --- normalising -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("412 345 670", "412345670"),
        ("412.345.670", "412345670"),
        ("412\u00a0345\u202f670", "412345670"),
        (" 412345670\t", "412345670"),
        ("41234567O", "41234567O"),  # still wrong, left as written for the report
        ("62201199", "62201199"),  # no padding here
    ],
)
def test_normalise_siren_only_strips_separators(raw: str, expected: str) -> None:
    assert normalise_siren(raw) == expected


def test_normalise_siret_and_rna() -> None:
    assert normalise_siret("412 345 670 00019") == "41234567000019"
    assert normalise_rna(" w75 123 4567 ") == "W751234567"


@pytest.mark.parametrize(
    ("raw", "width", "expected"),
    [
        ("62201199", 9, "062201199"),
        ("6220119900031", 14, "06220119900031"),
        ("412345670", 9, "412345670"),
        ("4123456701", 9, "4123456701"),
        ("6220119A", 9, "6220119A"),
        ("", 9, ""),
    ],
)
def test_pad_lost_zeros(raw: str, width: int, expected: str) -> None:
    assert pad_lost_zeros(raw, width) == expected


def test_pad_lost_zeros_refuses_a_meaningless_width() -> None:
    with pytest.raises(ValueError, match="width"):
        pad_lost_zeros("1", 0)


# --- real identifiers --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_rows() -> list[dict[str, str]]:
    with REAL_DATA.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_real_file_has_the_expected_rows(real_rows: list[dict[str, str]]) -> None:
    # tests/fixtures/README.md: 69 organisations of the ESS numérique list, 32 with an RNA number.
    assert len(real_rows) == 69
    assert sum(1 for row in real_rows if row["rna"]) == 32


def test_every_real_siren_is_valid(real_rows: list[dict[str, str]]) -> None:
    problems = {row["siren"]: siren_problem(row["siren"]) for row in real_rows}
    assert {k: v for k, v in problems.items() if v is not None} == {}


def test_every_real_head_office_siret_is_valid_and_belongs_to_its_siren(
    real_rows: list[dict[str, str]],
) -> None:
    bad = [row["siret_siege"] for row in real_rows if siret_problem(row["siret_siege"])]
    assert bad == []
    assert [r["siren"] for r in real_rows if not r["siret_siege"].startswith(r["siren"])] == []


def test_every_real_rna_is_well_formed(real_rows: list[dict[str, str]]) -> None:
    rnas = [row["rna"] for row in real_rows if row["rna"]]
    assert [value for value in rnas if rna_problem(value) is not None] == []
    # Some district codes hold a letter (Corsica 2A/2B, overseas 9R, 9G...): the pattern
    # must not assume digits only.
    assert any(not value[1:4].isdigit() for value in rnas)


def test_real_sirens_with_a_leading_zero_survive_a_spreadsheet_round_trip(
    real_rows: list[dict[str, str]],
) -> None:
    zero_led = [row["siren"] for row in real_rows if row["siren"].startswith("0")]
    assert zero_led, "the extract has SIRENs starting with 0"
    for siren in zero_led:
        as_number = str(int(siren))  # what a spreadsheet keeps
        assert siren_problem(as_number) is not None
        assert pad_lost_zeros(as_number, 9) == siren
