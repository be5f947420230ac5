"""Lead Partners decide on iPA entries (ipas/review/services.py); the digest of entries waiting too long."""

import pytest
from django.core import mail

from iisg_portal.errors import PortalError
from ipas.activities import services
from ipas.models import Activity, ActivityReview
from ipas.review import services as review_services


def _submit(editor, activity, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.activity_submit(actor=editor, activity=activity)


def test_an_entry_naming_two_pillars_needs_both_approvals(
    draft, editor, lead, other_lead, other_objective, entry_data, django_capture_on_commit_callbacks
):
    entry_data["additional_objectives"] = [other_objective.pk]
    draft = services.activity_update(actor=editor, activity=draft, data=entry_data, expected_version=draft.version)
    first, second = sorted(_submit(editor, draft, django_capture_on_commit_callbacks), key=lambda r: r.pillar.code)
    outcome = review_services.activity_review_decide(actor=other_lead, review=first, approve=True)
    assert not outcome.activity_approved
    assert Activity.objects.get(pk=draft.pk).approval_state == Activity.ApprovalState.SUBMITTED
    outcome = review_services.activity_review_decide(actor=lead, review=second, approve=True)
    assert outcome.activity_approved
    assert Activity.objects.get(pk=draft.pk).approval_state == Activity.ApprovalState.APPROVED


def test_lead_partner_of_another_pillar_cannot_approve(draft, editor, other_lead, django_capture_on_commit_callbacks):
    (review,) = _submit(editor, draft, django_capture_on_commit_callbacks)
    with pytest.raises(PortalError, match="Only the Lead Partners of WBCTi"):
        review_services.activity_review_decide(actor=other_lead, review=review, approve=True)


def test_no_one_approves_an_entry_of_their_own_organisation(
    lead, lead_org, entry_data, django_capture_on_commit_callbacks
):
    own = services.activity_create(actor=lead, organisation=lead_org, data=entry_data)
    (review,) = _submit(lead, own, django_capture_on_commit_callbacks)
    with pytest.raises(PortalError, match="own organisation"):
        review_services.activity_review_decide(actor=lead, review=review, approve=True)


def test_two_reviewers_at_once_produce_exactly_one_decision(
    draft, editor, lead, lead_org, django_capture_on_commit_callbacks
):
    from partners.services import membership_set
    from tests.partners.factories import UserFactory

    colleague = UserFactory(email="colleague@dcaf.example")
    membership_set(actor=None, user=colleague, organisation=lead_org, role="editor")
    (review,) = _submit(editor, draft, django_capture_on_commit_callbacks)
    stale_copy = ActivityReview.objects.get(pk=review.pk)  # both opened the page while it was pending
    review_services.activity_review_decide(actor=lead, review=review, approve=True)
    with pytest.raises(PortalError, match="already decided"):
        review_services.activity_review_decide(actor=colleague, review=stale_copy, approve=False, comment="No")
    assert ActivityReview.objects.get(pk=review.pk).state == ActivityReview.State.APPROVED
    assert ActivityReview.objects.get(pk=review.pk).decided_by == lead


def test_return_requires_a_comment_and_is_kept_with_the_history(
    draft, editor, lead, entry_data, django_capture_on_commit_callbacks, mailoutbox
):
    (review,) = _submit(editor, draft, django_capture_on_commit_callbacks)
    with pytest.raises(PortalError, match="comment is required"):
        review_services.activity_review_decide(actor=lead, review=review, approve=False, comment="  ")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review_services.activity_review_decide(
            actor=lead, review=review, approve=False, comment="Add the budget breakdown."
        )
    activity = Activity.objects.get(pk=draft.pk)
    assert activity.approval_state == Activity.ApprovalState.RETURNED
    assert mailoutbox[0].to == [editor.email]
    assert "Add the budget breakdown." in mailoutbox[0].body
    # Edited and resubmitted: a second round, the first decision kept.
    entry_data["description"] = "With a budget breakdown."
    activity = services.activity_update(
        actor=editor, activity=activity, data=entry_data, expected_version=activity.version
    )
    (second,) = _submit(editor, activity, django_capture_on_commit_callbacks)
    assert second.round == 2
    assert list(activity.reviews.order_by("round").values_list("state", flat=True)) == ["returned", "pending"]


def test_digest_lists_entries_waiting_more_than_14_days(
    draft, editor, lead, django_capture_on_commit_callbacks, mailoutbox
):
    from datetime import timedelta

    from django.utils import timezone

    from ipas.review.notifications import send_review_digest

    (review,) = _submit(editor, draft, django_capture_on_commit_callbacks)
    mailoutbox.clear()
    assert send_review_digest() == 0
    ActivityReview.objects.filter(pk=review.pk).update(submitted_at=timezone.now() - timedelta(days=15))
    assert send_review_digest() == 1
    assert mailoutbox[0].to == [lead.email]
    assert "waiting 15 days" in mailoutbox[0].body
    assert len(mail.outbox) == 1


def _lead_org_member(lead_org, email, role):
    from partners.services import membership_set
    from tests.partners.factories import UserFactory

    user = UserFactory(email=email)
    membership_set(actor=None, user=user, organisation=lead_org, role=role)
    return user


def test_a_viewer_member_of_the_lead_organisation_cannot_approve_an_editor_member_can(
    draft, editor, lead, lead_org, django_capture_on_commit_callbacks
):
    lead_viewer = _lead_org_member(lead_org, "viewer@dcaf.example", "viewer")
    (review,) = _submit(editor, draft, django_capture_on_commit_callbacks)
    for approve, comment in ((True, ""), (False, "Not like this.")):
        with pytest.raises(PortalError, match="Only the Lead Partners of WBCTi"):
            review_services.activity_review_decide(actor=lead_viewer, review=review, approve=approve, comment=comment)
    assert ActivityReview.objects.get(pk=review.pk).state == ActivityReview.State.PENDING

    outcome = review_services.activity_review_decide(actor=lead, review=review, approve=True)
    assert outcome.activity_approved
    assert ActivityReview.objects.get(pk=review.pk).decided_by == lead


def test_a_right_granted_to_a_person_directly_or_globally_is_no_review_right(
    draft, editor, support, pillar, django_capture_on_commit_callbacks, django_user_model
):
    from django.contrib.auth.models import Permission
    from guardian.shortcuts import assign_perm

    (review,) = _submit(editor, draft, django_capture_on_commit_callbacks)
    # What guardian's admin pages let Support Group staff give themselves; a global permission; a superuser.
    assign_perm("review_entries", support, pillar)
    globally = django_user_model.objects.create_user(email="global@iisg.example")
    globally.user_permissions.add(Permission.objects.get(codename="review_entries", content_type__app_label="pillars"))
    superuser = django_user_model.objects.create_superuser(email="root@iisg.example", password="x-long-admin-pass-1")
    support = django_user_model.objects.get(pk=support.pk)
    # What has_perm says of each (the check the service made before):
    assert support.has_perm("pillars.review_entries", pillar) and superuser.has_perm("pillars.review_entries", pillar)
    assert globally.has_perm("pillars.review_entries")
    for actor in (support, globally, superuser):
        with pytest.raises(PortalError, match="Only the Lead Partners of WBCTi"):
            review_services.activity_review_decide(actor=actor, review=review, approve=True)
    assert ActivityReview.objects.get(pk=review.pk).state == ActivityReview.State.PENDING
    assert Activity.objects.get(pk=draft.pk).approval_state == Activity.ApprovalState.SUBMITTED


def test_a_lead_partner_who_becomes_a_viewer_stops_deciding_at_once(
    draft, editor, lead, lead_org, django_capture_on_commit_callbacks
):
    from partners.services import membership_set

    (review,) = _submit(editor, draft, django_capture_on_commit_callbacks)
    membership_set(actor=None, user=lead, organisation=lead_org, role="viewer")
    with pytest.raises(PortalError, match="Only the Lead Partners of WBCTi"):
        review_services.activity_review_decide(actor=lead, review=review, approve=True)
