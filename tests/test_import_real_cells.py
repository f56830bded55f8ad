"""Real files read as they are (issue 15 §1, the reading part): the separator chosen by how
consistently the rows parse, the encoding decided line by line, Excel's artefacts in
identifiers (apostrophes, numbers, rounding), dates as spans, amounts that may be absent.

Fixtures cut from the published SCDL files of Maine-et-Loire and Loire-Atlantique (Licence
Ouverte, see tests/fixtures/README.md) and small hand-made files for the other quirks.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from ecograph.ingest.readers import decode, detect_separator, read_csv_text, read_table
from ecograph.ingest.values import (
    DateSpan,
    LuhnInvalidIdentifier,
    OrganisationId,
    RoundedIdentifier,
    ValueProblem,
    clean_identifier,
    is_missing,
    parse_amount,
    parse_date_span,
    read_organisation_id,
    read_siren,
    read_siret,
)

FIXTURES = Path(__file__).parent / "fixtures" / "import"
MAINE_ET_LOIRE = FIXTURES / "scdl_maine_et_loire_excerpt.csv"
LOIRE_ATLANTIQUE = FIXTURES / "scdl_loire_atlantique_excerpt.csv"


def _column(table, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    index = table.columns.index(name)
    return [cells[index] for _, cells in table.rows]


# ----------------------------------------------------------------------------- separator
def test_a_semicolon_header_over_rows_with_stray_commas_stays_semicolon() -> None:
    header = ";".join(f"c{i}" for i in range(19))
    rows = [";".join(["Asso, dite «la Une»", "12,5"] + [f"v{i}" for i in range(17)])] * 30
    assert detect_separator("\n".join([header, *rows]) + "\n") == (";", True)


def test_one_column_per_stray_comma_does_not_win_over_consistent_rows() -> None:
    # every row holds exactly one comma (an unquoted decimal comma): "," splits every row in
    # two the same way, ";" splits them in 5; the separator is the one that splits more
    rows = ["nom;montant;date;commune;type"] + ["A;12,5;2019;Nantes;asso"] * 20
    assert detect_separator("\n".join(rows)) == (";", True)


def test_quotes_are_respected_when_counting_cells() -> None:
    # in Loire-Atlantique's file, a quoted cell holds a ";" ("aide en numéraire;aide en
    # nature"): quotes respected, every record still has 18 cells
    table = read_table(LOIRE_ATLANTIQUE)
    assert table.separator == ";" and len(table.columns) == 18
    assert all(len(cells) == 18 for _, cells in table.rows)
    assert "aide en numéraire;aide en nature" in _column(table, "Nature de la subvention")


def test_a_comma_file_with_unquoted_decimal_commas_is_still_comma_separated() -> None:
    # hand-made: "100 000,00" unquoted in a ","-separated file, and lines in two encodings.
    # Rows are wider than the header where an amount holds a comma; repairing those
    # columns is the SCDL importer's work: here every line is read, none lost.
    table = read_table(FIXTURES / "comma_decimal_mixed.csv")
    assert table.separator == "," and table.columns[-1] == "nature"
    assert [n for n, _ in table.rows] == [2, 3, 4, 5, 6]
    widths = [len(cells) for _, cells in table.rows]
    assert widths == [9, 9, 8, 9, 8]
    assert table.rows[1][1][3] == "Théâtre de l'Échangeur"  # a Windows-1252 line
    assert any("line(s) 3, 5)" in note for note in table.assumptions)


def test_a_comma_on_every_line_does_not_beat_semicolons_with_one_ragged_row() -> None:
    # one comma on every line (in a header title and in each amount) splits every line in
    # two the same way; ";" splits them in 6 but one row has a leftover empty cell: it is
    # the rows that agree, weighted by how many cells they make, that choose
    lines = ["nom;commune;date;type;Montant (en €, TTC);objet"]
    lines += [f"Asso {i};Nantes;2019;association;{i} 000,50;aide" for i in range(12)]
    lines.insert(5, "Asso X;Nantes;2019;association;1 000,50;aide;")
    text = "\n".join(lines)
    assert detect_separator(text) == (";", True)
    table = read_csv_text(text, "t.csv")
    assert len(table.columns) == 6 and len(table.rows) == 13


@pytest.mark.parametrize(
    ("separator", "name"), [("\t", "tab"), ("|", "pipe (|)"), (",", "comma (,)")]
)
def test_each_separator_is_found_with_commas_and_semicolons_in_the_text(
    separator: str, name: str
) -> None:
    name_cell, amount = "Vélo; Campus, Nantes", "1 234,56"
    if separator == ",":
        name_cell, amount = f'"{name_cell}"', f'"{amount}"'
    lines = [separator.join(["nom", "montant", "commune"])]
    lines += [separator.join([name_cell, amount, "44109"])] * 10
    table = read_csv_text("\n".join(lines), "t.csv")
    assert table.separator == separator and f"separator: {name}" in table.assumptions
    assert table.rows[0][1] == ["Vélo; Campus, Nantes", "1 234,56", "44109"]


# ----------------------------------------------------------------------------- encoding
def test_each_line_is_decoded_in_its_own_encoding() -> None:
    # hand-made: an aggregated file, lines 3 and 5 in Windows-1252, line 6 too with one byte
    # (0x81) that Windows-1252 leaves undefined
    table = read_table(FIXTURES / "mixed_encodings.csv")
    names = _column(table, "nomBeneficiaire")
    assert names == [
        "Épicerie solidaire",
        "Les Restos du Cœur – Laval",
        "Crèche « Les Lutins »",
        "Société d'Économie Mixte",
        "Café des Âges",
    ]
    objects = _column(table, "objet")
    assert objects[3] == "Étude préalable — phase 1"
    assert objects[4] == "Animation \ufffd été"  # the one byte no encoding decodes
    text = (FIXTURES / "mixed_encodings.csv").read_bytes()
    assert sum(c == "\ufffd" for c in decode(text, "x")[0]) == 1
    note = table.assumptions[0]
    assert "3 line(s) are not valid UTF-8 (line(s) 3, 5, 6)" in note
    assert "1 byte(s) that no encoding decodes" in note
    assert table.encoding == "UTF-8 (some lines Windows-1252)"


def test_the_first_few_cp1252_lines_are_named_and_all_counted() -> None:
    data = b"nom\n" + b"".join(("é\n".encode() if i % 2 else b"caf\xe9\n") for i in range(40))
    text, _, notes = decode(data, "x.csv")
    assert text.count("café\n") == 20 and text.count("é\n") == 40 and "\ufffd" not in text
    assert "20 line(s)" in notes[0] and "(line(s) 2, 4, 6, 8, 10 …)" in notes[0]


def test_a_utf8_file_with_a_bom_and_cp1252_lines_keeps_its_label() -> None:
    text, label, notes = decode(b"\xef\xbb\xbfnom\n\xc3\xa9t\xc3\xa9\ncaf\xe9\n", "x.csv")
    assert text == "nom\nété\ncafé\n" and label == "UTF-8 with BOM (some lines Windows-1252)"
    assert "line(s) 3)" in notes[0]


def test_old_mac_line_ends_count_lines_too() -> None:
    _, _, notes = decode("a\réé\r".encode() + b"caf\xe9\r", "x.csv")
    assert "(line(s) 3)" in notes[0]


# ----------------------------------------------------------------------------- identifiers
def test_maine_et_loire_sirets_with_spaces_and_a_trailing_apostrophe() -> None:
    table = read_table(MAINE_ET_LOIRE)
    assert table.columns[-1] == "Colonne1"  # the extra empty column is read, not a problem
    funders = _column(table, "idAttribuant")
    assert set(funders) == {"224 900 019 000 15'"}
    found = read_organisation_id(funders[0])
    assert found == OrganisationId(
        "224900019", "22490001900015", ("quote or Excel text apostrophe removed",)
    )
    assert read_siret(funders[0])[0] == "22490001900015"
    siren, note = read_siren(funders[0])
    assert siren == "224900019" and note and note.startswith("SIRET cut to its SIREN")
    assert read_organisation_id("82 212 742 900 014").siret == "82212742900014"


def test_maine_et_loire_rounded_sirets_are_not_trusted() -> None:
    ids = _column(read_table(MAINE_ET_LOIRE), "idBeneficiaire")
    rounded = [i for i in ids if "E+" in i]
    assert rounded == ["7,86E+13", "7,22009E+12"]  # as Excel wrote them in the file
    for raw in rounded:
        with pytest.raises(RoundedIdentifier, match="rounded") as caught:
            read_organisation_id(raw)
        assert caught.value.raw == raw and not caught.value.digits.endswith(raw[-3:])
        with pytest.raises(RoundedIdentifier):
            read_siren(raw)
        with pytest.raises(RoundedIdentifier):
            read_siret(raw)


def test_maine_et_loire_luhn_invalid_siret_is_its_own_problem() -> None:
    ids = _column(read_table(MAINE_ET_LOIRE), "idBeneficiaire")
    assert "33 452 381 900 011" in ids
    with pytest.raises(LuhnInvalidIdentifier, match="Luhn") as caught:
        read_organisation_id("33 452 381 900 011")
    assert caught.value.digits == "33452381900011"
    assert not isinstance(caught.value, RoundedIdentifier)


def test_loire_atlantique_sirens_sirets_and_a_luhn_invalid_one() -> None:
    table = read_table(LOIRE_ATLANTIQUE)
    assert read_organisation_id(_column(table, "Identification de l'attribuant")[0]).siret == (
        "22440002800011"
    )
    ids = [i for i in _column(table, "Identification du bénéficiaire") if not is_missing(i)]
    assert ids[-1] == "304865000"
    assert [read_organisation_id(i).siren for i in ids[:-1]] == [
        "452474562",
        "448522631",
        "484094107",
        "799142930",
        "509264057",
    ]
    with pytest.raises(LuhnInvalidIdentifier):
        read_siren(ids[-1])


@pytest.mark.parametrize(
    "raw",
    [
        "22530000000000",  # the SIRET, rounded to 4 digits and written out
        "22530000000000.0",
        "2.253E+13",
        "2,2453E+13",
        "7.8E+13",
        "  2.2E13 ",
    ],
)
def test_rounded_identifiers_are_recognised(raw: str) -> None:
    with pytest.raises(RoundedIdentifier):
        read_organisation_id(raw)


@pytest.mark.parametrize(
    ("raw", "siret"),
    [
        ("2.2490001900015E+13", "22490001900015"),
        ("2,2490001900015E+13", "22490001900015"),
        ("22490001900015.0", "22490001900015"),
        ("'22490001900015", "22490001900015"),
        ('="22490001900015"', "22490001900015"),
        ("224 900 019 000 15\u2019", "22490001900015"),
        ("224\u00a0900\u00a0019\u00a0000\u00a015", "22490001900015"),
        ("5520135400010", "05520135400010"),  # a leading zero lost as a number
    ],
)
def test_excel_writings_of_a_siret_give_it_back(raw: str, siret: str) -> None:
    assert read_organisation_id(raw).siret == siret


def test_what_is_not_an_identifier_is_still_named() -> None:
    with pytest.raises(ValueProblem, match="has 9 digits; «4430618» has 7"):
        read_organisation_id("4430618")
    with pytest.raises(ValueProblem, match="contains «x»"):
        read_organisation_id("12x456789")
    with pytest.raises(ValueProblem, match="a SIRET has 14 digits"):
        read_organisation_id("224900019001")  # 12 digits: no lost zero makes it a SIRET
    assert clean_identifier(" 1.234E+3 ") == (
        "1234",
        ["scientific notation read back (1.234E+3 → 1234)"],
    )


# ----------------------------------------------------------------------------- dates
def test_loire_atlantique_bare_years_are_the_year_s_span() -> None:
    table = read_table(LOIRE_ATLANTIQUE)
    spans = {parse_date_span(v) for v in _column(table, "Date ou période de versement")}
    assert DateSpan(dt.date(2014, 1, 1), dt.date(2014, 12, 31)) in spans
    assert all(s.start and s.end and s.start.year == s.end.year for s in spans)


def test_maine_et_loire_periods_keep_both_ends() -> None:
    periods = _column(read_table(MAINE_ET_LOIRE), "datesPeriodeVersement")
    assert [parse_date_span(p) for p in periods] == [
        DateSpan(dt.date(2017, 10, 6), dt.date(2018, 6, 30)),
        DateSpan(dt.date(2017, 12, 12), None),  # "2017-12-12/fin-action"
        DateSpan(None, dt.date(2019, 6, 30)),  # "NC/2019-06-30": start not given
        DateSpan(dt.date(2017, 1, 1), dt.date(2017, 12, 31)),
        DateSpan(dt.date(2017, 11, 15), dt.date(2018, 6, 30)),
        DateSpan(dt.date(2018, 4, 4), dt.date(2019, 6, 30)),
        DateSpan(dt.date(2019, 1, 1), dt.date(2019, 1, 1)),  # "01/01/2019", French
    ]


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2018-04-01_2018-12-31", dt.date(2018, 4, 1), dt.date(2018, 12, 31)),
        ("2019-03-01", dt.date(2019, 3, 1), dt.date(2019, 3, 1)),
        ("2019-03-01T00:00:00", dt.date(2019, 3, 1), dt.date(2019, 3, 1)),
        ("du 01/03/2019 au 30/06/2019", dt.date(2019, 3, 1), dt.date(2019, 6, 30)),
        ("01/03/2019-30/06/2019", dt.date(2019, 3, 1), dt.date(2019, 6, 30)),
        ("2017-2018", dt.date(2017, 1, 1), dt.date(2018, 12, 31)),
        ("2020", dt.date(2020, 1, 1), dt.date(2020, 12, 31)),
        ("2014.0", dt.date(2014, 1, 1), dt.date(2014, 12, 31)),
        ("02/2020", dt.date(2020, 2, 1), dt.date(2020, 2, 29)),
        ("2019-06-03/fin de l'action", dt.date(2019, 6, 3), None),
        ("6 octobre 2017", dt.date(2017, 10, 6), dt.date(2017, 10, 6)),
        ("1er mars 2019", dt.date(2019, 3, 1), dt.date(2019, 3, 1)),
        ("12 déc. 2018", dt.date(2018, 12, 12), dt.date(2018, 12, 12)),
        ("du 1er mars 2019 au 30 juin 2019", dt.date(2019, 3, 1), dt.date(2019, 6, 30)),
    ],
)
def test_date_spans(text: str, start: dt.date | None, end: dt.date | None) -> None:
    assert parse_date_span(text) == DateSpan(start, end)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2018-06-30/2017-10-06", "ends before it starts"),
        ("31/02/2019", "not a real date"),
        ("0000", "not a real date"),
        ("bientôt", "a period such as 2017-10-06/2018-06-30"),
        ("2019-13", "expected a date"),
    ],
)
def test_date_spans_that_are_not_say_what_was_expected(text: str, message: str) -> None:
    with pytest.raises(ValueProblem, match=message):
        parse_date_span(text)


# ----------------------------------------------------------------------------- amounts
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("250.0", Decimal("250.0")),
        ("100 000,00", Decimal("100000.00")),
        ("1 234,56 €", Decimal("1234.56")),
        ("12 500", Decimal("12500")),
        ("-1 234,56", Decimal("-1234.56")),
        ("\u22121 500", Decimal("-1500")),
        ("", None),
        ("  ", None),
        ("NC", None),
    ],
)
def test_amounts(text: str, expected: Decimal | None) -> None:
    assert parse_amount(text) == expected


def test_an_implausible_amount_is_refused_in_words() -> None:
    """40 digits in an amount column (a shifted identifier) cannot be stored with its cents:
    refused with what it probably is, never a crash further down."""
    with pytest.raises(ValueProblem, match="not a plausible amount"):
        parse_amount("9" * 40)
    assert parse_amount("999 999 999 999 999 999") == Decimal("999999999999999999")


def test_loire_atlantique_in_kind_grants_have_no_amount_not_zero() -> None:
    table = read_table(LOIRE_ATLANTIQUE)
    amounts = [parse_amount(v) for v in _column(table, "Montant total de la subvention")]
    assert amounts == [
        Decimal("250.0"),
        Decimal(1500),
        Decimal(1000),
        None,
        None,
        Decimal(5000),
        None,
    ]
    with pytest.raises(ValueProblem, match="expected a number"):
        parse_amount("douze")


def test_a_siret_imported_from_maine_et_loire_has_no_apostrophe(store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from ecograph.ingest.importer import import_file

    import_file(store, MAINE_ET_LOIRE, keep_good_rows=True, rejects_path=tmp_path / "r.csv")
    sirets = {
        r["s"].value
        for r in store.select("SELECT ?s WHERE { ?a ?p ?s FILTER(DATATYPE(?s) = eg:SIRET) }")
    }
    assert "22490001900015" in sirets and "82212742900014" in sirets
    assert all(s.isdigit() and len(s) == 14 for s in sirets)
