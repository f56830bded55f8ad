"""Tables published as JSON records or as OpenDocument spreadsheets (.ods).

Both are common on French open-data portals: the *Référentiel général d'interopérabilité*
asks public bodies for ODF, so councils export .ods; portals (OpenDataSoft, data.gouv.fr's
API) give JSON records, and the SCDL schemas allow a JSON form. They are read here into the
same :class:`~ecograph.ingest.readers.Table` as CSV and XLSX, so every converter takes them.

JSON that is JSON-LD (an ``@context`` anywhere at the top) stays RDF: :func:`json_records`
answers ``None`` for it.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree

from ecograph.ingest.readers import ReadError, Table, cell_text, has_dtd, table_of_rows

__all__ = ["is_ods", "json_records", "ods_sheet_names", "read_json_table", "read_ods"]

#: Keys under which portals wrap their list of records ({"records": [...]}, {"data": [...]}).
_WRAPPERS = ("records", "results", "data", "items", "features", "rows", "values")
#: JSON is parsed whole: past this size, ask for CSV.
MAX_JSON_BYTES = 256 << 20
#: The members of an .ods file ecograph opens, and how large each may be uncompressed.
_ODS_CONTENT = "content.xml"
_MAX_CONTENT_BYTES = 512 * 1024 * 1024
_MAX_CELLS = 20_000_000
_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}


# ----------------------------------------------------------------------------- JSON
def json_records(data: bytes) -> list[dict[str, Any]] | None:
    """The records of a JSON document that is a table, or ``None`` when it is not one (not
    JSON, JSON-LD, or no list of objects). ``ReadError`` past :data:`MAX_JSON_BYTES`: a JSON
    document is parsed whole, at several times its size in memory."""
    if len(data) > MAX_JSON_BYTES:
        raise ReadError(
            f"a JSON file of more than {MAX_JSON_BYTES >> 20} MiB is not read whole; export "
            "its records as CSV, which ecograph reads line by line"
        )
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if isinstance(document, dict):
        if "@context" in document or "@graph" in document:
            return None
        lists = [document[k] for k in _WRAPPERS if isinstance(document.get(k), list)]
        if len(lists) != 1:
            return None
        document = lists[0]
    if not isinstance(document, list) or not document:
        return None
    if not all(isinstance(item, dict) for item in document):
        return None
    if any("@context" in item or "@id" in item for item in document[:100]):
        return None
    return [_flat(item) for item in document]


def _flat(record: dict[str, Any]) -> dict[str, Any]:
    """An OpenDataSoft record keeps its values under ``fields``; a GeoJSON feature under
    ``properties``: those are the row."""
    for key in ("fields", "properties"):
        inner = record.get(key)
        if isinstance(inner, dict):
            return inner
    return record


def read_json_table(records: list[dict[str, Any]], name: str) -> Table:
    """Records as a table: the columns are every key, in the order first met."""
    columns: dict[str, None] = {}
    for record in records:
        columns.update(dict.fromkeys(record))
    header = list(columns)
    numbered = [(1, header)] + [
        (number, [_json_text(record.get(column)) for column in header])
        for number, record in enumerate(records, start=2)
    ]
    notes = [f"JSON: {len(records):,} records read as rows (row N is record N − 1)"]
    return table_of_rows(numbered, name, notes, encoding="utf-8")


def _json_text(value: Any) -> str:
    """A JSON value as cell text: numbers as written (an integer SIRET stays exact), nested
    values as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return cell_text(value)
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# ----------------------------------------------------------------------------- ODS
def is_ods(data: bytes) -> bool:
    """An OpenDocument spreadsheet: a zip whose first member, ``mimetype``, says so."""
    return (
        data.startswith(b"PK\x03\x04")
        and b"application/vnd.oasis.opendocument.spreadsheet" in (data[:200])
    )


