"""Reading a donor's list (CSV or XLSX) into rows of text, or saying at once why it cannot be read.

No database here: the rows are checked against the portal by ipas/imports/plan.py.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date, datetime
from xml.etree import ElementTree

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


def _read_xlsx(content: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, zlib.error, EOFError, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportFileError("The file is not a readable XLSX workbook.") from exc
    try:
        sheet = workbook.worksheets[0]
        rows = []
        # Read-only workbooks parse the sheet while iterating: a damaged sheet fails here, not on opening.
        for number, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
            cells = [_text(v) for v in values]
            if any(cells):
                rows.append((number, cells))
                if len(rows) > MAX_ROWS + 1:
                    break
        return rows
    except (ElementTree.ParseError, zipfile.BadZipFile, zlib.error, EOFError, LookupError, OSError, ValueError) as exc:
        raise ImportFileError("The file is not a readable XLSX workbook: its first sheet is damaged.") from exc
    finally:
        workbook.close()


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
