"""The duplication engine on the database: small hand-written cases read by `load_corpus`, the check after a
save, and how settled flags are remembered. (Its pure modules are tested without a database beside this.)"""

from datetime import date

import pytest

from ipas.activities.services import activity_create, activity_update
from ipas.duplication import engine
from ipas.duplication.history import flag_decisions
from ipas.duplication.services import duplicate_flag_resolve, duplicate_flags_sync, duplication_check_activity
from ipas.models import DuplicateFlag
from tests.ipas.texts import ORIGINAL, REWORDED, UNRELATED, activity_with_text, objective_in
from tests.partners.factories import OrganisationFactory


@pytest.fixture
def eu():
    return OrganisationFactory(name="EU DG NEAR", short_name="EU DG NEAR", type="eu_body")


@pytest.fixture
def austria():
    return OrganisationFactory(name="Austria BMI", short_name="Austria BMI", type="third_state_donor")


@pytest.fixture
def background(countries):
    return [activity_with_text(text, countries=("RS", "ME")) for text in UNRELATED]


def _found():
    """The full run's pairs, donors named as the services name them."""
    return engine.find_pairs(engine.load_corpus(), names=engine.organisation_labels)


def _pairs():
    return {(p.a, p.b): p for p in _found()}


def test_reworded_duplicate_across_donors_is_found_with_reasons(background, eu, austria):
    a = activity_with_text(ORIGINAL, countries=("RS", "ME"), donor=eu)
    b = activity_with_text(REWORDED, countries=("RS",), start=date(2025, 3, 1), end=date(2026, 6, 30), donor=austria)
    pairs = _pairs()
    assert list(pairs) == [(a.pk, b.pk)]
    pair = pairs[(a.pk, b.pk)]
    assert pair.kind == "cross_donor"
    assert 0.62 <= pair.score <= 1
    assert "same beneficiary RS" in pair.reasons
    assert "periods overlap 10 months" in pair.reasons
    assert "donors EU DG NEAR and Austria BMI" in pair.reasons
    assert pair.reasons[0].startswith("title ")


def test_same_text_for_other_beneficiaries_or_another_period_is_not_flagged(background, eu, austria):
    activity_with_text(ORIGINAL, countries=("RS",), donor=eu)
    activity_with_text(ORIGINAL, countries=("AL", "XK"), donor=austria)  # same period, other beneficiaries
    activity_with_text(ORIGINAL, countries=("RS",), start=date(2019, 1, 1), end=date(2019, 12, 31), donor=austria)
    assert _pairs() == {}


def test_the_same_donor_twice_is_reported_as_a_double_entry(background, eu):
    a = activity_with_text(ORIGINAL, donor=eu)
    b = activity_with_text(REWORDED, donor=eu)
    pair = _pairs()[(a.pk, b.pk)]
    assert pair.kind == "double_entry"
    assert "same donor EU DG NEAR: possible double entry" in pair.reasons


def test_a_pair_where_one_side_names_no_donor_is_not_called_cross_donor(background, eu):
    a = activity_with_text(ORIGINAL, donor=eu)
    b = activity_with_text(REWORDED, funded=False)
    pair = _pairs()[(a.pk, b.pk)]
    assert pair.kind == "no_donor"
    assert "donor not recorded for one of them" in pair.reasons


def test_a_pair_filed_under_other_pillars_scores_lower_and_says_so(background, eu, austria):
    a = activity_with_text(ORIGINAL, donor=eu)
    b = activity_with_text(REWORDED, donor=austria)
    same_pillar = _pairs()[(a.pk, b.pk)]
    assert "same pillar" in same_pillar.reasons
    b.objective_links.update(objective=objective_in("WBBSi"))
    other_pillars = _pairs()[(a.pk, b.pk)]
    assert "filed under other pillars" in other_pillars.reasons
    assert other_pillars.score == pytest.approx(same_pillar.score * engine.OTHER_PILLAR_FACTOR, abs=1e-6)


