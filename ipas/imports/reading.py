"""Reading a donor's list (CSV or XLSX) into rows of text, or saying at once why it cannot be read.

No database here: the rows are checked against the portal by ipas/imports/plan.py.
"""

from __future__ import annotations

import csv
import io
import json
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date, datetime
from xml.parsers import expat

from openpyxl.styles.numbers import builtin_format_code, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel, from_ISO8601

from iisg_portal.errors import PortalError

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 40


class ImportFileError(PortalError):
    """The file as a whole cannot be read: wrong type, too big, too many rows, columns missing."""


@dataclass
class Table:
    """The file's content as text: the header and the non-empty rows with their spreadsheet row numbers."""

    header: list[str]
    rows: list[tuple[int, list[str]]]

    def as_json(self) -> dict:
        return {"header": self.header, "rows": [[n, cells] for n, cells in self.rows]}

    @classmethod
    def from_json(cls, data: dict) -> Table:
        return cls(header=list(data["header"]), rows=[(int(n), list(cells)) for n, cells in data["rows"]])

    def packed(self) -> bytes:
        """Compressed, to wait for confirmation or for the worker (a 5,000-row list is a few hundred kB)."""
        return zlib.compress(json.dumps(self.as_json()).encode(), 6)

    @classmethod
    def unpacked(cls, data: bytes) -> Table:
        return cls.from_json(json.loads(zlib.decompress(bytes(data))))


