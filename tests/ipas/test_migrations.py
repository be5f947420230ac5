"""Data migrations, run forwards and backwards on the test database."""

import hashlib
import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("ipas", "0011_duplication_run_attempts")]
AFTER = [("ipas", "0012_material_fields_donor_ids")]


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def _legacy_fingerprint(a: dict, b: dict) -> str:
    """How settlements were remembered before 0012: donors by name, every field of the snapshot."""

    def norm(values):
        return {
            **values,
            "title": " ".join(values["title"].lower().split()),
            "description": " ".join(values["description"].lower().split()),
        }

    return hashlib.sha256(json.dumps([norm(a), norm(b)], sort_keys=True).encode()).hexdigest()


def _legacy_snapshot(fields: dict, names: dict[int, str]) -> dict:
    legacy = {k: v for k, v in fields.items() if k != "donor_names"}
    legacy["donors"] = sorted(names[pk] for pk in fields["donors"])
    return legacy


@pytest.mark.django_db(transaction=True)
def test_0012_keeps_settled_flags_settled_with_their_donors_by_id_and_back(countries, back_to_the_latest_migration):
    from ipas.duplication import engine
    from ipas.duplication.services import duplicate_flags_sync
    from ipas.models import DuplicateFlag
    from tests.ipas.texts import ORIGINAL, REWORDED, UNRELATED, activity_with_text
    from tests.partners.factories import OrganisationFactory

    for text in UNRELATED:
        activity_with_text(text, countries=("RS", "ME"))
    eu = OrganisationFactory(name="EU DG NEAR")
    austria = OrganisationFactory(name="Austria BMI")
    a, b = activity_with_text(ORIGINAL, donor=eu), activity_with_text(REWORDED, donor=austria)
    c = activity_with_text(REWORDED, donor=OrganisationFactory(name="Slovenia MoI"), countries=("RS",))
    names = {eu.pk: "EU DG NEAR", austria.pk: "Austria BMI"}
    fields = engine.material_fields([a.pk, b.pk, c.pk])
    old = {"a": _legacy_snapshot(fields[a.pk], names), "b": _legacy_snapshot(fields[b.pk], names)}
    # Settled before 0012, as the code of then remembered it; a second one names a donor since renamed.
    old_apps = _migrate(BEFORE)
    Flag = old_apps.get_model("ipas", "DuplicateFlag")

    def settled_then(activity_a, activity_b, snapshot, resolution):
        return Flag.objects.create(
            activity_a_id=activity_a.pk,
            activity_b_id=activity_b.pk,
            score=0.8,
            resolution=resolution,
            resolved_at=timezone.now(),
            snapshot=snapshot,
            fingerprint=_legacy_fingerprint(snapshot["a"], snapshot["b"]),
        )

    settled = settled_then(a, b, old, "unrelated")
    renamed_snapshot = {"a": {**old["a"]}, "b": {**old["b"], "donors": ["Slovenia – Ministry of the Interior"]}}
    renamed = settled_then(a, c, renamed_snapshot, "duplicate")
    _migrate(AFTER)

    flag = DuplicateFlag.objects.get(pk=settled.pk)
    assert flag.snapshot["b"]["donors"] == [austria.pk]
    assert flag.snapshot["b"]["donor_names"] == {str(austria.pk): "Austria BMI"}
    # Found again by the engine, it stays settled: nothing material changed.
    found = engine.find_pairs(engine.load_corpus(), names=engine.organisation_labels)
    pairs = [p for p in found if (p.a, p.b) == (a.pk, b.pk)]
    assert pairs
    assert duplicate_flags_sync(actor=None, pairs=pairs)["reopened"] == 0
    assert DuplicateFlag.objects.get(pk=settled.pk).resolution == "unrelated"
    # The flag whose donor name no longer exists is left as it was (it opens once, showing the names).
    untouched = DuplicateFlag.objects.get(pk=renamed.pk)
    assert untouched.snapshot == renamed_snapshot
    assert engine.material_changes(untouched.snapshot["b"], fields[c.pk], "B") == [
        "B: donors Slovenia – Ministry of the Interior → Slovenia MoI"
    ]

    # Backwards: names again, and the fingerprint the code of then computes.
    old_apps = _migrate(BEFORE)
    back = old_apps.get_model("ipas", "DuplicateFlag").objects.get(pk=settled.pk)
    assert back.snapshot == old
    assert back.fingerprint == _legacy_fingerprint(old["a"], old["b"])
