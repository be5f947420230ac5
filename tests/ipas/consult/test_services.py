"""Recording a consultation: one statement of its own, whose commit does not wait for the WAL flush, and
nothing of that leaks to the connection's later work."""

from datetime import date

import pytest
from django.db import connection, transaction

from ipas.consult.services import consultation_record
from ipas.duplication import engine
from ipas.models import Consultation


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


CONCEPT = engine.Concept(
    title="Cyber lab for Montenegro", beneficiaries=["ME"], start=date(2026, 1, 1), end=date(2026, 6, 30)
)
MATCHES = [
    engine.Match(
        activity_id=7, score=0.81234, reasons=["title 81% similar"], title_similarity=0.8, description_similarity=0
    )
]


@pytest.mark.django_db(transaction=True)
def test_a_consultation_on_its_own_is_recorded_and_the_setting_does_not_leak(editor):
    record = consultation_record(actor=editor, concept=CONCEPT, matches=MATCHES, objectives=[(3, 1.0)])
    assert record.pk
    stored = Consultation.objects.get(pk=record.pk)
    assert stored.user == editor
    assert stored.beneficiaries == ["ME"]
    assert stored.results == [{"activity": 7, "score": 0.8123, "reasons": ["title 81% similar"]}]
    assert stored.objectives == [{"objective": 3, "weight": 1.0}]
    assert _synchronous_commit() == "on"
    assert stored.events.count() == 1  # audited like every write


@pytest.mark.django_db(transaction=True)
def test_inside_a_callers_transaction_its_durability_is_left_alone(editor):
    with transaction.atomic():
        record = consultation_record(actor=editor, concept=CONCEPT, matches=[], objectives=[])
        assert _synchronous_commit() == "on"
    assert Consultation.objects.filter(pk=record.pk).exists()


@pytest.mark.django_db
def test_who_may_not_consult_is_refused_by_the_service_and_nothing_is_recorded(support):
    """Every door (page, API, a script) gets the same answer: Support Group staff read consultations, not make them."""
    from iisg_portal.errors import PortalError
    from ipas.consult.services import consultation_make
    from ipas.models import Consultation

    with pytest.raises(PortalError, match="Only IISG partners may consult"):
        consultation_make(actor=support, concept=engine.Concept(title="Border police training, AL and ME"))
    assert not Consultation.objects.exists()