def _text(value) -> str:
    """A cell as text. Formulas are never evaluated: XLSX files are read for their stored values."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --- XLSX ------------------------------------------------------------------------------------------------------
#
# An XLSX file is a zip of XML parts, and a small upload can unpack to gigabytes or hold XML that expands without
# end. So it is read here, not by openpyxl's loader: the zip's directory is checked before anything is unpacked,
# every XML part is refused if it declares a DTD or entities, and the parts that matter (the first sheet, its
# shared texts, the styles that mark dates) are streamed through expat, which stops at MAX_ROWS + 1 filled rows or
# after MAX_XML_ELEMENTS elements. Reading costs at most a few seconds and tens of MB, whatever the file says.

MAX_PARTS = 1000
MAX_PART_BYTES = 32 * 1024 * 1024  # one part, unpacked; a 5,000-row list's sheet is a few MB
MAX_UNPACKED_BYTES = 64 * 1024 * 1024  # all parts together
MAX_RATIO = 100  # unpacked / packed size of a part; spreadsheets' XML packs 5-20 times, bombs 1,000 times
RATIO_FROM_BYTES = 1024 * 1024  # small parts may pack tighter without costing anything
MAX_XML_ELEMENTS = 1_000_000  # rows, cells, values and texts read, all parts together
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
_CHUNK = 64 * 1024
_XML_PART_SUFFIXES = (".xml", ".rels", ".vml")
_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")
_UNREADABLE = "The file is not a readable XLSX workbook."
_DAMAGED = "The file is not a readable XLSX workbook: its first sheet is damaged."
_DTD_REFUSED = (
    "The workbook contains an XML document type declaration (<!DOCTYPE> or <!ENTITY>), which spreadsheets never "
    "need and which can make reading a file explode; it is refused. Save it again from your spreadsheet program, "
    "or as CSV UTF-8."
)
_TOO_BIG_TO_READ = (
    f"The workbook is too large to read: its first sheet and its texts hold more than {MAX_XML_ELEMENTS:,} rows, "
    "cells and other elements (a list of 5,000 activities needs far fewer). Delete the empty rows and columns "
    "around the list, or save it as CSV UTF-8."
)


class _EnoughRows(Exception):
    """The sheet has more filled rows than can be imported: reading stops, read_table says why."""


def _check_parts(archive: zipfile.ZipFile) -> None:
    """Refuse a zip whose directory announces more than reading may cost, before unpacking anything.

    The sizes are those the directory declares; zipfile never unpacks more than a part declares (and fails on a
    part that unpacks to anything else), so they bound what the reading below costs."""
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise ImportFileError(f"The workbook has {len(parts):,} parts; a spreadsheet has a few dozen. It is refused.")
    total = 0
    for part in parts:
        if part.flag_bits & 0x1:
            raise ImportFileError("The workbook is password-protected: save it without a password, or as CSV UTF-8.")
        total += part.file_size
        if part.file_size > MAX_PART_BYTES or total > MAX_UNPACKED_BYTES:
            limit = MAX_PART_BYTES if part.file_size > MAX_PART_BYTES else MAX_UNPACKED_BYTES
            raise ImportFileError(
                f"The workbook unpacks to more than {limit // 2**20} MB (a list of 5,000 activities takes a few MB). "
                "Delete what is not the list (other sheets, images, empty rows), or save it as CSV UTF-8."
            )
        if part.file_size > RATIO_FROM_BYTES and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            raise ImportFileError(
                f"The workbook's part {part.filename} unpacks to {part.file_size // max(part.compress_size, 1):,} "
                "times its packed size, which a spreadsheet's data never does (a “zip bomb”); it is refused. Save "
                "the list again from your spreadsheet program, or as CSV UTF-8."
            )
    for part in parts:
        if part.filename.lower().endswith(_XML_PART_SUFFIXES):
            _refuse_dtd(archive, part)


def _refuse_dtd(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> None:
    """Refuse any DTD or entity declaration in an XML part, read in chunks (a marker may straddle two)."""
    overlap = max(len(m) for m in _DTD_MARKERS) - 1
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            window = tail + chunk
            if any(marker in window for marker in _DTD_MARKERS):
                raise ImportFileError(_DTD_REFUSED)
            tail = window[-overlap:]


def _refuse_declaration(*args) -> None:
    # Also caught by _refuse_dtd's byte scan, except in a part encoded in something other than UTF-8.
    raise ImportFileError(_DTD_REFUSED)


class _Parts:
    """The workbook's zip, read part by part through expat, with one budget of XML elements for all parts."""

    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        self.names = set(archive.namelist())
        self.elements_left = MAX_XML_ELEMENTS

    def spend(self) -> None:
        """Called for every element read: stops reading a part that holds more than any list needs."""
        self.elements_left -= 1
        if self.elements_left < 0:
            raise ImportFileError(_TOO_BIG_TO_READ)

    def parse(self, name: str, start, end=None, text=None) -> None:
        """Stream one part through expat with these handlers (element names keep their prefix: see _local)."""
        parser = expat.ParserCreate()
        parser.StartDoctypeDeclHandler = _refuse_declaration
        parser.EntityDeclHandler = _refuse_declaration
        parser.buffer_text = True
        parser.StartElementHandler = start
        if end is not None:
            parser.EndElementHandler = end
        if text is not None:
            parser.CharacterDataHandler = text
        with self.archive.open(name) as stream:
            while chunk := stream.read(_CHUNK):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _relationships(parts: _Parts, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, path of the target in the zip) of `part` (from its _rels/<name>.rels)."""
    folder, _, filename = part.rpartition("/")
    rels = f"{folder}/_rels/{filename}.rels" if folder else f"_rels/{filename}.rels"
    found: dict[str, tuple[str, str]] = {}
    if rels not in parts.names:
        return found

    def start(name, attrs):
        parts.spend()
        if _local(name) == "Relationship" and attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            found[attrs.get("Id", "")] = (attrs.get("Type", ""), posixpath.normpath(path))

    parts.parse(rels, start)
    return found


def _first_sheet(parts: _Parts) -> tuple[str, dict[str, str], bool]:
    """(path of the first worksheet, paths of the workbook's parts by relationship kind, whether dates count from
    1904)."""
    office = [path for kind, path in _relationships(parts, "").values() if kind.endswith("/officeDocument")]
    workbook = office[0] if office else "xl/workbook.xml"
    if workbook not in parts.names:
        raise ImportFileError(_UNREADABLE)
    sheet_ids: list[str] = []
    date1904 = [False]

    def start(name, attrs):
        parts.spend()
        tag = _local(name)
        if tag == "sheet":
            sheet_ids.append(next((v for k, v in attrs.items() if _local(k) == "id" and ":" in k), ""))
        elif tag == "workbookPr":
            date1904[0] = attrs.get("date1904", "").lower() in ("1", "true")

    parts.parse(workbook, start)
    relationships = _relationships(parts, workbook)
    by_kind = {kind.rpartition("/")[2]: path for kind, path in relationships.values()}
    sheets = [
        relationships[i][1] for i in sheet_ids if i in relationships and relationships[i][0].endswith("/worksheet")
    ]
    if not sheets or sheets[0] not in parts.names:
        raise ImportFileError(_DAMAGED)
    return sheets[0], by_kind, date1904[0]


def _shared_strings(parts: _Parts, path: str | None) -> list[str]:
    """The workbook's shared texts, in order (the text of each, without phonetic guides, as openpyxl reads it)."""
    strings: list[str] = []
    if path is None or path not in parts.names:
        return strings
    state = {"texts": None, "length": 0, "skip": 0, "collect": False}

    def start(name, attrs):
        parts.spend()
        tag = _local(name)
        if tag == "si":
            state.update(texts=[], length=0, skip=0)
        elif tag == "rPh":
            state["skip"] += 1
        elif tag == "t" and state["texts"] is not None and not state["skip"]:
            state["collect"] = True

    def end(name):
        tag = _local(name)
        if tag == "t":
            state["collect"] = False
        elif tag == "rPh":
            state["skip"] -= 1
        elif tag == "si" and state["texts"] is not None:
            strings.append("".join(state["texts"]).replace("x005F_", ""))
            state["texts"] = None

    def text(data):
        if state["collect"]:
            state["length"] += len(data)
            if state["length"] > MAX_CELL_CHARS:
                raise ImportFileError(
                    f"A text of the workbook is longer than {MAX_CELL_CHARS:,} characters, Excel's own limit for "
                    "a cell: the file is refused."
                )
            state["texts"].append(data)

    parts.parse(path, start, end, text)
    return strings


