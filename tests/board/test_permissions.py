"""Who may manage meetings and build or release packs, asked of the services themselves (board/services.py):
the same rights as the board pages require."""

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser

from board import services
from board.models import ActionPoint, AgendaItem, Decision, DecisionCorrection, Meeting, MeetingPack
from iisg_portal.errors import PortalError
from tests.board.factories import (
    ActionPointFactory,
    AgendaItemFactory,
    DecisionFactory,
    MeetingFactory,
    MeetingPackFactory,
)


@pytest.fixture
def board(db, partner_org):
    meeting = MeetingFactory(date=date(2026, 12, 10))
    first, second = AgendaItemFactory(meeting=meeting, order=1), AgendaItemFactory(meeting=meeting, order=2)
    return {
        "meeting": meeting,
        "item": first,
        "other_item": second,
        "proposed": DecisionFactory(meeting=meeting, year=2026, sequence=1, text="Proposed"),
        "taken": DecisionFactory(meeting=meeting, year=2026, sequence=2, text="Adopted", status="adopted"),
        "point": ActionPointFactory(meeting=meeting, responsible=partner_org),
        "pack": MeetingPackFactory(meeting=meeting),
        "organisation": partner_org,
    }


# Each service of the board pages, called as it would be from its page.
MANAGE_CALLS = {
    "meeting_create": lambda actor, b: services.meeting_create(
        actor=actor, body="board", title="Extraordinary meeting", date=date(2027, 1, 20), place="Brdo"
    ),
    "meeting_update": lambda actor, b: services.meeting_update(actor=actor, meeting=b["meeting"], title="Renamed"),
    "meeting_participants_set": lambda actor, b: services.meeting_participants_set(
        actor=actor, meeting=b["meeting"], participants=[b["organisation"]], attendees=[b["organisation"]]
    ),
    "agenda_item_add": lambda actor, b: services.agenda_item_add(actor=actor, meeting=b["meeting"], title="AOB"),
    "agenda_item_update": lambda actor, b: services.agenda_item_update(actor=actor, item=b["item"], title="Opening"),
    "agenda_item_move": lambda actor, b: services.agenda_item_move(actor=actor, item=b["other_item"], direction="up"),
    "agenda_item_delete": lambda actor, b: services.agenda_item_delete(actor=actor, item=b["other_item"]),
    "decision_propose": lambda actor, b: services.decision_propose(actor=actor, meeting=b["meeting"], text="New"),
    "decision_update": lambda actor, b: services.decision_update(actor=actor, decision=b["proposed"], text="Edited"),
    "decision_correct": lambda actor, b: services.decision_correct(
        actor=actor, decision=b["taken"], text="Corrected", reason="Typo"
    ),
    "action_point_add": lambda actor, b: services.action_point_add(
        actor=actor,
        meeting=b["meeting"],
        text="Circulate the minutes",
        responsible=b["organisation"],
        due_date=date(2027, 3, 1),
    ),
    "action_point_update": lambda actor, b: services.action_point_update(actor=actor, point=b["point"], status="done"),
    "meeting_pack_release": lambda actor, b: services.meeting_pack_release(actor=actor, pack=b["pack"]),
}
BUILD_CALLS = {
    "meeting_pack_request": lambda actor, b: services.meeting_pack_request(actor=actor, meeting=b["meeting"]),
}


def _state():
    """Every board row, with the meetings' participants and attendees."""
    rows = {
        model.__name__: sorted(model.objects.values_list(), key=repr)
        for model in (Meeting, AgendaItem, Decision, DecisionCorrection, ActionPoint, MeetingPack)
    }
    rows["participants"] = sorted(Meeting.participants.through.objects.values_list("meeting_id", "organisation_id"))
    rows["attendees"] = sorted(Meeting.attendees.through.objects.values_list("meeting_id", "organisation_id"))
    return rows


# Support Group staff read meetings and build packs; Board members and Lead Partners read them; none manages.
@pytest.mark.parametrize("persona", ["support", "board_member", "lead", "anonymous"])
@pytest.mark.parametrize("name", MANAGE_CALLS)
def test_only_the_secretariat_manages_meetings(request, persona, name, board):
    actor = AnonymousUser() if persona == "anonymous" else request.getfixturevalue(persona)
    before = _state()
    with pytest.raises(PortalError, match="Only the board secretariat may"):
        MANAGE_CALLS[name](actor, board)
    assert _state() == before


@pytest.mark.parametrize("persona", ["board_member", "lead", "editor", "anonymous"])
def test_only_the_secretariat_and_support_group_build_packs(request, persona, board):
    actor = AnonymousUser() if persona == "anonymous" else request.getfixturevalue(persona)
    before = _state()
    with pytest.raises(PortalError, match="Only the board secretariat and Support Group staff may build"):
        BUILD_CALLS["meeting_pack_request"](actor, board)
    assert _state() == before


@pytest.mark.parametrize("name", [*MANAGE_CALLS, *BUILD_CALLS])
def test_the_secretariat_may_do_each(secretariat, name, board):
    before = _state()
    {**MANAGE_CALLS, **BUILD_CALLS}[name](secretariat, board)
    assert _state() != before


def test_support_group_staff_build_packs(support, board):
    pack = services.meeting_pack_request(actor=support, meeting=board["meeting"])
    assert (pack.requested_by, pack.version) == (support, board["pack"].version + 1)


def test_the_system_may_act_without_a_person(board):
    meeting = MANAGE_CALLS["meeting_create"](None, board)
    assert Meeting.objects.filter(pk=meeting.pk).exists()