def read_ods(data: bytes, name: str, *, sheet: str | None = None) -> Table:
    """The sheet of an .ods file: ``sheet`` by name, else the first one whose rows are not
    empty. Cells as a reader sees them: numbers as written, dates ISO, text as typed."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        info = archive.getinfo(_ODS_CONTENT)
    except (zipfile.BadZipFile, KeyError):
        raise ReadError(f"{name}: not a readable OpenDocument spreadsheet") from None
    if info.file_size > _MAX_CONTENT_BYTES:
        raise ReadError(
            f"{name}: its content is {info.file_size // (1024 * 1024)} MiB uncompressed "
            f"(at most {_MAX_CONTENT_BYTES // (1024 * 1024)} MiB); export it as CSV"
        )
    with archive.open(info) as member:
        if has_dtd(member):
            raise ReadError(f"{name}: {_ODS_CONTENT} declares a DTD, which ecograph refuses")
    with archive.open(info) as member:
        try:
            sheets = dict(_ods_sheets(member, name))
        except ElementTree.ParseError as err:
            raise ReadError(f"{name}: {_ODS_CONTENT} is not well-formed XML ({err})") from None
    if sheet is not None:
        if sheet not in sheets:
            raise ReadError(f"{name}: no sheet «{sheet}»; its sheets are {', '.join(sheets)}")
        chosen = sheet
    else:
        chosen = next((title for title, rows in sheets.items() if rows), "")
        if not chosen:
            raise ReadError(f"{name}: every sheet is empty")
    notes = [f"sheet: «{chosen}»"] if len(sheets) > 1 else []
    return table_of_rows(sheets[chosen], name, notes, sheet=chosen)


def ods_sheet_names(data: bytes, name: str) -> list[str]:
    """The sheets of an .ods file, in order."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        with archive.open(_ODS_CONTENT) as member:
            return [title for title, _ in _ods_sheets(member, name)]
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError):
        return []


def _ods_sheets(member: Any, name: str) -> Iterator[tuple[str, list[tuple[int, list[str]]]]]:
    """(title, numbered rows) of each sheet, streamed with iterparse. Repeated rows and
    columns (how ODF writes blank runs) are expanded only up to the last one holding text,
    and the total is capped, so a sheet of 1,048,576 empty rows costs nothing."""
    table_tag = f"{{{_NS['table']}}}table"
    row_tag = f"{{{_NS['table']}}}table-row"
    cell_tags = (f"{{{_NS['table']}}}table-cell", f"{{{_NS['table']}}}covered-table-cell")
    name_attr = f"{{{_NS['table']}}}name"
    rows_repeated = f"{{{_NS['table']}}}number-rows-repeated"
    cells: int = 0
    rows: list[tuple[int, list[str]]] = []
    number = 0
    for event, element in ElementTree.iterparse(member, events=("start", "end")):
        if event == "start" and element.tag == table_tag:
            rows, number = [], 0
        elif event == "end" and element.tag == row_tag:
            values = _row_values(element, cell_tags)
            repeat = min(int(element.get(rows_repeated, "1") or 1), 1_000_000)
            if any(values):
                cells += len(values) * repeat
                if cells > _MAX_CELLS:
                    raise ReadError(
                        f"{name}: more than {_MAX_CELLS:,} filled cells; export it as CSV"
                    )
                for _ in range(repeat):
                    number += 1
                    rows.append((number, list(values)))
            else:
                number += repeat
            element.clear()
        elif event == "end" and element.tag == table_tag:
            yield element.get(name_attr, ""), rows
            element.clear()


def _row_values(row: Any, cell_tags: tuple[str, str]) -> list[str]:
    """A row's cell texts, runs of repeated cells expanded (blank runs at the end dropped)."""
    columns_repeated = f"{{{_NS['table']}}}number-columns-repeated"
    values: list[str] = []
    for cell in row:
        if cell.tag not in cell_tags:
            continue
        repeat = int(cell.get(columns_repeated, "1") or 1)
        values.extend([_ods_cell_text(cell)] * min(repeat, 16_384))
        if len(values) > 16_384:  # the widest sheet ODF allows
            break
    while values and not values[-1]:
        values.pop()
    return values


def _ods_cell_text(cell: Any) -> str:
    office = _NS["office"]
    kind = cell.get(f"{{{office}}}value-type")
    if kind in ("float", "percentage", "currency"):
        raw = cell.get(f"{{{office}}}value", "")
        try:
            return cell_text(float(raw)) if "." in raw or "e" in raw.lower() else raw
        except ValueError:
            return raw
    if kind == "date":
        raw = cell.get(f"{{{office}}}date-value", "")
        try:
            return cell_text(dt.datetime.fromisoformat(raw))
        except ValueError:
            return raw
    if kind == "boolean":
        return "true" if cell.get(f"{{{office}}}boolean-value") == "true" else "false"
    paragraphs = cell.findall(f"{{{_NS['text']}}}p")
    return "\n".join("".join(p.itertext()) for p in paragraphs).strip()
