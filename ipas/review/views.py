"""Lead Partners approve or return the iPA entries of their own pillars."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone

from iisg_portal.web import call_service
from ipas.activities.presentation import describe_snapshots, readable_diff
from ipas.activities.selectors import activities_visible_to
from ipas.activities.snapshots import activity_snapshot
from ipas.models import ActivityReview
from ipas.review import services as review_services
from ipas.review.forms import ReturnForm
from ipas.review.selectors import get_review_for_user, review_queue_for
from partners.selectors import organisations_of
from pillars.selectors import led_pillar_ids


def review_queue(request):
    if not led_pillar_ids(request.user):
        raise PermissionDenied("The review queue is for the pillars' Lead and Co-Lead Partners.")
    own = set(organisations_of(request.user).values_list("pk", flat=True))
    page = Paginator(review_queue_for(request.user), 25).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [
        {"review": r, "age_days": (now - r.submitted_at).days, "own_organisation": r.activity.organisation_id in own}
        for r in page
    ]
    return render(request, "ipas/review/queue.html", {"page": page, "rows": rows})


def _as_submitted(review: ActivityReview) -> tuple[dict | None, dict | None]:
    """What a round was about: (the entry as submitted, the approved version a revision was to replace).

    Never the entry as it is now: after a return the owner edits it again, and that text is theirs until
    they submit it. (None, None) for a decided review recorded before submissions were kept."""
    if review.submitted_data is not None:
        return review.submitted_data, review.approved_data
    if review.state == ActivityReview.State.PENDING:
        # While a review is pending the entry cannot have changed (an edit supersedes the review), so what is
        # there now is what was submitted.
        activity = review.activity
        if review.revision_id:
            return review.revision.data, activity_snapshot(activity)
        return activity_snapshot(activity), None
    return None, None


def review_detail(request, pk: int):
    review = get_review_for_user(request.user, pk)
    activity = review.activity
    proposed, approved = _as_submitted(review)
    may_decide = (
        review.state == ActivityReview.State.PENDING
        and request.user.has_perm("pillars.review_entries", review.pillar)
        and not organisations_of(request.user).filter(pk=activity.organisation_id).exists()
    )
    return_form = ReturnForm(request.POST if request.POST.get("action") == "return" else None)
    if request.method == "POST":
        if not request.user.has_perm("pillars.review_entries", review.pillar):
            raise PermissionDenied("Only the pillar's Lead Partners decide on its entries.")
        approve = request.POST.get("action") == "approve"
        if approve or return_form.is_valid():
            ok, outcome = call_service(
                request,
                lambda: review_services.activity_review_decide(
                    actor=request.user,
                    review=review,
                    approve=approve,
                    comment="" if approve else return_form.cleaned_data["comment"],
                ),
            )
            if not ok:
                return redirect("ipas:review_detail", pk=review.pk)
            if not approve:
                messages.success(request, f"Returned to {activity.organisation.label} with your comment.")
            elif outcome.activity_approved:
                messages.success(request, f"Approved: “{activity.title}” is now visible to all partners.")
            else:
                messages.success(request, "Approved for your pillar; the entry waits for the other pillar(s).")
            return redirect("ipas:review_queue")
    if proposed is not None:
        heading = proposed["title"]
    elif activities_visible_to(request.user).filter(pk=activity.pk).exists():
        heading = activity.title
    else:
        heading = f"Entry {activity.pk} of {activity.organisation.label}"
    return render(
        request,
        "ipas/review/detail.html",
        {
            "review": review,
            "activity": activity,
            "heading": heading,
            "proposed": describe_snapshots(proposed)[0],
            "diff": readable_diff(approved, proposed) if approved and proposed else [],
            "is_revision": bool(review.revision_id),
            "history": activity.reviews.select_related("pillar", "decided_by").order_by("-round", "pillar__order"),
            "may_decide": may_decide,
            "return_form": return_form,
        },
    )
