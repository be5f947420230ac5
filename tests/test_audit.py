import pghistory
import pytest

from ipas.models import Activity
from partners.models import Organisation
from partners.services import organisation_update
from tests.ipas.factories import ActivityFactory


@pytest.mark.django_db
def test_queryset_update_writes_an_audit_event():
    activity = ActivityFactory(title="Before")
    events_of_all_models = pghistory.models.Events
    before = Activity.pgh_event_model.objects.filter(pgh_obj=activity).count()

    Activity.objects.filter(pk=activity.pk).update(title="After")

    events = Activity.pgh_event_model.objects.filter(pgh_obj=activity).order_by("pgh_id")
    assert events.count() == before + 1
    assert events.last().title == "After"
    assert events.last().pgh_label == "update"
    assert events_of_all_models.objects.tracks(activity).exists()


@pytest.mark.django_db
def test_service_changes_record_who_did_them(support, partner_org):
    organisation_update(actor=support, organisation=partner_org, short_name="UNDP Serbia")
    event = Organisation.pgh_event_model.objects.filter(pgh_obj=partner_org).order_by("pgh_id").last()
    assert event.short_name == "UNDP Serbia"
    assert event.pgh_context.metadata["user"] == support.pk
    assert event.pgh_context.metadata["action"] == "organisation_update"


@pytest.mark.django_db
def test_deletes_are_audited_too():
    activity = ActivityFactory(approval_state=Activity.ApprovalState.DRAFT)  # an approved one is never deleted
    pk = activity.pk
    activity.delete()
    assert Activity.pgh_event_model.objects.filter(pgh_obj_id=pk, pgh_label="delete").exists()
