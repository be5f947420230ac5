"""The import of a confirmed list as a background job: through a real worker, its progress, its retries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from iisg_portal.progress import progress_get, progress_set
from ipas.imports.reading import read_table
from ipas.imports.services import PROGRESS_KIND, activities_import, activity_import_execute, activity_import_start
from ipas.models import Activity, ActivityImport
from tests.ipas.import_files import GOOD_ROWS, csv_bytes
from tests.utils import wait_for


@pytest.fixture
def world(objective, other_objective, partner_org, donor, other_donor, countries):
    return objective


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_confirmed_list_is_imported_by_the_worker_once(celery_worker, world, support):
    job = activity_import_start(
        actor=support, table=read_table(csv_bytes(*GOOD_ROWS), "donor.csv"), owner=None, filename="donor.csv"
    )  # queued on commit (no transaction here: at once)
    job = wait_for(
        lambda: ActivityImport.objects.filter(pk=job.pk, status__in=["done", "failed"]).first(),
        timeout=60,
        message="the import to finish",
    )
    assert job.status == "done", job.message
    assert job.result["created"] == 2
    assert set(Activity.objects.values_list("external_id", flat=True)) == {"AT-2026-001", "AT-2026-002"}
    # The row holds the outcome now; the worker clears the progress just after committing it.
    wait_for(lambda: progress_get(PROGRESS_KIND, job.pk) is None, timeout=10, message="the progress to be cleared")

    # Delivered again (a retry, a redelivery): nothing is imported twice.
    assert activity_import_execute(import_id=job.pk) is None
    assert Activity.objects.count() == 2


def test_the_import_reports_each_step(world):
    first = activities_import(actor=None, table=read_table(csv_bytes(*GOOD_ROWS), "a.csv"), filename="a.csv")
    assert first.ok
    changed = [GOOD_ROWS[0].replace("Border police training", "Border police course"), GOOD_ROWS[1]]
    reports = []
    activities_import(
        actor=None,
        table=read_table(csv_bytes(*changed), "a.csv"),
        filename="a.csv",
        progress=lambda percent, message: reports.append((percent, message)),
    )
    messages = [message for _, message in reports]
    assert messages == [
        "Waiting for any other import to finish",
        "Checking 2 rows against the portal",
        "Creating 0 new entries",
        "Updating entry 1 of 1",
        "Saving",
    ]
    percents = [percent for percent, _ in reports]
    assert percents == sorted(percents) and 0 < percents[0] and percents[-1] < 100


def test_the_page_shows_the_progress_the_worker_reports(client_for, support, world):
    job = activity_import_start(
        actor=support, table=read_table(csv_bytes(*GOOD_ROWS), "a.csv"), owner=None, filename="a.csv"
    )
    ActivityImport.objects.filter(pk=job.pk).update(status="running", started_at=timezone.now())
    progress_set(PROGRESS_KIND, job.pk, 62, "Updating entry 26 of 40")

    html = client_for(support).get(reverse("ipas:activity_import_detail", args=[job.pk])).content.decode()
    assert 'aria-valuenow="62"' in html and "Updating entry 26 of 40" in html and "Importing" in html


def test_an_import_left_running_by_a_dead_worker_is_taken_over_later_only(world, support, settings):
    job = activity_import_start(
        actor=support, table=read_table(csv_bytes(*GOOD_ROWS), "a.csv"), owner=None, filename="a.csv"
    )
    ActivityImport.objects.filter(pk=job.pk).update(status="running", started_at=timezone.now())
    assert activity_import_execute(import_id=job.pk) is None  # another worker holds it

    long_ago = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    ActivityImport.objects.filter(pk=job.pk).update(started_at=long_ago)
    assert activity_import_execute(import_id=job.pk).status == "done"
    assert Activity.objects.count() == 2


def test_an_import_no_worker_took_is_sent_again(world, support):
    from ipas.imports.services import activity_imports_resume

    job = activity_import_start(
        actor=support, table=read_table(csv_bytes(*GOOD_ROWS), "a.csv"), owner=None, filename="a.csv"
    )  # in a test transaction the task is never sent: as if the broker had been down
    assert activity_imports_resume() == []  # a fresh job may still be on its way
    ActivityImport.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=6))

    assert activity_imports_resume() == [job.pk]  # sent again (run at once here: eager tasks)
    assert ActivityImport.objects.get(pk=job.pk).status == "done"
    assert activity_imports_resume() == []


def test_an_import_interrupted_again_and_again_is_given_up(world, support, settings):
    job = activity_import_start(
        actor=support, table=read_table(csv_bytes(*GOOD_ROWS), "a.csv"), owner=None, filename="a.csv"
    )
    long_ago = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    ActivityImport.objects.filter(pk=job.pk).update(status="running", started_at=long_ago, attempts=3)

    job = activity_import_execute(import_id=job.pk)
    assert job.status == "failed" and "Given up after 3 interrupted attempts" in job.message
    assert not Activity.objects.exists()


def test_an_import_goes_on_when_its_progress_cannot_be_shown(world, support, settings):
    settings.CACHES = {
        **settings.CACHES,
        "progress": {**settings.CACHES["progress"], "LOCATION": "redis://127.0.0.1:1/0"},  # nothing listens
    }
    job = activity_import_start(
        actor=support, table=read_table(csv_bytes(*GOOD_ROWS), "a.csv"), owner=None, filename="a.csv"
    )
    assert activity_import_execute(import_id=job.pk).status == "done"
    assert progress_get(PROGRESS_KIND, job.pk) is None
    assert Activity.objects.count() == 2
