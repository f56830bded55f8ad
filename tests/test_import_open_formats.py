"""Grant files published as JSON records (SCDL's JSON form, portal exports) or as
OpenDocument spreadsheets: the same grants, euros and funders as the CSV they come from.

The records are the real Maine-et-Loire file (tests/fixtures/import/scdl_maine_et_loire.csv,
attribution in tests/fixtures/README.md), rewritten here in each format with typed values:
identifiers as JSON integers, amounts as numbers, dates as ODF dates."""

from __future__ import annotations

import csv
import json
import zipfile
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from ecograph.ingest.importer import ImportRefused, import_file
from ecograph.namespaces import authority_iri

FIXTURES = Path(__file__).parent / "fixtures" / "import"
MAINE_ET_LOIRE = FIXTURES / "scdl_maine_et_loire.csv"
BASE = "https://w3id.org/ecograph/data/"


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def _records() -> list[dict[str, object]]:
    """The file's rows with typed values, as a portal's JSON export gives them."""
    with MAINE_ET_LOIRE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    records = []
    for row in rows:
        record: dict[str, object] = {k: v for k, v in row.items() if k and v}
        for key in ("idAttribuant", "idBeneficiaire"):
            digits = "".join(c for c in row[key] if c.isdigit())
            if digits:
                record[key] = int(digits)
        if row["montant"]:
            record["montant"] = float(row["montant"])
        records.append(record)
    return records


def _expected() -> tuple[int, Decimal]:
    with MAINE_ET_LOIRE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    return len(rows), sum((Decimal(r["montant"]) for r in rows if r["montant"]), Decimal(0))


def _grants(store) -> tuple[int, Decimal]:
    rows = store.select(
        "SELECT ?p ?a WHERE { ?p eg:partnershipType egpt:funding OPTIONAL { ?p eg:amount ?a } }"
    )
    return len(rows), sum((Decimal(r["a"].value) for r in rows if r["a"]), Decimal(0))


def _funders(store) -> set[str]:
    return {r["f"].value for r in store.select("SELECT DISTINCT ?f WHERE { ?p eg:funder ?f }")}


# ----------------------------------------------------------------------------- JSON
@pytest.mark.parametrize(
    "wrap",
    [
        lambda records: records,  # SCDL's JSON form: a list of grants
        lambda records: {
            "records": [{"recordid": str(i), "fields": r} for i, r in enumerate(records)]
        },
        lambda records: {"total": len(records), "data": records},
    ],
    ids=["list", "opendatasoft", "wrapped"],
)
def test_json_records_import_like_the_csv(store, tmp_path, wrap) -> None:
    path = tmp_path / "subventions.json"
    path.write_text(json.dumps(wrap(_records()), ensure_ascii=False), encoding="utf-8")
    result = import_file(store, path)
    assert result.format == "scdl" and not result.rejects
    assert _grants(store) == _expected()
    assert _funders(store) == {authority_iri(BASE, "departement", "49")}
    # a SIRET written as a JSON integer stays exact
    assert store.ask("ASK { ?a eg:siren '822127429'^^eg:SIREN }")


def test_json_ld_stays_rdf_and_json_with_nothing_is_refused(store, tmp_path) -> None:
    path = tmp_path / "actor.json"
    path.write_text(
        json.dumps(
            {
                "@context": {"eg": "https://w3id.org/ecograph/ontology#"},
                "@id": "https://example.org/a1",
                "@type": "eg:Actor",
            }
        ),
        encoding="utf-8",
    )
    assert import_file(store, path).format.startswith("rdf")
    empty = tmp_path / "settings.json"
    empty.write_text('{"a": 1}', encoding="utf-8")
    with pytest.raises(ImportRefused, match=r"holds no RDF statement .*read as a table"):
        import_file(store, empty)


def test_a_json_file_too_large_to_read_whole_is_refused_in_words(
    store, tmp_path, monkeypatch
) -> None:
    from ecograph.ingest import open_formats

    monkeypatch.setattr(open_formats, "MAX_JSON_BYTES", 1000)
    path = tmp_path / "subventions.json"
    path.write_text(json.dumps(_records()), encoding="utf-8")
    with pytest.raises(ImportRefused, match="not read whole; export its records as CSV"):
        import_file(store, path)


# ----------------------------------------------------------------------------- ODS
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def _cell(value: object) -> str:
    if value is None or value == "":
        return "<table:table-cell/>"
    if isinstance(value, int | float):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    if isinstance(value, str) and value[:4].isdigit() and value[4:5] == "-":
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{value}T00:00:00">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    text = escape(str(value))
    return (
        f'<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>'
    )


def _write_ods(path: Path, sheets: dict[str, list[list[object]]]) -> None:
    """An .ods as LibreOffice writes one: typed cells, runs of blank cells and rows repeated
    (a sheet ends with a million blank rows written as one repeated row)."""
    tables = []
    for title, rows in sheets.items():
        body = "".join(
            "<table:table-row>"
            + "".join(_cell(v) for v in row)
            + '<table:table-cell table:number-columns-repeated="1000"/></table:table-row>'
            for row in rows
        )
        body += (
            '<table:table-row table:number-rows-repeated="1048000">'
            '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
        )
        tables.append(f'<table:table table:name="{escape(title)}">{body}</table:table>')
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="{_OFFICE}" '
        f'xmlns:table="{_TABLE}" xmlns:text="{_TEXT}"><office:body><office:spreadsheet>'
        + "".join(tables)
        + "</office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("content.xml", content)


def test_an_ods_workbook_imports_like_the_csv(store, tmp_path) -> None:
    records = _records()
    header = list(dict.fromkeys(k for r in records for k in r))
    rows = [[r.get(k) for k in header] for r in records]
    path = tmp_path / "conventions.ods"
    _write_ods(
        path,
        {
            "Lisez-moi": [["Conventions de subvention du Département de Maine-et-Loire"]],
            "Données": [["Conventions 2017–2018"], [], header, *rows],
        },
    )
    result = import_file(store, path)
    assert result.format == "scdl" and not result.rejects
    assert _grants(store) == _expected()
    assert _funders(store) == {authority_iri(BASE, "departement", "49")}
    said = "\n".join(result.assumptions)
    assert "«Données»" in said and "header: row 3" in said
    assert store.ask("ASK { ?p schema:startDate '2017-06-10'^^xsd:date }")


def test_an_ods_whose_content_is_not_xml_is_refused(store, tmp_path) -> None:
    path = tmp_path / "broken.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content")
    with pytest.raises(ImportRefused, match="not well-formed XML"):
        import_file(store, path)
