"""Importing donors' lists of activities. The file is read and checked by ipas/imports/reading.py and plan.py; this writes.

All or nothing: a file with any bad row imports nothing. The rows are checked again inside the
transaction that writes them, so what is written always matches the database at that moment, not the
moment of the preview.

Imported entries are published (approval state "approved") straight away. They come from the donors' own
portfolios and are brought in by Support Group staff, who hold the right to do so; sending hundreds of
rows through every pillar's review queue would keep the lists out of the duplication report and the
consultation before planning, which is what they are imported for. Every write is audited as
"activity_import" with the file name, so an imported entry can be told from one a partner logged.
Pending changes or reviews of an entry the import overwrites are set aside (the list is the source).

New entries are written in bulk; changed entries go one by one through `apply_snapshot`, like every other
save of an entry (tens of ms each). Unchanged rows are not written. A list confirmed on the upload page is
imported by the worker (`activity_import_start`), which reports its progress; the command imports at once.
"""

from __future__ import annotations

from collections.abc import Callable

import pghistory
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from iisg_portal.audit import audited
from iisg_portal.errors import PortalError
from iisg_portal.permissions import actor_require
from iisg_portal.progress import progress_clear, progress_set
from ipas.activities.services import (
    apply_snapshot,
    supersede_pending_reviews,
)
from ipas.activities.snapshots import OPEN_REVISION_STATES, activity_snapshot
from ipas.duplication.services import duplication_run_start
from ipas.imports.plan import FUNDING_STATUS, ImportPlan, import_plan, imported_snapshot
from ipas.imports.reading import Table
from ipas.models import Activity, ActivityImport, ActivityObjective, ActivityRevision, Funding
from ipas.tasks import activity_import_run, duplication_check_activity_task
from partners.models import Organisation, User
from partners.services import organisation_create

# Who may import: a person holding this (the command may also run as no one: the system).
IMPORT_PERM = "ipas.import_activities"
IMPORT_REFUSED = "Only Support Group staff may import lists of activities."

# Above this many changed entries one full duplication run is cheaper than one check per entry.
INCREMENTAL_CHECK_LIMIT = 100
# One import at a time: two imports of the same list must not both create its entries.
_IMPORT_LOCK = 0x1155_0001


