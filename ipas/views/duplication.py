"""Support Group pages of the duplication report; partners see the flags on their own activities."""

import io
from urllib.parse import quote, urlsplit

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from iisg_portal.errors import PortalError
from ipas.duplication_selectors import (
    RUN_PERM,
    filter_flags,
    flags_visible_to,
    get_flag_for_user,
    open_duplicate_flags,
    pair_details,
)
from ipas.forms_duplication import FlagFilterForm, FlagResolveForm
from ipas.models import DuplicationRun
from ipas.services import duplication as services


def _require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def _report_to_return_to(request, candidate: str | None) -> str:
    """The report as staff left it (its filters and page), when `candidate` is such an address of ours."""
    report = reverse("ipas:duplication_report")
    if not candidate or not url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return report
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc or parts.path != report:
        return report
    return f"{report}?{parts.query}" if parts.query else report


def duplication_report(request):
    _require(request.user, RUN_PERM)
    form = FlagFilterForm(request.GET or None)
    flags = filter_flags(open_duplicate_flags(), **form.filters())
    page = Paginator(flags, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "ipas/duplication/report.html",
        {"form": form, "page": page, "run": DuplicationRun.objects.first(), "query": request.GET.urlencode()},
    )


@require_POST
def duplication_run(request):
    _require(request.user, RUN_PERM)
    run = services.duplication_run_start(actor=request.user)
    if request.htmx:
        return render(request, "ipas/duplication/_progress.html", {"run": run})
    messages.info(request, "The duplication report is running; this page shows its progress.")
    return redirect("ipas:duplication_report")


def duplication_progress(request, pk: int):
    _require(request.user, RUN_PERM)
    run = get_object_or_404(DuplicationRun, pk=pk)
    response = render(request, "ipas/duplication/_progress.html", {"run": run})
    if request.htmx and not run.is_active and request.GET.get("watching"):
        response["HX-Refresh"] = "true"  # the run just ended: show the new report
    return response


def flag_detail(request, pk: int):
    flag = get_flag_for_user(request.user, pk)
    can_resolve = request.user.has_perm(RUN_PERM)
    context = {
        "flag": flag,
        "form": FlagResolveForm(),
        "can_resolve": can_resolve,
        "report_url": _report_to_return_to(request, request.GET.get("next")),
        **pair_details(flag),
    }
    return render(request, "ipas/duplication/flag_detail.html", context)


@require_POST
def flag_resolve(request, pk: int):
    flag = get_flag_for_user(request.user, pk, RUN_PERM)
    report_url = _report_to_return_to(request, request.POST.get("next"))
    form = FlagResolveForm(request.POST)
    if form.is_valid():
        try:
            services.duplicate_flag_resolve(actor=request.user, flag=flag, **form.cleaned_data)
        except PortalError as exc:
            if exc.field is None:  # e.g. settled by someone else meanwhile: the page shows their decision
                messages.error(request, exc.message)
                return redirect(f"{reverse('ipas:duplicate_flag', args=[flag.pk])}?next={quote(report_url)}")
            form.add_error(exc.field, exc.message)
        else:
            flag.refresh_from_db()
            messages.success(request, f"Flag {flag.pk} settled as “{flag.get_resolution_display()}”.")
            return redirect(report_url)
    context = {"flag": flag, "form": form, "can_resolve": True, "report_url": report_url, **pair_details(flag)}
    return render(request, "ipas/duplication/flag_detail.html", context, status=400)


@require_POST
def flag_reopen(request, pk: int):
    flag = get_flag_for_user(request.user, pk, RUN_PERM)
    report_url = _report_to_return_to(request, request.POST.get("next"))
    try:
        services.duplicate_flag_reopen(actor=request.user, flag=flag)
    except PortalError as exc:
        messages.error(request, exc.message)
    return redirect(f"{reverse('ipas:duplicate_flag', args=[flag.pk])}?next={quote(report_url)}")


def my_flags(request):
    """Open flags on the user's own organisation's activities."""
    _require(request.user, "ipas.view_activity")
    flags = flags_visible_to(request.user).open().select_related("activity_a__organisation", "activity_b__organisation")
    page = Paginator(flags, 25).get_page(request.GET.get("page"))
    return render(request, "ipas/duplication/mine.html", {"page": page})


# --- Export --------------------------------------------------------------------------------------

#: Flags per exported file, strongest first. The spreadsheet is for working through them (5,000 rows: about
#: 1.5 s); the PDF is for reading, and WeasyPrint takes about 10 s per 1,000 rows inside the request.
EXPORT_LIMIT = 5000
PDF_EXPORT_LIMIT = 1000


def _cell(value):
    """Spreadsheet programs run text that starts with = + - @ as a formula: neutralise it."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def duplication_export(request, fmt: str):
    _require(request.user, RUN_PERM)
    form = FlagFilterForm(request.GET or None)
    if fmt not in ("xlsx", "pdf"):
        raise Http404("Export as xlsx or pdf.")
    limit = PDF_EXPORT_LIMIT if fmt == "pdf" else EXPORT_LIMIT
    selected = filter_flags(open_duplicate_flags(), **form.filters())
    flags = list(selected[:limit])
    total = len(flags) if len(flags) < limit else selected.count()
    # Both files say what they hold: the filters, and how many of the matching flags.
    about = {
        "filters": form.description(),
        "shown": len(flags),
        "total": total,
        "generated": timezone.localtime(),
    }
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        book = Workbook()
        sheet = book.active
        sheet.title = "Open flags"
        header = [
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
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for flag in flags:
            sheet.append(
                [
                    _cell(v)
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
        shown = f"{about['shown']:,} of {about['total']:,} flags"
        if about["shown"] < about["total"]:
            shown += f" (the strongest {limit:,}; narrow the filters to export the others)"
        notes.append(["Flags", shown])
        notes.column_dimensions["A"].width = 14
        notes.column_dimensions["B"].width = 80
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    elif fmt == "pdf":
        from weasyprint import HTML

        html = render_to_string(
            "ipas/duplication/report_pdf.html",
            {"flags": flags, **about, "run": DuplicationRun.objects.first()},
            request=request,
        )
        response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="iisg-duplication-report-{stamp}.{fmt}"'
    return response
