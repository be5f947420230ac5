"""Meetings, agenda, decisions, action points and meeting packs, for the board secretariat and its readers.

Access: the secretariat manages (board.manage_meetings); the secretariat and Support Group build packs
(board.build_meeting_pack); Board members and Lead Partners read meetings and download released packs; anyone
else gets 404 (they may not know the meeting exists).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from board import services
from board.forms import (
    ActionPointForm,
    AgendaItemForm,
    DecisionCorrectionForm,
    DecisionForm,
    MeetingForm,
    ParticipantsForm,
)
from board.models import ActionPoint, AgendaItem, Decision, Meeting, MeetingPack
from board.packs import CONTENT_TYPES, file_name, zip_files
from board.selectors import (
    action_points_for_pack,
    get_meeting_for_user,
    get_pack_for_user,
    is_pack_reader,
    meetings_visible_to,
    packs_visible_to,
)
from board.services import BUILD, MANAGE
from iisg_portal.web import call_service, permission_required_or_403


def _form_page(request, *, form, meeting, title, save, success, intro=""):
    """GET shows the form; a valid POST calls `save(cleaned_data)` and returns to the meeting."""
    if request.method == "POST" and form.is_valid():
        ok, result = call_service(request, lambda: save(form.cleaned_data), form=form, success=success)
        if ok:
            return redirect(result.get_absolute_url() if isinstance(result, Meeting) else meeting.get_absolute_url())
    return render(request, "board/form.html", {"form": form, "meeting": meeting, "title": title, "intro": intro})


def meeting_list(request):
    if not (request.user.has_perm("board.view_meeting") or is_pack_reader(request.user)):
        raise PermissionDenied
    meetings = meetings_visible_to(request.user)
    return render(
        request,
        "board/meeting_list.html",
        {
            "meetings": meetings.select_related("host").order_by("-date"),
            "can_manage": request.user.has_perm(MANAGE),
            "today": timezone.localdate(),
        },
    )


@permission_required_or_403(MANAGE)
def meeting_create(request):
    form = MeetingForm(request.POST or None)
    return _form_page(
        request,
        form=form,
        meeting=None,
        title="New meeting",
        save=lambda data: services.meeting_create(actor=request.user, **data),
        success="Meeting created. Add its agenda next.",
    )


def meeting_detail(request, pk: int):
    meeting = get_meeting_for_user(request.user, pk)
    today = timezone.localdate()
    can_manage = request.user.has_perm(MANAGE)
    carried = [point for point in action_points_for_pack(meeting) if point.meeting_id != meeting.pk]
    return render(
        request,
        "board/meeting_detail.html",
        {
            "meeting": meeting,
            "agenda": meeting.agenda_items.select_related("pillar", "presenter"),
            "decisions": meeting.decisions.select_related("agenda_item").prefetch_related("corrections"),
            "action_points": meeting.action_points.select_related("responsible", "decision"),
            "carried_over": carried,
            "participants": meeting.participants.order_by("participation", "name"),
            "attendee_ids": set(meeting.attendees.values_list("pk", flat=True)),
            "packs": packs_visible_to(request.user, meeting),
            "can_manage": can_manage,
            "can_build": request.user.has_perm(BUILD),
            "today": today,
        },
    )


def meeting_update(request, pk: int):
    meeting = get_meeting_for_user(request.user, pk, MANAGE)
    form = MeetingForm(request.POST or None, instance=meeting)
    return _form_page(
        request,
        form=form,
        meeting=meeting,
        title=f"Edit {meeting.title}",
        save=lambda data: services.meeting_update(actor=request.user, meeting=meeting, **data),
        success="Meeting saved.",
    )


def meeting_participants(request, pk: int):
    meeting = get_meeting_for_user(request.user, pk, MANAGE)
    form = ParticipantsForm(
        request.POST or None,
        initial={"participants": meeting.participants.all(), "attendees": meeting.attendees.all()},
    )
    return _form_page(
        request,
        form=form,
        meeting=meeting,
        title=f"Participants and attendance: {meeting.title}",
        save=lambda data: services.meeting_participants_set(actor=request.user, meeting=meeting, **data),
        success="Participants and attendance saved.",
    )


# Agenda ---------------------------------------------------------------------------------------------------------


def agenda_item_create(request, pk: int):
    meeting = get_meeting_for_user(request.user, pk, MANAGE)
    form = AgendaItemForm(request.POST or None)
    return _form_page(
        request,
        form=form,
        meeting=meeting,
        title="Add an agenda item",
        save=lambda data: services.agenda_item_add(actor=request.user, meeting=meeting, **data),
        success="Agenda item added.",
    )


def _agenda_item(request, pk, item_pk) -> tuple[Meeting, AgendaItem]:
    meeting = get_meeting_for_user(request.user, pk, MANAGE)
    return meeting, get_object_or_404(AgendaItem, pk=item_pk, meeting=meeting)


def agenda_item_update(request, pk: int, item_pk: int):
    meeting, item = _agenda_item(request, pk, item_pk)
    form = AgendaItemForm(request.POST or None, instance=item)
    return _form_page(
        request,
        form=form,
        meeting=meeting,
        title=f"Agenda item {item.order}",
        save=lambda data: services.agenda_item_update(actor=request.user, item=item, **data),
        success="Agenda item saved.",
    )


@require_POST
def agenda_item_move(request, pk: int, item_pk: int):
    meeting, item = _agenda_item(request, pk, item_pk)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        return HttpResponse("Say up or down.", status=400)
    services.agenda_item_move(actor=request.user, item=item, direction=direction)
    return redirect(f"{meeting.get_absolute_url()}#agenda")


@require_POST
def agenda_item_delete(request, pk: int, item_pk: int):
    meeting, item = _agenda_item(request, pk, item_pk)
    call_service(
        request, lambda: services.agenda_item_delete(actor=request.user, item=item), success="Agenda item removed."
    )
    return redirect(f"{meeting.get_absolute_url()}#agenda")


# Decisions ------------------------------------------------------------------------------------------------------


def decision_create(request, pk: int):
    meeting = get_meeting_for_user(request.user, pk, MANAGE)
    form = DecisionForm(request.POST or None, meeting=meeting, creating=True)
    return _form_page(
        request,
        form=form,
        meeting=meeting,
        title="Propose a decision",
        intro=f"It will be numbered in {meeting.date.year}'s sequence.",
        save=lambda data: services.decision_propose(actor=request.user, meeting=meeting, **data),
        success="Decision proposed.",
    )


def _decision(request, pk, decision_pk) -> tuple[Meeting, Decision]:
    meeting = get_meeting_for_user(request.user, pk, MANAGE)
    return meeting, get_object_or_404(Decision, pk=decision_pk, meeting=meeting)


def decision_update(request, pk: int, decision_pk: int):
    meeting, decision = _decision(request, pk, decision_pk)
    if decision.is_taken:
        return redirect("board:decision_correct", pk=meeting.pk, decision_pk=decision.pk)
    form = DecisionForm(request.POST or None, instance=decision, meeting=meeting)
    return _form_page(
        request,
        form=form,
        meeting=meeting,
        title=f"Decision {decision.number}",
        intro="Once the meeting has taken the decision (adopted, rejected or postponed), its text changes only "
        "through a recorded correction.",
        save=lambda data: services.decision_update(actor=request.user, decision=decision, **data),
        success=f"Decision {decision.number} saved.",
    )


def decision_correct(request, pk: int, decision_pk: int):
    meeting, decision = _decision(request, pk, decision_pk)
    if not decision.is_taken:
        return redirect("board:decision_update", pk=meeting.pk, decision_pk=decision.pk)
    form = DecisionCorrectionForm(request.POST or None, initial={"text": decision.text})
    return _form_page(
        request,
        form=form,
        meeting=meeting,
        title=f"Correct decision {decision.number}",
        intro=f"This decision was {decision.get_status_display().lower()}; a correction keeps the previous text, "
        "your reason, your name and the time.",
        save=lambda data: services.decision_correct(actor=request.user, decision=decision, **data),
        success=f"Correction of decision {decision.number} recorded.",
    )


# Action points --------------------------------------------------------------------------------------------------


def action_point_create(request, pk: int):
    meeting = get_meeting_for_user(request.user, pk, MANAGE)
    form = ActionPointForm(request.POST or None, meeting=meeting)
    return _form_page(
        request,
        form=form,
        meeting=meeting,
        title="Add an action point",
        save=lambda data: services.action_point_add(actor=request.user, meeting=meeting, **data),
        success="Action point added.",
    )


def action_point_update(request, pk: int, point_pk: int):
    meeting = get_meeting_for_user(request.user, pk, MANAGE)
    point = get_object_or_404(ActionPoint, pk=point_pk, meeting=meeting)
    form = ActionPointForm(request.POST or None, instance=point, meeting=meeting)
    return _form_page(
        request,
        form=form,
        meeting=meeting,
        title="Action point",
        save=lambda data: services.action_point_update(actor=request.user, point=point, **data),
        success="Action point saved.",
    )


# Meeting packs --------------------------------------------------------------------------------------------------


@require_POST
def pack_build(request, pk: int):
    meeting = get_meeting_for_user(request.user, pk, BUILD)
    ok, pack = call_service(request, lambda: services.meeting_pack_request(actor=request.user, meeting=meeting))
    if ok:
        messages.info(request, f"Building version {pack.version} of the meeting pack; this page shows its progress.")
    return redirect(f"{meeting.get_absolute_url()}#packs")


def pack_status(request, pk: int, version: int):
    """The pack's row, polled by the page (htmx) while the pack is built."""
    pack = get_pack_for_user(request.user, pk, version)
    return render(
        request,
        "board/_pack_row.html",
        {"pack": pack, "meeting": pack.meeting, "can_manage": request.user.has_perm(MANAGE)},
    )


def pack_download(request, pk: int, version: int, fmt: str):
    pack = get_pack_for_user(request.user, pk, version)
    if fmt not in CONTENT_TYPES or pack.status != MeetingPack.Status.DONE:
        raise Http404
    if fmt == "zip":
        files = {f.format: bytes(f.content) for f in pack.files.all()}
        content = zip_files(pack.meeting, pack.version, files)
    else:
        stored = pack.files.filter(format=fmt).first()
        if stored is None:
            raise Http404
        content = bytes(stored.content)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{file_name(pack.meeting, pack.version, fmt)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def pack_release(request, pk: int, version: int):
    pack = get_pack_for_user(request.user, pk, version)
    if not request.user.has_perm(MANAGE):
        raise PermissionDenied
    call_service(
        request,
        lambda: services.meeting_pack_release(actor=request.user, pack=pack),
        success=f"Version {pack.version} released to Board members and Lead Partners.",
    )
    return redirect(f"{pack.meeting.get_absolute_url()}#packs")
