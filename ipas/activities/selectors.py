"""Permission-scoped reads of activities. Every list, export and report starts from these."""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from ipas.models import Activity, ActivityObjective, ActivityReview, Funding
from partners.models import Membership, User
from partners.selectors import organisations_of
from pillars.selectors import led_pillar_ids

#: The list's sort keys (as in the URL) and the ordering each stands for.
ACTIVITY_SORTS = {
    "-updated": "-updated_at",
    "updated": "updated_at",
    "title": "title",
    "-title": "-title",
    "start": "planned_start",
    "-start": "-planned_start",
    "budget": "budget_eur",
    "-budget": "-budget_eur",
}


def activities_visible_to(user: User) -> QuerySet[Activity]:
    """Approved activities for every signed-in partner; drafts and returned entries only to their own
    organisation's editors; submitted entries also to the Lead Partners of a pillar they name; all to
    Support Group staff."""
    if not user.is_authenticated or not user.has_perm("ipas.view_activity"):
        return Activity.objects.none()
    if user.has_perm("ipas.view_all_activities"):
        return Activity.objects.all()
    own = list(organisations_of(user, role=Membership.Role.EDITOR).values_list("pk", flat=True))
    visible = Q(approval_state=Activity.ApprovalState.APPROVED)
    if own:
        visible |= Q(organisation__in=own)
    led = list(led_pillar_ids(user))
    if led:
        # "Submitted to a pillar they lead" is a pending review of that pillar: few rows, indexed.
        pending_in_led = ActivityReview.objects.filter(
            pillar__in=led, state=ActivityReview.State.PENDING, revision__isnull=True
        ).values("activity_id")
        visible |= Q(approval_state=Activity.ApprovalState.SUBMITTED, pk__in=pending_in_led)
    return Activity.objects.filter(visible)


def user_may_edit(user: User, activity: Activity) -> bool:
    return (
        user.has_perm("ipas.change_activity")
        and organisations_of(user, role=Membership.Role.EDITOR).filter(pk=activity.organisation_id).exists()
    )


def get_activity_for_user(user: User, pk: int, *, edit: bool = False) -> Activity:
    """404 when the user may not see the activity; 403 when they see it but may not change it."""
    activity = (
        activities_visible_to(user).select_related("organisation", "implementing_organisation").filter(pk=pk).first()
    )
    if activity is None:
        raise Http404("No such activity.")
    if edit and not user_may_edit(user, activity):
        raise PermissionDenied("Only editors of the organisation that logged this activity may change it.")
    return activity


def with_list_details(activities: QuerySet[Activity]) -> QuerySet[Activity]:
    """What a list row shows, fetched in a fixed number of queries whatever the page size."""
    return activities.select_related("organisation", "implementing_organisation").prefetch_related(
        "beneficiaries",
        Prefetch(
            "objective_links",
            queryset=ActivityObjective.objects.select_related("objective__ipa__pillar").order_by("-is_primary"),
        ),
        Prefetch("fundings", queryset=Funding.objects.select_related("donor")),
    )


def filter_activities(activities: QuerySet[Activity], filters: dict) -> QuerySet[Activity]:
    """Apply the list filters (cleaned ActivityFilterForm data). Exists() keeps rows unique without DISTINCT."""
    if q := filters.get("q"):
        activities = activities.filter(Q(title__icontains=q) | Q(description__icontains=q) | Q(external_id=q))
    if pillar := filters.get("pillar"):
        activities = activities.filter(
            Exists(ActivityObjective.objects.filter(activity=OuterRef("pk"), objective__ipa__pillar=pillar))
        )
    if objective := filters.get("objective"):
        activities = activities.filter(
            Exists(ActivityObjective.objects.filter(activity=OuterRef("pk"), objective=objective))
        )
    if country := filters.get("country"):
        activities = activities.filter(
            Exists(Activity.beneficiaries.through.objects.filter(activity=OuterRef("pk"), country=country))
        )
    if donor := filters.get("donor"):
        activities = activities.filter(Exists(Funding.objects.filter(activity=OuterRef("pk"), donor=donor)))
    if organisation := filters.get("organisation"):
        activities = activities.filter(Q(organisation=organisation) | Q(implementing_organisation=organisation))
    if status := filters.get("status"):
        activities = activities.filter(status=status)
    if approval_state := filters.get("approval_state"):
        activities = activities.filter(approval_state=approval_state)
    if period_from := filters.get("period_from"):
        activities = activities.filter(planned_end__gte=period_from)
    if period_to := filters.get("period_to"):
        activities = activities.filter(planned_start__lte=period_to)
    order = ACTIVITY_SORTS.get(filters.get("sort") or "-updated", "-updated_at")
    return activities.order_by(order, "-id")
