"""Uploads built to exhaust the server are refused with a reason, quickly and in little memory (issue 12, item 7).

Each bomb is built here. Measured on the 2-core test machine under load (each read in a fresh process, peak RSS
of that process with Python and openpyxl loaded: 57 MiB): 3,000,000 empty rows (a 30 kB file) 0.01 s; 1,500,000
numbered empty rows (3.7 MB, 26 MB unpacked, stopped by the element budget) 5-7 s, 61 MiB; 1,200,000 shared texts
6.7 s, 95 MiB; a billion laughs 0.01 s. The same 0.4 MB file of empty rows took openpyxl 45 s and 3.6 GiB.
Times are not asserted (timed tests flake on shared machines); the errors are.
"""

import io
import os
import zipfile

import pytest

from ipas.imports.reading import MAX_CELL_CHARS, MAX_ROWS, ImportFileError, read_table
from tests.ipas.import_files import xlsx_bytes

ROW = ["X-1", "Title", "", "UNDP", "", "RS", "WBCTi", "2026-01-01", "2026-02-01", "", ""]
SHEET = "xl/worksheets/sheet1.xml"
MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def workbook(changes: dict, *, extra: dict | None = None) -> bytes:
    """A good one-row workbook with some parts changed (name -> function of the part's bytes) or added."""
    good = zipfile.ZipFile(io.BytesIO(xlsx_bytes([ROW])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for name in good.namelist():
            content = good.read(name)
            bomb.writestr(name, changes[name](content) if name in changes else content)
        for name, content in (extra or {}).items():
            bomb.writestr(name, content)
    return out.getvalue()


def with_rows(xml: bytes):
    """Append `xml` (rows) to the sheet's data."""
    return {SHEET: lambda sheet: sheet.replace(b"</sheetData>", xml + b"</sheetData>")}


def with_shared_strings(xml: bytes) -> bytes:
    """The workbook with a shared-strings part (openpyxl writes the test workbook without one)."""
    relationship = (
        b'<Relationship Id="rIdS" Target="sharedStrings.xml" '
        b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
    )
    return workbook(
        {
            "xl/_rels/workbook.xml.rels": lambda rels: rels.replace(
                b"</Relationships>", relationship + b"</Relationships>"
            )
        },
        extra={"xl/sharedStrings.xml": b'<sst xmlns="' + MAIN + b'">' + xml + b"</sst>"},
    )


def refused(content: bytes, match: str) -> None:
    with pytest.raises(ImportFileError, match=match):
        read_table(content, "list.xlsx")


def test_millions_of_empty_rows_are_refused_before_unpacking():
    bomb = workbook(with_rows(b"<row/>" * 3_000_000))
    assert len(bomb) < 100_000  # 18 MB of XML packed into a few kB
    refused(bomb, r"sheet1.xml unpacks to [\d,]+ times its packed size.*zip bomb")


def test_a_sheet_of_more_elements_than_any_list_needs_stops_being_read():
    # Numbered rows pack only some 7 times, so the zip passes its checks: the element budget stops the reading.
    bomb = workbook(with_rows(b"".join(b'<row r="%d"/>' % n for n in range(3, 1_100_000))))
    refused(bomb, r"too large to read: .* more than 1,000,000 rows, cells and other elements")


def test_reading_stops_after_the_rows_an_import_may_hold():
    rows = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>row</t></is></c></row>' % (n, n) for n in range(3, 200_000)
    )
    refused(workbook(with_rows(rows)), f"more than {MAX_ROWS:,} activity rows")


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    + b"]>"
)


@pytest.mark.parametrize("part", [SHEET, "docProps/app.xml", "[Content_Types].xml"])
def test_a_dtd_in_any_xml_part_is_refused(part):
    bomb = workbook({part: lambda xml: BILLION_LAUGHS + xml.split(b"?>", 1)[-1]})
    refused(bomb, r"document type declaration \(<!DOCTYPE> or <!ENTITY>\).*refused")


def test_a_dtd_in_a_part_not_in_utf8_is_refused_too():
    def utf16(xml):
        body = xml.split(b"?>", 1)[-1].decode()
        return ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE worksheet [<!ENTITY x "y">]>' + body).encode("utf-16")

    refused(workbook({SHEET: utf16}), "document type declaration")


def test_a_huge_shared_strings_part_stops_being_read():
    bomb = with_shared_strings(b"".join(b"<si><t>%d</t></si>" % n for n in range(600_000)))
    refused(bomb, "too large to read")


def test_a_text_longer_than_a_cell_may_hold_is_refused():
    text = os.urandom(MAX_CELL_CHARS).hex().encode()  # twice the limit, and packing poorly as real text does
    refused(with_shared_strings(b"<si><t>" + text + b"</t></si>"), f"longer than {MAX_CELL_CHARS:,} characters")
    cell = b'<row r="3"><c r="A3" t="inlineStr"><is><t>' + text + b"</t></is></c></row>"
    refused(workbook(with_rows(cell)), f"row 3 holds more than {MAX_CELL_CHARS:,} characters")


def test_a_workbook_of_thousands_of_parts_is_refused():
    refused(workbook({}, extra={f"xl/media/part{n}.xml": b"<a/>" for n in range(1200)}), "1,2[0-9][0-9] parts")


def test_a_workbook_that_unpacks_to_more_than_reading_allows_is_refused():
    # Three sheets of 22 MB each, packing some 50 times: each passes alone, together they unpack to 66 MB.
    row = b'<row r="%d" spans="1:11" ht="15" customHeight="1">' + b'<c s="1"/>' * 10 + b"</row>"
    part = b"".join(row % n for n in range(1, 150_000))
    bomb = workbook({}, extra={f"xl/worksheets/sheet{n}.xml": part for n in (2, 3, 4)})
    assert len(bomb) < 5 * 1024 * 1024
    refused(bomb, "unpacks to more than 64 MB")


def test_a_full_list_of_5000_rows_is_still_read():
    rows = [[f"X-{n}", f"Title {n}", f"Description {n}", "UNDP", f"EU DG NEAR={n}", "RS", "WBCTi"] for n in range(5000)]
    table = read_table(xlsx_bytes(rows), "list.xlsx")
    number, cells = table.rows[-1]
    assert len(table.rows) == 5000 and number == 5001 and cells[:7] == rows[-1]
