import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q

from iisg_portal.audit import KeptRecord
from ipas.models.plans import Objective
from partners.models import Country, Organisation
from pillars.models import CrossCuttingTheme


class ActivityQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(approval_state=Activity.ApprovalState.APPROVED)


# The consult index asks which activities changed since a moment (ipas/duplication/engine: changed_since).
@pghistory.track(meta={"indexes": [models.Index(fields=["pgh_created_at"], name="activity_event_created")]})
class Activity(models.Model):
    """What a partner does or funds under one or more iPA objectives."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        ONGOING = "ongoing", "Ongoing"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    class ApprovalState(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned"
        APPROVED = "approved", "Approved"
        WITHDRAWN = "withdrawn", "Withdrawn"

    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    # The organisation that logged the entry and owns it; only its editors change it.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="owned_activities")
    implementing_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="implemented_activities"
    )
    objectives = models.ManyToManyField(Objective, through="ActivityObjective", related_name="activities")
    beneficiaries = models.ManyToManyField(Country, related_name="activities")
    themes = models.ManyToManyField(CrossCuttingTheme, blank=True, related_name="activities")
    planned_start = models.DateField()
    planned_end = models.DateField()
    actual_start = models.DateField(null=True, blank=True)
    actual_end = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    approval_state = models.CharField(max_length=10, choices=ApprovalState.choices, default=ApprovalState.DRAFT)
    budget_eur = models.DecimalField("budget (EUR)", max_digits=14, decimal_places=2, default=0)
    contact = models.CharField(max_length=200, blank=True)
    links = models.TextField("document links", blank=True, help_text="One address per line.")
    external_id = models.CharField(max_length=100, blank=True)
    # Optimistic locking: every save through the services increments it.
    version = models.PositiveIntegerField(default=1)
    review_round = models.PositiveIntegerField(default=0, help_text="How many times the entry was submitted.")
    approved_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "activities"
        ordering = ["-updated_at", "-id"]
        permissions = [
            ("view_all_activities", "Can see every activity, drafts of all organisations included"),
            ("consult_activities", "Can check a planned concept against existing activities"),
            ("run_duplication_report", "Can run and settle duplication reports"),
            ("import_activities", "Can import activities from donors' lists"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__gte=F("planned_start")),
                name="activity_planned_dates",
                violation_error_message="The planned end cannot be before the planned start.",
            ),
            models.CheckConstraint(
                condition=Q(actual_start__isnull=True)
                | Q(actual_end__isnull=True)
                | Q(actual_end__gte=F("actual_start")),
                name="activity_actual_dates",
                violation_error_message="The actual end cannot be before the actual start.",
            ),
            models.CheckConstraint(
                condition=Q(budget_eur__gte=0),
                name="activity_budget_not_negative",
                violation_error_message="The budget cannot be negative.",
            ),
            models.UniqueConstraint(
                fields=["organisation", "external_id"],
                condition=~Q(external_id=""),
                name="activity_external_id_unique_per_organisation",
            ),
        ]
        indexes = [
            # The list's default order, walked from the top until a page of visible rows is found.
            models.Index(fields=["-updated_at", "-id"], name="activity_recent"),
            models.Index(fields=["approval_state", "-updated_at"]),
            models.Index(fields=["organisation", "approval_state"]),
        ]
        triggers = [
            # Published once, an entry is withdrawn, never deleted: others may have relied on it.
            KeptRecord(
                name="keep_approved",
                kept_when="{row}.approval_state = 'approved' OR {row}.approved_at IS NOT NULL",
            ),
        ]

    def __str__(self):
        return self.title


# Countries and themes are part of the entry: their links are audited like its fields. Django's default
# many-to-many tables are tracked through proxies (so pgtrigger puts their triggers in this app's migrations).
@pghistory.track(obj_field=None)
class ActivityBeneficiary(Activity.beneficiaries.through):
    class Meta:
        proxy = True


@pghistory.track(obj_field=None)
class ActivityTheme(Activity.themes.through):
    class Meta:
        proxy = True


@pghistory.track(meta={"indexes": [models.Index(fields=["pgh_created_at"], name="activity_obj_event_created")]})
class ActivityObjective(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="objective_links")
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="activity_links")
    is_primary = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "objective"], name="activity_objective_unique"),
            models.UniqueConstraint(
                fields=["activity"], condition=Q(is_primary=True), name="activity_one_primary_objective"
            ),
        ]


@pghistory.track(meta={"indexes": [models.Index(fields=["pgh_created_at"], name="funding_event_created")]})
class Funding(models.Model):
    """A donor's money for an activity, in its own currency and in EUR."""

    class Status(models.TextChoices):
        PLEDGED = "pledged", "Pledged"
        COMMITTED = "committed", "Committed"
        DISBURSED = "disbursed", "Disbursed"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="fundings")
    donor = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="fundings")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    amount_eur = models.DecimalField("amount (EUR)", max_digits=14, decimal_places=2)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLEDGED)
    instrument = models.CharField(max_length=120, blank=True, help_text='e.g. "EU IPA II"')

    class Meta:
        ordering = ["activity", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="funding_amount_not_negative"),
            models.CheckConstraint(condition=Q(amount_eur__gte=0), name="funding_amount_eur_not_negative"),
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"), name="funding_currency_iso"),
        ]

    def __str__(self):
        return f"{self.donor} {self.amount} {self.currency}"


