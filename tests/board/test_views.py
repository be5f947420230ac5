"""Who may use each board page, and who may not. Anonymous visitors go to the login page; partners who are not
Lead Partners or Board members get 404 on meetings (403 on the list); readers never see draft packs."""

from datetime import date

import pytest
from django.urls import reverse

from board.models import AgendaItem, Decision, Meeting, MeetingPack
from tests.board.factories import (
    ActionPointFactory,
    AgendaItemFactory,
    DecisionFactory,
    MeetingFactory,
    MeetingPackFactory,
)


@pytest.fixture
def meeting(db):
    return MeetingFactory()


@pytest.fixture
def pages(meeting):
    item = AgendaItemFactory(meeting=meeting)
    decision = DecisionFactory(meeting=meeting)
    point = ActionPointFactory(meeting=meeting)
    released = MeetingPackFactory(meeting=meeting, version=1, released_at="2026-11-01T10:00Z")
    draft = MeetingPackFactory(meeting=meeting, version=2)
    return {
        "item": item,
        "decision": decision,
        "point": point,
        "released": released,
        "draft": draft,
        # (name, url, method): the pages that only the secretariat may use
        "manage": [
            ("meeting_create", reverse("board:meeting_create"), "get"),
            ("meeting_update", reverse("board:meeting_update", args=[meeting.pk]), "get"),
            ("meeting_participants", reverse("board:meeting_participants", args=[meeting.pk]), "get"),
            ("agenda_item_create", reverse("board:agenda_item_create", args=[meeting.pk]), "get"),
            ("agenda_item_update", reverse("board:agenda_item_update", args=[meeting.pk, item.pk]), "get"),
            ("agenda_item_move", reverse("board:agenda_item_move", args=[meeting.pk, item.pk]), "post"),
            ("agenda_item_delete", reverse("board:agenda_item_delete", args=[meeting.pk, item.pk]), "post"),
            ("decision_create", reverse("board:decision_create", args=[meeting.pk]), "get"),
            ("decision_update", reverse("board:decision_update", args=[meeting.pk, decision.pk]), "get"),
            ("action_point_create", reverse("board:action_point_create", args=[meeting.pk]), "get"),
            ("action_point_update", reverse("board:action_point_update", args=[meeting.pk, point.pk]), "get"),
            ("pack_release", reverse("board:pack_release", args=[meeting.pk, 2]), "post"),
        ],
    }


def _call(client, url, method):
    return client.post(url, {"direction": "up"}) if method == "post" else client.get(url)


def test_anonymous_visitors_are_sent_to_sign_in(client_for, meeting, pages):
    client = client_for(None)
    urls = [
        reverse("board:meeting_list"),
        reverse("board:meeting_detail", args=[meeting.pk]),
        reverse("board:pack_download", args=[meeting.pk, 1, "pdf"]),
        reverse("board:pack_status", args=[meeting.pk, 1]),
    ] + [url for _, url, _ in pages["manage"]]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


@pytest.mark.parametrize("persona", ["editor", "viewer", "other_editor", "observer"])
def test_partners_do_not_see_meetings_or_packs(request, client_for, meeting, pages, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("board:meeting_list")).status_code == 403
    assert client.get(reverse("board:meeting_detail", args=[meeting.pk])).status_code == 404
    for version in (1, 2):
        assert client.get(reverse("board:pack_download", args=[meeting.pk, version, "pdf"])).status_code == 404
        assert client.get(reverse("board:pack_status", args=[meeting.pk, version])).status_code == 404
    assert client.post(reverse("board:pack_build", args=[meeting.pk])).status_code == 404
    for name, url, method in pages["manage"]:
        assert _call(client, url, method).status_code in (403, 404), name
    assert not MeetingPack.objects.filter(meeting=meeting, version=3).exists()


@pytest.mark.parametrize("persona", ["lead", "board_member"])
def test_lead_partners_and_board_members_read_and_download_released_packs_only(
    request, client_for, meeting, pages, persona
):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("board:meeting_list")).status_code == 200
    page = client.get(reverse("board:meeting_detail", args=[meeting.pk]))
    assert page.status_code == 200
    assert [pack.version for pack in page.context["packs"]] == [1]
    assert "Build meeting pack" not in page.content.decode()
    response = client.get(reverse("board:pack_download", args=[meeting.pk, 1, "pdf"]))
    assert response.status_code == 200 and response.content == b"pdf of version 1"
    assert response["Content-Type"] == "application/pdf"
    # The draft is not there for them at all.
    assert client.get(reverse("board:pack_download", args=[meeting.pk, 2, "pdf"])).status_code == 404
    assert client.get(reverse("board:pack_status", args=[meeting.pk, 2])).status_code == 404
    assert client.post(reverse("board:pack_build", args=[meeting.pk])).status_code == 403
    for name, url, method in pages["manage"]:
        expected = 404 if name == "pack_release" else 403  # the draft pack does not exist for them
        assert _call(client, url, method).status_code == expected, name


