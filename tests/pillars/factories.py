import factory

from pillars.models import CrossCuttingTheme, Pillar


class PillarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pillar
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"P{n}")
    name = factory.LazyAttribute(lambda o: f"Pillar {o.code}")
    order = factory.Sequence(int)


class CrossCuttingThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CrossCuttingTheme
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Theme {n}")
