"""Cell values as French spreadsheets hold them: numbers, dates, missing markers, identifiers,
and files: encodings, separators, CRLF, BOM, XLSX."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from ecograph.ingest.readers import ReadError, decode, detect_separator, read_table
from ecograph.ingest.values import (
    ValueProblem,
    is_missing,
    parse_date,
    parse_decimal,
    read_rna,
    read_siren,
    read_siret,
    split_list,
)
from ecograph.name_keys import name_key

FIXTURES = Path(__file__).parent / "fixtures" / "import"


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reject files go to the current folder by default: keep them out of the checkout."""
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3 000", "3000"),
        ("1 234,56", "1234.56"),
        ("12 500 €", "12500"),
        ("1.234,56", "1234.56"),
        ("1234.56", "1234.56"),
        ("12.500", "12500"),
        ("-12,5", "-12.5"),
        ("(12,5)", "-12.5"),
        ("12\u202f500,00 EUR", "12500.00"),
        ("1,234,567", "1234567"),
        ("800,00", "800.00"),
    ],
)
def test_french_numbers(text: str, expected: str) -> None:
    assert parse_decimal(text) == Decimal(expected)


def test_a_word_is_not_a_number_and_the_message_shows_what_is_expected() -> None:
    with pytest.raises(ValueProblem, match=r"expected a number such as 1 234,56.*«douze»"):
        parse_decimal("douze")


@pytest.mark.parametrize(
    "text",
    [
        "2019-03-01",
        "01/03/2019",
        "1/3/19",
        "01.03.2019",
        "2019-03-01T00:00:00",
        "2019-03-01 00:00:00",
        "01-03-2019",
    ],
)
def test_dates_day_first_or_iso(text: str) -> None:
    assert parse_date(text, today=dt.date(2026, 1, 1)) == dt.date(2019, 3, 1)


def test_impossible_and_unreadable_dates() -> None:
    with pytest.raises(ValueProblem, match="not a real date"):
        parse_date("31/02/2019")
    with pytest.raises(ValueProblem, match="expected a date such as 2019-03-01"):
        parse_date("mars 2019")


@pytest.mark.parametrize("text", ["", " ", "NA", "n/a", "N/A", "-", "[ND]", "néant", "#N/A"])
def test_missing_markers(text: str) -> None:
    assert is_missing(text)


def test_identifiers_as_people_and_spreadsheets_write_them() -> None:
    assert read_siren("775 671 993") == ("775671993", None)
    siren, note = read_siren("62201199")  # stored as a number: the leading zero went
    assert siren == "062201199" and note and "leading zeros restored" in note
    assert read_siren("62201199.0")[0] == "062201199"
    assert read_siren("5,52100554E+08")[0] == "552100554"
    siren, note = read_siren("77567199300019")
    assert siren == "775671993" and note and "SIRET" in note
    assert read_siret("77567199300019") == ("77567199300019", None)
    assert read_rna(" w442001234 ") == "W442001234"
    with pytest.raises(ValueProblem, match="has 9 digits; «4430618» has 7"):
        read_siren("4430618")
    with pytest.raises(ValueProblem, match="Luhn"):
        read_siren("443061842")
    with pytest.raises(ValueProblem, match="RNA number"):
        read_rna("12345")


def test_names_match_whatever_the_case_accents_and_punctuation() -> None:
    assert (
        name_key("Les Restos du Cœur !") == name_key("LES RESTOS DU COEUR") == "les restos du coeur"
    )
    assert split_list("santé; logement|emploi") == ["santé", "logement", "emploi"]
    assert split_list("santé, logement") == ["santé", "logement"]


def test_encodings_are_detected_and_reported() -> None:
    text, label, notes = decode("Crèche;Vélo".encode("cp1252"), "x.csv")
    assert text == "Crèche;Vélo" and label == "Windows-1252" and "not UTF-8" in notes[0]
    text, label, notes = decode(b"\xef\xbb\xbfid;nom\n", "x.csv")
    assert text.startswith("id") and label == "UTF-8 with BOM" and not notes
    mixed = "Épicerie été\nCaf".encode() + b"\xe9\n"  # line 2 written in Windows-1252
    text, label, notes = decode(mixed, "x.csv")
    assert text == "Épicerie été\nCafé\n" and "\ufffd" not in text
    assert label == "UTF-8 (some lines Windows-1252)" and "1 line(s)" in notes[0]
    assert "line(s) 2)" in notes[0] and "cp1252" in notes[0]