def test_support_group_builds_and_downloads_drafts_but_does_not_manage(
    client_for, support, meeting, pages, django_capture_on_commit_callbacks
):
    client = client_for(support)
    assert client.get(reverse("board:meeting_detail", args=[meeting.pk])).status_code == 200
    assert client.get(reverse("board:pack_download", args=[meeting.pk, 2, "docx"])).status_code == 200
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("board:pack_build", args=[meeting.pk]))
    assert response.status_code == 302
    assert len(callbacks) == 1
    assert MeetingPack.objects.get(meeting=meeting, version=3).requested_by == support
    for name, url, method in pages["manage"]:
        assert _call(client, url, method).status_code == 403, name


def test_secretariat_uses_every_page(client_for, secretariat, meeting, pages):
    client = client_for(secretariat)
    assert client.get(reverse("board:meeting_list")).status_code == 200
    assert client.get(reverse("board:meeting_detail", args=[meeting.pk])).status_code == 200
    for name, url, method in pages["manage"]:
        assert _call(client, url, method).status_code in (200, 302), name
    assert MeetingPack.objects.get(meeting=meeting, version=2).is_released
    zipped = client.get(reverse("board:pack_download", args=[meeting.pk, 2, "zip"]))
    assert zipped.status_code == 200 and zipped["Content-Type"] == "application/zip"
    assert client.get(reverse("board:pack_download", args=[meeting.pk, 2, "exe"])).status_code == 404


def test_secretariat_creates_a_meeting_with_agenda_decision_and_action_point(client_for, secretariat, partner_org):
    client = client_for(secretariat)
    response = client.post(
        reverse("board:meeting_create"),
        {"body": "board", "title": "IISG Board, autumn", "date": "2026-12-10", "place": "Brdo", "status": "planned"},
    )
    meeting = Meeting.objects.get(title="IISG Board, autumn")
    assert response["Location"] == meeting.get_absolute_url()
    for title in ("Opening", "Funding gaps"):
        client.post(reverse("board:agenda_item_create", args=[meeting.pk]), {"title": title})
    second = meeting.agenda_items.get(title="Funding gaps")
    client.post(reverse("board:agenda_item_move", args=[meeting.pk, second.pk]), {"direction": "up"})
    assert list(meeting.agenda_items.values_list("title", flat=True)) == ["Funding gaps", "Opening"]
    client.post(reverse("board:decision_create", args=[meeting.pk]), {"text": "Endorse", "agenda_item": second.pk})
    client.post(
        reverse("board:action_point_create", args=[meeting.pk]),
        {"text": "Report gaps", "responsible": partner_org.pk, "due_date": "2027-01-31", "status": "open"},
    )
    decision = meeting.decisions.get()
    assert decision.number == "2026/01" and decision.agenda_item == second
    assert meeting.action_points.get().responsible == partner_org
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "2026/01" in page and "Report gaps" in page


def test_a_taken_decision_sends_the_secretariat_to_the_correction_form(client_for, secretariat, meeting):
    decision = DecisionFactory(meeting=meeting, status=Decision.Status.ADOPTED, text="Old text")
    client = client_for(secretariat)
    edit = reverse("board:decision_update", args=[meeting.pk, decision.pk])
    assert client.get(edit)["Location"] == reverse("board:decision_correct", args=[meeting.pk, decision.pk])
    client.post(edit, {"text": "Sneaky change", "status": "adopted"})
    assert Decision.objects.get(pk=decision.pk).text == "Old text"
    client.post(
        reverse("board:decision_correct", args=[meeting.pk, decision.pk]), {"text": "New text", "reason": "Typo"}
    )
    decision.refresh_from_db()
    assert decision.text == "New text" and decision.corrections.get().previous_text == "Old text"


def test_objects_of_another_meeting_are_not_reachable_through_this_one(client_for, secretariat, meeting):
    other = MeetingFactory(date=date(2025, 6, 1))
    item = AgendaItemFactory(meeting=other)
    response = client_for(secretariat).get(reverse("board:agenda_item_update", args=[meeting.pk, item.pk]))
    assert response.status_code == 404
    assert AgendaItem.objects.get(pk=item.pk).meeting == other


def test_pack_status_polls_until_finished(client_for, secretariat, meeting):
    MeetingPackFactory(meeting=meeting, version=1, status=MeetingPack.Status.RUNNING, percent=40, message="Writing")
    html = client_for(secretariat).get(reverse("board:pack_status", args=[meeting.pk, 1])).content.decode()
    assert 'hx-trigger="every 1s"' in html and "40%" in html
    MeetingPack.objects.filter(meeting=meeting).update(status=MeetingPack.Status.DONE, percent=100)
    html = client_for(secretariat).get(reverse("board:pack_status", args=[meeting.pk, 1])).content.decode()
    assert "hx-trigger" not in html and "Ready" in html


def test_meeting_list_query_count_does_not_grow_with_meetings(client_for, secretariat, django_assert_max_num_queries):
    client = client_for(secretariat)
    MeetingFactory.create_batch(3)
    client.get(reverse("board:meeting_list"))
    MeetingFactory.create_batch(10)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("board:meeting_list"))
    assert len(response.context["meetings"]) == 13
