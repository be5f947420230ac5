import pytest

from iisg_portal.celery import app


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_answers_on_redis(celery_worker):
    # The smallest round trip: the worker consumes our queue on the real broker and replies to a ping.
    from django.conf import settings

    replies = app.control.ping(
        destination=[f"test-{settings.CELERY_TASK_DEFAULT_QUEUE}@{__import__('socket').gethostname()}"], timeout=5
    )
    assert replies, "no worker replied"
