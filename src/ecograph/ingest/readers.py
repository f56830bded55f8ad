"""Files → rows of text cells, with what had to be guessed said out loud.

Real files from local authorities come as CSV with ``;``, ``,``, tab or ``|`` separators, in
UTF-8 (with or without a BOM), in Windows-1252/Latin-1, or aggregated from several sources
whose lines mix UTF-8 and Windows-1252; with CRLF line ends, a title line above the header,
or as XLSX workbooks. ``read_table`` decides the encoding line by line and the separator by
how consistently the rows parse, and returns every guess in ``Table.assumptions`` so the
import summary can show it. Cells are always text: converting is the job of ``values``.
"""

from __future__ import annotations

import codecs
import contextvars
import csv
import datetime as dt
import functools
import io
import itertools
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

from ecograph.ingest.double_encoding import undo_double_encoding

SEPARATORS = (";", ",", "\t", "|")
_SEPARATOR_NAMES = {";": "semicolon (;)", ",": "comma (,)", "\t": "tab", "|": "pipe (|)"}
_SNIFF_LINES = 200


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
#: The bytes Windows-1252 leaves undefined: no encoding a French file uses decodes them, so
#: only they become «\ufffd» in a line read as Windows-1252.
CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
#: Past this many bytes that are not UTF-8, the rest of the lines that are not UTF-8 are
#: decoded as Windows-1252 whole, in C, instead of one Python call per byte.
_MAX_BROKEN_BYTES = 1_000_000
#: Lines are decoded a block at a time; only a block that is not UTF-8 is taken line by line.
_DECODE_BLOCK = 1 << 16
_SHOWN_LINES = 5


@dataclass
class _LineDecoding:
    """What per-line decoding found: the lines (numbers from 1) that were not UTF-8, how
    many bytes no encoding decodes, and whether any line held UTF-8 beyond ASCII."""

    cp1252_lines: list[int] = field(default_factory=list)
    cp1252_count: int = 0
    bad_bytes: int = 0
    undefined: int = 0
    utf8_seen: bool = False

    def handler(self, error: UnicodeError) -> tuple[str, int]:
        """A codec error handler: a byte that is not UTF-8 is read as Windows-1252."""
        if not isinstance(error, UnicodeDecodeError):  # only ever used to decode
            raise error
        byte = error.object[error.start]
        self.bad_bytes += 1
        if byte in CP1252_UNDEFINED:
            self.undefined += 1
            return "\ufffd", error.start + 1
        return bytes((byte,)).decode("cp1252"), error.start + 1


_DECODING: contextvars.ContextVar[_LineDecoding] = contextvars.ContextVar("_DECODING")


def _cp1252_for_bad_bytes(error: UnicodeError) -> tuple[str, int]:
    """The codec error handler of the decoding under way (one per thread or task)."""
    return _DECODING.get().handler(error)


@functools.cache
def _error_handler() -> str:
    """The name of the codec error handler, registered once, when first needed."""
    name = "ecograph-utf8-else-cp1252"
    codecs.register_error(name, _cp1252_for_bad_bytes)
    return name


def _decode_line(line: bytes, found: _LineDecoding, error_name: str) -> str:
    """A line that is not UTF-8: its valid UTF-8 sequences stay UTF-8 (a line an editor
    appended to may mix both) and every other byte is read as Windows-1252."""
    if found.bad_bytes >= _MAX_BROKEN_BYTES:
        found.undefined += sum(line.count(bytes((b,))) for b in CP1252_UNDEFINED)
        return line.decode("cp1252", errors="replace")
    return line.decode("utf-8", errors=error_name)


def _decode_lines(data: bytes) -> tuple[str, _LineDecoding]:
    """``data`` decoded line by line: a line that is UTF-8 stays UTF-8, any other is read
    as Windows-1252. Blocks of lines that are all UTF-8 are decoded in one C call."""
    found = _LineDecoding()
    error_name = _error_handler()
    token = _DECODING.set(found)
    try:
        return "".join(_decoded_parts(data, found, error_name)), found
    finally:
        _DECODING.reset(token)


