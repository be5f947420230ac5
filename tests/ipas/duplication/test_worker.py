"""The duplication jobs through a real Celery worker on real Redis (eager mode would hide serialisation and
transaction bugs)."""

import pytest

from ipas.duplication.services import duplication_run_start
from ipas.models import DuplicateFlag, DuplicationRun
from ipas.tasks import duplication_check_activity_task, duplication_run_full
from tests.ipas.texts import ORIGINAL, REWORDED, UNRELATED, activity_with_text
from tests.utils import wait_for


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_full_run_and_incremental_check_through_the_worker(celery_worker, countries, support):
    for text in UNRELATED:
        activity_with_text(text, countries=("RS", "ME"))
    a = activity_with_text(ORIGINAL)
    b = activity_with_text(REWORDED)

    run = duplication_run_start(actor=support)  # queued on commit (no transaction here: at once)
    run = wait_for(
        lambda: DuplicationRun.objects.filter(pk=run.pk, status__in=["done", "failed"]).first(),
        timeout=60,
        message="the duplication run to finish",
    )
    assert run.status == "done", run.message
    assert run.percent == 100
    assert run.stats["found"] == 1
    flag = DuplicateFlag.objects.get()
    assert (flag.activity_a_id, flag.activity_b_id) == (a.pk, b.pk)

    # Safe to retry: the same run delivered again is skipped, and nothing changes.
    again = duplication_run_full.delay(run.pk)
    # The check after a save, as the activity services call it on commit.
    DuplicateFlag.objects.all().delete()
    duplication_check_activity_task.delay(b.pk)
    wait_for(lambda: DuplicateFlag.objects.exists(), timeout=30, message="the incremental check")
    assert DuplicateFlag.objects.get().activity_b_id == b.pk
    # The solo worker takes messages in order: the run delivered again was handled before the check.
    log = celery_worker.log_path.read_text()
    assert f"{again.id}] succeeded" in log and "'skipped'" in log.split(f"{again.id}] succeeded", 1)[1].splitlines()[0]
    rerun = DuplicationRun.objects.get()
    assert (rerun.attempts, rerun.finished_at, rerun.status) == (1, run.finished_at, "done")


@pytest.mark.django_db
def test_a_run_no_worker_took_is_sent_again_instead_of_blocking_every_later_run(countries, support):
    from datetime import timedelta

    from django.utils import timezone

    from ipas.duplication.services import duplication_runs_resume

    run = duplication_run_start(actor=support)  # in a test transaction it is never sent: a broker outage
    assert duplication_run_start(actor=None, trigger="nightly", enqueue=False) == run  # it blocks the others
    assert duplication_runs_resume() == []
    DuplicationRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(minutes=6))

    assert duplication_runs_resume() == [run.pk]  # sent again (run at once here: eager tasks)
    assert DuplicationRun.objects.get(pk=run.pk).status == "done"


@pytest.mark.django_db
def test_a_run_whose_worker_keeps_dying_is_given_up_and_frees_the_next(countries, support):
    from datetime import timedelta

    from django.utils import timezone

    from ipas.duplication.services import duplication_run_execute

    MAX_RUN_ATTEMPTS = DuplicationRun.MAX_ATTEMPTS

    run = duplication_run_start(actor=support, enqueue=False)
    # As a worker killed mid-run leaves it: running, started long ago, every attempt used.
    DuplicationRun.objects.filter(pk=run.pk).update(
        status="running", started_at=timezone.now() - timedelta(hours=2), attempts=MAX_RUN_ATTEMPTS
    )
    # The last allowed attempt still runs...
    DuplicationRun.objects.filter(pk=run.pk).update(attempts=MAX_RUN_ATTEMPTS - 1)
    assert duplication_run_execute(run_id=run.pk).status == "done"
    assert DuplicationRun.objects.get(pk=run.pk).attempts == MAX_RUN_ATTEMPTS
    # ...one more is given up.
    DuplicationRun.objects.filter(pk=run.pk).update(
        status="running", started_at=timezone.now() - timedelta(hours=2), attempts=MAX_RUN_ATTEMPTS
    )
    given_up = duplication_run_execute(run_id=run.pk)
    assert given_up.status == "failed"
    assert "Given up after 3 interrupted attempts" in given_up.message
    assert duplication_run_start(actor=support, enqueue=False).pk != run.pk  # the next run may start


@pytest.mark.django_db
def test_the_nightly_task_runs_the_full_report_and_leaves_a_running_one_alone(countries, support):
    from django.utils import timezone

    from ipas.tasks import duplication_run_nightly

    for text in UNRELATED:
        activity_with_text(text, countries=("RS", "ME"))
    a, b = activity_with_text(ORIGINAL), activity_with_text(REWORDED)
    run = DuplicationRun.objects.get(pk=duplication_run_nightly.apply().get())
    assert (run.trigger, run.status, run.percent) == ("nightly", "done", 100)
    assert DuplicateFlag.objects.open().get().activity_b_id == b.pk

    busy = duplication_run_start(actor=support, enqueue=False)
    DuplicationRun.objects.filter(pk=busy.pk).update(status="running", started_at=timezone.now())
    assert duplication_run_nightly.apply().get() == busy.pk  # no second run beside it
    assert DuplicationRun.objects.count() == 2
    assert DuplicationRun.objects.get(pk=busy.pk).status == "running"
    assert a.pk == DuplicateFlag.objects.get().activity_a_id
