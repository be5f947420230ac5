"""The notification path through a real Celery worker on real Redis (not eager)."""

import pytest

from ipas.activities import services
from tests.utils import wait_for


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_submission_mails_the_lead_partner_through_the_real_worker(
    celery_worker, editor, lead, partner_org, entry_data
):
    activity = services.activity_create(actor=editor, organisation=partner_org, data=entry_data)
    services.activity_submit(actor=editor, activity=activity)  # enqueued on commit, sent through Redis

    def mails_to_the_lead():
        # The file backend creates its file before writing into it: read until the whole message is there
        # (it ends with a line of dashes).
        texts = (p.read_text() for p in celery_worker.mail_dir.glob("*.log"))
        return [t for t in texts if "lead@dcaf.example" in t and "-" * 79 in t]

    sent = wait_for(mails_to_the_lead, timeout=90, message="the worker to send the reviewer e-mail")
    assert "lead@dcaf.example" in sent[0]
    assert "Entry to review" in sent[0]
    assert "Regional training on financial investigations for prosecutors" in sent[0]
    assert f"/activities/reviews/{activity.reviews.get().pk}/" in sent[0]
