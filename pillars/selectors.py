from django.db.models import QuerySet
from guardian.shortcuts import get_objects_for_user

from partners.models import User
from pillars.models import Pillar, PillarGroupObjectPermission, PillarUserObjectPermission


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
        # Straight from guardian's direct permission tables: one cheap query instead of
        # get_objects_for_user's generic machinery (this runs on every page).
        by_group = PillarGroupObjectPermission.objects.filter(
            group__user=user, permission__codename="review_entries", permission__content_type__app_label="pillars"
        ).values_list("content_object_id", flat=True)
        by_user = PillarUserObjectPermission.objects.filter(
            user=user, permission__codename="review_entries", permission__content_type__app_label="pillars"
        ).values_list("content_object_id", flat=True)
        cached = frozenset(by_group.union(by_user))
        user._led_pillar_ids = cached
    return cached
