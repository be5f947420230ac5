"""The upload page of the bulk import: upload, preview what would change, confirm; the worker imports.

Between the preview and the confirmation the checked file's rows (text only, compressed) wait in the
user's session under a random token, at most 2 MB of them; the file itself is never written to disk.
On confirmation they move to an ActivityImport that the worker imports, checking them again against the
database as it is then; the import's page shows its progress and outcome.
"""

import base64
import secrets

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from iisg_portal.progress import progress_get
from iisg_portal.web import permission_required_or_403
from ipas.imports.forms import ImportConfirmForm, ImportUploadForm
from ipas.imports.plan import import_plan
from ipas.imports.reading import Table
from ipas.imports.services import IMPORT_PERM, PROGRESS_KIND, activity_import_start
from ipas.models import ActivityImport
from partners.models import Organisation

SESSION_KEY = "activity_import"
MAX_STORED_BYTES = 2 * 1024 * 1024


def _pack(table: Table) -> str:
    return base64.b64encode(table.packed()).decode()


def _unpack(packed: str) -> Table:
    return Table.unpacked(base64.b64decode(packed))


def _page(request, context: dict, status: int = 200):
    """The upload page, with the imports made so far (newest first, ten a page) below it."""
    imports = ActivityImport.objects.select_related("owner", "requested_by").defer("rows")
    context["imports"] = Paginator(imports, 10).get_page(request.GET.get("page"))
    return render(request, "ipas/imports/upload.html", context, status=status)


@permission_required_or_403(IMPORT_PERM)
def import_upload(request):
    if request.method != "POST":
        return _page(request, {"form": ImportUploadForm()})
    step = request.POST.get("step")
    if step == "cancel":
        request.session.pop(SESSION_KEY, None)
        messages.info(request, "The import was cancelled: nothing was imported.")
        return redirect("ipas:activity_import")
    if step == "confirm":
        return _confirm(request)

    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, {"form": form}, status=400)
    table, owner = form.cleaned_data["file"], form.cleaned_data["organisation"]
    plan = import_plan(table, owner=owner, filename=form.filename)
    request.session.pop(SESSION_KEY, None)
    # A fresh form for the next upload, keeping the owner chosen for this one.
    context = {"form": ImportUploadForm(initial={"organisation": owner}), "plan": plan}
    if not plan.ok:
        return _page(request, context, status=400)
    packed = _pack(table)
    if len(packed) > MAX_STORED_BYTES:
        plan.file_errors.append(
            "The file is too large to be kept for confirmation here: split it, or import it with "
            "`manage.py import_activities`."
        )
        return _page(request, context, status=400)
    token = secrets.token_urlsafe(24)
    request.session[SESSION_KEY] = {
        "token": token,
        "filename": form.filename,
        "owner": owner.pk if owner else None,
        "table": packed,
    }
    context["confirm_form"] = ImportConfirmForm(initial={"token": token})
    return _page(request, context)


def _confirm(request):
    form = ImportConfirmForm(request.POST)
    stored = request.session.get(SESSION_KEY)
    if not form.is_valid() or not stored or not secrets.compare_digest(stored["token"], form.cleaned_data["token"]):
        messages.error(
            request,
            "This preview is no longer current (it was imported, cancelled or replaced): upload the file again.",
        )
        return redirect("ipas:activity_import")
    owner = Organisation.objects.filter(pk=stored["owner"]).first() if stored["owner"] else None
    if stored["owner"] and owner is None:
        request.session.pop(SESSION_KEY, None)
        messages.error(request, "The organisation chosen as owner no longer exists: nothing was imported.")
        return redirect("ipas:activity_import")
    job = activity_import_start(
        actor=request.user, table=_unpack(stored["table"]), owner=owner, filename=stored["filename"]
    )
    request.session.pop(SESSION_KEY, None)
    messages.info(request, f"{stored['filename']} is being imported; this page shows how far it is.")
    return redirect("ipas:activity_import_detail", pk=job.pk)


@permission_required_or_403(IMPORT_PERM)
def import_detail(request, pk: int):
    """One import: its progress while the worker imports (the page polls itself), then what it did."""
    job = get_object_or_404(ActivityImport.objects.select_related("owner", "requested_by").defer("rows"), pk=pk)
    percent, message = (progress_get(PROGRESS_KIND, job.pk) or (0, "")) if job.is_active else (100, job.message)
    context = {"job": job, "percent": percent, "progress_message": message or "Waiting for the worker"}
    if request.htmx:
        response = render(request, "ipas/imports/_progress.html", context)
        if not job.is_active and request.GET.get("watching"):
            response["HX-Refresh"] = "true"  # it just ended: show the outcome
        return response
    return render(request, "ipas/imports/detail.html", context)
