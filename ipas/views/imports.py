"""The upload page of the bulk import: upload, preview what would change, confirm, import.

Between the preview and the confirmation the checked file's rows (text only, compressed) wait in the
user's session under a random token, at most 2 MB of them; the file itself is never written to disk.
The rows are checked again when the import is confirmed, against the database as it is then.
"""

import base64
import json
import secrets
import zlib

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from iisg_portal.errors import PortalError
from ipas.forms_imports import ImportConfirmForm, ImportUploadForm
from ipas.imports import Table, import_plan
from ipas.services.imports import activities_import
from partners.models import Organisation

IMPORT_PERM = "ipas.import_activities"
SESSION_KEY = "activity_import"
MAX_STORED_BYTES = 2 * 1024 * 1024


def _pack(table: Table) -> str:
    return base64.b64encode(zlib.compress(json.dumps(table.as_json()).encode(), 6)).decode()


def _unpack(packed: str) -> Table:
    return Table.from_json(json.loads(zlib.decompress(base64.b64decode(packed))))


def import_upload(request):
    if not request.user.has_perm(IMPORT_PERM):
        raise PermissionDenied
    if request.method != "POST":
        return render(request, "ipas/import.html", {"form": ImportUploadForm()})
    step = request.POST.get("step")
    if step == "cancel":
        request.session.pop(SESSION_KEY, None)
        messages.info(request, "The import was cancelled: nothing was imported.")
        return redirect("ipas:activity_import")
    if step == "confirm":
        return _confirm(request)

    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "ipas/import.html", {"form": form}, status=400)
    table, owner = form.cleaned_data["file"], form.cleaned_data["organisation"]
    plan = import_plan(table, owner=owner, filename=form.filename)
    request.session.pop(SESSION_KEY, None)
    # A fresh form for the next upload, keeping the owner chosen for this one.
    context = {"form": ImportUploadForm(initial={"organisation": owner}), "plan": plan}
    if not plan.ok:
        return render(request, "ipas/import.html", context, status=400)
    packed = _pack(table)
    if len(packed) > MAX_STORED_BYTES:
        plan.file_errors.append(
            "The file is too large to be kept for confirmation here: split it, or import it with "
            "`manage.py import_activities`."
        )
        return render(request, "ipas/import.html", context, status=400)
    token = secrets.token_urlsafe(24)
    request.session[SESSION_KEY] = {
        "token": token,
        "filename": form.filename,
        "owner": owner.pk if owner else None,
        "table": packed,
    }
    context["confirm_form"] = ImportConfirmForm(initial={"token": token})
    return render(request, "ipas/import.html", context)


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
    try:
        plan = activities_import(
            actor=request.user, table=_unpack(stored["table"]), owner=owner, filename=stored["filename"]
        )
    except PortalError as exc:
        messages.error(request, exc.message)
        return redirect("ipas:activity_import")
    if not plan.ok:
        # The database changed since the preview (an organisation or iPA was removed): show why, import nothing.
        request.session.pop(SESSION_KEY, None)
        context = {"form": ImportUploadForm(initial={"organisation": owner}), "plan": plan}
        return render(request, "ipas/import.html", context, status=409)
    request.session.pop(SESSION_KEY, None)
    created = len(plan.new_organisations)
    messages.success(
        request,
        f"{stored['filename']} imported: {plan.count('create')} created, {plan.count('update')} updated, "
        f"{plan.count('unchanged')} unchanged"
        + (f"; {created} organisation(s) created and marked for review." if created else ".")
        + " The imported entries are being checked for duplicates.",
    )
    return redirect("ipas:activity_import")
