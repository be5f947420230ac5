"""Records that must stay: an approved activity, a decision taken and a released meeting pack are withdrawn or
corrected, never deleted. The database refuses whichever door asks (ORM, raw SQL, a cascade, the admin); drafts
and proposals are deleted as before."""

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.messages import get_messages
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from board.models import Decision, Meeting, MeetingPack, MeetingPackFile
from ipas.activities.services import activity_withdraw
from ipas.models import Activity
from partners.models import Organisation
from tests.board.factories import DecisionFactory, MeetingPackFactory
from tests.ipas.factories import ActivityFactory

KEPT = "a record the portal keeps"


def refused(delete) -> None:
    """`delete` raises the database's refusal, and rolls back nothing else."""
    with pytest.raises(IntegrityError, match=KEPT), transaction.atomic():
        delete()


def sql(statement: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


# --- in the database ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_approved_activity_cannot_be_deleted_by_any_query():
    activity = ActivityFactory(approval_state=Activity.ApprovalState.APPROVED)

    refused(lambda: Activity.objects.filter(pk=activity.pk).delete())
    refused(lambda: activity.delete())
    refused(lambda: sql("DELETE FROM ipas_activity WHERE id = %s", activity.pk))

    assert Activity.objects.filter(pk=activity.pk, approval_state="approved").exists()
    assert activity.beneficiaries.exists() and activity.objective_links.exists()  # its parts stayed too


@pytest.mark.django_db
def test_an_activity_once_approved_stays_when_withdrawn_or_set_back_to_draft(editor, partner_org):
    withdrawn = ActivityFactory(organisation=partner_org, approved_at=timezone.now())
    activity_withdraw(actor=editor, activity=withdrawn)
    # Set back by hand, its approval wiped: the audit trail still says it was published.
    rewound = ActivityFactory(approval_state=Activity.ApprovalState.APPROVED)
    Activity.objects.filter(pk=rewound.pk).update(approval_state="draft", approved_at=None)

    refused(lambda: Activity.objects.filter(pk=withdrawn.pk).delete())
    refused(lambda: sql("DELETE FROM ipas_activity WHERE id = %s", rewound.pk))
    assert Activity.objects.filter(pk__in=[withdrawn.pk, rewound.pk]).count() == 2


@pytest.mark.django_db
def test_a_draft_is_deleted_as_before(draft):
    Activity.objects.filter(pk=draft.pk).delete()

    assert not Activity.objects.filter(pk=draft.pk).exists()
    assert Activity.pgh_event_model.objects.filter(pgh_obj_id=draft.pk, pgh_label="delete").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Decision.Status.ADOPTED, Decision.Status.REJECTED, Decision.Status.POSTPONED])
def test_a_decision_taken_cannot_be_deleted(status):
    decision = DecisionFactory(status=status)

    refused(lambda: Decision.objects.filter(pk=decision.pk).delete())
    refused(lambda: sql("DELETE FROM board_decision WHERE id = %s", decision.pk))
    # Nor once set back to "proposed" by hand: it was taken.
    Decision.objects.filter(pk=decision.pk).update(status=Decision.Status.PROPOSED)
    refused(lambda: Decision.objects.filter(pk=decision.pk).delete())

    assert Decision.objects.filter(pk=decision.pk).exists()


@pytest.mark.django_db
def test_a_proposal_never_taken_is_deleted_as_before():
    decision = DecisionFactory(status=Decision.Status.PROPOSED)
    decision.delete()
    assert not Decision.objects.filter(pk=decision.pk).exists()


@pytest.mark.django_db
def test_a_released_pack_and_its_files_stay():
    pack = MeetingPackFactory(released_at=timezone.now())

    refused(lambda: MeetingPack.objects.filter(pk=pack.pk).delete())
    refused(lambda: pack.files.all().delete())
    refused(lambda: sql("DELETE FROM board_meetingpackfile WHERE pack_id = %s", pack.pk))
    # Deleting its meeting would cascade to it: refused as a whole.
    refused(lambda: pack.meeting.delete())

    assert MeetingPack.objects.filter(pk=pack.pk).exists() and pack.files.count() == 3
    assert Meeting.objects.filter(pk=pack.meeting_id).exists()


@pytest.mark.django_db
def test_a_pack_never_released_is_deleted_with_its_meeting_as_before():
    pack = MeetingPackFactory()
    pack.meeting.delete()
    assert not MeetingPack.objects.filter(pk=pack.pk).exists()
    assert not MeetingPackFile.objects.filter(pack_id=pack.pk).exists()


