"""Logging activities: every write of an activity goes through here (Lead Partners' decisions: ipas/review).

An entry that was never approved is edited in place (its row is the draft). Once approved, the row is
what everyone sees; edits go into one open ActivityRevision until every pillar concerned approves it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from iisg_portal.audit import audited
from iisg_portal.errors import PortalError
from ipas.activities.snapshots import DATE_FIELDS, OPEN_REVISION_STATES, SCALAR_FIELDS, activity_snapshot, snapshot_diff
from ipas.models import (
    Activity,
    ActivityObjective,
    ActivityReview,
    ActivityRevision,
    Funding,
    IntegratedPlanOfAction,
    Objective,
)
from ipas.tasks import duplication_check_activity_task, notify_reviewers_of_submission_task
from partners.models import Organisation, User
from partners.selectors import organisations_of
from pillars.models import Pillar


class EditConflict(PortalError):
    """Someone else saved the entry since this user opened it."""

    def __init__(self, *, current_version: int, base: dict | None, current: dict):
        super().__init__("Someone else saved this activity while you were editing it. Your input is kept below.")
        self.current_version = current_version
        self.base = base  # the entry as this user opened it
        self.current = current  # the entry as saved by the other person

    @property
    def changes(self) -> list[dict]:
        return snapshot_diff(self.base, self.current) if self.base else []


# --- Applying a snapshot to the row --------------------------------------------------------------------------


def _validate_objectives(primary_id: int, additional_ids: list[int]) -> list[Objective]:
    objectives = list(Objective.objects.select_related("ipa").filter(pk__in=[primary_id, *additional_ids]))
    if len(objectives) != len({primary_id, *additional_ids}):
        raise PortalError("One of the objectives no longer exists.", field="primary_objective")
    for objective in objectives:
        if objective.ipa.status != IntegratedPlanOfAction.Status.ADOPTED:
            raise PortalError(
                f"Objective {objective} belongs to an iPA that is not adopted; choose an objective of an adopted iPA.",
                field="primary_objective" if objective.pk == primary_id else "additional_objectives",
            )
    return objectives


def apply_snapshot(activity: Activity, data: dict) -> None:
    """Write a snapshot into the activity row and its related rows (objectives, countries, funding)."""
    if not data["beneficiaries"]:
        raise PortalError("Name at least one beneficiary.", field="beneficiaries")
    if data["primary_objective"] is None:
        raise PortalError("Choose the primary iPA objective.", field="primary_objective")
    _validate_objectives(data["primary_objective"], data["additional_objectives"])
    for name in SCALAR_FIELDS:
        value = data[name]
        if name == "implementing_organisation":
            activity.implementing_organisation_id = value
            continue
        if name in DATE_FIELDS and value:
            value = date.fromisoformat(value)
        if name == "budget_eur":
            value = Decimal(value)
        setattr(activity, name, value)
    activity.full_clean(exclude=["organisation", "objectives", "beneficiaries", "themes"])
    activity.save()
    activity.objective_links.all().delete()
    ActivityObjective.objects.bulk_create(
        [ActivityObjective(activity=activity, objective_id=data["primary_objective"], is_primary=True)]
        + [ActivityObjective(activity=activity, objective_id=pk) for pk in data["additional_objectives"]]
    )
    activity.beneficiaries.set(data["beneficiaries"])
    activity.themes.set(data["themes"])
    activity.fundings.all().delete()
    Funding.objects.bulk_create(
        [
            Funding(
                activity=activity,
                donor_id=line["donor"],
                amount=Decimal(line["amount"]),
                currency=line["currency"],
                amount_eur=Decimal(line["amount_eur"]),
                status=line["status"],
                instrument=line["instrument"],
            )
            for line in data["fundings"]
        ]
    )


VERSION_MISSING = (
    "This save does not say which version of the activity you edited, so it could overwrite a colleague's "
    "changes unseen. Nothing was saved: open the activity again and redo your changes."
)


def _claim_version(activity: Activity, expected_version: int, base_snapshot: dict | None) -> None:
    """Optimistic lock: bump the version only if nobody saved since `expected_version`."""
    claimed = Activity.objects.filter(pk=activity.pk, version=expected_version).update(version=F("version") + 1)
    if not claimed:
        current = Activity.objects.get(pk=activity.pk)
        raise EditConflict(
            current_version=current.version, base=base_snapshot, current=activity_working_snapshot(current)
        )
    activity.version = expected_version + 1


def open_revision(activity: Activity) -> ActivityRevision | None:
    return activity.revisions.filter(state__in=OPEN_REVISION_STATES).first()


def activity_working_snapshot(activity: Activity) -> dict:
    """What the owner edits: the open revision if there is one, else the row."""
    revision = open_revision(activity)
    return revision.data if revision else activity_snapshot(activity)


def _require_editor(actor: User, activity_organisation: Organisation) -> None:
    if (
        not actor.has_perm("ipas.change_activity")
        or not organisations_of(actor, role="editor").filter(pk=activity_organisation.pk).exists()
    ):
        raise PortalError("Only editors of the organisation that logged this activity may change it.")


# --- Partners: logging ---------------------------------------------------------------------------------------


def activity_create(*, actor: User, organisation: Organisation, data: dict, external_id: str = "") -> Activity:
    """Log a new activity (a draft) for `organisation`."""
    _require_editor(actor, organisation)
    with transaction.atomic(), audited(actor, "activity_create"):
        activity = Activity(organisation=organisation, created_by=actor, external_id=external_id)
        activity.implementing_organisation_id = data["implementing_organisation"]
        activity.planned_start = date.fromisoformat(data["planned_start"])
        activity.planned_end = date.fromisoformat(data["planned_end"])
        apply_snapshot(activity, data)
    after_activity_change(activity)
    return activity


def activity_update(
    *, actor: User, activity: Activity, data: dict, expected_version: int, base_snapshot: dict | None = None
) -> Activity:
    """Save the owner's edits. Approved entries get (or continue) a revision; others change in place.

    `expected_version` is the version the edits were made on; a save without it is refused, never let through
    unchecked (it would overwrite whatever was saved meanwhile)."""
    if not isinstance(expected_version, int) or isinstance(expected_version, bool):
        raise PortalError(VERSION_MISSING)
    _require_editor(actor, activity.organisation)
    with transaction.atomic(), audited(actor, "activity_update"):
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        _claim_version(activity, expected_version, base_snapshot)
        if activity.approval_state == Activity.ApprovalState.APPROVED:
            _validate_objectives(data["primary_objective"], data["additional_objectives"])
            revision = open_revision(activity)
            if revision is None:
                revision = ActivityRevision(activity=activity, created_by=actor)
            elif revision.state == ActivityRevision.State.SUBMITTED:
                supersede_pending_reviews(activity)
            revision.data = data
            revision.state = ActivityRevision.State.DRAFT
            revision.save()
        else:
            if activity.approval_state == Activity.ApprovalState.SUBMITTED:
                # Changing an entry under review takes it out of review: reviewers must see what they approve.
                supersede_pending_reviews(activity)
            activity.approval_state = (
                Activity.ApprovalState.RETURNED
                if activity.approval_state == Activity.ApprovalState.RETURNED
                else Activity.ApprovalState.DRAFT
            )
            apply_snapshot(activity, data)
    after_activity_change(activity)
    return activity


def activity_withdraw(*, actor: User, activity: Activity) -> Activity:
    _require_editor(actor, activity.organisation)
    with transaction.atomic(), audited(actor, "activity_withdraw"):
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        if activity.approval_state == Activity.ApprovalState.WITHDRAWN:
            raise PortalError("This activity is already withdrawn.")
        supersede_pending_reviews(activity)
        activity.revisions.filter(state__in=OPEN_REVISION_STATES).update(state=ActivityRevision.State.DISCARDED)
        activity.approval_state = Activity.ApprovalState.WITHDRAWN
        activity.version += 1
        activity.save(update_fields=["approval_state", "version", "updated_at"])
    after_activity_change(activity)  # its flags leave the report now, not at the next nightly run
    return activity


def supersede_pending_reviews(activity: Activity) -> None:
    activity.reviews.filter(state=ActivityReview.State.PENDING).update(state=ActivityReview.State.SUPERSEDED)


def _pillars_of(data: dict) -> list[Pillar]:
    ids = [data["primary_objective"], *data["additional_objectives"]]
    return list(Pillar.objects.filter(ipas__objectives__pk__in=ids).distinct().order_by("order", "code"))


def activity_submit(*, actor: User, activity: Activity) -> list[ActivityReview]:
    """Send the entry (or its open revision) to the review queue of every pillar whose objectives it names."""
    _require_editor(actor, activity.organisation)
    with transaction.atomic(), audited(actor, "activity_submit"):
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        revision = None
        approved_data = None
        if activity.approval_state == Activity.ApprovalState.APPROVED:
            revision = open_revision(activity)
            if revision is None or revision.state == ActivityRevision.State.SUBMITTED:
                raise PortalError("There are no unsubmitted changes to this approved activity.")
            data = revision.data
            approved_data = activity_snapshot(activity)
            revision.state = ActivityRevision.State.SUBMITTED
            revision.save(update_fields=["state", "updated_at"])
        elif activity.approval_state in (Activity.ApprovalState.DRAFT, Activity.ApprovalState.RETURNED):
            data = activity_snapshot(activity)
            activity.approval_state = Activity.ApprovalState.SUBMITTED
        else:
            raise PortalError(f"A {activity.get_approval_state_display().lower()} activity cannot be submitted.")
        pillars = _pillars_of(data)
        if not pillars:
            raise PortalError("Choose at least one iPA objective before submitting.")
        activity.review_round += 1
        activity.version += 1
        activity.save(update_fields=["approval_state", "review_round", "version", "updated_at"])
        now = timezone.now()
        reviews = ActivityReview.objects.bulk_create(
            [
                ActivityReview(
                    activity=activity,
                    revision=revision,
                    pillar=pillar,
                    round=activity.review_round,
                    submitted_by=actor,
                    submitted_at=now,
                    submitted_data=data,
                    approved_data=approved_data,
                )
                for pillar in pillars
            ]
        )
    transaction.on_commit(
        lambda: notify_reviewers_of_submission_task.delay(activity.pk, activity.review_round), robust=True
    )
    return reviews


def after_activity_change(activity: Activity) -> None:
    """Work that follows any change of an entry, after commit."""
    # The duplication check of this entry against all others (ipas/duplication), in the background. The
    # change is saved whatever the broker does: a failed send is logged, not shown to the user as a failure
    # (they would save again); the nightly run checks the entry anyway.
    transaction.on_commit(lambda: duplication_check_activity_task.delay(activity.pk), robust=True)
