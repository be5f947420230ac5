import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q

from partners.models import Organisation


# Audited like every record, but for the waiting rows: what was written is audited row by row.
@pghistory.track(exclude=["rows"])
class ActivityImport(models.Model):
    """A donor's list confirmed for import: the checked rows wait here for the worker, which writes them in
    one transaction (all or nothing) and records what it did."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Not imported"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    filename = models.CharField(max_length=255)
    owner = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The organisation whose list it is; empty: each row's implementing organisation.",
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # The checked rows (compressed JSON), emptied once imported: the audit trail keeps what was written.
    rows = models.BinaryField(default=bytes, editable=False)
    row_count = models.PositiveIntegerField(default=0)
    # Executions that claimed it: an import interrupted again and again is given up.
    attempts = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    message = models.CharField(max_length=300, blank=True)
    # created, updated, unchanged, new_organisations; or errors by row and file errors when not imported.
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="queued") | Q(started_at__isnull=False), name="activity_import_started"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display().lower()})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE
