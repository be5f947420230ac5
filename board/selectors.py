"""Permission-scoped reads of meetings and meeting packs. Every board view starts from these."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from board.models import ActionPoint, Meeting, MeetingPack
from partners.models import User
from pillars.selectors import led_pillar_ids


def is_pack_reader(user: User) -> bool:
    """Board members (a role) and Lead Partners (of any pillar) read meetings and download released packs."""
    if not user.is_authenticated:
        return False
    return user.has_perm("board.download_meeting_pack") or bool(led_pillar_ids(user))


def meetings_visible_to(user: User) -> QuerySet[Meeting]:
    if not user.is_authenticated:
        return Meeting.objects.none()
    if user.has_perm("board.view_meeting") or is_pack_reader(user):
        return Meeting.objects.all()
    return Meeting.objects.none()


def get_meeting_for_user(user: User, pk: int, perm: str | None = None) -> Meeting:
    """The meeting, if the user may see it (else 404) and holds `perm` (else 403)."""
    meeting = meetings_visible_to(user).select_related("host").filter(pk=pk).first()
    if meeting is None:
        raise Http404("No such meeting.")
    if perm and not user.has_perm(perm):
        raise PermissionDenied
    return meeting


def packs_visible_to(user: User, meeting: Meeting) -> QuerySet[MeetingPack]:
    """Builders see every version, drafts included; readers see released versions only; others nothing."""
    packs = meeting.packs.select_related("requested_by", "released_by")
    if user.has_perm("board.build_meeting_pack"):
        return packs
    if is_pack_reader(user):
        return packs.filter(released_at__isnull=False)
    return packs.none()


def get_pack_for_user(user: User, meeting_pk: int, version: int) -> MeetingPack:
    meeting = get_meeting_for_user(user, meeting_pk)
    pack = packs_visible_to(user, meeting).filter(version=version).first()
    if pack is None:
        raise Http404("No such meeting pack.")
    return pack


def previous_meeting(meeting: Meeting) -> Meeting | None:
    """The same body's last meeting before this one."""
    return (
        Meeting.objects.filter(body=meeting.body, date__lt=meeting.date)
        .exclude(pk=meeting.pk)
        .order_by("-date", "-pk")
        .first()
    )


def action_points_for_pack(meeting: Meeting) -> QuerySet[ActionPoint]:
    """This meeting's action points, and those of the same body's earlier meetings still open (carried over)."""
    earlier_open = ActionPoint.objects.filter(
        status=ActionPoint.Status.OPEN, meeting__body=meeting.body, meeting__date__lt=meeting.date
    ).exclude(meeting=meeting)
    own = ActionPoint.objects.filter(meeting=meeting)
    return (own | earlier_open).select_related("meeting", "responsible", "decision").order_by("due_date", "id")
