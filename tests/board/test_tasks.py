import io

import pytest
from pypdf import PdfReader

from board import services
from board.models import MeetingPack
from tests.board.factories import AgendaItemFactory, DecisionFactory, MeetingFactory
from tests.utils import wait_for


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_pack_is_built_by_a_real_worker(celery_worker, secretariat):
    meeting = MeetingFactory(title="IISG Board meeting, worker run")
    AgendaItemFactory(meeting=meeting, title="Progress of the WBBSi iPA")
    DecisionFactory(meeting=meeting, year=2026, sequence=7)
    pack = services.meeting_pack_request(actor=secretariat, meeting=meeting)  # enqueued when this commits

    def finished():
        pack.refresh_from_db()
        return pack.is_finished

    wait_for(finished, timeout=90, message="the worker to build the pack")
    assert pack.status == MeetingPack.Status.DONE, pack.message
    assert pack.started_at and pack.finished_at and pack.data_as_of
    pdf = bytes(pack.files.get(format="pdf").content)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Progress of the WBBSi iPA" in text and "2026/07" in text
    assert pack.events.filter(pgh_context__metadata__action="meeting_pack_build").exists()


@pytest.mark.django_db
def test_a_pack_no_worker_took_is_sent_again_so_the_meeting_can_have_its_pack(secretariat):
    from datetime import timedelta

    from django.utils import timezone

    from iisg_portal.errors import PortalError

    meeting = MeetingFactory(title="IISG Board meeting, broker down")
    pack = services.meeting_pack_request(actor=secretariat, meeting=meeting)  # never sent in a test transaction
    with pytest.raises(PortalError, match="being built already"):
        services.meeting_pack_request(actor=secretariat, meeting=meeting)
    assert services.meeting_packs_resume() == []
    MeetingPack.objects.filter(pk=pack.pk).update(created_at=timezone.now() - timedelta(minutes=6))

    assert services.meeting_packs_resume() == [pack.pk]  # sent again (built at once here: eager tasks)
    pack.refresh_from_db()
    assert pack.status == MeetingPack.Status.DONE


@pytest.mark.django_db
def test_a_pack_whose_worker_keeps_dying_is_given_up_and_the_meeting_can_have_a_new_one(secretariat):
    from datetime import timedelta

    from django.utils import timezone

    from board.tasks import meeting_packs_resume

    meeting = MeetingFactory(title="IISG Board meeting, worker killed")
    pack = services.meeting_pack_request(actor=secretariat, meeting=meeting)  # never sent in a test transaction
    # Its task's hard limit is 15 minutes: after 10 a worker may still be at it, after 17 it is dead.
    MeetingPack.objects.filter(pk=pack.pk).update(
        status="running", started_at=timezone.now() - timedelta(minutes=10), attempts=MeetingPack.MAX_ATTEMPTS
    )
    assert meeting_packs_resume.apply().get() == []
    assert MeetingPack.objects.get(pk=pack.pk).status == MeetingPack.Status.RUNNING

    MeetingPack.objects.filter(pk=pack.pk).update(started_at=timezone.now() - timedelta(minutes=17))
    assert meeting_packs_resume.apply().get() == []  # given up, not sent again
    pack.refresh_from_db()
    assert pack.status == MeetingPack.Status.FAILED and pack.finished_at
    assert pack.message == "Given up after 3 attempts: the worker stopped each time. The secretariat can try again."
    assert services.meeting_pack_request(actor=secretariat, meeting=meeting).version == pack.version + 1
