"""Donors' lists as files (CSV and XLSX) for the import tests. Plain data: any test may import it."""

import io

from openpyxl import Workbook

HEADER = (
    "external_id,title,description,implementing_organisation,funding,beneficiaries,pillars,"
    "start_date,end_date,budget_eur,status"
)
GOOD_ROWS = [
    'AT-2026-001,Border police training on firearms trafficking,"Joint course, five days",UNDP,'
    '"AT BMI=150000; EU DG NEAR=50000",RS;ME,WBCTi,2026-01-01,2026-12-31,200000,ongoing',
    "AT-2026-002,Forensic laboratory equipment,,Balkan Forensic Network,Austria – Federal Ministry of the Interior=80000.50,"
    "BA,WBCTi;WBCSCi,2026-03-01,2027-02-28,,planned",
]


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
