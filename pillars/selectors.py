from django.db.models import QuerySet

from partners.models import Membership, User
from pillars.models import Pillar, PillarGroupObjectPermission


def _led_pillar_ids_query(user: User, codename: str) -> QuerySet:
    """Ids of the pillars on which `user` holds the Lead Partner right `codename`.

    A Lead Partner right is an object permission held by a lead organisation's editors' group, counted only
    for a person who is in that group *and* holds an editor membership of that organisation now. Nothing else
    counts: not a permission granted to the person directly, not a global permission, not superuser status,
    not a group the person was put in by hand.
    """
    return PillarGroupObjectPermission.objects.filter(
        permission__codename=codename,
        permission__content_type__app_label="pillars",
        group__user=user,
        group__editors_of_organisation__memberships__user=user,
        group__editors_of_organisation__memberships__role=Membership.Role.EDITOR,
    ).values_list("content_object_id", flat=True)


def pillars_led_by(user: User, *, perm: str = "pillars.review_entries") -> QuerySet[Pillar]:
    """Pillars on which the user holds a Lead Partner right through an editor membership of a lead organisation."""
    if not user.is_authenticated:
        return Pillar.objects.none()
    app_label, codename = perm.split(".")
    if app_label != "pillars":
        return Pillar.objects.none()
    return Pillar.objects.filter(pk__in=_led_pillar_ids_query(user, codename))


def user_leads_pillar(user: User, pillar: Pillar, *, perm: str = "pillars.review_entries") -> bool:
    """Whether the user holds `perm` on `pillar` as a Lead Partner, asked of the database now (no cache): the
    check services make before a Lead Partner's decision."""
    return pillars_led_by(user, perm=perm).filter(pk=pillar.pk).exists()


def led_pillar_ids(user: User) -> frozenset[int]:
    """Ids of the pillars the user may review, computed once per user object (one request).

    Navigation, lists and the review queue all ask; the answer cannot change within a request (the membership
    services forget it when they change the user's groups).
    """
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_led_pillar_ids", None)
    if cached is None:
        # Straight from guardian's direct permission table: one cheap query instead of
        # get_objects_for_user's generic machinery (this runs on every page).
        cached = frozenset(_led_pillar_ids_query(user, "review_entries"))
        user._led_pillar_ids = cached
    return cached
