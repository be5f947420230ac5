"""Logging activities and approving iPA entries. Every write of an activity goes through here.

An entry that was never approved is edited in place (its row is the draft). Once approved, the row is
what everyone sees; edits go into one open ActivityRevision until every pillar concerned approves it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from iisg_portal.audit import audited
from iisg_portal.errors import PortalError
from ipas.models import (
    Activity,
    ActivityObjective,
    ActivityReview,
    ActivityRevision,
    Funding,
    IntegratedPlanOfAction,
    Objective,
)
from partners.models import Organisation, User
from partners.selectors import organisations_of
from pillars.models import Pillar

SCALAR_FIELDS = [
    "title",
    "description",
    "implementing_organisation",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "status",
    "budget_eur",
    "contact",
    "links",
]
DATE_FIELDS = {"planned_start", "planned_end", "actual_start", "actual_end"}
OPEN_REVISION_STATES = ActivityRevision.OPEN_STATES


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


# --- Snapshots: one plain, JSON-able shape for an entry, used for revisions, diffs and conflicts -------------


def activity_snapshot(activity: Activity) -> dict:
    """The entry as a plain dict (ids and strings), as stored in a revision and compared in diffs."""
    data = {}
    for name in SCALAR_FIELDS:
        data[name] = _jsonable(getattr(activity, name + "_id" if name == "implementing_organisation" else name))
    links = list(activity.objective_links.all())
    data["primary_objective"] = next((link.objective_id for link in links if link.is_primary), None)
    data["additional_objectives"] = sorted(link.objective_id for link in links if not link.is_primary)
    data["beneficiaries"] = sorted(c.pk for c in activity.beneficiaries.all())
    data["themes"] = sorted(t.pk for t in activity.themes.all())
    data["fundings"] = [
        {
            "donor": f.donor_id,
            "amount": str(f.amount),
            "currency": f.currency,
            "amount_eur": str(f.amount_eur),
            "status": f.status,
            "instrument": f.instrument,
        }
        for f in activity.fundings.all()
    ]
    return data


def _jsonable(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    if isinstance(value, Organisation | Objective):
        return value.pk
    return value


def snapshot_from_form_data(data: dict) -> dict:
    """Normalise cleaned form data (model instances, dates, decimals) into the snapshot shape."""
    snapshot = {name: _jsonable(data.get(name)) for name in SCALAR_FIELDS}
    snapshot["contact"] = snapshot["contact"] or ""
    snapshot["links"] = snapshot["links"] or ""
    snapshot["description"] = snapshot["description"] or ""
    snapshot["primary_objective"] = _jsonable(data["primary_objective"])
    snapshot["additional_objectives"] = sorted(
        o.pk for o in data.get("additional_objectives", []) if o.pk != snapshot["primary_objective"]
    )
    snapshot["beneficiaries"] = sorted(c.pk for c in data["beneficiaries"])
    snapshot["themes"] = sorted(t.pk for t in data.get("themes", []))
    snapshot["fundings"] = [
        {
            "donor": f["donor"].pk,
            "amount": str(Decimal(f["amount"]).quantize(Decimal("0.01"))),
            "currency": f["currency"],
            "amount_eur": str(Decimal(f["amount_eur"]).quantize(Decimal("0.01"))),
            "status": f["status"],
            "instrument": f.get("instrument") or "",
        }
        for f in data.get("fundings", [])
    ]
    return snapshot


FIELD_LABELS = {
    "title": "Title",
    "description": "Description",
    "implementing_organisation": "Implementing organisation",
    "planned_start": "Planned start",
    "planned_end": "Planned end",
    "actual_start": "Actual start",
    "actual_end": "Actual end",
    "status": "Status",
    "budget_eur": "Budget (EUR)",
    "contact": "Contact",
    "links": "Document links",
    "primary_objective": "Primary objective",
    "additional_objectives": "Additional objectives",
    "beneficiaries": "Beneficiaries",
    "themes": "Themes",
    "fundings": "Funding lines",
}


def snapshot_diff(before: dict | None, after: dict) -> list[dict]:
    """Fields whose value differs, in display order: [{"field", "label", "before", "after"}]."""
    changes = []
    for name, label in FIELD_LABELS.items():
        old = None if before is None else before.get(name)
        new = after.get(name)
        if old != new:
            changes.append({"field": name, "label": label, "before": old, "after": new})
    return changes


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


def _apply_snapshot(activity: Activity, data: dict) -> None:
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


def _claim_version(activity: Activity, expected_version: int | None, base_snapshot: dict | None) -> None:
    """Optimistic lock: bump the version only if nobody saved since `expected_version`."""
    if expected_version is None:
        return
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
        _apply_snapshot(activity, data)
    _after_change(activity)
    return activity


def activity_update(
    *, actor: User, activity: Activity, data: dict, expected_version: int, base_snapshot: dict | None = None
) -> Activity:
    """Save the owner's edits. Approved entries get (or continue) a revision; others change in place."""
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
                _supersede_pending_reviews(activity)
            revision.data = data
            revision.state = ActivityRevision.State.DRAFT
            revision.save()
        else:
            if activity.approval_state == Activity.ApprovalState.SUBMITTED:
                # Changing an entry under review takes it out of review: reviewers must see what they approve.
                _supersede_pending_reviews(activity)
            activity.approval_state = (
                Activity.ApprovalState.RETURNED
                if activity.approval_state == Activity.ApprovalState.RETURNED
                else Activity.ApprovalState.DRAFT
            )
            _apply_snapshot(activity, data)
    _after_change(activity)
    return activity


