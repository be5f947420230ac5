"""Permission-scoped reads of activities. Every list, export and report starts from these."""

from django.db.models import Q, QuerySet

from ipas.models import Activity
from partners.models import Membership, User
from partners.selectors import organisations_of
from pillars.selectors import pillars_led_by


def activities_visible_to(user: User) -> QuerySet[Activity]:
    """Approved activities for every signed-in partner; drafts only to their own organisation's editors,
    to the Lead Partners of a pillar they were submitted to, and to Support Group staff."""
    if not user.is_authenticated or not user.has_perm("ipas.view_activity"):
        return Activity.objects.none()
    if user.has_perm("ipas.view_all_activities"):
        return Activity.objects.all()
    visible = Q(approval_state=Activity.ApprovalState.APPROVED)
    own = organisations_of(user, role=Membership.Role.EDITOR)
    visible |= Q(organisation__in=own)
    led = pillars_led_by(user)
    visible |= Q(
        approval_state=Activity.ApprovalState.SUBMITTED,
        objective_links__objective__ipa__pillar__in=led,
    )
    # The join through objectives can repeat a row; filtering on pk keeps the queryset plain.
    return Activity.objects.filter(pk__in=Activity.objects.filter(visible).values("pk"))