def activities_import(
    *,
    actor: User | None,
    table: Table,
    owner: Organisation | None = None,
    filename: str = "",
    dry_run: bool = False,
    progress: Callable[[int, str], None] | None = None,
) -> ImportPlan:
    """Import the rows of `table`, or nothing if any row is bad (the returned plan lists every error).

    `owner` is the organisation whose list it is; None makes each row's implementing organisation the owner.
    With `dry_run` the plan is made and nothing is written. `progress(percent, message)` hears how far it is.
    `actor` None is the system (the command run without --actor); a person needs IMPORT_PERM, also at the moment
    the worker imports a list queued earlier.
    """
    actor_require(actor, IMPORT_PERM, IMPORT_REFUSED, system=True)
    if dry_run:
        return import_plan(table, owner=owner, filename=filename)
    report = progress or (lambda percent, message: None)
    changed: list[int] = []
    with transaction.atomic():
        report(2, "Waiting for any other import to finish")
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_IMPORT_LOCK])
        report(5, f"Checking {len(table.rows):,} rows against the portal")
        plan = import_plan(table, owner=owner, filename=filename)
        if not plan.ok:
            return plan
        organisations = plan.organisations
        for new in plan.new_organisations:
            created = organisation_create(
                actor=actor,
                name=new.name,
                type=new.type,
                participation=Organisation.Participation.AD_HOC,
                needs_review=True,
            )
            organisations.add_created(created)
        now = timezone.now()
        with audited(actor, "activity_import"), pghistory.context(import_file=filename[:200]):
            creates = [r for r in plan.rows if r.action == "create"]
            report(15, f"Creating {len(creates):,} new entries")
            try:
                changed.extend(_create_rows(creates, plan, actor=actor, now=now))
            except IntegrityError as exc:  # checked in the plan; the constraints are the last word
                raise PortalError(f"The import was refused by the database: {exc}. Nothing was imported.") from exc
            updates = [r for r in plan.rows if r.action == "update"]
            for done, row in enumerate(updates):
                if done % 25 == 0:
                    report(40 + 55 * done // len(updates), f"Updating entry {done + 1:,} of {len(updates):,}")
                try:
                    _update_row(row, plan, now=now)
                except (PortalError, ValidationError) as exc:
                    message = exc.message if isinstance(exc, PortalError) else "; ".join(exc.messages)
                    raise PortalError(f"Row {row.row}: {message} Nothing was imported.") from exc
                changed.append(row.activity_id)
            report(96, "Saving")
    _check_for_duplicates(changed, actor=actor)
    return plan


def _create_rows(rows: list, plan: ImportPlan, *, actor: User | None, now) -> list[int]:
    """New entries, written in bulk: every row was checked by the plan, and the database constraints hold."""
    organisations = plan.organisations
    created_by = actor if getattr(actor, "is_authenticated", False) else None
    activities = []
    for row in rows:
        owner_id = plan.owner.pk if plan.owner is not None else organisations.id_of(row.owner)
        activities.append(
            Activity(
                organisation_id=owner_id,
                external_id=row.external_id,
                created_by=created_by,
                approval_state=Activity.ApprovalState.APPROVED,
                approved_at=now,
                title=row.title,
                description=row.description,
                implementing_organisation_id=organisations.id_of(row.implementing_organisation),
                planned_start=row.start,
                planned_end=row.end,
                status=row.status,
                budget_eur=row.budget_eur,
            )
        )
    Activity.objects.bulk_create(activities, batch_size=500)
    ActivityObjective.objects.bulk_create(
        [
            ActivityObjective(activity=activity, objective_id=objective_id, is_primary=position == 0)
            for activity, row in zip(activities, rows, strict=True)
            for position, objective_id in enumerate(row.objectives)
        ],
        batch_size=2000,
    )
    Beneficiary = Activity.beneficiaries.through
    Beneficiary.objects.bulk_create(
        [
            Beneficiary(activity_id=activity.pk, country_id=code)
            for activity, row in zip(activities, rows, strict=True)
            for code in row.beneficiaries
        ],
        batch_size=2000,
    )
    Funding.objects.bulk_create(
        [
            Funding(
                activity=activity,
                donor_id=organisations.id_of(donor),
                amount=amount,
                currency="EUR",
                amount_eur=amount,
                status=FUNDING_STATUS,
            )
            for activity, row in zip(activities, rows, strict=True)
            for donor, amount in row.fundings
        ],
        batch_size=2000,
    )
    for activity, row in zip(activities, rows, strict=True):
        row.activity_id = activity.pk
    return [activity.pk for activity in activities]


def _update_row(row, plan: ImportPlan, *, now) -> Activity:
    """An existing entry takes the row's values, through the same code as every other save of an entry."""
    activity = (
        Activity.objects.select_for_update()
        .prefetch_related("objective_links__objective__ipa", "beneficiaries", "themes", "fundings")
        .get(pk=row.activity_id)
    )
    data = imported_snapshot(row, plan.organisations, before=activity_snapshot(activity), activity=activity)
    supersede_pending_reviews(activity)
    activity.revisions.filter(state__in=OPEN_REVISION_STATES).update(state=ActivityRevision.State.DISCARDED)
    if activity.approval_state != Activity.ApprovalState.APPROVED:
        activity.approval_state = Activity.ApprovalState.APPROVED
        activity.approved_at = now
    activity.version += 1
    apply_snapshot(activity, data)
    return activity


def _check_for_duplicates(activity_ids: list[int], *, actor: User | None) -> None:
    """Imported entries are checked for duplicates like any saved entry, after commit."""
    if not activity_ids:
        return
    if len(activity_ids) <= INCREMENTAL_CHECK_LIMIT:
        for pk in activity_ids:
            transaction.on_commit(lambda pk=pk: duplication_check_activity_task.delay(pk), robust=True)
    else:
        transaction.on_commit(lambda: duplication_run_start(actor=actor), robust=True)


# --- The import as a background job (the upload page) ---------------------------------------------------

PROGRESS_KIND = "activity-import"


def activity_import_start(*, actor: User, table: Table, owner: Organisation | None, filename: str) -> ActivityImport:
    """Queue a checked list for import by the worker (after commit); the page follows its progress.

    If the broker cannot take the task now, the job waits as queued: `activity_imports_resume` sends it again
    (beat runs it every five minutes).
    """
    actor_require(actor, IMPORT_PERM, IMPORT_REFUSED)
    with transaction.atomic():
        job = ActivityImport.objects.create(
            filename=filename[:255], owner=owner, requested_by=actor, rows=table.packed(), row_count=len(table.rows)
        )
        transaction.on_commit(lambda: activity_import_run.delay(job.pk), robust=True)
    return job


def activity_imports_resume() -> list[int]:
    """Send again the imports a worker never took (broker down when queued) or left running when it died
    (its transaction rolled back); give up one interrupted ActivityImport.MAX_ATTEMPTS times. Safe: a job is
    claimed by one execution only. Returns the ids sent again."""
    return ActivityImport.resume(send=activity_import_run.delay)


def activity_import_execute(*, import_id: int) -> ActivityImport | None:
    """Import a queued list, all or nothing, and record the outcome. Safe to call twice: one caller claims
    the job; one left "importing" by a worker that died (its transaction rolled back) is taken over once
    older than the task time limit, until it has been interrupted ActivityImport.MAX_ATTEMPTS times: then it
    is given up."""
    if not ActivityImport.claim(import_id, message="Starting"):
        return ActivityImport.objects.get(pk=import_id) if ActivityImport.give_up([import_id]) else None
    job = ActivityImport.objects.select_related("owner", "requested_by").get(pk=import_id)

    def finish(status: str, message: str, result: dict) -> ActivityImport:
        fields = {"status": status, "message": message[:300], "result": result, "finished_at": timezone.now()}
        if status == ActivityImport.Status.DONE:
            # Its progress was shown from Redis while it ran; the row's says where it ended, like every job's.
            fields.update(rows=b"", percent=100)
        ActivityImport.objects.filter(pk=import_id).update(**fields)
        return ActivityImport.objects.get(pk=import_id)

    try:
        return _import_and_record(job, finish)
    finally:
        # Once the row holds the outcome (committed), the page reads it there.
        progress_clear(PROGRESS_KIND, import_id)


def _import_and_record(job: ActivityImport, finish: Callable[[str, str, dict], ActivityImport]) -> ActivityImport:
    def report(percent: int, message: str) -> None:
        progress_set(PROGRESS_KIND, job.pk, percent, message)

    try:
        # The outcome is recorded in the import's own transaction: a worker dying after the commit cannot
        # leave a written list "importing", to be imported again over later edits.
        with transaction.atomic():
            plan = activities_import(
                actor=job.requested_by,
                table=Table.unpacked(job.rows),
                owner=job.owner,
                filename=job.filename,
                progress=report,
            )
            if plan.ok:
                job = finish(ActivityImport.Status.DONE, _outcome_message(plan), _outcome(plan))
    except PortalError as exc:
        return finish(ActivityImport.Status.FAILED, exc.message, {"file_errors": [exc.message]})
    except Exception as exc:
        finish(ActivityImport.Status.FAILED, f"The import failed: {exc}. Nothing was imported.", {})
        raise
    if not plan.ok:
        # The portal changed since the check (an organisation or iPA was removed): nothing was written.
        return finish(
            ActivityImport.Status.FAILED,
            "The portal changed since the file was checked: nothing was imported. Upload it again to see why.",
            {"file_errors": plan.file_errors, "errors": plan.errors_by_row},
        )
    return job


def _outcome(plan: ImportPlan) -> dict:
    return {
        "created": plan.count("create"),
        "updated": plan.count("update"),
        "unchanged": plan.count("unchanged"),
        "new_organisations": [new.name for new in plan.new_organisations],
    }


def _outcome_message(plan: ImportPlan) -> str:
    created = len(plan.new_organisations)
    return (
        f"{plan.count('create'):,} created, {plan.count('update'):,} updated, {plan.count('unchanged'):,} unchanged"
        + (f"; {created} organisation(s) created and marked for review" if created else "")
        + ". The imported entries are being checked for duplicates."
    )
