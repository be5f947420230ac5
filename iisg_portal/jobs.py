"""Background jobs kept as rows (duplication runs, imports, meeting packs): finding the ones that stalled.

A job row is "queued" until a worker claims it (`claim_job`) and "running" until it ends. A queued job no worker took
(the broker was down when it was sent) or a running one a dead worker left must be sent again, or it
blocks the jobs after it; the claim is a conditional UPDATE, so sending one twice is harmless.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone

#: A queued job not taken by a worker within this long is sent again.
RESEND_QUEUED_AFTER = timedelta(minutes=5)


def task_time_limit() -> timedelta:
    """After this long a running job's worker is dead or killed (the hard time limit of its task)."""
    return timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", 1800))


def stalled_job_ids(
    jobs: QuerySet, *, queued_at: str = "created_at", running_for: timedelta | None = None
) -> list[int]:
    """Ids of the `jobs` queued more than RESEND_QUEUED_AFTER ago (`queued_at` names the field) or running
    for longer than `running_for` (default: the task time limit)."""
    now = timezone.now()
    running_for = running_for or task_time_limit()
    stalled = Q(status="queued", **{f"{queued_at}__lt": now - RESEND_QUEUED_AFTER}) | Q(
        status="running", started_at__lt=now - running_for
    )
    return list(jobs.filter(stalled).values_list("pk", flat=True))


def job_progress(jobs: QuerySet, pk: int, percent: int, message: str) -> None:
    """Record how far running job `pk` is (1-99 %: only its end says 100). Outside any transaction, so the
    page polling the job sees each step; a job no longer running is left as it ended."""
    jobs.filter(pk=pk, status="running").update(percent=max(1, min(99, percent)), message=message[:300])


def claim_job(jobs: QuerySet, pk: int, *, running_for: timedelta | None = None, **fields) -> bool:
    """Claim job `pk` for this execution: a queued one, or one left running by a dead worker for longer than
    `running_for` (default: the task time limit). One conditional UPDATE, so of two executions one wins.
    Sets `fields` with it, and counts the attempt where the job keeps a count (`attempts`)."""
    now = timezone.now()
    stale_before = now - (running_for or task_time_limit())
    claimable = Q(status="queued") | Q(status="running", started_at__lt=stale_before)
    updates = {"status": "running", "started_at": now, **fields}
    if any(f.name == "attempts" for f in jobs.model._meta.get_fields()):
        updates["attempts"] = F("attempts") + 1
    return bool(jobs.filter(claimable, pk=pk).update(**updates))
