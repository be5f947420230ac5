"""The four kinds of background job kept as rows share one model (iisg_portal.jobs.BackgroundJob): one claim, one
progress, one rule to resume or give up a stalled job."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from board import services as board_services
from board.models import MeetingPack
from iisg_portal.jobs import BackgroundJob, task_time_limit
from ipas.duplication.report_files import duplication_export_execute, duplication_exports_resume
from ipas.duplication.services import duplication_run_execute, duplication_runs_resume
from ipas.imports.services import activity_import_execute, activity_imports_resume
from ipas.models import ActivityImport, DuplicationExport, DuplicationRun
from tests.board.factories import MeetingFactory


def _run(**fields):
    return DuplicationRun.objects.create(**fields)


def _export(**fields):
    return DuplicationExport.objects.create(format="xlsx", **fields)


def _import(**fields):
    return ActivityImport.objects.create(filename="donor.csv", **fields)


def _pack(**fields):
    return MeetingPack.objects.create(meeting=MeetingFactory(), version=1, **fields)


# Each kind: its model, how to make one, how its service resumes stalled ones and executes one, and what it says given up.
KINDS = {
    "duplication run": (
        DuplicationRun,
        _run,
        duplication_runs_resume,
        lambda pk: duplication_run_execute(run_id=pk),
        "Given up after 3 interrupted attempts; the next run starts afresh.",
    ),
    "report file": (
        DuplicationExport,
        _export,
        duplication_exports_resume,
        lambda pk: duplication_export_execute(export_id=pk),
        "Given up after 3 attempts: the worker stopped each time. Ask for the file again.",
    ),
    "import": (
        ActivityImport,
        _import,
        activity_imports_resume,
        lambda pk: activity_import_execute(import_id=pk),
        "Given up after 3 interrupted attempts: nothing was imported. Split the list.",
    ),
    "meeting pack": (
        MeetingPack,
        _pack,
        board_services.meeting_packs_resume,
        lambda pk: board_services.meeting_pack_build(actor=None, pack_id=pk),
        "Given up after 3 attempts: the worker stopped each time. The secretariat can try again.",
    ),
}
each_kind = pytest.mark.parametrize("model,make,resume,execute,given_up", KINDS.values(), ids=KINDS.keys())


def _left_by_a_dead_worker(model) -> dict:
    """A running job as a worker killed mid-way leaves it: started longer ago than any worker lives."""
    running_for = model.RUNNING_FOR or task_time_limit()
    return {"status": "running", "started_at": timezone.now() - running_for - timedelta(minutes=1)}


@pytest.mark.parametrize("model", [DuplicationRun, DuplicationExport, ActivityImport, MeetingPack])
def test_every_kind_keeps_the_shared_status_values_in_its_own_words(model):
    assert model.Status.values == BackgroundJob.Status.values == ["queued", "running", "done", "failed"]
    field = model._meta.get_field("status")
    assert [value for value, _ in field.choices] == BackgroundJob.Status.values and field.default == "queued"
    assert {"percent", "message", "requested_by", "attempts", "created_at", "started_at", "finished_at"} <= {
        f.name for f in model._meta.get_fields()
    }


@pytest.mark.django_db
@each_kind
def test_of_two_claims_of_a_job_one_wins_and_counts_the_attempt(model, make, resume, execute, given_up):
    job = make()
    assert model.claim(job.pk, message="Starting")
    assert not model.claim(job.pk, message="Starting again")  # delivered twice: the second is skipped
    job.refresh_from_db()
    assert (job.status, job.attempts, job.message) == ("running", 1, "Starting") and job.started_at


@pytest.mark.django_db(transaction=True)
def test_two_executions_claiming_at_the_same_moment_one_wins():
    run = DuplicationRun.objects.create()

    def claim_in_another_connection() -> bool:
        try:
            return DuplicationRun.claim(run.pk)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool, transaction.atomic():
        assert DuplicationRun.claim(run.pk)
        other = pool.submit(claim_in_another_connection)
        # It waits for this claim's row lock, then finds the run taken: the UPDATE's condition is checked again.
        threading.Event().wait(0.3)
        assert not other.done()
    assert other.result(timeout=10) is False
    assert DuplicationRun.objects.get(pk=run.pk).attempts == 1


@pytest.mark.django_db
@each_kind
def test_progress_shows_on_a_running_job_and_never_overwrites_a_finished_one(model, make, resume, execute, given_up):
    job = make()
    model.progress(job.pk, 40, "Not claimed yet")
    job.refresh_from_db()
    assert (job.percent, job.message) == (0, "")

    model.claim(job.pk)
    model.progress(job.pk, 140, "x" * 400)  # only the job's end says 100
    job.refresh_from_db()
    assert (job.percent, len(job.message)) == (99, 300)
    model.progress(job.pk, 0, "Reading")
    job.refresh_from_db()
    assert (job.percent, job.message) == (1, "Reading")

    model.objects.filter(pk=job.pk).update(status="failed", message="It ended", finished_at=timezone.now())
    model.progress(job.pk, 50, "A late step of the execution that ended")
    job.refresh_from_db()
    assert (job.status, job.percent, job.message) == ("failed", 1, "It ended")


@pytest.mark.django_db
@each_kind
def test_a_job_its_workers_left_running_max_attempts_times_is_given_up_by_the_resume(
    model, make, resume, execute, given_up
):
    dying = make(**_left_by_a_dead_worker(model), attempts=model.MAX_ATTEMPTS)
    assert model.MAX_ATTEMPTS == 3

    assert resume() == []  # not sent again
    dying.refresh_from_db()
    assert (dying.status, dying.message) == ("failed", given_up) and dying.finished_at
    assert not model.claim(dying.pk)  # nor taken by a message delivered late
    assert resume() == []


@pytest.mark.django_db
@each_kind
def test_a_stalled_job_with_attempts_to_spare_is_sent_again(model, make, resume, execute, given_up):
    retry = make(**_left_by_a_dead_worker(model), attempts=model.MAX_ATTEMPTS - 1)
    sent = []
    assert model.resume(send=sent.append) == sent == [retry.pk]
    retry.refresh_from_db()
    assert (retry.status, retry.attempts) == ("running", model.MAX_ATTEMPTS - 1)  # the claim counts, not the send
    assert model.claim(retry.pk)  # the last attempt runs
    assert model.objects.get(pk=retry.pk).attempts == model.MAX_ATTEMPTS


@pytest.mark.django_db
@each_kind
def test_a_job_delivered_again_after_max_attempts_is_given_up_by_its_execution(model, make, resume, execute, given_up):
    dying = make(**_left_by_a_dead_worker(model), attempts=model.MAX_ATTEMPTS)

    ended = execute(dying.pk)
    assert (ended.pk, ended.status, ended.message, ended.attempts) == (dying.pk, "failed", given_up, 3)
    assert execute(dying.pk) is None  # delivered once more: skipped


@pytest.mark.django_db
@each_kind
def test_a_job_at_its_last_attempt_with_a_live_worker_is_left_alone(model, make, resume, execute, given_up):
    busy = make(status="running", started_at=timezone.now(), attempts=model.MAX_ATTEMPTS)

    assert model.give_up([busy.pk]) == 0
    assert resume() == []
    assert execute(busy.pk) is None
    busy.refresh_from_db()
    assert (busy.status, busy.attempts) == ("running", model.MAX_ATTEMPTS)