def _date_styles(parts: _Parts, path: str | None) -> tuple[set[int], set[int]]:
    """Indexes of the cell styles that show a number as a date or time, and of those showing a duration."""
    dates: set[int] = set()
    durations: set[int] = set()
    if path is None or path not in parts.names:
        return dates, durations
    custom: dict[int, str] = {}
    formats: list[int] = []
    in_cell_formats = [False]

    def start(name, attrs):
        parts.spend()
        tag = _local(name)
        if tag == "numFmt":
            custom[int(attrs.get("numFmtId", -1))] = attrs.get("formatCode", "")
        elif tag == "cellXfs":
            in_cell_formats[0] = True
        elif tag == "xf" and in_cell_formats[0]:
            formats.append(int(attrs.get("numFmtId", 0)))

    def end(name):
        if _local(name) == "cellXfs":
            in_cell_formats[0] = False

    parts.parse(path, start, end)
    for index, format_id in enumerate(formats):
        code = custom.get(format_id) or builtin_format_code(format_id)
        if is_date_format(code):
            dates.add(index)
        if is_timedelta_format(code):
            durations.add(index)
    return dates, durations


def _column_index(reference: str) -> int:
    """0 for "A7", 26 for "AA7"; -1 when the reference names no column this reader keeps."""
    letters = reference.rstrip("0123456789")
    if not letters or len(letters) > 3 or not letters.isalpha():
        return -1
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - 64
    return index - 1


class _SheetReader:
    """expat handlers that keep the filled rows of a worksheet (first MAX_COLUMNS columns) as text.

    They run once per element of the sheet, so they do little: a bomb of a million elements must still be read
    (and refused) in seconds."""

    def __init__(self, parts: _Parts, strings: list[str], dates: set[int], durations: set[int], epoch: datetime):
        self.elements_left = parts.elements_left  # the sheet is the last part read: the rest of the budget is its
        self.strings, self.dates, self.durations, self.epoch = strings, dates, durations, epoch
        self.rows: list[tuple[int, list[str]]] = []
        # A row's number is its r attribute, or one more than the row before it: counted from the last r seen.
        self.row_reference = "0"
        self.rows_since_reference = 0
        self.cells: dict[int, str] = {}
        self.column = -1
        self.cell: tuple[int, str, str] | None = None  # column, type, style of the cell being read
        self.texts: list[str] = []
        self.length = 0
        self.collect = False
        self.skip = 0  # inside a phonetic guide (rPh), whose text is not the cell's

    def start(self, name, attrs):
        self.elements_left -= 1
        if self.elements_left < 0:
            raise ImportFileError(_TOO_BIG_TO_READ)
        tag = name[name.find(":") + 1 :]  # without its prefix, if any
        if tag == "c":
            reference = attrs.get("r")
            self.column = _column_index(reference) if reference else self.column + 1
            self.cell = (self.column, attrs.get("t", "n"), attrs.get("s", "0"))
            self.texts, self.length = [], 0
        elif tag == "v" or (tag == "t" and not self.skip):
            self.collect = self.cell is not None
        elif tag == "row":
            reference = attrs.get("r")
            if reference:
                self.row_reference, self.rows_since_reference = reference, 0
            else:
                self.rows_since_reference += 1
            if self.cells:
                self.cells = {}
            self.column = -1
        elif tag == "rPh":
            self.skip += 1

    def end(self, name):
        tag = name[name.find(":") + 1 :]
        if tag == "c":
            if self.cell is not None:
                column, kind, style = self.cell
                self.cell = None
                if 0 <= column < MAX_COLUMNS:
                    value = _text(self._value(kind, style, "".join(self.texts)))
                    if value:
                        self.cells[column] = value
        elif tag == "v" or tag == "t":
            self.collect = False
        elif tag == "row":
            if self.cells:
                self.rows.append((self.row_number(), [self.cells.get(k, "") for k in range(max(self.cells) + 1)]))
                self.cells = {}
                if len(self.rows) > MAX_ROWS + 1:
                    raise _EnoughRows
        elif tag == "rPh":
            self.skip -= 1

    def text(self, data):
        if self.collect:
            self.length += len(data)
            if self.length > MAX_CELL_CHARS:
                raise ImportFileError(
                    f"A cell in row {self.row_number()} holds more than {MAX_CELL_CHARS:,} characters, Excel's own "
                    "limit: the file is refused."
                )
            self.texts.append(data)

    def row_number(self) -> int:
        if not (self.row_reference.isdigit() and len(self.row_reference) < 8):
            raise ImportFileError(_DAMAGED)
        return int(self.row_reference) + self.rows_since_reference

    def _value(self, kind: str, style: str, raw: str):
        """The cell's stored value as openpyxl reads it with data_only (formulas are never evaluated)."""
        if kind == "inlineStr":
            return raw
        if raw == "":
            return None
        try:
            if kind == "n":
                number = float(raw) if ("." in raw or "e" in raw.lower()) else int(raw)
                if style.isdigit() and int(style) in self.dates:
                    try:
                        return from_excel(number, self.epoch, timedelta=int(style) in self.durations)
                    except (OverflowError, ValueError):
                        return "#VALUE!"
                return number
            if kind == "s":
                return self.strings[int(raw)]
            if kind == "b":
                return bool(int(raw))
            if kind == "d":
                return from_ISO8601(raw)
        except (ValueError, IndexError) as exc:
            raise ImportFileError(_DAMAGED) from exc
        return raw  # "str" (a formula's text) and "e" (an error such as #N/A)


