from django.db.models import QuerySet

from partners.models import Membership, Organisation, User


def organisations_of(user: User, *, role: str | None = None) -> QuerySet[Organisation]:
    """The organisations a user belongs to, optionally only where they hold `role`."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    memberships = Membership.objects.filter(user=user)
    if role:
        memberships = memberships.filter(role=role)
    return Organisation.objects.filter(pk__in=memberships.values("organisation_id"))
