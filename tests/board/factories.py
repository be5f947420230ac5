from datetime import date

import factory

from board.models import ActionPoint, AgendaItem, Decision, Meeting, MeetingPack, MeetingPackFile
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


class MeetingPackFactory(factory.django.DjangoModelFactory):
    """A finished pack whose files hold placeholder bytes (building real files is tested where it matters)."""

    class Meta:
        model = MeetingPack
        skip_postgeneration_save = True

    meeting = factory.SubFactory(MeetingFactory)
    version = factory.Sequence(lambda n: n + 1)
    status = MeetingPack.Status.DONE
    percent = 100

    @factory.post_generation
    def files(obj, create, extracted, **kwargs):
        if create and obj.status == MeetingPack.Status.DONE:
            for fmt in ("pdf", "docx", "xlsx"):
                content = f"{fmt} of version {obj.version}".encode()
                MeetingPackFile.objects.create(
                    pack=obj, format=fmt, content=content, size=len(content), sha256="0" * 64
                )
