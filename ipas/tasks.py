"""Background work of the ipas app. Tasks take ids, re-read the database and are safe to run twice."""

from celery import shared_task

# --- Duplication reports (see ipas/duplication.py and ipas/services/duplication.py) ---


@shared_task(acks_late=True, soft_time_limit=1500)
def duplication_run_full(run_id: int) -> str:
    """Run a queued full duplication run. Safe to run twice: only one execution claims the run. (No automatic
    retry: a failed run is recorded as failed, staff or the night start the next; an interrupted one is
    taken over by `resume_stalled_jobs`.)"""
    from ipas.services.duplication import duplication_run_execute

    run = duplication_run_execute(run_id=run_id)
    return run.status if run else "skipped"


@shared_task(acks_late=True)
def duplication_run_nightly() -> int | None:
    """The nightly full run (Celery beat): starts one unless one is already queued or running."""
    from ipas.models import DuplicationRun
    from ipas.services.duplication import duplication_run_execute, duplication_run_start

    run = duplication_run_start(actor=None, trigger=DuplicationRun.Trigger.NIGHTLY, enqueue=False)
    if run.status == DuplicationRun.Status.QUEUED:
        duplication_run_execute(run_id=run.pk)
    return run.pk


@shared_task(
    acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3, soft_time_limit=240, time_limit=300
)
def duplication_check_activity(activity_id: int) -> dict:
    """Check one activity after it was saved (call on commit). Idempotent: it only reconciles its flags."""
    from ipas.services.duplication import duplication_check_activity as check

    return check(activity_id=activity_id)


@shared_task(acks_late=True, soft_time_limit=1500)
def duplication_export_build(export_id: int) -> str:
    """Build a queued file of the duplication report. Safe to run twice: only one execution claims it."""
    from ipas.services.report_exports import duplication_export_execute

    export = duplication_export_execute(export_id=export_id)
    return export.status if export else "skipped"


# --- Bulk import of donors' lists (the upload page; the command imports in its own process) ---


@shared_task(acks_late=True)
def activity_import_run(import_id: int) -> str:
    """Import a queued list. Safe to run twice: only one execution claims it, and it is all or nothing.
    (No automatic retry: a failed import is recorded as failed; an interrupted one is resumed below.)"""
    from ipas.services.imports import activity_import_execute

    job = activity_import_execute(import_id=import_id)
    return job.status if job else "skipped"


@shared_task
def resume_stalled_jobs() -> dict:
    """Every few minutes (beat): send again the imports, duplication runs and report exports no worker took
    (the broker was down when they were queued) or a dead worker left running; delete report files older
    than a week."""
    from ipas.services.duplication import duplication_runs_resume
    from ipas.services.imports import activity_imports_resume
    from ipas.services.report_exports import duplication_exports_prune, duplication_exports_resume

    return {
        "imports": activity_imports_resume(),
        "duplication_runs": duplication_runs_resume(),
        "duplication_exports": duplication_exports_resume(),
        "duplication_exports_deleted": duplication_exports_prune(),
    }


# --- Notifications about iPA entries (sent after commit; safe to run twice: they only send mail) ---


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def notify_reviewers_of_submission(activity_id: int, round_: int) -> int:
    from ipas import notifications

    return notifications.notify_reviewers_of_submission(activity_id, round_)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def notify_submitter_of_decision(review_id: int) -> bool:
    from ipas import notifications

    return notifications.notify_submitter_of_decision(review_id)


@shared_task
def send_review_digest() -> int:
    from ipas import notifications

    return notifications.send_review_digest()