@pytest.mark.parametrize(
    ("separator", "text"),
    [
        (";", "a;b;c\n1;2,5;3\n"),
        (",", 'a,b,c\n1,"2;5",3\n'),
        ("\t", "a\tb\n1\t2\n"),
        ("|", "a|b|c\n1|2|3\n"),
    ],
)
def test_separators_are_detected(separator: str, text: str) -> None:
    assert detect_separator(text) == (separator, True)


def test_fixture_files_read_with_their_quirks() -> None:
    latin = read_table(FIXTURES / "actors_cp1252.csv")
    assert latin.encoding == "Windows-1252" and latin.separator == ";"
    assert latin.rows[0][1][1] == "Les Restos du Cœur – Loire"
    assert latin.rows[0][1][5] == "alimentation; pauvreté"  # quoted, not split
    assert not any(c.endswith("\r") for _, cells in latin.rows for c in cells)  # CRLF
    bom = read_table(FIXTURES / "actors_bom.csv")
    assert bom.columns[0] == "id" and bom.separator == ","
    assert bom.rows[0][1][6] == "Logements passerelles\nsur deux lignes"
    assert [n for n, _ in bom.rows] == [2, 3]  # rows as a spreadsheet numbers them
    tsv = read_table(FIXTURES / "actors_broken_utf8.tsv")
    assert tsv.separator == "\t" and "line(s) 3, 4" in tsv.assumptions[0]
    # line 3 mixes a Windows-1252 «é» and a UTF-8 «â»: each is read in its own encoding
    assert (
        tsv.rows[1][1][1] == "Café des âges" and tsv.rows[2][1][1] == "Maison de quartier Doulÿon"
    )


def test_a_title_line_above_the_header_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("Subventions versées en 2023\nnom;montant;date\nA;1;2023-01-01\n")
    table = read_table(path)
    assert table.columns == ["nom", "montant", "date"] and table.rows[0][0] == 3
    assert any("title" in note for note in table.assumptions)


def test_xlsx_cells_become_the_text_a_user_sees(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["nom", "siren", "date", "montant"])
    sheet.append(["Épicerie", 62201199, dt.datetime(2019, 3, 1), 1234.5])
    sheet.append([None, None, None, None])
    sheet.append(["Vélo", "775671993", dt.date(2020, 1, 2), 3000.0])
    path = tmp_path / "book.xlsx"
    workbook.save(path)
    table = read_table(path)
    assert table.columns == ["nom", "siren", "date", "montant"]
    assert table.rows == [
        (2, ["Épicerie", "62201199", "2019-03-01", "1234.5"]),
        (4, ["Vélo", "775671993", "2020-01-02", "3000"]),
    ]


def test_unreadable_files_say_so(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ReadError, match=r"empty\.csv: the file is empty"):
        read_table(empty)
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    with pytest.raises(ReadError, match=r"save it as \.xlsx or CSV"):
        read_table(old)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Région Pays de la Loire", "region"),
        ("Conseil régional de Bretagne", "region"),
        ("Conseil départemental de la Mayenne", "departement"),
        ("Département de Loire-Atlantique", "departement"),
        ("Nantes Métropole", "epci"),
        ("CA Redon Agglomération", "epci"),
        ("Communauté de communes de Nozay", "epci"),
        ("PARTAGE REGION NANTAISE", None),  # real beneficiaries of the Loire-Atlantique file
        ("PLIE REGION NAZAIRIENNE", None),
        ("ELAN SPORT ADAPTE REGION NANTAIS", None),
        ("COMITE DEPARTEMENTAL DE JUDO", "association"),
    ],
)
def test_an_authority_type_is_guessed_only_from_its_name_s_form(
    name: str, kind: str | None
) -> None:
    from ecograph.ingest.guess import guess_type

    assert guess_type(name, None) == kind
