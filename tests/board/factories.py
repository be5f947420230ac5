from datetime import date

import factory

from board.models import ActionPoint, AgendaItem, Decision, Meeting
from tests.partners.factories import OrganisationFactory


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    body = Meeting.Body.BOARD
    title = "IISG Board meeting"
    date = date(2026, 12, 10)
    place = "Brdo pri Kranju"


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Agenda item {n + 1}")


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    meeting = factory.SubFactory(MeetingFactory)
    year = 2026
    sequence = factory.Sequence(lambda n: n + 1)
    text = "The Board endorses the revised WBCTi iPA."


class ActionPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionPoint

    meeting = factory.SubFactory(MeetingFactory)
    text = "Lead Partners to report funding gaps."
    responsible = factory.SubFactory(OrganisationFactory)
    due_date = date(2027, 3, 1)
