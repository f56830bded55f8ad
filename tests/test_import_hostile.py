"""Hostile and broken tabular inputs: each is refused in words that name the file (and the row,
column or line), or read whole — never a traceback, a hang, silent loss or a memory blow-up.

Every hostile file is built here, small, in ``tmp_path``.
"""

from __future__ import annotations

import re
import threading
import time
import zipfile
from pathlib import Path

import pyoxigraph as ox
import pytest

from ecograph.ingest.importer import ImportRefused, import_file
from ecograph.ingest.mapping import MappingError, load_mapping
from ecograph.ingest.readers import (
    MAX_CSV_CELL_CHARACTERS,
    MAX_CSV_ROW_CHARACTERS,
    MAX_XLSX_CELLS,
    ReadError,
    decode,
    read_table,
)

ACTORS = [
    ["nom", "siren", "type", "commune"],
    ["Restos du Coeur", "775671993", "association", "44109"],
    ["Habitat et Humanisme", "443061841", "association", "44109"],
    ["Jardins de Doulon", "", "association", "44109"],
    ["Vélo Campus", "", "association", "44109"],
    ["Épicerie Solidaire", "", "association", "44109"],
]


def _workbook(path: Path, rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def _rewrite(path: Path, member: str, change) -> Path:  # type: ignore[no-untyped-def]
    """Rewrite one member of a zip (the rest copied as they are)."""
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in members:
            target.writestr(info.filename, change(data) if info.filename == member else data)
    return path


def _with_dimension(path: Path, ref: str) -> Path:
    """The workbook with its first sheet's ``<dimension>`` tag saying ``ref``."""

    def stale(data: bytes) -> bytes:
        changed, count = re.subn(
            rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>'.encode(), data
        )
        assert count == 1
        return changed

    return _rewrite(path, "xl/worksheets/sheet1.xml", stale)


# ----------------------------------------------------------------------------- XLSX (item 4)
@pytest.mark.parametrize("ref", ["A1:D3", "A1", "C4:D5"])
def test_a_stale_xlsx_dimension_loses_no_row(store, tmp_path, ref: str) -> None:
    path = _with_dimension(_workbook(tmp_path / "actors.xlsx", ACTORS), ref)
    result = import_file(store, path)
    assert result.counts["rowsRead"] == 5 and result.counts["rowsImported"] == 5
    assert result.counts["actorsCreated"] == 5


def test_a_huge_declared_dimension_costs_only_the_real_cells(tmp_path) -> None:
    # A1:XFD1048576 and one cell in that corner: trusting the tag means padding a million
    # rows to 16,384 cells (gigabytes); the sheet holds 25 cells, read those at once.
    corner = (
        b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    )
    path = _rewrite(
        _with_dimension(_workbook(tmp_path / "actors.xlsx", ACTORS), "A1:XFD1048576"),
        "xl/worksheets/sheet1.xml",
        lambda data: data.replace(b"</sheetData>", corner),
    )
    table = read_table(path)
    assert table.columns == ACTORS[0] and len(table.rows) == 6
    assert table.rows[4] == (6, ["Épicerie Solidaire", "", "association", "44109"])
    number, cells = table.rows[5]
    assert number == 1048576 and len(cells) == 16384 and cells[-1] == "x"


def test_rows_far_apart_keep_their_spreadsheet_numbers(tmp_path) -> None:
    def move_last_row(data: bytes) -> bytes:
        return re.sub(rb'r="([A-Z]*)6"', rb'r="\g<1>1048576"', data)

    path = _rewrite(
        _workbook(tmp_path / "far.xlsx", ACTORS), "xl/worksheets/sheet1.xml", move_last_row
    )
    table = read_table(path)
    assert [number for number, _ in table.rows] == [2, 3, 4, 5, 1048576]


def test_more_cells_than_the_limit_are_refused_in_words(tmp_path) -> None:
    # Each row reaches column XFD (16,384): a few hundred rows pass the cell limit.
    rows_needed = MAX_XLSX_CELLS // 16384 + 2
    cells = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>x</t></is></c>'
        f'<c r="XFD{n}" t="inlineStr"><is><t>y</t></is></c></row>'
        for n in range(1, rows_needed + 1)
    )

    def fill(data: bytes) -> bytes:
        return re.sub(
            rb"<sheetData>.*</sheetData>|<sheetData\s*/>",
            f"<sheetData>{cells}</sheetData>".encode(),
            data,
            flags=re.S,
        )

    path = _rewrite(_workbook(tmp_path / "wide.xlsx", [["a"]]), "xl/worksheets/sheet1.xml", fill)
    with pytest.raises(ReadError, match=r"wide\.xlsx: .*more than [\d,]+ cells.*row \d+"):
        read_table(path)


