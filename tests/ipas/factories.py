from datetime import date
from decimal import Decimal

import factory

from ipas.models import Activity, ActivityObjective, Funding, FundingNeed, Indicator, IntegratedPlanOfAction, Objective
from tests.partners.factories import CountryFactory, OrganisationFactory
from tests.pillars.factories import PillarFactory


class IntegratedPlanOfActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IntegratedPlanOfAction

    pillar = factory.SubFactory(PillarFactory)
    title = factory.LazyAttribute(lambda o: f"{o.pillar.code} iPA 2024–2027")
    period_start = date(2024, 1, 1)
    period_end = date(2027, 12, 31)
    status = IntegratedPlanOfAction.Status.ADOPTED


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    ipa = factory.SubFactory(IntegratedPlanOfActionFactory)
    code = factory.Sequence(lambda n: str(n + 1))
    title = factory.Sequence(lambda n: f"Objective {n + 1}")


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    objective = factory.SubFactory(ObjectiveFactory)
    name = "Officers trained"
    unit = "officers"
    baseline = Decimal(10)
    target = Decimal(100)


class ActivityFactory(factory.django.DjangoModelFactory):
    """An activity with one primary objective and one beneficiary unless told otherwise."""

    class Meta:
        model = Activity
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Regional training on financial investigations {n}")
    description = "Training of police officers and prosecutors in financial investigations."
    organisation = factory.SubFactory(OrganisationFactory)
    implementing_organisation = factory.SelfAttribute("organisation")
    planned_start = date(2025, 1, 1)
    planned_end = date(2025, 12, 31)
    budget_eur = Decimal("100000.00")
    approval_state = Activity.ApprovalState.APPROVED

    @factory.post_generation
    def objective(obj, create, extracted, **kwargs):
        if create:
            ActivityObjective.objects.create(activity=obj, objective=extracted or ObjectiveFactory(), is_primary=True)

    @factory.post_generation
    def countries(obj, create, extracted, **kwargs):
        if create:
            obj.beneficiaries.set([CountryFactory(code=code) for code in (extracted or ["RS"])])


class FundingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Funding

    activity = factory.SubFactory(ActivityFactory)
    donor = factory.SubFactory(OrganisationFactory, type="third_state_donor")
    amount = Decimal("50000.00")
    currency = "EUR"
    amount_eur = factory.SelfAttribute("amount")
    status = Funding.Status.COMMITTED
    instrument = "EU IPA II"


class FundingNeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingNeed

    objective = factory.SubFactory(ObjectiveFactory)
    amount_eur = Decimal("500000.00")
    period_start = date(2024, 1, 1)
    period_end = date(2027, 12, 31)