def _decoded_parts(data: bytes, found: _LineDecoding, error_name: str) -> list[str]:
    """The decoded blocks and lines of ``_decode_lines``, in order."""
    parts: list[str] = []
    line, start, size = 1, 0, len(data)
    while start < size:
        end = data.find(b"\n", min(start + _DECODE_BLOCK, size))
        end = size if end < 0 else end + 1
        block = data[start:end]
        try:
            parts.append(block.decode("utf-8"))
            found.utf8_seen = found.utf8_seen or not block.isascii()
            line += block.count(b"\n")
        except UnicodeDecodeError:
            for raw in block.splitlines(keepends=True):
                try:
                    parts.append(raw.decode("utf-8"))
                    found.utf8_seen = found.utf8_seen or not raw.isascii()
                except UnicodeDecodeError:
                    text = _decode_line(raw, found, error_name)
                    parts.append(text)
                    # fewer characters than bytes: the line kept UTF-8 sequences too
                    found.utf8_seen = found.utf8_seen or len(text) < len(raw)
                    found.cp1252_count += 1
                    if len(found.cp1252_lines) < _SHOWN_LINES:
                        found.cp1252_lines.append(line)
                line += raw.endswith((b"\n", b"\r"))
        start = end
    return parts


def decode(data: bytes, name: str) -> tuple[str, str, list[str]]:
    """``data`` as text (see ``_decode``), the encoding found, and what was assumed; lines
    encoded in UTF-8 twice are read back as first written (``double_encoding``)."""
    text, label, notes = _decode(data, name)
    text, repaired = undo_double_encoding(text)
    return text, label, [*notes, repaired] if repaired else notes