def test_unrelated_activities_in_the_same_place_and_period_are_not_flagged(background):
    assert _pairs() == {}


def test_the_check_after_a_save_finds_the_pair_of_that_activity(background, eu, austria):
    a = activity_with_text(ORIGINAL, donor=eu)
    b = activity_with_text(REWORDED, donor=austria)
    stats = duplication_check_activity(activity_id=b.pk)
    assert stats["new"] == 1
    flag = DuplicateFlag.objects.get()
    assert (flag.activity_a_id, flag.activity_b_id) == (a.pk, b.pk)
    assert flag.is_open
    # Idempotent: checking again changes nothing.
    assert duplication_check_activity(activity_id=b.pk)["new"] == 0
    assert DuplicateFlag.objects.count() == 1


def test_a_settled_flag_is_not_raised_again_until_a_material_change(background, eu, austria, support):
    a = activity_with_text(ORIGINAL, donor=eu)
    b = activity_with_text(REWORDED, donor=austria)
    duplicate_flags_sync(actor=None, pairs=_found())
    flag = DuplicateFlag.objects.get()
    duplicate_flag_resolve(actor=support, flag=flag, resolution="complementary", note="Different modules.")

    # A later run finds the pair again: it stays settled.
    stats = duplicate_flags_sync(actor=None, pairs=_found())
    flag.refresh_from_db()
    assert (flag.resolution, stats["reopened"], DuplicateFlag.objects.open().count()) == ("complementary", 0, 0)

    # A change that is not material (case, spacing) does not reopen it either.
    b.title = "  " + b.title.upper()
    b.save()
    duplicate_flags_sync(actor=None, pairs=_found())
    flag.refresh_from_db()
    assert flag.resolution == "complementary"

    # One side's dates move: the pair comes back, showing what changed and the earlier decision.
    b.planned_end = date(2026, 6, 30)
    b.save()
    stats = duplicate_flags_sync(actor=None, pairs=_found())
    flag.refresh_from_db()
    assert stats["reopened"] == 1
    assert flag.is_open
    assert flag.previous_resolution == "complementary"
    assert flag.changes == ["B: end date 2025-12-31 → 2026-06-30"]
    assert flag.note == "Different modules."
    assert a.pk == flag.activity_a_id
    # The audit trail keeps both: the decision and the return.
    assert [(d["what"], d["who"], d["detail"]) for d in flag_decisions(flag)] == [
        ("Settled as complementary", support, "Different modules."),
        ("Back after a change", None, "B: end date 2025-12-31 → 2026-06-30"),
    ]


def test_a_renamed_donor_is_the_same_donor_another_donor_reopens_the_flag(background, eu, austria, support):
    activity_with_text(ORIGINAL, donor=eu)
    b = activity_with_text(REWORDED, donor=austria)
    duplication_check_activity(activity_id=b.pk)
    flag = DuplicateFlag.objects.get()
    duplicate_flag_resolve(actor=support, flag=flag, resolution="unrelated")

    austria.name = "Austria – Federal Ministry of the Interior"
    austria.save()
    assert duplication_check_activity(activity_id=b.pk)["reopened"] == 0
    flag.refresh_from_db()
    assert flag.resolution == "unrelated"

    b.fundings.update(donor=OrganisationFactory(name="Slovenia MoI", type="third_state_donor"))
    assert duplication_check_activity(activity_id=b.pk)["reopened"] == 1
    flag.refresh_from_db()
    assert flag.changes == ["B: donors Austria BMI → Slovenia MoI"]


def test_a_flag_that_no_longer_matches_leaves_the_report(background, eu, austria):
    activity_with_text(ORIGINAL, donor=eu)
    b = activity_with_text(REWORDED, donor=austria)
    duplicate_flags_sync(actor=None, pairs=_found())
    b.beneficiaries.set(["AL"])
    duplicate_flags_sync(actor=None, pairs=_found())
    flag = DuplicateFlag.objects.get()
    assert not flag.is_active
    assert not DuplicateFlag.objects.open().exists()