def activity_withdraw(*, actor: User, activity: Activity) -> Activity:
    _require_editor(actor, activity.organisation)
    with transaction.atomic(), audited(actor, "activity_withdraw"):
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        if activity.approval_state == Activity.ApprovalState.WITHDRAWN:
            raise PortalError("This activity is already withdrawn.")
        _supersede_pending_reviews(activity)
        activity.revisions.filter(state__in=OPEN_REVISION_STATES).update(state=ActivityRevision.State.DISCARDED)
        activity.approval_state = Activity.ApprovalState.WITHDRAWN
        activity.version += 1
        activity.save(update_fields=["approval_state", "version", "updated_at"])
    _after_change(activity)  # its flags leave the report now, not at the next nightly run
    return activity


def _supersede_pending_reviews(activity: Activity) -> None:
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
        if activity.approval_state == Activity.ApprovalState.APPROVED:
            revision = open_revision(activity)
            if revision is None or revision.state == ActivityRevision.State.SUBMITTED:
                raise PortalError("There are no unsubmitted changes to this approved activity.")
            data = revision.data
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
                )
                for pillar in pillars
            ]
        )
    from ipas import tasks

    transaction.on_commit(
        lambda: tasks.notify_reviewers_of_submission.delay(activity.pk, activity.review_round), robust=True
    )
    return reviews


# --- Lead Partners: approving --------------------------------------------------------------------------------


@dataclass
class ReviewOutcome:
    review: ActivityReview
    activity_approved: bool


def activity_review_decide(*, actor: User, review: ActivityReview, approve: bool, comment: str = "") -> ReviewOutcome:
    """Approve, or return with a comment, one pillar's review. Exactly one decision per review."""
    comment = comment.strip()
    if not approve and not comment:
        raise PortalError("Say why the entry is returned: a comment is required.", field="comment")
    if not actor.has_perm("pillars.review_entries", review.pillar):
        raise PortalError(f"Only the Lead Partners of {review.pillar.code} may decide on this entry.")
    if organisations_of(actor).filter(pk=review.activity.organisation_id).exists():
        raise PortalError("You cannot review an entry of your own organisation.")
    with transaction.atomic(), audited(actor, "activity_review_decide"):
        # Lock the activity first: the last of several pillar approvals publishes the entry exactly once.
        activity = Activity.objects.select_for_update().get(pk=review.activity_id)
        now = timezone.now()
        state = ActivityReview.State.APPROVED if approve else ActivityReview.State.RETURNED
        claimed = ActivityReview.objects.filter(pk=review.pk, state=ActivityReview.State.PENDING).update(
            state=state, decided_by=actor, decided_at=now, comment=comment
        )
        review.refresh_from_db()
        if not claimed:
            who = review.decided_by or "another reviewer"
            raise PortalError(
                f"This entry was already decided ({review.get_state_display().lower()}) by {who}; nothing was changed."
            )
        revision = review.revision
        published = False
        if not approve:
            _supersede_pending_reviews(activity)
            if revision:
                revision.state = ActivityRevision.State.RETURNED
                revision.save(update_fields=["state", "updated_at"])
            else:
                activity.approval_state = Activity.ApprovalState.RETURNED
        elif not activity.reviews.filter(round=review.round).exclude(state=ActivityReview.State.APPROVED).exists():
            if revision:
                _apply_snapshot(activity, revision.data)
                revision.state = ActivityRevision.State.APPROVED
                revision.save(update_fields=["state", "updated_at"])
            activity.approval_state = Activity.ApprovalState.APPROVED
            activity.approved_at = now
            published = True
        activity.version += 1
        activity.save()
    from ipas import tasks

    transaction.on_commit(lambda: tasks.notify_submitter_of_decision.delay(review.pk), robust=True)
    if published:
        _after_change(activity)
    return ReviewOutcome(review=review, activity_approved=published)


def _after_change(activity: Activity) -> None:
    """Work that follows any change of an entry, after commit."""
    from ipas.tasks import duplication_check_activity

    # The duplication check of this entry against all others (ipas/duplication.py), in the background. The
    # change is saved whatever the broker does: a failed send is logged, not shown to the user as a failure
    # (they would save again); the nightly run checks the entry anyway.
    transaction.on_commit(lambda: duplication_check_activity.delay(activity.pk), robust=True)
