from datetime import timedelta

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from iisg_portal.audit import KeptRecord
from iisg_portal.jobs import BackgroundJob
from partners.models import Organisation
from pillars.models import Pillar


@pghistory.track()
class Meeting(models.Model):
    class Body(models.TextChoices):
        BOARD = "board", "IISG Board"
        SUPPORT_GROUP = "support_group", "IISG Support Group"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        HELD = "held", "Held"

    body = models.CharField(max_length=16, choices=Body.choices)
    title = models.CharField(max_length=200)
    date = models.DateField()
    place = models.CharField(max_length=200)
    host = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="hosted_meetings"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    participants = models.ManyToManyField(Organisation, blank=True, related_name="meetings")
    # Attendance: the participants (organisations and observers) who were present; recorded after the meeting.
    attendees = models.ManyToManyField(Organisation, blank=True, related_name="attended_meetings")

    class Meta:
        ordering = ["-date"]
        permissions = [
            ("manage_meetings", "Can manage meetings, agenda, decisions and action points"),
            ("build_meeting_pack", "Can build meeting packs"),
            ("download_meeting_pack", "Can download released meeting packs"),
        ]

    def __str__(self):
        return f"{self.title} ({self.date:%d %b %Y})"

    def get_absolute_url(self):
        return reverse("board:meeting_detail", args=[self.pk])


# Who was invited and who attended are part of the meeting's record: their links are audited. Django's default
# many-to-many tables are tracked through proxies (so pgtrigger puts their triggers in this app's migrations).
@pghistory.track(obj_field=None)
class MeetingParticipant(Meeting.participants.through):
    class Meta:
        proxy = True


@pghistory.track(obj_field=None)
class MeetingAttendee(Meeting.attendees.through):
    class Meta:
        proxy = True


@pghistory.track()
class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    pillar = models.ForeignKey(Pillar, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    presenter = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    documents = models.TextField(blank=True, help_text="One document title or address per line.")
    outcome = models.TextField(blank=True)

    class Meta:
        ordering = ["meeting", "order"]
        constraints = [
            # Deferred so that reordering can swap two items inside one transaction.
            models.UniqueConstraint(
                fields=["meeting", "order"],
                name="agenda_item_order_unique",
                deferrable=models.Deferrable.DEFERRED,
            ),
        ]

    def __str__(self):
        return f"{self.order}. {self.title}"


@pghistory.track()
class Decision(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ADOPTED = "adopted", "Adopted"
        REJECTED = "rejected", "Rejected"
        POSTPONED = "postponed", "Postponed"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveSmallIntegerField()
    text = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)

    class Meta:
        ordering = ["year", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="decision_number_unique"),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="decision_sequence_positive"),
        ]
        triggers = [
            # A decision taken is corrected (DecisionCorrection), never deleted; a proposal may still be dropped.
            KeptRecord(name="keep_taken", kept_when="{row}.status <> 'proposed'"),
        ]

    def __str__(self):
        return self.number

    @property
    def number(self) -> str:
        return f"{self.year}/{self.sequence:02d}"

    @property
    def is_taken(self) -> bool:
        """A decision the meeting has settled: its text changes only through a recorded correction."""
        return self.status != self.Status.PROPOSED

    @property
    def must_be_kept(self) -> bool:
        """Taken now or ever (by its audit events): the database refuses to delete it (KeptRecord)."""
        return self.is_taken or self.events.exclude(status=self.Status.PROPOSED).exists()


@pghistory.track()
class DecisionCorrection(models.Model):
    """A correction of a decision already taken: the old and new text, who corrected it, why and when."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="corrections")
    previous_text = models.TextField()
    text = models.TextField()
    reason = models.TextField()
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    corrected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decision", "corrected_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="decision_correction_has_reason")]

    def __str__(self):
        return f"Correction of {self.decision.number}"


@pghistory.track()
class ActionPoint(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="action_points")
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_points"
    )
    text = models.TextField()
    responsible = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="action_points")
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    follow_up = models.TextField(blank=True)

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self):
        return self.text[:80]

    def is_overdue(self, today) -> bool:
        # "Overdue" is derived from the due date, so it can never disagree with the calendar.
        return self.status == self.Status.OPEN and self.due_date < today


@pghistory.track()
class MeetingPack(BackgroundJob):
    """One built version of a meeting's pack: who asked for it, when, from which data, and its progress.

    The files live in MeetingPackFile, whose audit events leave out the bytes (binary content has no place in
    history). A pack is a draft for the secretariat and Support Group until released to Board members and Lead
    Partners; once released it is never deleted (KeptRecord), nor are its files.
    """

    class Status(models.TextChoices):
        # BackgroundJob's values, in the words of the meeting page.
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Building"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    GIVE_UP_MESSAGE = "Given up after {attempts} attempts: the worker stopped each time. The secretariat can try again."
    # Its task's hard time limit is 15 minutes: a pack running for longer lost its worker.
    RUNNING_FOR = timedelta(minutes=16)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="packs")
    version = models.PositiveIntegerField()
    # The moment the data was read, and the figures it gave: what the pack was built from.
    data_as_of = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta(BackgroundJob.Meta):
        ordering = ["meeting", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "version"], name="meeting_pack_version_unique"),
            models.CheckConstraint(condition=Q(percent__lte=100), name="meeting_pack_percent_range"),
            models.CheckConstraint(
                condition=Q(released_at__isnull=True) | Q(status="done"), name="meeting_pack_release_when_done"
            ),
        ]
        triggers = [KeptRecord(name="keep_released", kept_when="{row}.released_at IS NOT NULL")]

    def __str__(self):
        return f"{self.meeting} pack v{self.version}"

    @property
    def is_released(self) -> bool:
        return self.released_at is not None

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


# Audited without the bytes: which file of which pack, its size and SHA-256, made and removed when.
@pghistory.track(exclude=["content"])
class MeetingPackFile(models.Model):
    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "Word"
        XLSX = "xlsx", "Excel"

    pack = models.ForeignKey(MeetingPack, on_delete=models.CASCADE, related_name="files")
    format = models.CharField(max_length=4, choices=Format.choices)
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["pack", "format"]
        constraints = [models.UniqueConstraint(fields=["pack", "format"], name="meeting_pack_file_unique")]
        triggers = [
            # The files of a pack released (now or by its audit events, ever) are what was sent: they stay with it.
            KeptRecord(
                name="keep_released",
                kept_when=(
                    "EXISTS (SELECT 1 FROM board_meetingpack AS pack "
                    "WHERE pack.id = {row}.pack_id AND pack.released_at IS NOT NULL) "
                    "OR EXISTS (SELECT 1 FROM board_meetingpackevent AS pack "
                    "WHERE pack.pgh_obj_id = {row}.pack_id AND pack.released_at IS NOT NULL)"
                ),
                history=False,
            ),
        ]

    def __str__(self):
        return f"{self.pack} {self.format}"