def _decode(data: bytes, name: str) -> tuple[str, str, list[str]]:
    """``data`` as text, the encoding found, and what was assumed.

    A byte order mark says the encoding. Otherwise each line is decoded on its own, as files
    aggregated from several sources need: a line that is valid UTF-8 stays UTF-8, any other is
    read as Windows-1252 (Excel's French export; within such a line, valid UTF-8 sequences
    are kept too). «\ufffd» appears only for the few bytes Windows-1252 leaves undefined. A
    file with no UTF-8 beyond ASCII at all is Windows-1252 whole (Latin-1 when it holds one
    of those undefined bytes, as it then cannot be Windows-1252).
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        label = "UTF-8 with BOM"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "UTF-16", ["encoding: UTF-16 (byte order mark)"]
    else:
        label = "UTF-8"
    try:
        return data.decode("utf-8"), label, []
    except UnicodeDecodeError:
        pass
    text, found = _decode_lines(data)
    if not found.utf8_seen:
        try:
            text, label = data.decode("cp1252"), "Windows-1252"
        except UnicodeDecodeError:
            text, label = data.decode("latin-1"), "ISO-8859-1 (Latin-1)"
        return text, label, [f"encoding: not UTF-8; read as {label} (Excel's usual French export)"]
    shown = ", ".join(str(n) for n in found.cp1252_lines)
    if found.cp1252_count > len(found.cp1252_lines):
        shown += " …"
    note = (
        f"encoding: {label}, but {found.cp1252_count} line(s) are not valid UTF-8 "
        f"(line(s) {shown}): their {found.bad_bytes} byte(s) that are not UTF-8 were "
        "read as Windows-1252 (cp1252)"
    )
    if found.undefined:
        note += (
            f"; {found.undefined} byte(s) that no encoding decodes were replaced by "
            "«\ufffd» — check those rows"
        )
    return text, f"{label} (some lines Windows-1252)", [note]


# ----------------------------------------------------------------------------- limits
#: The longest cell a CSV may hold: Python's ``csv`` default, which real files never reach.
MAX_CSV_CELL_CHARACTERS = 131_072
#: The longest CSV line: a bound on the memory one row may take, so a 200 MB single line is
#: refused before it is split into cells. A record spread over several quoted lines is
#: refused somewhere between one and three times this length.
MAX_CSV_ROW_CHARACTERS = 1_048_576
#: Cells read from a workbook, counted up to each row's last cell: Excel's own sheets stop at
#: 1,048,576 rows by 16,384 columns; this bounds the work a small compressed file can ask for.
MAX_XLSX_CELLS = 10_000_000
#: Excel's last row: a sheet naming a later one is not a spreadsheet Excel could have written.
MAX_XLSX_ROWS = 1_048_576
#: What a workbook's parts may unpack to, all together (a zip bomb is a few KB on disk).
MAX_XLSX_UNPACKED_BYTES = 512 << 20
_SNIFF_CHARACTERS = 1 << 20
_BLOCK = 1 << 16
_LINE_END = re.compile(r"\r\n|\r|\n")


class _RowTooLong(Exception):
    """A line, or a record over several lines, passed ``MAX_CSV_ROW_CHARACTERS``."""


class _BoundedLines:
    """The lines of a text (ends kept, as ``io.StringIO(newline="")`` gives them), refusing a
    line of more than ``limit`` characters before it is copied out of the text.

    The text is cut into blocks at line ends (64 KiB, or one longer line) that C code splits
    into lines, so a 300,000-row file costs a few thousand Python steps, not one per line.
    ``since_record`` counts the characters handed out since the reader last finished a
    record (the reader sets it back to 0): past twice the limit, the record being read is
    longer than the limit, e.g. one spread over many short quoted lines.
    """

    def __init__(self, text: str, *, limit: int = MAX_CSV_ROW_CHARACTERS) -> None:
        self.text, self.limit, self.since_record = text, limit, 0

    def __iter__(self) -> Iterator[str]:
        return itertools.chain.from_iterable(self._blocks())

    def _blocks(self) -> Iterator[io.StringIO]:
        text, start = self.text, 0
        while start < len(text):
            end = self._block_end(start)
            self.since_record += end - start
            if self.since_record > 2 * (self.limit + 2):
                raise _RowTooLong
            yield io.StringIO(text[start:end], newline="")
            start = end

    def _block_end(self, start: int) -> int:
        """Where the block starting at ``start`` (a line start) ends: after its last line end."""
        text, size = self.text, len(self.text)
        if size - start <= _BLOCK:
            return size
        window = start + _BLOCK
        cut = max(text.rfind("\n", start, window), text.rfind("\r", start, window))
        if cut >= 0:
            return cut + (2 if text.startswith("\r\n", cut) else 1)
        found = _LINE_END.search(text, start, start + self.limit + 2)
        if found is not None and found.start() - start <= self.limit:
            return found.end()
        if found is None and size - start <= self.limit:
            return size
        raise _RowTooLong


# ----------------------------------------------------------------------------- separator
def _sample(text: str) -> str:
    """The first lines of ``text`` (at most ``_SNIFF_CHARACTERS``), to guess the separator
    from: never a copy of the whole file, whose first line may be 200 MB long."""
    bound = min(len(text), _SNIFF_CHARACTERS)
    end = 0
    for _ in range(_SNIFF_LINES):
        found = _LINE_END.search(text, end, bound)
        if found is None:
            return text[:bound]
        end = found.end()
    return text[:end]


def _widths(sample: str, separator: str) -> list[int]:
    """Cells per filled row of the sample with this separator ([] when it cannot be read)."""
    try:
        return [
            len(r)
            for r in csv.reader(io.StringIO(sample, newline=""), delimiter=separator)
            if any(cell.strip() for cell in r)
        ]
    except csv.Error:  # e.g. a cell past the field limit: the full read names it
        return []


def detect_separator(text: str) -> tuple[str, bool]:
    """The separator under which the first lines parse most consistently.

    Each candidate (``;``, ``,``, tab, ``|``) splits a sample of the first lines, quotes
    respected; its usual width is the most common number of cells per row (at least 2). Its
    score counts the separators in the rows of that width: a separator wins by splitting
    many rows the same way, so a ``;`` header over rows with a stray ``,`` (an unquoted
    decimal comma, a comma in a name) stays ``;``, and a ``,`` file whose rows vary in
    width by its unquoted commas is still read as ``,`` when no other separator splits it.

    Returns ``(separator, sure)``; ``sure`` is False when every candidate gives one column.
    """
    sample = _sample(text)
    best, best_score = ",", 0
    for separator in SEPARATORS:
        widths = _widths(sample, separator)
        if not widths:
            continue
        counts = Counter(widths)
        usual = max(counts, key=lambda width: (counts[width], width))
        if usual < 2:
            continue
        score = counts[usual] * (usual - 1)
        if score > best_score:
            best, best_score = separator, score
    return best, best_score > 0


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


def read_csv_text(
    text: str,
    name: str,
    *,
    separator: str | None = None,
    encoding: str | None = None,
    assumptions: list[str] | None = None,
) -> Table:
    """A delimited text as a Table; the separator is detected unless given."""
    notes = list(assumptions or [])
    if separator is None:
        separator, sure = detect_separator(text)
        if sure:
            notes.append(f"separator: {_SEPARATOR_NAMES[separator]}")
        else:
            notes.append("separator: none found (one column); read as comma-separated")
    raw = _csv_rows(text, name, separator)
    trimmed = _trim_line_ends(raw, separator)
    if trimmed:
        notes.append(trimmed)
    return table_of_rows(
        list(enumerate(raw, start=1)), name, notes, encoding=encoding, separator=separator
    )


def _trim_line_ends(rows: list[list[str]], separator: str) -> str | None:
    """Strip what an export left after each line's last value: when the header's last name
    ends in a run of another separator («pourcentageSubvention;;» in a comma-separated
    file), the same run is removed from the end of every row's last cell («1;;» reads 1).
    The note to show, or None when the header has no such end."""
    if not rows:
        return None
    header = rows[_header_index(rows)]
    last = header[-1] if header else ""
    end = re.search(r"([;,\t|])\1*$", last)
    if end is None or end.group(1) == separator or not last[: end.start()].strip():
        return None
    mark = end.group(1)
    trimmed = 0
    for cells in rows:
        if cells and cells[-1].endswith(mark):
            cells[-1] = cells[-1].rstrip(mark)
            trimmed += 1
    shown = _SEPARATOR_NAMES[mark].split(" ")[0]
    return (
        f"line ends: {trimmed} line(s), the header's included, end in a run of {shown} "
        f"characters after their last value («{end.group(0)}», an export's leftover); removed"
    )


def _csv_rows(text: str, name: str, separator: str) -> list[list[str]]:
    """Every record of the text, each bounded in size; a refusal names the row and the line
    it starts on (a quoted cell can span lines, so the two differ)."""
    lines = _BoundedLines(text)
    reader = csv.reader(lines, delimiter=separator)
    raw: list[list[str]] = []
    first_line = 1
    try:
        for record in reader:
            raw.append(record)
            lines.since_record, first_line = 0, reader.line_num + 1
    except _RowTooLong:
        raise ReadError(
            f"{name}, row {len(raw) + 1}: the row has more than {MAX_CSV_ROW_CHARACTERS:,} "
            f"characters (from line {first_line}); expected the rows of a table: is "
            "this a CSV file, or is a quote left open?"
        ) from None
    except csv.Error as err:
        where = f"{name}, row {len(raw) + 1}"
        if "field larger than field limit" in str(err):
            raise ReadError(
                f"{where}: a cell of more than {MAX_CSV_CELL_CHARACTERS:,} "
                f"characters (from line {first_line}); expected the cells "
                "of a table: is a quote left open?"
            ) from None
        raise ReadError(
            f"{where}: cannot be read as CSV ({err}, line {reader.line_num}); check the quotes"
        ) from None
    return raw


def table_of_rows(
    numbered: list[tuple[int, list[str]]], name: str, notes: list[str], **extra: str | None
) -> Table:
    """A header and data rows from rows numbered as a spreadsheet shows them."""
    if not numbered:
        raise ReadError(f"{name}: the file is empty; expected a header row then data rows")
    start = _header_index([cells for _, cells in numbered])
    header_number, header = numbered[start]
    if start:
        notes.append(f"header: row {header_number} (row(s) above it read as a title and skipped)")
    columns = [c.strip().lstrip("\ufeff") for c in header]
    rows = [
        (number, cells) for number, cells in numbered[start + 1 :] if any(c.strip() for c in cells)
    ]
    return Table(name=name, columns=columns, rows=rows, assumptions=notes, **extra)


def cell_text(value: object) -> str:
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


# ----------------------------------------------------------------------------- XLSX
class _PrologOver(Exception):
    """The first element started: the part has no DTD (one may only come before it)."""


class _HasDtd(Exception):
    """The part declares a DTD."""


def has_dtd(member: IO[bytes]) -> bool:
    """Whether an XML part declares a DTD, as expat itself reads it (any encoding).

    Only the prolog is read: the first element ends the search. A part that is not XML is
    not this check's business (openpyxl never parses it, or fails on it in words).
    """
    parser = expat.ParserCreate()

    def doctype(*_: object) -> None:
        raise _HasDtd

    def element(*_: object) -> None:
        raise _PrologOver

    parser.StartDoctypeDeclHandler = doctype
    parser.StartElementHandler = element
    try:
        while chunk := member.read(65536):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _HasDtd:
        return True
    except (_PrologOver, expat.ExpatError):
        return False
    return False


def _check_parts(data: bytes, name: str) -> None:
    """Refuse a workbook whose parts unpack to too much, or that declares a DTD anywhere,
    before openpyxl parses it: entities can make a few KB of XML take gigabytes."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise ReadError(f"{name}: not a readable XLSX workbook ({err})") from None
    with archive:
        infos = archive.infolist()
        if sum(info.file_size for info in infos) > MAX_XLSX_UNPACKED_BYTES:
            raise ReadError(
                f"{name}: the workbook unpacks to more than "
                f"{MAX_XLSX_UNPACKED_BYTES:,} bytes; save the sheet as CSV"
            )
        for info in infos:
            try:
                with archive.open(info) as member:
                    found = has_dtd(member)
            except (
                zipfile.BadZipFile,
                OSError,
                ValueError,
                EOFError,
                zlib.error,
                RuntimeError,
                NotImplementedError,
            ) as err:  # cut, encrypted, unknown method
                raise ReadError(
                    f"{name}: not a readable XLSX workbook (part {info.filename}: {err})"
                ) from None
            if found:
                raise ReadError(
                    f"{name}: the workbook contains a DTD (in {info.filename}); "
                    "Excel never writes one, and its entities could make the file "
                    "expand without bound. Save the sheet again from a "
                    "spreadsheet program, or as CSV"
                )


def _sheet_rows(worksheet: Any, name: str) -> list[tuple[int, list[str]]]:
    """The filled rows of a sheet with their numbers, read from the cells themselves.

    The sheet's ``<dimension>`` tag is ignored: a stale one would drop rows, a huge one
    would make openpyxl pad billions of cells. Work is bounded by ``MAX_XLSX_CELLS`` (each
    row counted up to its last cell) and ``MAX_XLSX_ROWS``.
    """
    worksheet.reset_dimensions()
    numbered: list[tuple[int, list[str]]] = []
    cells = 0
    for number, row in enumerate(worksheet.iter_rows(values_only=True), start=1):
        if number > MAX_XLSX_ROWS:
            raise ReadError(
                f"{name}: sheet «{worksheet.title}» has rows past row "
                f"{MAX_XLSX_ROWS:,}, Excel's last row; expected a sheet Excel can "
                "open"
            )
        cells += len(row)
        if cells > MAX_XLSX_CELLS:
            raise ReadError(
                f"{name}: sheet «{worksheet.title}» holds more than "
                f"{MAX_XLSX_CELLS:,} cells (reached at row {number}, which runs "
                f"to column {len(row):,}); ecograph reads at most that many from "
                "a workbook: save the sheet as CSV, or split it"
            )
        width = len(row)
        while width and row[width - 1] is None:
            width -= 1
        if width:
            numbered.append((number, [cell_text(v) for v in row[:width]]))
    return numbered


