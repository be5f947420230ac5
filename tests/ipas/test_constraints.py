from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from ipas.models import Activity, ActivityObjective
from tests.board.factories import DecisionFactory
from tests.ipas.factories import ActivityFactory, FundingFactory, IntegratedPlanOfActionFactory, ObjectiveFactory


def _rejected(**changes):
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.filter(pk=ActivityFactory().pk).update(**changes)


@pytest.mark.django_db
def test_database_rejects_end_date_before_start_date():
    _rejected(planned_start=date(2025, 6, 1), planned_end=date(2025, 5, 31))


@pytest.mark.django_db
def test_database_rejects_actual_end_before_actual_start():
    _rejected(actual_start=date(2025, 6, 1), actual_end=date(2025, 1, 1))


@pytest.mark.django_db
def test_database_rejects_negative_budget():
    _rejected(budget_eur=Decimal("-1"))


@pytest.mark.django_db
def test_database_rejects_negative_funding_and_bad_currency():
    funding = FundingFactory()
    for changes in ({"amount": Decimal("-5")}, {"amount_eur": Decimal("-5")}, {"currency": "eu"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            type(funding).objects.filter(pk=funding.pk).update(**changes)


@pytest.mark.django_db
def test_an_activity_has_at_most_one_primary_objective():
    activity = ActivityFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ActivityObjective.objects.create(activity=activity, objective=ObjectiveFactory(), is_primary=True)
    ActivityObjective.objects.create(activity=activity, objective=ObjectiveFactory(), is_primary=False)
    assert activity.objectives.count() == 2


@pytest.mark.django_db
def test_ipa_period_must_end_after_it_starts_and_objective_codes_are_dotted_numbers():
    with pytest.raises(IntegrityError), transaction.atomic():
        IntegratedPlanOfActionFactory(period_start=date(2027, 1, 1), period_end=date(2026, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        ObjectiveFactory(code="1.a")


@pytest.mark.django_db
def test_decision_numbers_are_unique_per_year():
    DecisionFactory(year=2026, sequence=4)
    with pytest.raises(IntegrityError), transaction.atomic():
        DecisionFactory(year=2026, sequence=4)
    assert str(DecisionFactory(year=2027, sequence=4)) == "2027/04"
