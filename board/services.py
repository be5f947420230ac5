"""Writes for meetings, agenda, decisions, action points and meeting packs. Every state change goes through here."""

import hashlib
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from board.models import ActionPoint, AgendaItem, Decision, DecisionCorrection, Meeting, MeetingPack, MeetingPackFile
from iisg_portal.audit import audited
from iisg_portal.errors import PortalError
from iisg_portal.permissions import actor_require
from partners.models import Organisation, User

MEETING_FIELDS = {"body", "title", "date", "place", "host", "status"}
AGENDA_FIELDS = {"title", "pillar", "presenter", "documents", "outcome"}
DECISION_FIELDS = {"text", "agenda_item", "status"}
ACTION_POINT_FIELDS = {"text", "responsible", "due_date", "status", "follow_up", "decision"}
DECISION_NUMBER_LOCK = 51_0001  # first key of the advisory lock that serialises decision numbering per year

# Who may (the board views require the same; actor None, the system, may too).
MANAGE = "board.manage_meetings"
BUILD = "board.build_meeting_pack"
MANAGE_REFUSED = "Only the board secretariat may manage meetings, their agenda, decisions and action points."


def _assign(instance, fields: dict, allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unexpected fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(instance, name, value)


# Meetings -------------------------------------------------------------------------------------------------------


def meeting_create(*, actor: User | None, participants: Iterable[Organisation] = (), **fields) -> Meeting:
    actor_require(actor, MANAGE, MANAGE_REFUSED, system=True)
    with transaction.atomic(), audited(actor, "meeting_create"):
        meeting = Meeting()
        _assign(meeting, fields, MEETING_FIELDS)
        meeting.full_clean()
        meeting.save()
        meeting.participants.set(participants)
    return meeting


def meeting_update(*, actor: User | None, meeting: Meeting, **fields) -> Meeting:
    actor_require(actor, MANAGE, MANAGE_REFUSED, system=True)
    with transaction.atomic(), audited(actor, "meeting_update"):
        _assign(meeting, fields, MEETING_FIELDS)
        meeting.full_clean()
        meeting.save()
    return meeting


def meeting_participants_set(
    *, actor: User | None, meeting: Meeting, participants: Iterable[Organisation], attendees: Iterable[Organisation]
) -> Meeting:
    """Who is invited, and (after the meeting) who attended. Attendees must be participants."""
    actor_require(actor, MANAGE, MANAGE_REFUSED, system=True)
    participants, attendees = list(participants), list(attendees)
    strangers = {org.pk for org in attendees} - {org.pk for org in participants}
    if strangers:
        raise PortalError("Only participants can be recorded as attending.", field="attendees")
    with transaction.atomic(), audited(actor, "meeting_participants_set"):
        meeting.participants.set(participants)
        meeting.attendees.set(attendees)
    return meeting


# Agenda ---------------------------------------------------------------------------------------------------------


def agenda_item_add(*, actor: User | None, meeting: Meeting, **fields) -> AgendaItem:
    actor_require(actor, MANAGE, MANAGE_REFUSED, system=True)
    with transaction.atomic(), audited(actor, "agenda_item_add"):
        # Lock the meeting so that two additions never take the same place.
        Meeting.objects.select_for_update().get(pk=meeting.pk)
        last = meeting.agenda_items.aggregate(last=Max("order"))["last"] or 0
        item = AgendaItem(meeting=meeting, order=last + 1)
        _assign(item, fields, AGENDA_FIELDS)
        item.full_clean()
        item.save()
    return item


def agenda_item_update(*, actor: User | None, item: AgendaItem, **fields) -> AgendaItem:
    actor_require(actor, MANAGE, MANAGE_REFUSED, system=True)
    with transaction.atomic(), audited(actor, "agenda_item_update"):
        _assign(item, fields, AGENDA_FIELDS)
        item.full_clean()
        item.save()
    return item


def agenda_item_move(*, actor: User | None, item: AgendaItem, direction: str) -> AgendaItem:
    """Swap the item with its neighbour above ("up") or below ("down"); at either end nothing changes."""
    actor_require(actor, MANAGE, MANAGE_REFUSED, system=True)
    if direction not in ("up", "down"):
        raise ValueError(direction)
    with transaction.atomic(), audited(actor, "agenda_item_move"):
        items = list(AgendaItem.objects.select_for_update().filter(meeting_id=item.meeting_id).order_by("order"))
        index = next(i for i, other in enumerate(items) if other.pk == item.pk)
        other_index = index - 1 if direction == "up" else index + 1
        if not 0 <= other_index < len(items):
            return items[index]
        mine, other = items[index], items[other_index]
        # The unique (meeting, order) constraint is deferred, so the swap is checked at commit.
        mine.order, other.order = other.order, mine.order
        mine.save(update_fields=["order"])
        other.save(update_fields=["order"])
    return mine


def agenda_item_delete(*, actor: User | None, item: AgendaItem) -> None:
    actor_require(actor, MANAGE, MANAGE_REFUSED, system=True)
    with transaction.atomic(), audited(actor, "agenda_item_delete"):
        if item.decisions.exists():
            raise PortalError("This agenda item has decisions; link them elsewhere before removing it.")
        meeting_id = item.meeting_id
        item.delete()
        # Close the gap so the agenda stays numbered 1, 2, 3 ...
        for position, other in enumerate(
            AgendaItem.objects.select_for_update().filter(meeting_id=meeting_id).order_by("order"), start=1
        ):
            if other.order != position:
                other.order = position
                other.save(update_fields=["order"])


# Decisions ------------------------------------------------------------------------------------------------------


def decision_propose(
    *, actor: User | None, meeting: Meeting, text: str, agenda_item: AgendaItem | None = None
) -> Decision:
    """A new decision, numbered in its meeting's year: the next free sequence, "2026/04"."""
    actor_require(actor, MANAGE, MANAGE_REFUSED, system=True)
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise PortalError("The agenda item belongs to another meeting.", field="agenda_item")
    year = meeting.date.year
    with transaction.atomic(), audited(actor, "decision_propose"):
        # One numbering per year: serialise concurrent proposals for that year.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [DECISION_NUMBER_LOCK, year])
        last = Decision.objects.filter(year=year).aggregate(last=Max("sequence"))["last"] or 0
        decision = Decision(meeting=meeting, agenda_item=agenda_item, year=year, sequence=last + 1, text=text)
        decision.full_clean()
        decision.save()
    return decision


def decision_update(*, actor: User | None, decision: Decision, **fields) -> Decision:
    """Change a decision still proposed; a decision taken changes only through decision_correct."""
    actor_require(actor, MANAGE, MANAGE_REFUSED, system=True)
    with transaction.atomic(), audited(actor, "decision_update"):
        current = Decision.objects.select_for_update().get(pk=decision.pk)
        if current.is_taken and (
            {"text", "agenda_item"} & set(fields) or fields.get("status", current.status) != current.status
        ):
            raise PortalError(
                f"Decision {current.number} has been taken ({current.get_status_display().lower()}); "
                "record a correction instead."
            )
        if fields.get("agenda_item") is not None and fields["agenda_item"].meeting_id != current.meeting_id:
            raise PortalError("The agenda item belongs to another meeting.", field="agenda_item")
        _assign(current, fields, DECISION_FIELDS)
        current.full_clean()
        current.save()
    return current


def decision_correct(*, actor: User | None, decision: Decision, text: str, reason: str) -> DecisionCorrection:
    """Correct the text of a decision already taken, keeping the old text, the reason, who and when."""
    actor_require(actor, MANAGE, MANAGE_REFUSED, system=True)
    if not reason.strip():
        raise PortalError("Say why the decision is corrected.", field="reason")
    with transaction.atomic(), audited(actor, "decision_correct"):
        current = Decision.objects.select_for_update().get(pk=decision.pk)
        if not current.is_taken:
            raise PortalError("A proposed decision can simply be edited.")
        correction = DecisionCorrection.objects.create(
            decision=current, previous_text=current.text, text=text, reason=reason, corrected_by=actor
        )
        current.text = text
        current.save(update_fields=["text"])
    return correction


# Action points --------------------------------------------------------------------------------------------------


def action_point_add(*, actor: User | None, meeting: Meeting, **fields) -> ActionPoint:
    actor_require(actor, MANAGE, MANAGE_REFUSED, system=True)
    with transaction.atomic(), audited(actor, "action_point_add"):
        point = ActionPoint(meeting=meeting)
        _assign(point, fields, ACTION_POINT_FIELDS)
        if point.decision_id and point.decision.meeting_id != meeting.pk:
            raise PortalError("The decision belongs to another meeting.", field="decision")
        point.full_clean()
        point.save()
    return point


def action_point_update(*, actor: User | None, point: ActionPoint, **fields) -> ActionPoint:
    actor_require(actor, MANAGE, MANAGE_REFUSED, system=True)
    with transaction.atomic(), audited(actor, "action_point_update"):
        _assign(point, fields, ACTION_POINT_FIELDS)
        point.full_clean()
        point.save()
    return point


# Meeting packs --------------------------------------------------------------------------------------------------


def meeting_pack_request(*, actor: User | None, meeting: Meeting) -> MeetingPack:
    """Queue a new version of the meeting's pack; the Celery job starts once this transaction commits."""
    from board.tasks import meeting_pack_build_task

    actor_require(
        actor, BUILD, "Only the board secretariat and Support Group staff may build meeting packs.", system=True
    )
    with transaction.atomic(), audited(actor, "meeting_pack_request"):
        Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.packs.filter(status__in=[MeetingPack.Status.QUEUED, MeetingPack.Status.RUNNING]).exists():
            raise PortalError("A pack for this meeting is being built already; wait for it to finish.")
        version = (meeting.packs.aggregate(last=Max("version"))["last"] or 0) + 1
        pack = MeetingPack.objects.create(
            meeting=meeting, version=version, requested_by=actor, message="Waiting for a worker"
        )
        # A broker that cannot take it now does not fail the request: `meeting_packs_resume` sends it again.
        transaction.on_commit(lambda: meeting_pack_build_task.delay(pack.pk), robust=True)
    return pack


def meeting_packs_resume() -> list[int]:
    """Send again the packs no worker took (broker down when requested) or a dead worker left running: until
    then the meeting could get no new pack; give up one its workers left running MeetingPack.MAX_ATTEMPTS
    times. Safe: one build claims a pack. Returns the ids sent again."""
    from board.tasks import meeting_pack_build_task

    return MeetingPack.resume(send=meeting_pack_build_task.delay)


def _progress(pack_id: int, percent: int, message: str) -> None:
    MeetingPack.progress(pack_id, percent, message)


def meeting_pack_build(*, actor: User | None, pack_id: int) -> MeetingPack | None:
    """Build the files of a queued pack. Safe to run twice: only the run that claims the pack builds it."""
    from board.packs import build_pack_files

    # A run that died (worker lost) leaves its pack "running"; after the task's time limit it may be claimed again,
    # until its workers died MeetingPack.MAX_ATTEMPTS times: then it is given up.
    if not MeetingPack.claim(pack_id, percent=1, message="Reading the data"):
        return MeetingPack.objects.get(pk=pack_id) if MeetingPack.give_up([pack_id]) else None
    pack = MeetingPack.objects.select_related("meeting").get(pk=pack_id)
    try:
        files, summary, data_as_of = build_pack_files(
            pack.meeting, version=pack.version, progress=lambda p, m: _progress(pack_id, p, m)
        )
        with transaction.atomic(), audited(actor, "meeting_pack_build"):
            MeetingPackFile.objects.filter(pack_id=pack_id).delete()  # a reclaimed run may have left some
            for fmt, content in files.items():
                MeetingPackFile.objects.create(
                    pack=pack,
                    format=fmt,
                    content=content,
                    size=len(content),
                    sha256=hashlib.sha256(content).hexdigest(),
                )
            MeetingPack.objects.filter(pk=pack_id).update(
                status=MeetingPack.Status.DONE,
                percent=100,
                message="Ready",
                finished_at=timezone.now(),
                data_as_of=data_as_of,
                summary=summary,
            )
    except Exception as error:
        with audited(actor, "meeting_pack_build_failed"):
            MeetingPack.objects.filter(pk=pack_id).update(
                status=MeetingPack.Status.FAILED,
                message=f"The pack could not be built ({type(error).__name__}). The secretariat can try again.",
                finished_at=timezone.now(),
            )
        raise
    pack.refresh_from_db()
    return pack


def meeting_pack_release(*, actor: User | None, pack: MeetingPack) -> MeetingPack:
    """Send a built pack out: Board members and Lead Partners may download it from now on."""
    actor_require(actor, MANAGE, "Only the board secretariat may release meeting packs.", system=True)
    with transaction.atomic(), audited(actor, "meeting_pack_release"):
        current = MeetingPack.objects.select_for_update().get(pk=pack.pk)
        if current.status != MeetingPack.Status.DONE:
            raise PortalError("Only a finished pack can be released.")
        if current.released_at is None:
            current.released_at = timezone.now()
            current.released_by = actor
            current.save(update_fields=["released_at", "released_by"])
    return current
