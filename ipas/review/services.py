"""Lead Partners' decisions on iPA entries: approve, or return with a comment (every decision is kept)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from iisg_portal.audit import audited
from iisg_portal.errors import PortalError
from ipas.activities.services import after_activity_change, apply_snapshot, supersede_pending_reviews
from ipas.models import Activity, ActivityReview, ActivityRevision
from ipas.tasks import notify_submitter_of_decision_task
from partners.models import User
from partners.selectors import organisations_of
from pillars.selectors import user_leads_pillar


@dataclass
class ReviewOutcome:
    review: ActivityReview
    activity_approved: bool


def activity_review_decide(*, actor: User, review: ActivityReview, approve: bool, comment: str = "") -> ReviewOutcome:
    """Approve, or return with a comment, one pillar's review. Exactly one decision per review."""
    comment = comment.strip()
    if not approve and not comment:
        raise PortalError("Say why the entry is returned: a comment is required.", field="comment")
    # Only an editor member of one of the pillar's lead organisations decides: not a permission granted to the
    # person directly, a global one or superuser status (has_perm would accept all three).
    if not user_leads_pillar(actor, review.pillar):
        raise PortalError(f"Only the Lead Partners of {review.pillar.code} may decide on this entry.")
    if organisations_of(actor).filter(pk=review.activity.organisation_id).exists():
        raise PortalError("You cannot review an entry of your own organisation.")
    with transaction.atomic(), audited(actor, "activity_review_decide"):
        # Lock the activity first: the last of several pillar approvals publishes the entry exactly once.
        activity = Activity.objects.select_for_update().get(pk=review.activity_id)
        now = timezone.now()
        state = ActivityReview.State.APPROVED if approve else ActivityReview.State.RETURNED
        claimed = ActivityReview.objects.filter(pk=review.pk, state=ActivityReview.State.PENDING).update(
            state=state, decided_by=actor, decided_at=now, comment=comment
        )
        review.refresh_from_db()
        if not claimed:
            who = review.decided_by or "another reviewer"
            raise PortalError(
                f"This entry was already decided ({review.get_state_display().lower()}) by {who}; nothing was changed."
            )
        revision = review.revision
        published = False
        if not approve:
            supersede_pending_reviews(activity)
            if revision:
                revision.state = ActivityRevision.State.RETURNED
                revision.save(update_fields=["state", "updated_at"])
            else:
                activity.approval_state = Activity.ApprovalState.RETURNED
        elif not activity.reviews.filter(round=review.round).exclude(state=ActivityReview.State.APPROVED).exists():
            if revision:
                apply_snapshot(activity, revision.data)
                revision.state = ActivityRevision.State.APPROVED
                revision.save(update_fields=["state", "updated_at"])
            activity.approval_state = Activity.ApprovalState.APPROVED
            activity.approved_at = now
            published = True
        activity.version += 1
        activity.save()
    transaction.on_commit(lambda: notify_submitter_of_decision_task.delay(review.pk), robust=True)
    if published:
        after_activity_change(activity)
    return ReviewOutcome(review=review, activity_approved=published)
