"""The periodic jobs as the database scheduler (the one the worker runs with -B) sends them."""

from datetime import timedelta

import pytest
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler, ModelEntry

from iisg_portal.celery import app

# The scheduler closes the database connection between its steps, as a long-running beat process must.
pytestmark = pytest.mark.django_db(transaction=True)

#: What each periodic job is, and at the latest how often it comes back.
EXPECTED = {
    "review-digest": ("ipas.tasks.send_review_digest", timedelta(days=1)),
    "duplication-nightly": ("ipas.tasks.duplication_run_nightly", timedelta(days=1)),
    "resume-stalled-jobs": ("ipas.tasks.resume_stalled_jobs", timedelta(minutes=5)),
    "resume-stalled-packs": ("board.tasks.meeting_packs_resume", timedelta(minutes=5)),
}


def test_every_periodic_message_expires_before_the_next_one_is_due():
    schedule = DatabaseScheduler(app=app, lazy=True)
    schedule.setup_schedule()
    for name, (task, interval) in EXPECTED.items():
        # As the scheduler sends it (all_as_schedule() leaves out the crontabs not due within the hour).
        entry = ModelEntry(PeriodicTask.objects.get(name=name), app=app)
        assert entry.task == task
        expires = entry.options.get("expires")
        assert expires, f"{name} is sent without an expiry"
        assert 0 < expires < interval.total_seconds(), name