def test_row_numbers_past_excel_s_last_row_are_refused(tmp_path) -> None:
    path = _rewrite(
        _workbook(tmp_path / "far.xlsx", ACTORS),
        "xl/worksheets/sheet1.xml",
        lambda data: data.replace(b'r="6"', b'r="99999999999"'),
    )
    with pytest.raises(ReadError, match=r"far\.xlsx: .*row.* 1,048,576"):
        read_table(path)


def _body(xml: bytes) -> bytes:
    """An XML part without its declaration, if it has one."""
    return xml.split(b"?>", 1)[1].lstrip() if xml.startswith(b"<?xml") else xml


_DTD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>\n'
)


@pytest.mark.parametrize(
    "member",
    [
        "xl/worksheets/sheet1.xml",
        "xl/workbook.xml",
        "[Content_Types].xml",
        "xl/_rels/workbook.xml.rels",
    ],
)
def test_an_xlsx_with_a_dtd_is_refused_before_it_is_parsed(store, tmp_path, member) -> None:
    def add_dtd(data: bytes) -> bytes:
        return _DTD + _body(data)

    path = _rewrite(_workbook(tmp_path / "dtd.xlsx", ACTORS), member, add_dtd)
    with pytest.raises(ImportRefused, match=r"dtd\.xlsx: the workbook contains a DTD") as refused:
        import_file(store, path)
    assert member in str(refused.value) and len(store) == 0


def test_a_dtd_in_utf16_is_found_too(tmp_path) -> None:
    def utf16(data: bytes) -> bytes:
        text = (_DTD + _body(data)).decode()
        return text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")

    path = _rewrite(_workbook(tmp_path / "dtd.xlsx", ACTORS), "xl/worksheets/sheet1.xml", utf16)
    with pytest.raises(ReadError, match="contains a DTD"):
        read_table(path)


def test_a_zip_that_unpacks_to_too_much_is_refused(tmp_path, monkeypatch) -> None:
    import ecograph.ingest.readers as readers

    monkeypatch.setattr(readers, "MAX_XLSX_UNPACKED_BYTES", 1000)
    path = _workbook(tmp_path / "big.xlsx", ACTORS)
    with pytest.raises(ReadError, match=r"big\.xlsx: .*unpacks to more than"):
        read_table(path)


