from django.db.models import QuerySet
from guardian.shortcuts import get_objects_for_user

from partners.models import User
from pillars.models import Pillar


def pillars_led_by(user: User, *, perm: str = "pillars.review_entries") -> QuerySet[Pillar]:
    """Pillars on which the user holds a Lead Partner right through their organisation's group."""
    if not user.is_authenticated:
        return Pillar.objects.none()
    # accept_global_perms=False: a global permission must never widen a Lead Partner's reach.
    return get_objects_for_user(user, perm, klass=Pillar, accept_global_perms=False)


def led_pillar_ids(user: User) -> frozenset[int]:
    """Ids of the pillars the user may review, computed once per user object (one request).

    Navigation, lists and the review queue all ask; the answer cannot change within a request.
    """
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_led_pillar_ids", None)
    if cached is None:
        cached = frozenset(pillars_led_by(user).values_list("pk", flat=True))
        user._led_pillar_ids = cached
    return cached
