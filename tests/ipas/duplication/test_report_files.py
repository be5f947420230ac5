"""Files of the duplication report built in the background: claiming, failing, resuming (ipas/duplication/report_files.py)."""

from datetime import timedelta

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from ipas.duplication.forms import FlagFilterForm
from ipas.duplication.report_files import (
    duplication_export_execute,
    duplication_export_request,
    duplication_exports_prune,
    duplication_exports_resume,
)
from ipas.duplication.selectors import FlagFilters
from ipas.models import DuplicateFlag, DuplicationExport
from ipas.tasks import resume_stalled_jobs
from tests.ipas.factories import ActivityFactory

MAX_EXPORT_ATTEMPTS = DuplicationExport.MAX_ATTEMPTS


def checked(query: str) -> FlagFilters:
    """The report's filters as its export button sends them: checked by the report's own form."""
    form = FlagFilterForm(QueryDict(query))
    assert form.is_valid(), form.errors
    return form.flag_filters()


@pytest.fixture
def flag(countries):
    a = ActivityFactory(title="Training on asset recovery", countries=["RS"])
    b = ActivityFactory(title="Course on asset recovery", countries=["RS"])
    return DuplicateFlag.objects.create(activity_a=a, activity_b=b, score=0.8, reasons=["title 80% similar"])


def test_an_export_is_built_once_however_often_it_is_delivered(support, flag):
    export = duplication_export_request(
        actor=support, fmt="xlsx", filters=checked("")
    )  # not sent: the test transaction
    built = duplication_export_execute(export_id=export.pk)
    assert (built.status, built.percent, built.shown, built.total, built.attempts) == ("done", 100, 1, 1, 1)
    assert bytes(built.content).startswith(b"PK") and built.size == len(built.content)
    assert duplication_export_execute(export_id=export.pk) is None  # delivered again: skipped
    assert DuplicationExport.objects.get(pk=export.pk).attempts == 1


def test_a_file_that_cannot_be_built_is_recorded_as_failed_with_a_message(support, flag):
    export = DuplicationExport.objects.create(format="odt", requested_by=support)  # no such format
    failed = duplication_export_execute(export_id=export.pk)
    assert failed.status == "failed" and failed.content is None
    assert failed.message.startswith("The file could not be built (KeyError). Ask for it again")


def test_an_export_no_worker_took_is_sent_again_and_one_that_keeps_failing_is_given_up(support, flag):
    waiting = duplication_export_request(actor=support, fmt="pdf", filters=checked("country=RS"))
    assert duplication_exports_resume() == []  # just asked for: a worker may still take it
    DuplicationExport.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - timedelta(minutes=6))
    assert resume_stalled_jobs()["duplication_exports"] == [waiting.pk]  # built at once here (eager tasks)
    assert DuplicationExport.objects.get(pk=waiting.pk).status == "done"

    dying = DuplicationExport.objects.create(
        format="pdf",
        status="running",
        attempts=MAX_EXPORT_ATTEMPTS,
        started_at=timezone.now() - timedelta(hours=2),
    )
    assert duplication_exports_resume() == []
    dying.refresh_from_db()
    assert dying.status == "failed" and "Given up after 3 attempts" in dying.message


def test_files_older_than_a_week_are_deleted(support, flag):
    old = duplication_export_request(actor=support, fmt="xlsx", filters=checked(""))
    recent = duplication_export_request(actor=support, fmt="xlsx", filters=checked(""))
    DuplicationExport.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    assert resume_stalled_jobs()["duplication_exports_deleted"] == 1
    assert list(DuplicationExport.objects.values_list("pk", flat=True)) == [recent.pk]


def test_an_export_keeps_the_filters_alone_and_refuses_invalid_ones(client_for, support, flag):
    export = duplication_export_request(
        actor=support, fmt="xlsx", filters=checked("page=3&country=RS&junk=1&min_score=")
    )
    assert export.query == "country=RS"
    assert FlagFilters.from_query(export.query) == checked("country=RS")  # what the worker reads back
    response = client_for(support).post(
        reverse("ipas:duplication_export", kwargs={"fmt": "xlsx"}), {"query": "min_score=500"}, follow=True
    )
    assert "not valid any more" in response.content.decode()
    assert DuplicationExport.objects.count() == 1  # nothing asked for with invalid filters


def test_an_export_whose_filters_went_meanwhile_fails_instead_of_holding_every_flag(support, flag, pillar):
    export = duplication_export_request(actor=support, fmt="xlsx", filters=checked(f"pillar={pillar.pk}"))
    pillar.delete()
    failed = duplication_export_execute(export_id=export.pk)
    assert failed.status == "failed" and "no longer match" in failed.message and failed.content is None


def test_a_file_left_half_built_by_a_dead_worker_is_taken_over(support, flag):
    export = duplication_export_request(actor=support, fmt="xlsx", filters=checked(""))
    DuplicationExport.objects.filter(pk=export.pk).update(
        status="running", attempts=1, started_at=timezone.now() - timedelta(hours=2)
    )
    assert duplication_exports_resume() == [export.pk]  # built at once here (eager tasks)
    export.refresh_from_db()
    assert (export.status, export.attempts) == ("done", 2)


def test_a_file_being_built_is_not_deleted_however_old(support, flag):
    building = duplication_export_request(actor=support, fmt="xlsx", filters=checked(""))
    DuplicationExport.objects.filter(pk=building.pk).update(
        status="running", started_at=timezone.now(), created_at=timezone.now() - timedelta(days=8)
    )
    assert duplication_exports_prune() == 0
