import pghistory
from django.db import models
from django.db.models import Q

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

    class Meta:
        ordering = ["-date"]
        permissions = [
            ("manage_meetings", "Can manage meetings, agenda, decisions and action points"),
            ("build_meeting_pack", "Can build meeting packs"),
        ]

    def __str__(self):
        return f"{self.title} ({self.date:%d %b %Y})"


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

    def __str__(self):
        return self.number

    @property
    def number(self) -> str:
        return f"{self.year}/{self.sequence:02d}"


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