# What a damaged zip or XML part raises while it is read (zipfile: CRC or size mismatch, unsupported compression).
_READ_ERRORS = (expat.ExpatError, zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError)


def _read_xlsx(content: bytes) -> list[tuple[int, list[str]]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise ImportFileError(_UNREADABLE) from exc
    with archive:
        try:
            _check_parts(archive)
            parts = _Parts(archive)
            sheet, by_kind, date1904 = _first_sheet(parts)
        except (*_READ_ERRORS, ValueError, KeyError) as exc:
            raise ImportFileError(_UNREADABLE) from exc
        try:
            strings = _shared_strings(parts, by_kind.get("sharedStrings"))
            dates, durations = _date_styles(parts, by_kind.get("styles"))
            reader = _SheetReader(parts, strings, dates, durations, MAC_EPOCH if date1904 else WINDOWS_EPOCH)
            try:
                parts.parse(sheet, reader.start, reader.end, reader.text)
            except _EnoughRows:
                pass  # read_table refuses the file, naming the limit
            return reader.rows
        except (*_READ_ERRORS, ValueError, KeyError) as exc:
            raise ImportFileError(_DAMAGED) from exc


def _read_csv(content: bytes) -> list[tuple[int, list[str]]]:
    if b"\x00" in content:
        raise ImportFileError("The file is neither CSV (UTF-8 text) nor XLSX.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"The file is not UTF-8 text (unreadable byte at position {exc.start}): save it as “CSV UTF-8”."
        ) from exc
    first_line = text.split("\n", 1)[0]
    # Spreadsheet programs set to European locales write ";" between columns; the header tells which.
    delimiter = ";" if "," not in first_line and ";" in first_line else ","
    rows = []
    try:
        for number, values in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            cells = [v.strip() for v in values[:MAX_COLUMNS]]
            if any(cells):
                rows.append((number, cells))
                if len(rows) > MAX_ROWS + 1:
                    break
    except csv.Error as exc:
        raise ImportFileError(f"The CSV file cannot be read: {exc}.") from exc
    return rows


def read_table(content: bytes, filename: str) -> Table:
    """Read a CSV or XLSX file into text rows, or raise ImportFileError saying why not."""
    name = filename.lower()
    if len(content) > MAX_BYTES:
        raise ImportFileError(f"The file is {len(content) / 1024 / 1024:.1f} MB; at most 5 MB can be imported.")
    if not content.strip():
        raise ImportFileError("The file is empty.")
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError("This is an old Excel (.xls) file: save it as .xlsx or as CSV UTF-8.")
    if name.endswith(".xlsx"):
        if not content.startswith(b"PK\x03\x04"):
            raise ImportFileError("The file is named .xlsx but is not an XLSX workbook.")
        rows = _read_xlsx(content)
    elif name.endswith((".csv", ".txt")):
        if content.startswith(b"PK\x03\x04"):
            raise ImportFileError("The file is named .csv but is a workbook: name it .xlsx or save it as CSV.")
        rows = _read_csv(content)
    else:
        raise ImportFileError("Only CSV (.csv) and Excel workbook (.xlsx) files can be imported.")
    if not rows:
        raise ImportFileError("The file has no rows.")
    if len(rows) - 1 > MAX_ROWS:
        raise ImportFileError(f"The file has more than {MAX_ROWS:,} activity rows: split it into several files.")
    (_, header), data = rows[0], rows[1:]
    return Table(header=[_column_name(h) for h in header], rows=data)


def _column_name(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lstrip("\ufeff").lower())