@pghistory.track()
class FundingNeed(models.Model):
    """What an objective needs for a period, against which pledges and commitments show the gap."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="funding_needs")
    amount_eur = models.DecimalField("amount (EUR)", max_digits=14, decimal_places=2)
    period_start = models.DateField()
    period_end = models.DateField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["objective", "period_start"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_eur__gte=0), name="funding_need_not_negative"),
            models.CheckConstraint(condition=Q(period_end__gt=F("period_start")), name="funding_need_period_valid"),
        ]

    def __str__(self):
        return f"{self.objective} {self.amount_eur} EUR"


@pghistory.track()
class ActivityRevision(models.Model):
    """Proposed changes to an approved activity: the approved version stays what others see until
    every pillar concerned has approved the revision."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned"
        APPROVED = "approved", "Approved"
        DISCARDED = "discarded", "Discarded"

    # A revision still in the owner's hands or under review; at most one per activity (constraint below).
    OPEN_STATES = (State.DRAFT, State.SUBMITTED, State.RETURNED)

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="revisions")
    data = models.JSONField(
        help_text="The proposed entry, in the shape of ipas.activities.snapshots.activity_snapshot."
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # At most one open revision per activity: edits continue it rather than fork it.
            models.UniqueConstraint(
                fields=["activity"],
                condition=Q(state__in=["draft", "submitted", "returned"]),
                name="activity_one_open_revision",
            ),
        ]


@pghistory.track()
class ActivityReview(models.Model):
    """One pillar's decision on one submission of an entry. Every decision is kept."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned"
        SUPERSEDED = "superseded", "Superseded"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="reviews")
    revision = models.ForeignKey(
        ActivityRevision, null=True, blank=True, on_delete=models.CASCADE, related_name="reviews"
    )
    pillar = models.ForeignKey("pillars.Pillar", on_delete=models.PROTECT, related_name="reviews")
    round = models.PositiveIntegerField(help_text="Counts the submissions of this activity.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)
    # What this round was about, kept as submitted: the entry (or its revision) changes after a return, and a
    # decided review must still show what was decided, never the owner's later, unpublished text.
    submitted_data = models.JSONField(
        null=True,
        blank=True,
        help_text="The entry as submitted for this round, in the shape of ipas.activities.snapshots."
        "activity_snapshot (empty for reviews recorded before submissions were kept).",
    )
    approved_data = models.JSONField(
        null=True,
        blank=True,
        help_text="For a revision: the approved version it was to replace, as it stood at submission.",
    )

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "pillar", "round"], name="review_once_per_pillar_and_round"),
            models.CheckConstraint(condition=~Q(state="returned") | ~Q(comment=""), name="review_return_needs_comment"),
            models.CheckConstraint(
                condition=Q(state__in=["pending", "superseded"]) | Q(decided_at__isnull=False),
                name="review_decision_has_time",
            ),
        ]
        indexes = [models.Index(fields=["pillar", "state", "submitted_at"])]

    def __str__(self):
        return f"{self.activity} – {self.pillar} round {self.round}: {self.state}"
