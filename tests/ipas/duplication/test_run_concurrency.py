"""A full run reads the activities at its start and writes its flags seconds later; partners save meanwhile.
Saves here go through a second database session while the run compares, as a partner's would."""

import pytest

from ipas.duplication import engine, services
from ipas.duplication.engine import consultation
from ipas.models import DuplicateFlag, DuplicationRun
from tests.ipas.texts import ORIGINAL, REWORDED, UNRELATED, activity_with_text
from tests.partners.factories import OrganisationFactory
from tests.utils import other_session

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def run_with_saves_while_comparing(monkeypatch):
    """Run a full run; `saves` (called once, while the run compares) stands for partners saving meanwhile."""
    # Only what is saved from the run's start on counts here (the margin covers clocks and visibility).
    monkeypatch.setattr(consultation, "_SINCE_MARGIN_SECONDS", 0)
    real_find_pairs = engine.find_pairs

    def run(saves):
        def find_pairs_while_partners_save(corpus, **kwargs):
            pairs = real_find_pairs(corpus, **kwargs)
            if not kwargs.get("only"):  # the run's own comparison, not the checks'
                saves()
            return pairs

        monkeypatch.setattr(engine, "find_pairs", find_pairs_while_partners_save)
        run = services.duplication_run_start(actor=None, enqueue=False)
        return services.duplication_run_execute(run_id=run.pk)

    return run


def test_an_activity_saved_while_the_run_compared_is_checked_again(countries, run_with_saves_while_comparing):
    for text in UNRELATED[1:]:
        activity_with_text(text, countries=("RS", "ME"))
    eu = OrganisationFactory(name="EU DG NEAR")
    a = activity_with_text(ORIGINAL, donor=eu)
    b = activity_with_text(UNRELATED[0])

    def b_is_reworded_into_a_duplicate_and_checked():
        with other_session(autocommit=True) as partner:
            partner.execute("UPDATE ipas_activity SET title = %s, description = %s WHERE id = %s", [*REWORDED, b.pk])
        services.duplication_check_activity(activity_id=b.pk)  # the check after that save
        assert DuplicateFlag.objects.open().filter(activity_a=a, activity_b=b).exists()

    run = run_with_saves_while_comparing(b_is_reworded_into_a_duplicate_and_checked)
    assert run.status == "done"
    # The run's older reading (b unrelated) would have taken the flag off the report: b is checked again.
    assert run.stats["checked_again"] == 1
    assert DuplicateFlag.objects.open().filter(activity_a=a, activity_b=b).exists()
    assert DuplicationRun.objects.count() == 1


def test_many_saves_during_a_run_are_read_by_one_follow_up_run(countries, run_with_saves_while_comparing, monkeypatch):
    monkeypatch.setattr(services, "RECHECK_AFTER_RUN_LIMIT", 1)
    activities = [activity_with_text(text, countries=("RS", "ME")) for text in UNRELATED]
    saved_during = []

    def an_import_changes_two():
        with other_session(autocommit=True) as importer:
            importer.execute(
                "UPDATE ipas_activity SET budget_eur = budget_eur + 1 WHERE id = ANY(%s)",
                [[x.pk for x in activities[:2]]],
            )
        saved_during.append(1)

    run = run_with_saves_while_comparing(an_import_changes_two)
    assert run.status == "done"
    assert run.stats["checked_again"] is None  # too many to check one by one
    follow_up = DuplicationRun.objects.exclude(pk=run.pk).get()
    # Queued after commit, and run at once here (eager tasks); saves happened during it too, yet it queued
    # no other run: follow-ups do not chain.
    assert (follow_up.trigger, follow_up.status) == ("follow-up", "done")
    assert len(saved_during) == 2
    assert DuplicationRun.objects.count() == 2