def test_a_broken_workbook_is_refused_not_a_traceback(store, tmp_path) -> None:
    path = _rewrite(
        _workbook(tmp_path / "broken.xlsx", ACTORS),
        "xl/worksheets/sheet1.xml",
        lambda data: data[: len(data) // 2],
    )
    with pytest.raises(ImportRefused, match=r"broken\.xlsx: "):
        import_file(store, path)


# ----------------------------------------------------------------------------- CSV (item 6)
def test_a_csv_cell_over_the_field_limit_is_refused_with_its_row(store, tmp_path) -> None:
    path = tmp_path / "long.csv"
    long = "x" * (MAX_CSV_CELL_CHARACTERS + 1)
    path.write_text(f"nom;siren\nA;775671993\nB;{long}\n", encoding="utf-8")
    with pytest.raises(
        ImportRefused,
        match=r"long\.csv, row 3: a cell of more than "
        r"131,072 characters",
    ):
        import_file(store, path)
    assert len(store) == 0


def test_a_quoted_cell_over_the_field_limit_is_refused_too(tmp_path) -> None:
    path = tmp_path / "long.csv"
    long = "x\n" * (MAX_CSV_CELL_CHARACTERS // 2 + 1)
    path.write_text(f'nom;siren\nA;775671993\nB;"{long}"\n', encoding="utf-8")
    with pytest.raises(ReadError, match=r"long\.csv, row 3: a cell of more than"):
        read_table(path)


def test_a_csv_line_over_the_row_limit_is_refused_before_it_is_split(store, tmp_path) -> None:
    path = tmp_path / "one-line.csv"
    path.write_text("nom;siren\n" + "a," * (MAX_CSV_ROW_CHARACTERS // 2 + 1), encoding="utf-8")
    with pytest.raises(
        ImportRefused,
        match=r"one-line\.csv, row 2: .*more than "
        r"1,048,576 characters",
    ):
        import_file(store, path)


def test_a_record_spread_over_many_short_lines_is_bounded_too(tmp_path) -> None:
    path = tmp_path / "many.csv"
    # 4 MiB of one record made of 2-character quoted cells, each on its own line.
    path.write_text("nom;siren\n" + '"\n";' * MAX_CSV_ROW_CHARACTERS, encoding="utf-8")
    with pytest.raises(ReadError, match=r"many\.csv, row 2: .*more than"):
        read_table(path)


def test_old_mac_line_ends_still_read(tmp_path) -> None:
    path = tmp_path / "mac.csv"
    path.write_bytes(b"nom;siren\rA;775671993\rB;443061841\r")
    table = read_table(path)
    assert table.columns == ["nom", "siren"] and [r[0] for r in table.rows] == [2, 3]


@pytest.mark.slow
def test_a_200_mb_single_line_csv_is_refused_without_hanging(store, tmp_path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("w", encoding="ascii") as handle:
        chunk = "a;" * (1 << 20)
        for _ in range(100):  # 200 MiB, one line
            handle.write(chunk)
    with pytest.raises(ImportRefused, match=r"huge\.csv, row 1: .*more than"):
        import_file(store, path)


def test_many_lines_not_utf8_are_named_in_linear_time() -> None:
    # 100,000 rows each with a UTF-8 accent and one byte that is not UTF-8: naming the lines
    # by counting from the start of the file for each one took minutes; one pass is quick.
    data = b"nom;siren\n" + b"".join(
        f"Assoc \u00e9t\u00e9 {i};".encode() + b"\xe9\n" for i in range(100_000)
    )
    found: list[tuple[str, str, list[str]]] = []
    worker = threading.Thread(target=lambda: found.append(decode(data, "x.csv")), daemon=True)
    worker.start()
    worker.join(timeout=20)  # about 100 times what it takes on a busy machine
    assert found, "decoding 2 MB with 100,000 lines not UTF-8 did not finish in 20 s"
    text, label, notes = found[0]
    assert label == "UTF-8 (some lines Windows-1252)" and text.count("été 99;é\n") == 1
    assert "\ufffd" not in text
    assert "100000 line(s)" in notes[0] and "line(s) 2, 3, 4, 5, 6 …" in notes[0]


def test_past_the_byte_limit_lines_are_read_as_windows_1252_whole(monkeypatch) -> None:
    import ecograph.ingest.readers as readers

    monkeypatch.setattr(readers, "_MAX_BROKEN_BYTES", 100)
    data = "été\n".encode() + b"\xe9t\xe9\x81\n" * 1000
    text, label, notes = decode(data, "x.csv")
    assert label == "UTF-8 (some lines Windows-1252)"
    assert text == "été\n" + "été\ufffd\n" * 1000
    assert "1000 line(s)" in notes[0] and "1000 byte(s) that no encoding decodes" in notes[0]


def test_a_file_of_nothing_but_bad_bytes_is_read_as_windows_1252() -> None:
    text, label, _ = decode(b"caf\xe9;" * 50 + b"\xff" * 1000, "x.csv")
    assert label == "Windows-1252" and text.endswith("ÿ" * 1000)
    text, label, _ = decode(b"caf\xe9;\x81", "x.csv")  # 0x81: not Windows-1252
    assert label == "ISO-8859-1 (Latin-1)" and text == "café;\x81"


@pytest.mark.parametrize(
    "cell", ["9" * 100_000 + "E+99", "1" * 5_000 + ".0", "-" * 100_000, "2019/" * 20_000]
)
def test_huge_cells_are_refused_quickly_as_identifiers_dates_and_amounts(cell: str) -> None:
    from ecograph.ingest.values import ValueProblem, parse_date_span, read_organisation_id

    started = time.perf_counter()
    for read in (read_organisation_id, parse_date_span):
        with pytest.raises(ValueProblem):
            read(cell)
    assert time.perf_counter() - started < 2  # no int of 10^5 digits, no cut tried each way


# ----------------------------------------------------------------------------- YAML (item 5)
def test_a_yaml_alias_bomb_is_refused_with_its_place(tmp_path) -> None:
    # Nine levels of nine aliases: 9**9 strings once expanded (defaults are turned to text).
    lines = [
        "kind: actors",
        "defaults:",
        '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ]
    for n in range(ord("b"), ord("j")):
        lines.append(f"  {chr(n)}: &{chr(n)} [" + ",".join([f"*{chr(n - 1)}"] * 9) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    assert path.stat().st_size < 600
    with pytest.raises(MappingError, match=r"bomb\.yaml, line 3, column 6: an anchor \(&a\)"):
        load_mapping(path)


def test_a_yaml_alias_alone_is_refused_too(tmp_path) -> None:
    path = tmp_path / "alias.yml"
    path.write_text("kind: actors\ncolumns:\n  name: Nom\n  description: *x\n")
    with pytest.raises(MappingError, match=r"alias\.yml, line 4, column 16: .*alias"):
        load_mapping(path)


def test_deeply_nested_yaml_is_refused_before_it_is_built(tmp_path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("kind: actors\ndefaults: " + "[" * 100_000 + "]" * 100_000 + "\n")
    with pytest.raises(MappingError, match=r"deep\.yaml, line 2, column \d+: nested more"):
        load_mapping(path)


def test_a_mapping_file_that_is_not_utf8_is_refused_in_words(tmp_path) -> None:
    path = tmp_path / "latin.toml"
    path.write_bytes('kind = "actors"\n[columns]\nname = "Dénomination"\n'.encode("latin-1"))
    with pytest.raises(MappingError, match=r"latin\.toml: .*UTF-8"):
        load_mapping(path)


# ----------------------------------------------------------------------------- refused rows (7)
# (``strict``: without it, these rows land with their assumptions listed; test_import_scdl.py)
_SCDL_HEAD = "nomAttribuant;idAttribuant;dateConvention;nomBeneficiaire;idBeneficiaire;montant\n"
_GOOD = "VILLE DE NANTES;21440109300015;2019-03-01;RESTOS DU COEUR;77567199300019;12500\n"


@pytest.mark.parametrize(
    "bad_row, stray",
    [
        # the beneficiary is named, the amount is not a number: refused after both parties
        ("VILLE DE REZE;;2019-03-01;Jardins Secrets;;douze\n", "Jardins Secrets"),
        # the funder is fine, the beneficiary's SIRET is broken: refused after the funder
        ("VILLE DE REZE;;2019-03-01;Vélo Campus;123;100\n", "VILLE DE REZE"),
    ],
)
def test_a_refused_scdl_row_leaves_no_actor(store, tmp_path, bad_row: str, stray: str) -> None:
    path = tmp_path / "subventions.csv"
    path.write_text(_SCDL_HEAD + _GOOD + bad_row, encoding="utf-8")
    with pytest.raises(ImportRefused):
        import_file(store, path, rejects_path=tmp_path / "r.csv", strict=True)
    assert len(store) == 0
    result = import_file(
        store, path, keep_good_rows=True, rejects_path=tmp_path / "r.csv", strict=True
    )
    assert result.counts["rowsRejected"] == 1 and result.counts["actorsCreated"] == 2
    assert not store.ask(
        "ASK { VALUES ?stray { UNDEF } ?a skos:prefLabel|skos:altLabel ?n "
        "FILTER(STR(?n) = ?stray) }",
        {"stray": ox.Literal(stray)},
    )
    assert not any("row 3" in text for text in result.assumptions)


def test_a_refused_row_adds_nothing_to_an_actor_a_good_row_names(store, tmp_path) -> None:
    # Row 3 names the good row's beneficiary by another spelling, then fails on its amount.
    path = tmp_path / "subventions.csv"
    path.write_text(
        _SCDL_HEAD + _GOOD + "VILLE DE NANTES;21440109300015;2019-03-01;"
        "Les Restos;77567199300019;douze\n",
        encoding="utf-8",
    )
    import_file(store, path, keep_good_rows=True, rejects_path=tmp_path / "r.csv", strict=True)
    assert not store.ask('ASK { ?a skos:altLabel "Les Restos"@fr }')


def test_an_address_of_long_runs_of_spaces_is_read_in_linear_time(store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The address patterns read greedily. A lazy «town, spaces, postcode» pattern took time
    quadratic in a run of spaces when the postcode did not match (1 s for 8,000 spaces, some
    minutes for a cell of the reader's largest size)."""
    spaces = " " * (MAX_CSV_CELL_CHARACTERS // 2)
    path = tmp_path / "list.csv"
    path.write_text(
        "beneficiaire;adresse;montant\n"
        f"Les Amis;12345{spaces}x;100\n"
        f"Les Autres;Nantes{spaces}44000;100\n"
        f"Les Derniers;Nantes{spaces}4400;100\n",
        encoding="utf-8",
    )
    result = import_file(store, path, funder="Ville de Nantes")
    assert result.counts["partnerships"] == 3