def read_xlsx(data: bytes, name: str, *, sheet: str | None = None) -> Table:
    """The first sheet (or ``sheet``) of a workbook as a Table, computed values only."""
    from openpyxl import load_workbook

    _check_parts(data, name)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as err:  # openpyxl fails in many ways on a broken workbook
        raise ReadError(f"{name}: not a readable XLSX workbook ({_why(err)})") from None
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise ReadError(
                f"{name}: no sheet named «{sheet}»; sheets: {', '.join(workbook.sheetnames)}"
            )
        if not workbook.worksheets:
            raise ReadError(f"{name}: the workbook has no sheet of cells; expected one")
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        try:
            numbered = _sheet_rows(worksheet, name)
        except ReadError:
            raise
        except Exception as err:  # a broken sheet part (cut, malformed XML, bad cell refs)
            raise ReadError(
                f"{name}: sheet «{worksheet.title}» cannot be read ({_why(err)})"
            ) from None
    finally:
        workbook.close()
    notes = []
    if sheet is None and len(workbook.sheetnames) > 1:
        notes.append(f"sheet: «{worksheet.title}» (the first of {len(workbook.sheetnames)})")
    return table_of_rows(numbered, name, notes, sheet=worksheet.title)


def _why(err: Exception) -> str:
    """An exception in a few words for a refusal (its type when it says nothing)."""
    text = str(err).splitlines()[0][:200] if str(err) else ""
    return text or type(err).__name__


def read_table(
    path: Path, *, data: bytes | None = None, separator: str | None = None, sheet: str | None = None
) -> Table:
    """Read a CSV/TSV/TXT, XLSX or ODS file, or JSON records, as a Table (format from the
    bytes, not the name)."""
    from ecograph.ingest.open_formats import is_ods, json_records, read_json_table, read_ods

    content = path.read_bytes() if data is None else data
    if is_ods(content):
        return read_ods(content, path.name, sheet=sheet)
    if content.startswith(b"PK\x03\x04"):
        return read_xlsx(content, path.name, sheet=sheet)
    if content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{"):
        records = json_records(content)
        if records is not None:
            return read_json_table(records, path.name)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ReadError(f"{path.name}: an old Excel .xls workbook; save it as .xlsx or CSV")
    text, encoding, notes = decode(content, path.name)
    return read_csv_text(
        text,
        path.name,
        separator=separator,
        encoding=encoding,
        assumptions=notes if notes else [f"encoding: {encoding}"],
    )


def iter_dicts(table: Table) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows as ``{column: text}`` (for small files and tests)."""
    for number, cells in table.rows:
        yield number, dict(zip(table.columns, cells, strict=False))
