from celery import shared_task

from board import services
from board.models import MeetingPack


@shared_task(acks_late=True, time_limit=15 * 60, soft_time_limit=14 * 60)
def meeting_pack_build_task(pack_id: int) -> None:
    """Build a queued meeting pack. Safe to run twice: the service claims the pack with a conditional update."""
    pack = MeetingPack.objects.select_related("requested_by").filter(pk=pack_id).first()
    if pack is None:
        return
    services.meeting_pack_build(actor=pack.requested_by, pack_id=pack_id)


@shared_task
def meeting_packs_resume() -> list[int]:
    """Every few minutes (beat): send again the packs no worker took or a dead worker left."""
    return services.meeting_packs_resume()
