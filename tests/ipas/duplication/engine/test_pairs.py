"""Which activities look like the same work, on a corpus built in memory: no database (pytest-django refuses
any query here, so a pure module that reached for one would fail)."""

from datetime import date

import pytest

from ipas.duplication.engine.pairs import find_pairs
from ipas.duplication.engine.tuning import FLAG_THRESHOLD, OTHER_PILLAR_FACTOR
from tests.ipas.duplication.engine.corpora import (
    AUSTRIA,
    BORDER_POLICE,
    BORDER_POLICE_DONOR_LINE,
    EU,
    PCVE,
    PCVE_DONOR_LINE,
    SLOVENIA,
    WBCSCI,
    WBCTI,
    Entry,
    corpus_of,
    donor_names,
    with_background,
)


def pairs_of(entries: list[Entry], **options) -> dict:
    return {(p.a, p.b): p for p in find_pairs(corpus_of(entries), names=donor_names, **options)}


def test_a_donors_terse_line_and_the_implementers_account_are_found_across_donors():
    entries = with_background(
        Entry(BORDER_POLICE, countries=("ME", "AL"), donors=(EU,)),
        Entry(BORDER_POLICE_DONOR_LINE, start=date(2025, 3, 1), end=date(2026, 6, 30), donors=(AUSTRIA,)),
    )
    pairs = pairs_of(entries)
    # Only the two accounts of the same work: the unrelated actions around them (same country, same year,
    # police words too) are not flagged.
    assert list(pairs) == [(104, 105)]
    pair = pairs[(104, 105)]
    assert pair.kind == "cross_donor"
    assert FLAG_THRESHOLD <= pair.score <= 1
    assert pair.description_similarity > pair.title_similarity
    assert pair.reasons[0].startswith("title ")
    assert pair.reasons[1].startswith("description ")
    assert "same beneficiary ME" in pair.reasons
    assert "periods overlap 10 months" in pair.reasons
    assert "same pillar" in pair.reasons
    assert "donors EU DG NEAR and Austria BMI" in pair.reasons


def test_the_same_text_for_another_beneficiary_or_a_period_that_does_not_overlap_is_not_paired():
    entries = with_background(
        Entry(BORDER_POLICE, countries=("ME",), donors=(EU,)),
        # Word for word the same work, but at Serbia's crossing points...
        Entry(BORDER_POLICE, countries=("RS",), donors=(AUSTRIA,)),
        # ...or in Montenegro again, years earlier.
        Entry(BORDER_POLICE_DONOR_LINE, start=date(2019, 1, 1), end=date(2024, 12, 31), donors=(AUSTRIA,)),
    )
    assert pairs_of(entries) == {}


def test_the_same_donor_on_both_sides_is_a_possible_double_entry():
    entries = with_background(
        Entry(PCVE, countries=("MK", "ME"), donors=(EU,), pillars=(WBCTI,)),
        Entry(PCVE_DONOR_LINE, countries=("MK",), donors=(EU, SLOVENIA), pillars=(WBCTI,)),
    )
    pair = pairs_of(entries)[(104, 105)]
    assert pair.kind == "double_entry"
    assert "same beneficiary MK" in pair.reasons
    assert "same donor EU DG NEAR: possible double entry" in pair.reasons


def test_a_pair_where_one_side_names_no_donor_is_its_own_kind():
    entries = with_background(Entry(PCVE, donors=(EU,)), Entry(PCVE_DONOR_LINE, donors=()))
    pair = pairs_of(entries)[(104, 105)]
    assert pair.kind == "no_donor"
    assert "donor not recorded for one of them" in pair.reasons


def test_pillars_with_none_in_common_lower_the_score():
    same = pairs_of(with_background(Entry(PCVE, pillars=(WBCTI,)), Entry(PCVE_DONOR_LINE, pillars=(WBCTI,))))
    other = pairs_of(with_background(Entry(PCVE, pillars=(WBCTI,)), Entry(PCVE_DONOR_LINE, pillars=(WBCSCI,))))
    assert "filed under other pillars" in other[(104, 105)].reasons
    assert other[(104, 105)].score == pytest.approx(same[(104, 105)].score * OTHER_PILLAR_FACTOR, abs=1e-6)


def test_without_names_every_donor_reads_as_a_question_mark():
    """The pure module names no donor itself: the database's names come from its caller."""
    entries = with_background(Entry(PCVE, donors=(EU,)), Entry(PCVE_DONOR_LINE, donors=(AUSTRIA,)))
    (pair,) = find_pairs(corpus_of(entries))
    assert "donors ? and ?" in pair.reasons


def test_the_check_of_one_activity_finds_its_pairs_only():
    entries = with_background(
        Entry(BORDER_POLICE, donors=(EU,)),
        Entry(BORDER_POLICE_DONOR_LINE, donors=(AUSTRIA,)),
        Entry(PCVE, donors=(EU,)),
        Entry(PCVE_DONOR_LINE, donors=(SLOVENIA,)),
    )
    assert set(pairs_of(entries)) == {(104, 105), (106, 107)}
    assert set(pairs_of(entries, only=[107])) == {(106, 107)}
    assert set(pairs_of(entries, only=[101])) == set()


def test_a_full_run_reports_its_progress_and_keeps_its_word_weights():
    entries = with_background(Entry(BORDER_POLICE), Entry(BORDER_POLICE_DONOR_LINE, donors=(AUSTRIA,)))
    steps, kept = [], {}
    find_pairs(corpus_of(entries), progress=lambda percent, message: steps.append(percent), keep=kept)
    assert steps[0] == 5 and steps[-1] == 90 and steps == sorted(steps)
    assert kept["weights"].documents == len(entries)
    # Fewer than two activities: nothing to compare.
    assert find_pairs(corpus_of(entries[:1])) == []