@pytest.mark.django_db
def test_deleting_an_organisation_or_a_person_cannot_take_kept_records_with_it(editor, partner_org):
    activity = ActivityFactory(organisation=partner_org, created_by=editor)
    pack = MeetingPackFactory(released_at=timezone.now(), released_by=editor, requested_by=editor)

    with pytest.raises(ProtectedError):
        partner_org.delete()
    editor.delete()  # a person goes; what they did stays, without their name on the row (the audit trail has it)

    activity.refresh_from_db()
    pack.refresh_from_db()
    assert (activity.created_by_id, pack.released_by_id) == (None, None)
    assert Organisation.objects.filter(pk=partner_org.pk).exists()


# --- in the admin ------------------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client_for, django_user_model):
    superuser = django_user_model.objects.create_superuser(email="admin@iisg.example", password="x-long-admin-pass-1")
    return client_for(superuser)


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _logged_as_deleted(obj) -> bool:
    return LogEntry.objects.filter(action_flag=DELETION, object_id=str(obj.pk)).exists()


@pytest.mark.django_db
def test_the_admin_offers_no_delete_for_a_decision_taken_and_refuses_one_asked_for(admin_client):
    decision = DecisionFactory(status=Decision.Status.ADOPTED)
    change = reverse("admin:board_decision_change", args=[decision.pk])
    assert admin_client.get(change).context["has_delete_permission"] is False

    response = admin_client.post(reverse("admin:board_decision_delete", args=[decision.pk]), {"post": "yes"})

    assert response.status_code == 302 and response.url == change
    assert any("was not deleted" in m for m in _messages(response))
    assert Decision.objects.filter(pk=decision.pk).exists() and not _logged_as_deleted(decision)


@pytest.mark.django_db
def test_when_the_database_refuses_the_admin_says_so_and_logs_no_deletion(admin_client):
    # Set back to "proposed", the decision looks deletable to the admin; the database knows better.
    decision = DecisionFactory(status=Decision.Status.ADOPTED)
    Decision.objects.filter(pk=decision.pk).update(status=Decision.Status.PROPOSED)
    pack = MeetingPackFactory(released_at=timezone.now())

    for obj, url in [
        (decision, reverse("admin:board_decision_delete", args=[decision.pk])),
        (pack.meeting, reverse("admin:board_meeting_delete", args=[pack.meeting_id])),
    ]:
        response = admin_client.post(url, {"post": "yes"})
        assert response.status_code == 302, url
        assert any(f"“{obj}” was not deleted" in m for m in _messages(response))
        assert type(obj).objects.filter(pk=obj.pk).exists() and not _logged_as_deleted(obj)
    assert MeetingPack.objects.filter(pk=pack.pk).exists()


@pytest.mark.django_db
def test_delete_selected_in_the_admin_deletes_nothing_when_one_is_kept(admin_client):
    proposal = DecisionFactory(status=Decision.Status.PROPOSED)
    adopted = DecisionFactory(status=Decision.Status.ADOPTED)

    response = admin_client.post(
        reverse("admin:board_decision_changelist"),
        {"action": "delete_selected", "_selected_action": [proposal.pk, adopted.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert any("Nothing was deleted" in m for m in _messages(response))
    assert Decision.objects.filter(pk__in=[proposal.pk, adopted.pk]).count() == 2


@pytest.mark.django_db
def test_the_admin_still_deletes_a_proposal(admin_client):
    proposal = DecisionFactory(status=Decision.Status.PROPOSED)

    response = admin_client.post(reverse("admin:board_decision_delete", args=[proposal.pk]), {"post": "yes"})

    assert response.status_code == 302 and response.url == reverse("admin:board_decision_changelist")
    assert not Decision.objects.filter(pk=proposal.pk).exists() and _logged_as_deleted(proposal)


@pytest.mark.django_db
def test_the_admin_will_not_delete_an_organisation_with_activities(admin_client, partner_org):
    ActivityFactory(organisation=partner_org)

    response = admin_client.post(reverse("admin:partners_organisation_delete", args=[partner_org.pk]), {"post": "yes"})

    assert response.status_code == 200 and response.context["protected"]  # "Cannot delete organisation", and why
    assert Organisation.objects.filter(pk=partner_org.pk).exists()
