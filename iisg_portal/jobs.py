"""Background jobs kept as rows (duplication runs and report files, imports, meeting packs): one abstract model,
`BackgroundJob`, with what their pages poll and how a worker claims, reports and gives up.

A job row is "queued" until a worker claims it (`claim`) and "running" until it ends ("done" or "failed"). A queued
job no worker took (the broker was down when it was sent) or a running one a dead worker left must be sent again,
or it blocks the jobs after it (`resume`); the claim is a conditional UPDATE, so sending one twice is harmless. A
job whose workers died MAX_ATTEMPTS times (killed mid-way, e.g. out of memory) is given up rather than tried again
forever (`give_up`).
"""

from collections.abc import Callable, Iterable
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

#: A queued job not taken by a worker within this long is sent again.
RESEND_QUEUED_AFTER = timedelta(minutes=5)


def task_time_limit() -> timedelta:
    """After this long a running job's worker is dead or killed (the hard time limit of its task)."""
    return timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", 1800))


class BackgroundJob(models.Model):
    """What a background job keeps on its row: its status and progress for the page that polls it, who asked,
    and its attempts and times for resuming it. A model may name the statuses in its own words (its own
    `Status`, `status` field alike) but keeps these four values, which the helpers below and the pages test."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    ACTIVE = (Status.QUEUED, Status.RUNNING)
    #: Executions of one job its workers left running (killed mid-way) before it is given up.
    MAX_ATTEMPTS = 3
    #: What a job given up says ({attempts}: MAX_ATTEMPTS); each kind says what to do next.
    GIVE_UP_MESSAGE = "Given up after {attempts} attempts: the worker stopped each time."
    #: After this long a running job's worker is taken for dead; None: the task time limit.
    RUNNING_FOR: timedelta | None = None

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    percent = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Executions that claimed the job: one whose worker dies every time is given up, not retried forever.
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @classmethod
    def _left_running(cls) -> Q:
        """Running for longer than its worker can live: that worker is dead."""
        running_for = cls.RUNNING_FOR or task_time_limit()
        return Q(status=cls.Status.RUNNING, started_at__lt=timezone.now() - running_for)

    @classmethod
    def claim(cls, pk: int, **fields) -> bool:
        """Claim job `pk` for this execution: a queued one, or one a dead worker left running with attempts to
        spare. One conditional UPDATE, so of two executions one wins. Sets `fields` with it and counts the
        attempt. False for the loser, and for a job to give up (`give_up`)."""
        claimable = Q(status=cls.Status.QUEUED) | (cls._left_running() & Q(attempts__lt=cls.MAX_ATTEMPTS))
        updates = {"status": cls.Status.RUNNING, "started_at": timezone.now(), "attempts": F("attempts") + 1}
        return bool(cls._default_manager.filter(claimable, pk=pk).update(**updates, **fields))

    @classmethod
    def give_up(cls, pks: Iterable[int]) -> int:
        """Mark failed, with GIVE_UP_MESSAGE, those of jobs `pks` that dead workers left running MAX_ATTEMPTS
        times; the others are left alone. Returns how many were given up."""
        exhausted = cls._left_running() & Q(attempts__gte=cls.MAX_ATTEMPTS)
        return cls._default_manager.filter(exhausted, pk__in=list(pks)).update(
            status=cls.Status.FAILED,
            finished_at=timezone.now(),
            message=cls.GIVE_UP_MESSAGE.format(attempts=cls.MAX_ATTEMPTS)[:300],
        )

    @classmethod
    def progress(cls, pk: int, percent: int, message: str) -> None:
        """Record how far running job `pk` is (1-99 %: only its end says 100). Outside any transaction, so the
        page polling the job sees each step; a job no longer running is left as it ended."""
        cls._default_manager.filter(pk=pk, status=cls.Status.RUNNING).update(
            percent=max(1, min(99, percent)), message=message[:300]
        )

    @classmethod
    def stalled_ids(cls) -> list[int]:
        """Ids of the jobs queued more than RESEND_QUEUED_AFTER ago or left running by a dead worker."""
        queued_long = Q(status=cls.Status.QUEUED, created_at__lt=timezone.now() - RESEND_QUEUED_AFTER)
        return list(cls._default_manager.filter(queued_long | cls._left_running()).values_list("pk", flat=True))

    @classmethod
    def resume(cls, *, send: Callable[[int], object]) -> list[int]:
        """Give up the stalled jobs tried MAX_ATTEMPTS times and `send` the others again (e.g. `task.delay`).
        Returns the ids sent again."""
        stalled = cls.stalled_ids()
        cls.give_up(stalled)
        still_active = set(
            cls._default_manager.filter(pk__in=stalled, status__in=cls.ACTIVE).values_list("pk", flat=True)
        )
        ids = [pk for pk in stalled if pk in still_active]
        for pk in ids:
            send(pk)
        return ids