def test_database_rules_keep_pairs_ordered_and_scores_in_range(background):
    from django.db import IntegrityError, transaction

    a, b = background[0], background[1]
    with pytest.raises(IntegrityError), transaction.atomic():
        DuplicateFlag.objects.create(activity_a=b, activity_b=a, score=0.7)
    with pytest.raises(IntegrityError), transaction.atomic():
        DuplicateFlag.objects.create(activity_a=a, activity_b=b, score=1.5)


def test_the_check_after_a_save_scores_a_pair_as_the_full_run_did(countries, support):
    """Words are weighed by how rare they are; the check after a save compares only the activities sharing
    a beneficiary and a period, so it weighs words as the last full run weighed them."""
    from ipas.duplication.services import duplication_run_execute, duplication_run_start
    from ipas.models import DuplicationRun

    a, b = activity_with_text(ORIGINAL), activity_with_text(REWORDED)
    for text in UNRELATED:  # elsewhere: outside the check's comparison, inside the full run's weights
        activity_with_text(text, countries=("AL",), start=date(2021, 1, 1), end=date(2021, 6, 30))
        activity_with_text(ORIGINAL, countries=("BA",), start=date(2020, 1, 1), end=date(2020, 6, 30))
    run = duplication_run_start(actor=support, enqueue=False)
    duplication_run_execute(run_id=run.pk)
    full_run_score = DuplicateFlag.objects.get(activity_a=a, activity_b=b).score

    checked = duplication_check_activity(activity_id=b.pk)
    assert checked["found"] == 1
    assert DuplicateFlag.objects.get(activity_a=a, activity_b=b).score == pytest.approx(full_run_score, abs=1e-4)
    # Without the full run's weights the same check scores the pair otherwise.
    alone = {(p.a, p.b): p.score for p in engine.check_activity(b.pk)}
    assert alone[(a.pk, b.pk)] != pytest.approx(full_run_score, abs=1e-3)
    # Only the latest run keeps its weights.
    again = duplication_run_start(actor=support, enqueue=False)
    duplication_run_execute(run_id=again.pk)
    assert [bool(w) for w in DuplicationRun.objects.order_by("pk").values_list("word_weights", flat=True)] == [
        False,
        True,
    ]


def test_withdrawing_an_activity_takes_its_flags_off_the_report(
    background, eu, austria, editor, partner_org, django_capture_on_commit_callbacks
):
    from ipas.activities.services import activity_withdraw

    a = activity_with_text(ORIGINAL, donor=eu, organisation=partner_org)
    b = activity_with_text(REWORDED, donor=austria)
    duplication_check_activity(activity_id=b.pk)
    flag = DuplicateFlag.objects.open().get()
    with django_capture_on_commit_callbacks(execute=True):  # its check runs on commit (eager in tests)
        activity_withdraw(actor=editor, activity=a)
    flag.refresh_from_db()
    assert not flag.is_active
    assert not DuplicateFlag.objects.open().exists()


def test_logging_and_editing_an_activity_checks_it_after_commit(
    background, austria, editor, partner_org, entry_data, django_capture_on_commit_callbacks
):
    existing = activity_with_text(
        ORIGINAL, start=date(2026, 1, 1), end=date(2026, 12, 31), donor=austria, pillar="WBCTi"
    )
    data = {**entry_data, "title": REWORDED[0], "description": REWORDED[1]}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        logged = activity_create(actor=editor, organisation=partner_org, data=data)
    assert callbacks, "the check is queued after commit"
    flag = DuplicateFlag.objects.get(is_active=True)
    assert (flag.activity_a_id, flag.activity_b_id) == (existing.pk, logged.pk)

    elsewhere = {**data, "title": "Water pumps for mountain villages", "description": "Pipes, pumps and tanks."}
    with django_capture_on_commit_callbacks(execute=True):
        activity_update(actor=editor, activity=logged, data=elsewhere, expected_version=logged.version)
    assert not DuplicateFlag.objects.filter(is_active=True).exists()
