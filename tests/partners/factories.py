import factory

from partners.models import Country, Organisation, User


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ["code"]

    code = "RS"
    name = factory.LazyAttribute(
        lambda o: {
            "AL": "Albania",
            "BA": "Bosnia and Herzegovina",
            "XK": "Kosovo",
            "MK": "North Macedonia",
            "ME": "Montenegro",
            "RS": "Serbia",
        }.get(o.code, o.code)
    )
    is_beneficiary = True


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["name"]
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Partner organisation {n}")
    short_name = factory.Sequence(lambda n: f"PO{n}")
    type = Organisation.Type.INTERNATIONAL_ORGANISATION
    participation = Organisation.Participation.PARTNER

    @factory.post_generation
    def with_group(obj, create, extracted, **kwargs):
        if create:
            from partners.services import organisation_group_ensure

            organisation_group_ensure(obj)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.django.Password("correct horse battery staple")
