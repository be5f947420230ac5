from datetime import date, timedelta

import pytest
from django.utils import timezone

from board import services
from board.models import ActionPoint, Decision, MeetingPack
from board.packs.data import collect
from iisg_portal.errors import PortalError
from tests.board.factories import ActionPointFactory, AgendaItemFactory, MeetingFactory, MeetingPackFactory


def test_decisions_are_numbered_per_year(secretariat):
    spring = MeetingFactory(date=date(2026, 5, 20))
    autumn = MeetingFactory(date=date(2026, 12, 10))
    next_year = MeetingFactory(date=date(2027, 5, 20))
    first = services.decision_propose(actor=secretariat, meeting=spring, text="One")
    second = services.decision_propose(actor=secretariat, meeting=autumn, text="Two")
    third = services.decision_propose(actor=secretariat, meeting=next_year, text="Three")
    assert [first.number, second.number, third.number] == ["2026/01", "2026/02", "2027/01"]


def test_a_taken_decision_changes_only_through_a_recorded_correction(secretariat):
    decision = services.decision_propose(actor=secretariat, meeting=MeetingFactory(), text="Draft text")
    decision = services.decision_update(actor=secretariat, decision=decision, text="Agreed text", status="adopted")
    with pytest.raises(PortalError):
        services.decision_update(actor=secretariat, decision=decision, text="Quiet change")
    with pytest.raises(PortalError):
        services.decision_update(actor=secretariat, decision=decision, status=Decision.Status.PROPOSED)
    correction = services.decision_correct(actor=secretariat, decision=decision, text="Corrected", reason="Typo")
    assert correction.previous_text == "Agreed text" and correction.corrected_by == secretariat
    assert Decision.objects.get(pk=decision.pk).text == "Corrected"
    with pytest.raises(PortalError):
        services.decision_correct(actor=secretariat, decision=decision, text="Again", reason="   ")


def test_agenda_moves_and_deletions_keep_the_numbering(secretariat):
    meeting = MeetingFactory()
    a, b, c = (services.agenda_item_add(actor=secretariat, meeting=meeting, title=t) for t in "ABC")
    services.agenda_item_move(actor=secretariat, item=c, direction="up")
    services.agenda_item_move(actor=secretariat, item=a, direction="up")  # already first: nothing changes
    assert list(meeting.agenda_items.values_list("title", "order")) == [("A", 1), ("C", 2), ("B", 3)]
    services.agenda_item_delete(actor=secretariat, item=a)
    assert list(meeting.agenda_items.values_list("title", "order")) == [("C", 1), ("B", 2)]


def test_attendees_must_be_participants(secretariat, partner_org, other_org):
    meeting = MeetingFactory()
    with pytest.raises(PortalError):
        services.meeting_participants_set(
            actor=secretariat, meeting=meeting, participants=[partner_org], attendees=[other_org]
        )


def test_open_action_points_carry_over_with_their_age_and_overdue_flag(db):
    today = timezone.localdate()
    earlier = MeetingFactory(date=today - timedelta(days=100))
    support_group = MeetingFactory(date=today - timedelta(days=50), body="support_group")
    meeting = MeetingFactory(date=today + timedelta(days=10))
    later = MeetingFactory(date=today + timedelta(days=200))
    open_point = ActionPointFactory(meeting=earlier, due_date=today - timedelta(days=1))
    ActionPointFactory(meeting=earlier, status=ActionPoint.Status.DONE)
    ActionPointFactory(meeting=support_group)  # another body's
    ActionPointFactory(meeting=later)  # set after this meeting
    own = ActionPointFactory(meeting=meeting, due_date=today + timedelta(days=30))
    rows = {row.point.pk: row for row in collect(meeting).action_points}
    assert set(rows) == {open_point.pk, own.pk}
    assert rows[open_point.pk].carried_over and rows[open_point.pk].overdue and rows[open_point.pk].age_days == 100
    assert not rows[own.pk].carried_over and not rows[own.pk].overdue


def test_only_one_build_at_a_time_and_versions_count_up(secretariat, django_capture_on_commit_callbacks):
    meeting = MeetingFactory()
    MeetingPackFactory(meeting=meeting, version=1)
    with django_capture_on_commit_callbacks(execute=False):
        pack = services.meeting_pack_request(actor=secretariat, meeting=meeting)
    assert pack.version == 2 and pack.status == MeetingPack.Status.QUEUED
    with pytest.raises(PortalError):
        services.meeting_pack_request(actor=secretariat, meeting=meeting)


def test_only_a_finished_pack_can_be_released(secretariat):
    pack = MeetingPackFactory(status=MeetingPack.Status.RUNNING)
    with pytest.raises(PortalError):
        services.meeting_pack_release(actor=secretariat, pack=pack)


def test_a_failed_build_is_recorded(secretariat, monkeypatch):
    meeting = MeetingFactory()
    AgendaItemFactory(meeting=meeting)
    pack = MeetingPackFactory(meeting=meeting, status=MeetingPack.Status.QUEUED, percent=0)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    # The third-party PDF writer breaks (not our code being mocked): the pack must say so.
    monkeypatch.setattr("weasyprint.HTML.write_pdf", broken)
    with pytest.raises(RuntimeError):
        services.meeting_pack_build(actor=secretariat, pack_id=pack.pk)
    pack.refresh_from_db()
    assert pack.status == MeetingPack.Status.FAILED and "try again" in pack.message
