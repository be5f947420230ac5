"""Support Group pages of the duplication report; partners see the flags on their own activities."""

from urllib.parse import quote, urlsplit

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from iisg_portal.errors import PortalError
from iisg_portal.web import call_service, permission_required_or_403
from ipas.duplication import report_files, services
from ipas.duplication.forms import FlagFilterForm, FlagResolveForm
from ipas.duplication.history import flag_decisions
from ipas.duplication.selectors import (
    RUN_PERM,
    filter_flags,
    flags_visible_to,
    get_flag_for_user,
    open_duplicate_flags,
    pair_details,
)
from ipas.models import DuplicationExport, DuplicationRun


def _report_to_return_to(request, candidate: str | None) -> str:
    """The report as staff left it (its filters and page), when `candidate` is such an address of ours."""
    report = reverse("ipas:duplication_report")
    if not candidate or not url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return report
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc or parts.path != report:
        return report
    return f"{report}?{parts.query}" if parts.query else report


@permission_required_or_403(RUN_PERM)
def duplication_report(request):
    form = FlagFilterForm(request.GET or None)
    flags = filter_flags(open_duplicate_flags(), **form.flag_filters().lookups())
    page = Paginator(flags, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "ipas/duplication/report.html",
        {
            "form": form,
            "page": page,
            "run": DuplicationRun.objects.first(),
            "query": request.GET.urlencode(),
            "export_formats": [("xlsx", "XLSX"), ("pdf", "PDF")],
            "recent_exports": DuplicationExport.objects.defer("content").select_related("requested_by")[:5],
        },
    )


@require_POST
@permission_required_or_403(RUN_PERM)
def duplication_run(request):
    run = services.duplication_run_start(actor=request.user)
    if request.htmx:
        return render(request, "ipas/duplication/_progress.html", {"run": run})
    messages.info(request, "The duplication report is running; this page shows its progress.")
    return redirect("ipas:duplication_report")


@permission_required_or_403(RUN_PERM)
def duplication_progress(request, pk: int):
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
        "decisions": flag_decisions(flag) if can_resolve else [],
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
    call_service(request, lambda: services.duplicate_flag_reopen(actor=request.user, flag=flag))
    return redirect(f"{reverse('ipas:duplicate_flag', args=[flag.pk])}?next={quote(report_url)}")


@permission_required_or_403("ipas.view_activity")
def my_flags(request):
    """Open flags on the user's own organisation's activities."""
    flags = flags_visible_to(request.user).open().select_related("activity_a__organisation", "activity_b__organisation")
    page = Paginator(flags, 25).get_page(request.GET.get("page"))
    return render(request, "ipas/duplication/mine.html", {"page": page})


# --- Export (built by a worker: ipas/duplication/report_files.py) ----------------------------------


@require_POST
@permission_required_or_403(RUN_PERM)
def duplication_export(request, fmt: str):
    """Ask for a file of the report as filtered; its page shows the progress, then the download."""
    if fmt not in DuplicationExport.Format.values:
        raise Http404("Export as xlsx or pdf.")
    # The report's filters as they were in its address when the button was pressed.
    form = FlagFilterForm(QueryDict(request.POST.get("query", "")))
    if not form.is_valid():
        messages.error(request, "Those filters are not valid any more; the report shows what they mean now.")
        return redirect(reverse("ipas:duplication_report"))
    ok, export = call_service(
        request,
        lambda: report_files.duplication_export_request(actor=request.user, fmt=fmt, filters=form.flag_filters()),
    )
    if not ok:
        return redirect(reverse("ipas:duplication_report"))
    return redirect("ipas:duplication_export_detail", pk=export.pk)


@permission_required_or_403(RUN_PERM)
def duplication_export_detail(request, pk: int):
    export = get_object_or_404(DuplicationExport.objects.defer("content").select_related("requested_by"), pk=pk)
    # The polling card asks for the card alone; going back in history asks for the whole page.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "ipas/duplication/_export_progress.html" if partial else "ipas/duplication/export.html"
    return render(request, template, {"export": export})


@permission_required_or_403(RUN_PERM)
def duplication_export_download(request, pk: int):
    export = get_object_or_404(DuplicationExport, pk=pk, status=DuplicationExport.Status.DONE)
    content_type = {
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pdf": "application/pdf",
    }[export.format]
    response = HttpResponse(bytes(export.content), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
