"""Files of the duplication report, built by a worker: XLSX to work through the flags, PDF to read them.

Staff ask for a file with the report's filters (`duplication_export_request`); a worker builds it
(`duplication_export_execute`, with progress on the row) and staff download it from its page. Built in the
background because a PDF of thousands of flags takes WeasyPrint minutes, far too long for a web request.
"""

from __future__ import annotations

import io
import logging
from datetime import timedelta

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from iisg_portal.audit import audited
from iisg_portal.exports import safe_cell
from iisg_portal.permissions import actor_require
from ipas.duplication.selectors import RUN_PERM, FlagFilters, filter_flags, open_duplicate_flags
from ipas.models import DuplicationExport, DuplicationRun
from ipas.tasks import duplication_export_build
from partners.models import User

logger = logging.getLogger(__name__)

#: Flags per file, strongest first. Measured here on 2,481 flags: XLSX 0.5 s; PDF 26 s, 248 pages and a
#: worker of 540 MiB (WeasyPrint holds the whole layout): a PDF is for reading, a spreadsheet for working
#: through them all. Each file says how many of the matching flags it holds.
EXPORT_LIMITS = {DuplicationExport.Format.XLSX: 50_000, DuplicationExport.Format.PDF: 2_500}
#: How long a built file stays to download.
KEEP_EXPORTS_FOR = timedelta(days=7)


def duplication_export_request(*, actor: User, fmt: str, filters: FlagFilters) -> DuplicationExport:
    """Queue a file of the open flags the report's (checked) `filters` select."""
    actor_require(actor, RUN_PERM, "Only Support Group staff may export the duplication report.")
    with transaction.atomic(), audited(actor, "duplication_export_request"):
        export = DuplicationExport.objects.create(
            format=DuplicationExport.Format(fmt),
            query=filters.query(),
            filters=filters.description()[:300],
            requested_by=actor,
            message="Waiting for a worker",
        )
        # A broker that cannot take it now does not fail the request: `duplication_exports_resume` sends it again.
        transaction.on_commit(lambda: duplication_export_build.delay(export.pk), robust=True)
    return export


def duplication_exports_resume() -> list[int]:
    """Send again the exports no worker took or a dead worker left; give up those tried
    DuplicationExport.MAX_ATTEMPTS times. Returns the ids sent again."""
    return DuplicationExport.resume(send=duplication_export_build.delay)


def duplication_exports_prune() -> int:
    """Delete the files asked for more than KEEP_EXPORTS_FOR ago (they restate flags that may have changed
    since, and each holds up to a few MB). Returns how many."""
    with audited(None, "duplication_exports_prune"):
        deleted, _ = DuplicationExport.objects.filter(
            created_at__lt=timezone.now() - KEEP_EXPORTS_FOR,
            status__in=[DuplicationExport.Status.DONE, DuplicationExport.Status.FAILED],  # never one being built
        ).delete()
    return deleted


def duplication_export_execute(*, export_id: int) -> DuplicationExport | None:
    """Build a queued export's file. Safe to call twice: one caller claims the job (None for the other). A file
    whose workers died DuplicationExport.MAX_ATTEMPTS times is given up instead."""
    # The worker acts for nobody in particular: its audit events name the action (who asked is on the insert).
    with audited(None, "duplication_export_build"):
        return _duplication_export_build(export_id)


def _duplication_export_build(export_id: int) -> DuplicationExport | None:
    if not DuplicationExport.claim(export_id, percent=5, message="Reading the flags"):
        return DuplicationExport.objects.get(pk=export_id) if DuplicationExport.give_up([export_id]) else None
    export = DuplicationExport.objects.get(pk=export_id)
    try:
        filters = FlagFilters.from_query(export.query)
        if filters is None:
            # A pillar or donor of the filters went since it was asked for: not every open flag instead.
            DuplicationExport.objects.filter(pk=export_id).update(
                status=DuplicationExport.Status.FAILED,
                finished_at=timezone.now(),
                message="Its filters no longer match the portal (a pillar or donor was removed): "
                "ask for the file again from the report.",
            )
            return DuplicationExport.objects.get(pk=export_id)
        limit = EXPORT_LIMITS[export.format]
        selected = filter_flags(open_duplicate_flags(), **filters.lookups())
        flags = list(selected[:limit])
        total = len(flags) if len(flags) < limit else selected.count()
        about = {
            "filters": filters.description(),
            "shown": len(flags),
            "total": total,
            "limit": limit,
            "generated": timezone.localtime(),
        }
        DuplicationExport.progress(
            export_id, 20, f"Writing {len(flags):,} flag{'s' if len(flags) != 1 else ''} to the file"
        )
        content = _xlsx(flags, about) if export.format == DuplicationExport.Format.XLSX else _pdf(flags, about)
    except Exception as exc:  # recorded on the row for the page; the worker's log has the traceback
        logger.exception("Duplication report export %s failed", export_id)
        DuplicationExport.objects.filter(pk=export_id).update(
            status=DuplicationExport.Status.FAILED,
            finished_at=timezone.now(),
            message=f"The file could not be built ({type(exc).__name__}). Ask for it again; if it fails again, "
            "tell the portal's administrators.",
        )
        return DuplicationExport.objects.get(pk=export_id)
    held = f"{about['shown']:,} of {about['total']:,} open flags"
    DuplicationExport.objects.filter(pk=export_id).update(
        status=DuplicationExport.Status.DONE,
        percent=100,
        content=content,
        size=len(content),
        shown=about["shown"],
        total=about["total"],
        finished_at=timezone.now(),
        message=f"The file holds {held}.",
    )
    return DuplicationExport.objects.get(pk=export_id)


def _holds(about: dict) -> str:
    held = f"{about['shown']:,} of {about['total']:,} flags"
    if about["shown"] < about["total"]:
        held += f" (the strongest {about['limit']:,}; narrow the filters to export the others)"
    return held


def _xlsx(flags, about: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = "Open flags"
    sheet.append(
        [
            "Flag",
            "Score %",
            "Kind",
            "Activity A",
            "A external id",
            "A organisation",
            "Activity B",
            "B external id",
            "B organisation",
            "Reasons",
            "First detected",
        ]
    )
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for flag in flags:
        sheet.append(
            [
                safe_cell(v)
                for v in [
                    flag.pk,
                    flag.score_percent,
                    flag.get_kind_display(),
                    flag.activity_a.title,
                    flag.activity_a.external_id,
                    flag.activity_a.organisation.label,
                    flag.activity_b.title,
                    flag.activity_b.external_id,
                    flag.activity_b.organisation.label,
                    "; ".join(flag.reasons),
                    timezone.localtime(flag.first_detected_at).strftime("%Y-%m-%d"),
                ]
            ]
        )
    for column, width in zip("ABCDEFGHIJK", [7, 8, 26, 50, 14, 18, 50, 14, 18, 80, 14], strict=True):
        sheet.column_dimensions[column].width = width
    notes = book.create_sheet("About")
    notes.append(["IISG duplication report"])
    notes.append(["Generated", about["generated"].strftime("%Y-%m-%d %H:%M")])
    notes.append(["Filters", about["filters"]])
    notes.append(["Flags", _holds(about)])
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 80
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _pdf(flags, about: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "ipas/duplication/report_pdf.html",
        {"flags": flags, **about, "run": DuplicationRun.objects.first()},
    )
    return HTML(string=html).write_pdf()
