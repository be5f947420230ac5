"""Data migrations, run backwards and forwards on the test database."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("ipas", "0011_duplication_run_attempts")]
AFTER = [("ipas", "0012_material_fields_donor_ids")]


def _snapshot(title, donors):
    return {
        "title": title,
        "description": "Text.",
        "start": "2025-01-01",
        "end": "2025-12-31",
        "donors": donors,
        "countries": ["RS"],
    }


@pytest.mark.django_db(transaction=True)
def test_settled_flags_remember_their_donors_by_id_after_0012(countries):
    from ipas import duplication as engine
    from tests.ipas.factories import ActivityFactory
    from tests.partners.factories import OrganisationFactory

    eu = OrganisationFactory(name="EU DG NEAR")
    austria = OrganisationFactory(name="Austria BMI")
    a, b = ActivityFactory(), ActivityFactory()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old_apps = executor.loader.project_state(BEFORE).apps
        Flag = old_apps.get_model("ipas", "DuplicateFlag")
        settled = Flag.objects.create(
            activity_a_id=a.pk,
            activity_b_id=b.pk,
            score=0.8,
            resolution="unrelated",
            resolved_at=timezone.now(),
            snapshot={"a": _snapshot("A", ["EU DG NEAR"]), "b": _snapshot("B", ["Austria BMI", "EU DG NEAR"])},
            fingerprint="legacy",
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
    from ipas.models import DuplicateFlag

    flag = DuplicateFlag.objects.get(pk=settled.pk)
    assert flag.snapshot["a"]["donors"] == [eu.pk]
    assert flag.snapshot["b"]["donors"] == sorted([eu.pk, austria.pk])
    assert flag.snapshot["b"]["donor_names"] == {str(eu.pk): "EU DG NEAR", str(austria.pk): "Austria BMI"}
    # The stored fingerprint is the one the engine computes today from the same fields.
    assert flag.fingerprint == engine.fingerprint(flag.snapshot["a"], flag.snapshot["b"])
