"""Meeting pack builders: one data collection, then a PDF to read, a Word document to edit, an Excel annex."""

import io
import zipfile
from collections.abc import Callable
from datetime import datetime

from django.db import connection, transaction

from board.models import Meeting, MeetingPackFile
from board.packs.data import PackData, collect

ProgressCallback = Callable[[int, str], None]
FORMATS = [MeetingPackFile.Format.PDF, MeetingPackFile.Format.DOCX, MeetingPackFile.Format.XLSX]
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}


def collect_consistent(meeting: Meeting, *, version: int = 0) -> PackData:
    """Read every figure from one snapshot of the database, so the sections cannot disagree."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost:  # inside another transaction (tests) the snapshot is that transaction's
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return collect(meeting, version=version)


def build_pack_files(
    meeting: Meeting,
    *,
    version: int = 0,
    progress: ProgressCallback | None = None,
    formats: tuple[str, ...] = ("pdf", "docx", "xlsx"),
) -> tuple[dict[str, bytes], dict, datetime]:
    """Read the data once, then write each format; returns the files, the figures used and when they were read."""
    from board.packs.excel import render_xlsx
    from board.packs.pdf import render_pdf
    from board.packs.word import render_docx

    report = progress or (lambda percent, message: None)
    report(5, "Reading agenda, decisions, activities and funding")
    data = collect_consistent(meeting, version=version)
    files = {}
    if "pdf" in formats:
        report(25, "Writing the PDF")
        files["pdf"] = render_pdf(data)
    if "docx" in formats:
        report(75, "Writing the Word document")
        files["docx"] = render_docx(data)
    if "xlsx" in formats:
        report(85, "Writing the Excel annex")
        files["xlsx"] = render_xlsx(data)
    report(98, "Saving the files")
    return files, data.summary(), data.built_at


def file_name(meeting: Meeting, version: int | None, fmt: str) -> str:
    body = "Board" if meeting.body == Meeting.Body.BOARD else "SupportGroup"
    suffix = f"-v{version}" if version else ""
    return f"IISG-{body}-{meeting.date:%Y-%m-%d}-pack{suffix}.{fmt}"


def zip_files(meeting: Meeting, version: int | None, files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for fmt in ("pdf", "docx", "xlsx"):
            if fmt in files:
                archive.writestr(file_name(meeting, version, fmt), files[fmt])
    return buffer.getvalue()
