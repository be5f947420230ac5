"""`manage.py find_duplicates`: the full run, synchronously, as benchmarks and checks read it."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from ipas.duplication.services import duplication_run_start
from ipas.models import DuplicationRun
from tests.ipas.texts import ORIGINAL, REWORDED, UNRELATED, activity_with_text
from tests.partners.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_json_lists_each_flagged_pair_with_both_activities_score_and_reasons(countries):
    for text in UNRELATED:
        activity_with_text(text, countries=("RS", "ME"))
    eu = OrganisationFactory(name="EU DG NEAR", short_name="EU DG NEAR")
    a = activity_with_text(ORIGINAL, donor=eu, external_id="EU-2025-017")
    b = activity_with_text(REWORDED, external_id="AT-BMI-88")
    out = io.StringIO()
    call_command("find_duplicates", "--json", stdout=out)
    pairs = json.loads(out.getvalue())
    assert len(pairs) == 1
    pair = pairs[0]
    assert pair["a"] == {"id": a.pk, "external_id": "EU-2025-017", "title": ORIGINAL[0]}
    assert pair["b"] == {"id": b.pk, "external_id": "AT-BMI-88", "title": REWORDED[0]}
    assert 0.62 <= pair["score"] <= 1
    assert pair["kind"] == "cross_donor"
    assert "same beneficiary RS" in pair["reasons"]
    assert any(reason.startswith("title ") and "similar" in reason for reason in pair["reasons"])
    run = DuplicationRun.objects.get()
    assert (run.trigger, run.status) == ("command", "done")


def test_it_refuses_while_another_run_is_running(countries, support):
    from django.utils import timezone

    busy = duplication_run_start(actor=support, enqueue=False)
    DuplicationRun.objects.filter(pk=busy.pk).update(status="running", started_at=timezone.now())
    with pytest.raises(CommandError, match=f"Run {busy.pk} is already running"):
        call_command("find_duplicates", "--json", stdout=io.StringIO())


def test_a_run_queued_for_a_worker_is_run_here_once(countries, support):
    """Only one execution claims a run: the command takes the queued one, the worker's copy is then skipped."""
    from ipas.tasks import duplication_run_full

    queued = duplication_run_start(actor=support, enqueue=False)
    call_command("find_duplicates", "--json", stdout=io.StringIO())
    assert DuplicationRun.objects.get().pk == queued.pk
    assert DuplicationRun.objects.get().status == "done"
    assert duplication_run_full.apply(args=[queued.pk]).get() == "skipped"
