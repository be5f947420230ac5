"""Permission-scoped reads of iPA entries' reviews."""

from django.db.models import QuerySet
from django.http import Http404

from ipas.activities.selectors import user_may_edit
from ipas.models import ActivityReview
from partners.models import User
from pillars.selectors import led_pillar_ids


def review_queue_for(user: User) -> QuerySet[ActivityReview]:
    """Pending reviews of the pillars the user leads, oldest first."""
    return (
        ActivityReview.objects.filter(state=ActivityReview.State.PENDING, pillar__in=led_pillar_ids(user))
        .select_related("activity__organisation", "pillar", "submitted_by", "revision")
        .order_by("submitted_at", "id")
    )


def get_review_for_user(user: User, pk: int) -> ActivityReview:
    """Reviews are seen by the pillar's Lead Partners, the entry's own editors and Support Group staff (else 404)."""
    review = (
        ActivityReview.objects.select_related(
            "activity__organisation", "pillar", "revision", "submitted_by", "decided_by"
        )
        .filter(pk=pk)
        .first()
    )
    if review is None:
        raise Http404("No such review.")
    if not (
        user.has_perm("pillars.review_entries", review.pillar)
        or user.has_perm("ipas.view_all_activities")
        or user_may_edit(user, review.activity)
    ):
        raise Http404("No such review.")
    return review
