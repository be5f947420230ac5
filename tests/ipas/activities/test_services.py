import pytest

from iisg_portal.errors import PortalError
from ipas.activities import services
from ipas.models import Activity, ActivityReview, ActivityRevision
from ipas.review import services as review_services
from tests.ipas.factories import IntegratedPlanOfActionFactory, ObjectiveFactory


def _submit(editor, activity, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.activity_submit(actor=editor, activity=activity)


def test_create_stores_the_whole_entry(draft, donor):
    assert draft.approval_state == Activity.ApprovalState.DRAFT
    assert sorted(draft.beneficiaries.values_list("code", flat=True)) == ["ME", "RS"]
    assert draft.fundings.get().donor == donor
    assert draft.objective_links.get().is_primary


def test_only_editors_of_the_owning_organisation_change_an_activity(draft, other_editor, viewer, entry_data):
    for user in (other_editor, viewer):
        with pytest.raises(PortalError):
            services.activity_update(actor=user, activity=draft, data=entry_data, expected_version=draft.version)


def test_an_objective_of_an_ipa_not_adopted_is_refused(editor, partner_org, entry_data, pillar):
    draft_ipa = IntegratedPlanOfActionFactory(
        pillar=pillar, status="draft", period_start="2028-01-01", period_end="2031-12-31"
    )
    entry_data["primary_objective"] = ObjectiveFactory(ipa=draft_ipa).pk
    with pytest.raises(PortalError, match="not adopted"):
        services.activity_create(actor=editor, organisation=partner_org, data=entry_data)


def test_submission_goes_to_every_pillar_named_and_notifies_reviewers(
    draft, editor, lead, other_lead, other_objective, entry_data, django_capture_on_commit_callbacks, mailoutbox
):
    entry_data["additional_objectives"] = [other_objective.pk]
    draft = services.activity_update(actor=editor, activity=draft, data=entry_data, expected_version=draft.version)
    reviews = _submit(editor, draft, django_capture_on_commit_callbacks)
    assert sorted(r.pillar.code for r in reviews) == ["WBCSCi", "WBCTi"]
    assert {tuple(m.to) for m in mailoutbox} == {(lead.email,), (other_lead.email,)}


def test_editing_an_approved_entry_creates_a_revision_and_keeps_the_approved_version_visible(
    draft, editor, lead, entry_data, django_capture_on_commit_callbacks
):
    (review,) = _submit(editor, draft, django_capture_on_commit_callbacks)
    review_services.activity_review_decide(actor=lead, review=review, approve=True)
    activity = Activity.objects.get(pk=draft.pk)
    entry_data["title"] = "Regional training on financial investigations, second edition"
    services.activity_update(actor=editor, activity=activity, data=entry_data, expected_version=activity.version)

    activity.refresh_from_db()
    assert activity.title == "Regional training on financial investigations for prosecutors"
    assert activity.approval_state == Activity.ApprovalState.APPROVED
    revision = activity.revisions.get()
    assert revision.state == ActivityRevision.State.DRAFT

    (review,) = _submit(editor, activity, django_capture_on_commit_callbacks)
    assert review.revision == revision
    assert Activity.objects.get(pk=draft.pk).title.endswith("for prosecutors")  # still the approved one
    review_services.activity_review_decide(actor=lead, review=review, approve=True)
    assert Activity.objects.get(pk=draft.pk).title.endswith("second edition")
    assert ActivityRevision.objects.get(pk=revision.pk).state == ActivityRevision.State.APPROVED


def test_a_stale_version_is_refused_and_says_what_changed(draft, editor, entry_data):
    base = services.activity_snapshot(draft)
    opened_at = draft.version
    services.activity_update(
        actor=editor, activity=draft, data={**entry_data, "title": "Changed by a colleague"}, expected_version=opened_at
    )
    with pytest.raises(services.EditConflict) as conflict:
        services.activity_update(
            actor=editor,
            activity=draft,
            data={**entry_data, "budget_eur": "1.00"},
            expected_version=opened_at,
            base_snapshot=base,
        )
    assert [c["field"] for c in conflict.value.changes] == ["title"]
    assert Activity.objects.get(pk=draft.pk).title == "Changed by a colleague"


def test_an_edit_that_does_not_say_its_version_is_refused_and_nothing_is_written(draft, editor, entry_data):
    before = services.activity_snapshot(draft)
    for missing in (None, "3", True):
        with pytest.raises(PortalError, match="does not say which version"):
            services.activity_update(
                actor=editor,
                activity=draft,
                data={**entry_data, "title": "Overwritten unseen"},
                expected_version=missing,
            )
    activity = Activity.objects.get(pk=draft.pk)
    assert services.activity_snapshot(activity) == before and activity.version == draft.version


def test_withdraw_takes_the_entry_out_of_review(draft, editor, django_capture_on_commit_callbacks):
    (review,) = _submit(editor, draft, django_capture_on_commit_callbacks)
    services.activity_withdraw(actor=editor, activity=draft)
    assert Activity.objects.get(pk=draft.pk).approval_state == Activity.ApprovalState.WITHDRAWN
    assert ActivityReview.objects.get(pk=review.pk).state == ActivityReview.State.SUPERSEDED
