"""Duplication reports: runs of the engine, the flagged pairs staff settle, and consultations before planning."""

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q

from iisg_portal.jobs import BackgroundJob
from ipas.models.activities import Activity
from partners.models import Organisation
from pillars.models import Pillar


class DuplicationRunManager(models.Manager):
    def get_queryset(self):
        # The report page polls runs every second: their few MB of word weights are read only where needed
        # (ipas.duplication.services.latest_word_weights asks for them by name).
        return super().get_queryset().defer("word_weights")


# Audited but for the word weights, a few MB of derived numbers.
@pghistory.track(exclude=["word_weights"])
class DuplicationRun(BackgroundJob):
    """One full run of the duplication engine; the report page polls its progress."""

    GIVE_UP_MESSAGE = "Given up after {attempts} interrupted attempts; the next run starts afresh."

    class Trigger(models.TextChoices):
        MANUAL = "manual", "Run by staff"
        NIGHTLY = "nightly", "Nightly schedule"
        COMMAND = "command", "Command line"
        FOLLOW_UP = "follow-up", "After many changes during a run"

    # Only full runs are recorded; the field exists so that "one active run at a time" is a unique index.
    scope = models.CharField(max_length=10, default="full", editable=False)
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.MANUAL)
    stats = models.JSONField(default=dict, blank=True)
    # The IDF the run fitted (ipas.duplication.WordWeights), kept on the latest finished run only: the check
    # after a save weighs words as the full run did.
    word_weights = models.BinaryField(default=bytes, editable=False)

    objects = DuplicationRunManager()

    class Meta(BackgroundJob.Meta):
        constraints = [
            models.CheckConstraint(condition=Q(percent__gte=0, percent__lte=100), name="duplication_run_percent"),
            models.UniqueConstraint(
                fields=["scope"],
                condition=Q(status__in=["queued", "running"]),
                name="duplication_run_one_active",
            ),
        ]

    def __str__(self):
        return f"Duplication run {self.pk} ({self.get_status_display()})"

    @property
    def duration_s(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class DuplicateFlagQuerySet(models.QuerySet):
    def open(self):
        return self.filter(is_active=True, resolution="")

    def involving(self, activities):
        return self.filter(Q(activity_a__in=activities) | Q(activity_b__in=activities))


@pghistory.track()
class DuplicateFlag(models.Model):
    """A pair of activities that look like the same work; the lower activity id is always `activity_a`."""

    class Kind(models.TextChoices):
        CROSS_DONOR = "cross_donor", "Possible duplication across donors"
        DOUBLE_ENTRY = "double_entry", "Possible double entry (same donor)"
        NO_DONOR = "no_donor", "Possible duplication (a donor not recorded)"

    class Resolution(models.TextChoices):
        OPEN = "", "Open"
        DUPLICATE = "duplicate", "Duplicate"
        COMPLEMENTARY = "complementary", "Complementary"
        UNRELATED = "unrelated", "Not related"

    activity_a = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="duplicate_flags_as_a")
    activity_b = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="duplicate_flags_as_b")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.CROSS_DONOR)
    score = models.FloatField()
    title_similarity = models.FloatField(default=0)
    description_similarity = models.FloatField(default=0)
    reasons = models.JSONField(default=list, blank=True)
    # Still found by the latest check; a pair that no longer matches leaves the report but keeps its history.
    is_active = models.BooleanField(default=True)
    resolution = models.CharField(max_length=13, choices=Resolution.choices, blank=True, default="")
    note = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    # The material fields (title, description, donors, countries, dates) of both sides when it was settled.
    fingerprint = models.CharField(max_length=64, blank=True)
    snapshot = models.JSONField(default=dict, blank=True)
    # When a settled pair comes back: the earlier decision and what changed since.
    previous_resolution = models.CharField(max_length=13, choices=Resolution.choices, blank=True, default="")
    changes = models.JSONField(default=list, blank=True)
    first_detected_at = models.DateTimeField(auto_now_add=True)
    last_detected_at = models.DateTimeField(auto_now_add=True)

    objects = DuplicateFlagQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(activity_a__lt=F("activity_b")), name="duplicate_flag_low_id_first"),
            models.UniqueConstraint(fields=["activity_a", "activity_b"], name="duplicate_flag_pair_unique"),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=1), name="duplicate_flag_score_range"),
            models.CheckConstraint(
                condition=Q(resolution="") | Q(resolved_at__isnull=False), name="duplicate_flag_resolved_when"
            ),
        ]
        indexes = [
            models.Index(fields=["is_active", "resolution", "-score"], name="duplicate_flag_report"),
            models.Index(fields=["activity_b"], name="duplicate_flag_activity_b"),
        ]

    def __str__(self):
        return f"Flag {self.pk}: {self.activity_a_id} ~ {self.activity_b_id} ({self.score:.2f})"

    @property
    def is_open(self) -> bool:
        return self.is_active and not self.resolution

    @property
    def score_percent(self) -> int:
        return round(self.score * 100)


@pghistory.track()
class Consultation(models.Model):
    """A concept checked before planning, and what the portal answered; the Support Group reads these."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consultations")
    created_at = models.DateTimeField(auto_now_add=True)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    beneficiaries = models.JSONField(default=list, blank=True)
    pillar = models.ForeignKey(Pillar, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)
    intended_donor = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # What was shown: [{"activity": id, "score": 0.87, "reasons": [...]}, ...] and the objectives it seems to serve.
    results = models.JSONField(default=list, blank=True)
    objectives = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__isnull=True) | Q(end__isnull=True) | Q(end__gte=F("start")),
                name="consultation_dates",
            ),
        ]

    def __str__(self):
        return f"Consultation {self.pk}: {self.title}"


# Audited without the file (binary content has no place in history; it restates flags audited themselves) and
# without each progress step: who asked for which report, and how its build ended.
@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(condition=pghistory.AnyChange("status")),
    pghistory.DeleteEvent(),
    exclude=["content"],
)
class DuplicationExport(BackgroundJob):
    """A file of the duplication report (XLSX or PDF) built by a worker: the filters staff chose, its
    progress, and the file."""

    class Format(models.TextChoices):
        XLSX = "xlsx", "Excel (XLSX)"
        PDF = "pdf", "PDF"

    format = models.CharField(max_length=4, choices=Format.choices)
    # The report's filters (ipas.duplication.selectors.FlagFilters.query), re-read by the worker so
    # the file holds what the report holds when it is built, and in words.
    query = models.CharField(max_length=500, blank=True)
    filters = models.CharField(max_length=300, blank=True)
    shown = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    content = models.BinaryField(null=True, blank=True)
    size = models.PositiveIntegerField(default=0)

    GIVE_UP_MESSAGE = "Given up after {attempts} attempts: the worker stopped each time. Ask for the file again."

    class Meta(BackgroundJob.Meta):
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="duplication_export_percent_range"),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(content__isnull=False), name="duplication_export_done_has_file"
            ),
        ]

    def __str__(self):
        return f"Duplication report export {self.pk} ({self.format})"

    @property
    def filename(self) -> str:
        return f"iisg-duplication-report-{self.created_at:%Y-%m-%d}-{self.pk}.{self.format}"
