"""Files → rows of text cells, with what had to be guessed said out loud.

Real files from local authorities come as CSV with ``;``, ``,`` or tab separators, in UTF-8
(with or without a BOM), in Windows-1252/Latin-1, or in UTF-8 with a few broken bytes; with
CRLF line ends, a title line above the header, or as XLSX workbooks. ``read_table`` detects
the encoding and the separator and returns every guess in ``Table.assumptions`` so the import
summary can show it. Cells are always text: converting is the job of ``values``.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

SEPARATORS = (";", ",", "\t", "|")
_SEPARATOR_NAMES = {";": "semicolon (;)", ",": "comma (,)", "\t": "tab", "|": "pipe (|)"}
_SNIFF_LINES = 50


class ReadError(ValueError):
    """The file cannot be read as a table; the message names the file and what was expected."""


@dataclass
class Table:
    """A file read as a header and rows of text cells (row numbers as a spreadsheet shows)."""

    name: str
    columns: list[str]
    rows: list[tuple[int, list[str]]]
    encoding: str | None = None
    separator: str | None = None
    sheet: str | None = None
    assumptions: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------- encoding
@dataclass
class _Broken:
    positions: list[int] = field(default_factory=list)


def _record_errors(broken: _Broken):  # type: ignore[no-untyped-def]
    def handler(error: UnicodeDecodeError) -> tuple[str, int]:
        broken.positions.append(error.start)
        return "\ufffd", error.start + 1

    return handler


def decode(data: bytes, name: str) -> tuple[str, str, list[str]]:
    """``data`` as text, the encoding found, and what was assumed.

    UTF-8 is tried first (it rarely decodes by chance); a file that fails it is Windows-1252
    when its non-ASCII bytes are mostly invalid UTF-8 (every accent is then one bad byte),
    and UTF-8 with broken bytes when valid UTF-8 accents outnumber the bad bytes.
    """
    assumptions: list[str] = []
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
        label = "UTF-8 with BOM"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "UTF-16", ["encoding: UTF-16 (byte order mark)"]
    else:
        label = "UTF-8"
    try:
        return data.decode("utf-8"), label, assumptions
    except UnicodeDecodeError:
        pass
    broken = _Broken()
    error_name = f"ecograph-record-{id(broken)}"
    codecs.register_error(error_name, _record_errors(broken))
    text = data.decode("utf-8", errors=error_name)
    valid_accents = sum(1 for c in text if c > "\x7f") - len(broken.positions)
    if valid_accents >= len(broken.positions):
        lines = sorted({data.count(b"\n", 0, p) + 1 for p in broken.positions})
        shown = ", ".join(str(n) for n in lines[:10]) + (" …" if len(lines) > 10 else "")
        assumptions.append(
            f"encoding: {label}, but {len(broken.positions)} byte(s) are not valid UTF-8 "
            f"(line(s) {shown}); they were replaced by «\ufffd» — check those rows")
        return text, f"{label} (broken bytes replaced)", assumptions
    try:
        text = data.decode("cp1252")
        label = "Windows-1252"
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        label = "ISO-8859-1 (Latin-1)"
    assumptions.append(f"encoding: not UTF-8; read as {label} (Excel's usual French export)")
    return text, label, assumptions


# ----------------------------------------------------------------------------- separator
def detect_separator(text: str) -> tuple[str, bool]:
    """The separator that splits the first lines into the most, and most regular, columns.

    Returns ``(separator, sure)``; ``sure`` is False when every candidate gives one column.
    """
    sample = "\n".join(text.splitlines()[:_SNIFF_LINES])
    best, best_score = ",", (0.0, 0)
    for separator in SEPARATORS:
        widths = [len(r) for r in csv.reader(io.StringIO(sample), delimiter=separator)
                  if any(cell.strip() for cell in r)]
        if not widths:
            continue
        common = max(set(widths), key=widths.count)
        if common < 2:
            continue
        score = (widths.count(common) / len(widths), common)
        if score > best_score:
            best, best_score = separator, score
    return best, best_score[1] >= 2


# ----------------------------------------------------------------------------- readers
def _header_index(rows: list[list[str]]) -> int:
    """Index of the header: the first row filled at least half as wide as the widest of the
    first rows (skips a title line such as "Subventions 2023" above the header)."""
    head = rows[:20]
    widest = max((sum(1 for c in r if c.strip()) for r in head), default=0)
    for index, row in enumerate(head):
        if sum(1 for c in row if c.strip()) * 2 >= widest and widest:
            return index
    return 0


def read_csv_text(text: str, name: str, *, separator: str | None = None,
                  encoding: str | None = None, assumptions: list[str] | None = None) -> Table:
    """A delimited text as a Table; the separator is detected unless given."""
    notes = list(assumptions or [])
    if separator is None:
        separator, sure = detect_separator(text)
        if sure:
            notes.append(f"separator: {_SEPARATOR_NAMES[separator]}")
        else:
            notes.append("separator: none found (one column); read as comma-separated")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        raw = list(reader)
    except csv.Error as err:
        raise ReadError(f"{name}: cannot be read as CSV ({err}); check the quotes") from None
    return _table(raw, name, notes, encoding=encoding, separator=separator)


def _table(raw: list[list[str]], name: str, notes: list[str], **extra: str | None) -> Table:
    if not raw:
        raise ReadError(f"{name}: the file is empty; expected a header row then data rows")
    start = _header_index(raw)
    if start:
        notes.append(f"header: row {start + 1} (row(s) above it read as a title and skipped)")
    columns = [c.strip().lstrip("\ufeff") for c in raw[start]]
    rows = [(number, cells) for number, cells in enumerate(raw[start + 1:], start=start + 2)
            if any(c.strip() for c in cells)]
    return Table(name=name, columns=columns, rows=rows, assumptions=notes, **extra)


def _cell_text(value: object) -> str:
    """An XLSX cell as the text a user would read in it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def read_xlsx(data: bytes, name: str, *, sheet: str | None = None) -> Table:
    """The first sheet (or ``sheet``) of a workbook as a Table, computed values only."""
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as err:
        raise ReadError(f"{name}: not a readable XLSX workbook ({err})") from None
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise ReadError(f"{name}: no sheet named «{sheet}»; sheets: "
                            f"{', '.join(workbook.sheetnames)}")
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        raw = [[_cell_text(v) for v in row] for row in worksheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    notes = []
    if sheet is None and len(workbook.sheetnames) > 1:
        notes.append(f"sheet: «{worksheet.title}» (the first of {len(workbook.sheetnames)})")
    return _table(raw, name, notes, sheet=worksheet.title)


def read_table(path: Path, *, data: bytes | None = None, separator: str | None = None,
               sheet: str | None = None) -> Table:
    """Read a CSV/TSV/TXT or XLSX file as a Table (format from the bytes, not the name)."""
    content = path.read_bytes() if data is None else data
    if content.startswith(b"PK\x03\x04"):
        return read_xlsx(content, path.name, sheet=sheet)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ReadError(f"{path.name}: an old Excel .xls workbook; save it as .xlsx or CSV")
    text, encoding, notes = decode(content, path.name)
    return read_csv_text(text, path.name, separator=separator, encoding=encoding,
                         assumptions=notes if notes else [f"encoding: {encoding}"])


def iter_dicts(table: Table) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows as ``{column: text}`` (for small files and tests)."""
    for number, cells in table.rows:
        yield number, dict(zip(table.columns, cells, strict=False))
