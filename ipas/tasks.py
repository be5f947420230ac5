"""Background work of the ipas app, the only Celery module of the app.

Tasks take ids, re-read the database, call a service and are safe to run twice. They import the services
in their bodies (services import these tasks at module level to enqueue them after commit), so neither
side forms an import cycle. A task named like the function it calls carries a `_task` suffix in Python;
its registered name (stored in beat rows and queued messages) stays `ipas.tasks.<name>`.
"""

from celery import shared_task

# --- Duplication reports (ipas/duplication) ---


@shared_task(acks_late=True, soft_time_limit=1500)
def duplication_run_full(run_id: int) -> str:
    """Run a queued full duplication run. Safe to run twice: only one execution claims the run. (No automatic
    retry: a failed run is recorded as failed, staff or the night start the next; an interrupted one is
    taken over by `resume_stalled_jobs`.)"""
    from ipas.duplication.services import duplication_run_execute

    run = duplication_run_execute(run_id=run_id)
    return run.status if run else "skipped"


@shared_task(acks_late=True)
def duplication_run_nightly() -> int | None:
    """The nightly full run (Celery beat): starts one unless one is already queued or running."""
    from ipas.duplication.services import duplication_run_execute, duplication_run_start
    from ipas.models import DuplicationRun

    run = duplication_run_start(actor=None, trigger=DuplicationRun.Trigger.NIGHTLY, enqueue=False)
    if run.status == DuplicationRun.Status.QUEUED:
        duplication_run_execute(run_id=run.pk)
    return run.pk


@shared_task(
    name="ipas.tasks.duplication_check_activity",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=240,
    time_limit=300,
)
def duplication_check_activity_task(activity_id: int) -> dict:
    """Check one activity after it was saved (call on commit). Idempotent: it only reconciles its flags."""
    from ipas.duplication.services import duplication_check_activity

    return duplication_check_activity(activity_id=activity_id)


@shared_task(acks_late=True, soft_time_limit=1500)
def duplication_export_build(export_id: int) -> str:
    """Build a queued file of the duplication report. Safe to run twice: only one execution claims it."""
    from ipas.duplication.report_files import duplication_export_execute

    export = duplication_export_execute(export_id=export_id)
    return export.status if export else "skipped"


# --- Bulk import of donors' lists (the upload page; the command imports in its own process) ---


@shared_task(acks_late=True)
def activity_import_run(import_id: int) -> str:
    """Import a queued list. Safe to run twice: only one execution claims it, and it is all or nothing.
    (No automatic retry: a failed import is recorded as failed; an interrupted one is resumed below.)"""
    from ipas.imports.services import activity_import_execute

    job = activity_import_execute(import_id=import_id)
    return job.status if job else "skipped"


@shared_task
def resume_stalled_jobs() -> dict:
    """Every few minutes (beat): send again the imports, duplication runs and report exports no worker took
    (the broker was down when they were queued) or a dead worker left running; delete report files older
    than a week."""
    from ipas.duplication.report_files import duplication_exports_prune, duplication_exports_resume
    from ipas.duplication.services import duplication_runs_resume
    from ipas.imports.services import activity_imports_resume

    return {
        "imports": activity_imports_resume(),
        "duplication_runs": duplication_runs_resume(),
        "duplication_exports": duplication_exports_resume(),
        "duplication_exports_deleted": duplication_exports_prune(),
    }


# --- Notifications about iPA entries (sent after commit; safe to run twice: they only send mail) ---


@shared_task(
    name="ipas.tasks.notify_reviewers_of_submission", autoretry_for=(OSError,), retry_backoff=True, max_retries=3
)
def notify_reviewers_of_submission_task(activity_id: int, round_: int) -> int:
    from ipas.review.notifications import notify_reviewers_of_submission

    return notify_reviewers_of_submission(activity_id, round_)


@shared_task(
    name="ipas.tasks.notify_submitter_of_decision", autoretry_for=(OSError,), retry_backoff=True, max_retries=3
)
def notify_submitter_of_decision_task(review_id: int) -> bool:
    from ipas.review.notifications import notify_submitter_of_decision

    return notify_submitter_of_decision(review_id)


@shared_task(name="ipas.tasks.send_review_digest")
def send_review_digest_task() -> int:
    from ipas.review.notifications import send_review_digest

    return send_review_digest()
