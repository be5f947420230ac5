"""Partners log activities; everyone signed in reads the ones they may see."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from iisg_portal.errors import PortalError
from iisg_portal.web import call_service, form_error, permission_required_or_403
from ipas.activities import history, services
from ipas.activities.exports import activities_csv_lines, activities_xlsx_write
from ipas.activities.forms import ActivityEntry, ActivityFilterForm, ActivityForm, entry_initial
from ipas.activities.presentation import readable_diff
from ipas.activities.selectors import (
    activities_visible_to,
    filter_activities,
    get_activity_for_user,
    user_may_edit,
    with_list_details,
)
from ipas.models import Activity, ActivityReview
from partners.models import Membership
from partners.selectors import organisations_of

PAGE_SIZE = 25


def _filtered(request):
    form = ActivityFilterForm(request.GET or None)
    form.is_valid()  # invalid fields are reported and ignored; the valid ones still filter
    filters = getattr(form, "cleaned_data", {})
    return form, filter_activities(activities_visible_to(request.user), filters)


@permission_required_or_403("ipas.view_activity")
def activity_list(request):
    form, activities = _filtered(request)
    page = Paginator(with_list_details(activities), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "ipas/activities/list.html",
        {"form": form, "page": page, "filtered": any(v for k, v in request.GET.items() if k not in ("page", "sort"))},
    )


@permission_required_or_403("ipas.view_activity")
def activity_export(request, fmt: str):
    """Exactly the rows of the filtered list (all pages), as CSV or XLSX."""
    _, activities = _filtered(request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        response = StreamingHttpResponse(activities_csv_lines(activities))
        response["Content-Type"] = "text/csv; charset=utf-8"
        response["Content-Disposition"] = f'attachment; filename="iisg-activities-{stamp}.csv"'
        return response
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="iisg-activities-{stamp}.xlsx"'
    activities_xlsx_write(activities, response)
    return response


def activity_detail(request, pk: int):
    activity = get_activity_for_user(request.user, pk)
    may_edit = user_may_edit(request.user, activity)
    revision = (
        services.open_revision(activity) if may_edit or request.user.has_perm("ipas.view_all_activities") else None
    )
    reviews = activity.reviews.select_related("pillar", "decided_by", "submitted_by").order_by(
        "-round", "pillar__order"
    )
    return render(
        request,
        "ipas/activities/detail.html",
        {
            "activity": activity,
            "fundings": activity.fundings.select_related("donor"),
            "objective_links": activity.objective_links.select_related("objective__ipa__pillar").order_by(
                "-is_primary"
            ),
            "beneficiaries": activity.beneficiaries.all(),
            "themes": activity.themes.all(),
            "reviews": reviews,
            "revision": revision,
            "revision_diff": readable_diff(services.activity_snapshot(activity), revision.data) if revision else [],
            "history": history.activity_changes(activity, viewer=request.user),
            "may_edit": may_edit,
            "may_duplicate": request.user.has_perm("ipas.add_activity")
            and (may_edit or activity.approval_state == Activity.ApprovalState.APPROVED),
            "may_submit": may_edit
            and (
                activity.approval_state in (Activity.ApprovalState.DRAFT, Activity.ApprovalState.RETURNED)
                or (revision is not None and revision.state != revision.State.SUBMITTED)
            ),
            "last_return": reviews.filter(state=ActivityReview.State.RETURNED).first(),
        },
    )


def _editor_organisation(user):
    organisation = organisations_of(user, role=Membership.Role.EDITOR).order_by("name").first()
    if organisation is None or not user.has_perm("ipas.add_activity"):
        raise PermissionDenied("Only partner editors log activities.")
    return organisation


def _render_form(request, entry, *, activity=None, title, conflict=None):
    return render(
        request,
        "ipas/activities/form.html",
        {
            "entry": entry,
            "form": entry.form,
            "fundings": entry.fundings,
            "activity": activity,
            "title": title,
            "conflict": conflict,
        },
    )


def activity_create(request):
    organisation = _editor_organisation(request.user)
    if request.method == "POST":
        entry = ActivityEntry(request.POST)
        if entry.is_valid():
            # ValidationError too (not call_service): the entry is a plain form, so the model's own checks run
            # only in the service.
            try:
                activity = services.activity_create(
                    actor=request.user, organisation=organisation, data=entry.snapshot()
                )
            except (PortalError, ValidationError) as error:
                form_error(entry.form, error)
            else:
                messages.success(
                    request, "Activity saved as a draft. Submit it when it is ready for the Lead Partners."
                )
                return redirect("ipas:activity_detail", pk=activity.pk)
    else:
        entry = ActivityEntry(initial={"implementing_organisation": organisation.pk, "status": "planned"})
    return _render_form(request, entry, title=f"Log an activity for {organisation.label}")


def activity_duplicate(request, pk: int):
    """A new entry pre-filled from an existing one (it saves through activity_create).

    The owner's editors copy what they are working on (an open revision included); everyone else copies the
    published version only, so a submitted entry of another organisation, which a Lead Partner sees, is not
    copied at all."""
    source = get_activity_for_user(request.user, pk)
    organisation = _editor_organisation(request.user)
    if user_may_edit(request.user, source):
        snapshot = services.activity_working_snapshot(source)
    elif source.approval_state == Activity.ApprovalState.APPROVED:
        snapshot = services.activity_snapshot(source)  # the row of an approved entry is its published version
    else:
        raise PermissionDenied("Only approved activities of other organisations can be duplicated.")
    initial, funding_initial = entry_initial(snapshot)
    initial["title"] = f"Copy of {initial['title']}"[:300]
    if source.organisation_id != organisation.pk:
        initial["implementing_organisation"] = organisation.pk
    entry = ActivityEntry(initial=initial, funding_initial=funding_initial)
    return _render_form(request, entry, title=f"Log an activity for {organisation.label} (copied)")


def activity_update(request, pk: int):
    activity = get_activity_for_user(request.user, pk, edit=True)
    if activity.approval_state == Activity.ApprovalState.WITHDRAWN:
        messages.error(request, "A withdrawn activity cannot be edited; duplicate it as a new entry instead.")
        return redirect("ipas:activity_detail", pk=pk)
    conflict = None
    if request.method == "POST":
        entry = ActivityEntry(request.POST, editing=True)
        if entry.is_valid():
            try:
                services.activity_update(
                    actor=request.user,
                    activity=activity,
                    data=entry.snapshot(),
                    expected_version=entry.form.cleaned_data["version"],
                    base_snapshot=entry.form.base_snapshot(),
                )
            except services.EditConflict as error:
                # Keep the user's input; a second save then overwrites deliberately, from the current version.
                data = request.POST.copy()
                data["version"] = error.current_version
                data["base"] = ActivityForm.sign_base(error.current)
                entry = ActivityEntry(data, editing=True)
                entry.form.is_valid()
                conflict = readable_diff(error.base, error.current) if error.base else [{"label": "(unknown)"}]
            except (PortalError, ValidationError) as error:
                form_error(entry.form, error)
            else:
                if activity.approval_state == Activity.ApprovalState.APPROVED:
                    messages.success(
                        request,
                        "Changes saved as a revision. The approved version stays visible to others "
                        "until the Lead Partners approve the revision: submit it when ready.",
                    )
                else:
                    messages.success(request, "Changes saved.")
                return redirect("ipas:activity_detail", pk=pk)
    else:
        snapshot = services.activity_working_snapshot(activity)
        initial, funding_initial = entry_initial(snapshot)
        initial.update(version=activity.version, base=ActivityForm.sign_base(snapshot))
        entry = ActivityEntry(initial=initial, funding_initial=funding_initial, editing=True)
    return _render_form(request, entry, activity=activity, title=f"Edit “{activity.title}”", conflict=conflict)


@require_POST
def activity_submit(request, pk: int):
    activity = get_activity_for_user(request.user, pk, edit=True)
    ok, reviews = call_service(request, lambda: services.activity_submit(actor=request.user, activity=activity))
    if ok:
        pillars = ", ".join(r.pillar.code for r in reviews)
        messages.success(
            request, f"Submitted to the Lead Partners of {pillars}. You will get an e-mail when they decide."
        )
    return redirect("ipas:activity_detail", pk=pk)


def activity_withdraw(request, pk: int):
    activity = get_activity_for_user(request.user, pk, edit=True)
    if request.method == "POST":
        call_service(
            request,
            lambda: services.activity_withdraw(actor=request.user, activity=activity),
            success=f"“{activity.title}” was withdrawn. It stays in your organisation's records.",
        )
        return redirect("ipas:activity_detail", pk=pk)
    return render(request, "ipas/activities/withdraw.html", {"activity": activity})
