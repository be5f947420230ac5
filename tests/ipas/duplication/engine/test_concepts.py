"""A planned concept against an activity, without a database: its score, reasons and closeness."""

import dataclasses
from datetime import date

import pytest

from ipas.duplication.engine.concepts import Concept, Match, score_concept, suggest_objectives
from ipas.duplication.engine.text import Vocabulary
from ipas.duplication.engine.tuning import FLAG_THRESHOLD, OTHER_PILLAR_FACTOR
from tests.ipas.duplication.engine.corpora import (
    AUSTRIA,
    BORDER_POLICE,
    BORDER_POLICE_DONOR_LINE,
    DONOR_NAMES,
    EU,
    WBBSI,
    WBCTI,
)

# A donor plans the border police action an implementer already logged.
CONCEPT = Concept(
    title=BORDER_POLICE_DONOR_LINE[0],
    description=BORDER_POLICE_DONOR_LINE[1],
    beneficiaries=["ME"],
    pillar_id=WBBSI,
    start=date(2025, 3, 1),
    end=date(2026, 2, 28),
    donor_id=AUSTRIA,
)


def logged(concept: Concept) -> dict:
    """The activity as ipas/consult/selectors.py hands it over: its facts and both texts normalised."""
    vocab = Vocabulary()
    return {
        "id": 104,
        "countries": ["ME", "AL"],
        "start": date(2025, 1, 1),
        "end": date(2025, 12, 31),
        "pillars": (WBBSI,),
        "donors": (EU,),
        "concept_norm": tuple(vocab.normalized([concept.title, concept.description])),
        "norm": tuple(vocab.normalized(list(BORDER_POLICE))),
    }


def test_an_activity_doing_the_planned_work_is_flagged_with_its_reasons():
    match = score_concept(CONCEPT, logged(CONCEPT), 0.3, 0.5, DONOR_NAMES)
    assert match.activity_id == 104
    assert match.closeness == "flagged"
    assert match.reasons == [
        "title 60% similar",
        "description 85% similar",
        "same beneficiary ME",
        "periods overlap 10 months",
        "same pillar",
        "funded by EU DG NEAR",
    ]


def test_other_beneficiaries_another_period_and_pillar_lower_the_score():
    planned = score_concept(CONCEPT, logged(CONCEPT), 0.3, 0.5, DONOR_NAMES)
    elsewhere = dataclasses.replace(
        CONCEPT, beneficiaries=["RS"], start=date(2020, 1, 1), end=date(2020, 12, 31), pillar_id=WBCTI, donor_id=EU
    )
    match = score_concept(elsewhere, logged(elsewhere), 0.3, 0.5, DONOR_NAMES)
    assert match.score == pytest.approx(planned.score * 0.8 * 0.85 * OTHER_PILLAR_FACTOR)
    assert match.closeness == "worth a look"
    assert match.reasons[2:] == [
        "other beneficiaries (ME, AL)",
        "another period",
        "filed under another pillar",
        "already funded by the same donor (EU DG NEAR)",
    ]


def test_objectives_are_suggested_from_the_matches_and_from_their_words():
    match = score_concept(CONCEPT, logged(CONCEPT), 0.3, 0.5, DONOR_NAMES)
    objectives = {
        1: "Border police detect forged travel documents at crossing points",
        2: "Prevention of violent extremism in municipalities",
        3: "Integrated border management",
    }
    suggested = suggest_objectives(CONCEPT, [match], objectives, links={104: [3]})
    # Objective 1 by its words, objective 3 because the matching activity serves it; shares add up to 1.
    assert [objective for objective, _share in suggested] == [1, 3]
    assert sum(share for _objective, share in suggested) == pytest.approx(1, abs=1e-3)


@pytest.mark.parametrize(
    ("score", "closeness"),
    [(0.95, "flagged"), (FLAG_THRESHOLD, "flagged"), (0.5, "worth a look"), (0.39, "distant")],
)
def test_a_match_says_how_close_it_is_by_the_reports_threshold(score, closeness):
    match = Match(activity_id=1, score=score, reasons=[], title_similarity=0, description_similarity=0)
    assert match.closeness == closeness
