import pghistory
from django.db import models
from django.db.models import Q

from iisg_portal.jobs import BackgroundJob
from partners.models import Organisation


# Audited like every record, but for the waiting rows: what was written is audited row by row.
@pghistory.track(exclude=["rows"])
class ActivityImport(BackgroundJob):
    """A donor's list confirmed for import: the checked rows wait here for the worker, which writes them in
    one transaction (all or nothing) and records what it did. While it runs, its progress is in Redis
    (iisg_portal.progress), as the row cannot show it before that transaction commits."""

    class Status(models.TextChoices):
        # BackgroundJob's values, in the words of the upload page.
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Not imported"

    GIVE_UP_MESSAGE = "Given up after {attempts} interrupted attempts: nothing was imported. Split the list."

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    filename = models.CharField(max_length=255)
    owner = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The organisation whose list it is; empty: each row's implementing organisation.",
    )
    # The checked rows (compressed JSON), emptied once imported: the audit trail keeps what was written.
    rows = models.BinaryField(default=bytes, editable=False)
    row_count = models.PositiveIntegerField(default=0)
    # created, updated, unchanged, new_organisations; or errors by row and file errors when not imported.
    result = models.JSONField(default=dict, blank=True)

    class Meta(BackgroundJob.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(status="queued") | Q(started_at__isnull=False), name="activity_import_started"
            ),
            models.CheckConstraint(condition=Q(percent__lte=100), name="activity_import_percent_range"),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display().lower()})"
