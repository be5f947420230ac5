"""A planned concept against existing activities (pure: no database): the `Concept` a partner types, the
`Match` an activity makes with it (`score_concept`), and the iPA objectives it seems to serve."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date

from rapidfuzz import fuzz

from ipas.duplication.engine.pairs import _similarity, combine
from ipas.duplication.engine.text import VOCABULARY
from ipas.duplication.engine.tuning import FLAG_THRESHOLD, OTHER_PILLAR_FACTOR, WORTH_A_LOOK


@dataclass
class Concept:
    """A planned initiative to check: any field may be empty except the title."""

    title: str
    description: str = ""
    beneficiaries: list[str] = field(default_factory=list)
    pillar_id: int | None = None
    start: date | None = None
    end: date | None = None
    donor_id: int | None = None


@dataclass
class Match:
    activity_id: int
    score: float
    reasons: list[str]
    title_similarity: float
    description_similarity: float
    activity: dict | None = None  # what a page shows of it (filled by the caller)

    @property
    def closeness(self) -> str:
        """ "flagged" (what the report would flag), "worth a look" or "distant": how a page shows the score."""
        if self.score >= FLAG_THRESHOLD:
            return "flagged"
        return "worth a look" if self.score >= WORTH_A_LOOK else "distant"


def score_concept(concept: Concept, activity: dict, cos_title: float, cos_desc: float, names: dict[int, str]) -> Match:
    """Exact score and reasons of one activity against a concept.

    `activity` has id, title, description, start, end (dates), countries, donors and pillars.
    """
    title_c, desc_c = activity["concept_norm"]
    title_a, desc_a = activity["norm"]
    fuzzy_t = _similarity(title_c, title_a)
    both = bool(desc_c and desc_a)
    fuzzy_d = _similarity(desc_c, desc_a) if both else 0.0
    score = float(combine(cos_title, cos_desc, fuzzy_t, fuzzy_d, both))
    t, d = max(fuzzy_t, cos_title), max(fuzzy_d, cos_desc) if both else 0.0
    reasons = [f"title {round(t * 100)}% similar"]
    if d:
        reasons.append(f"description {round(d * 100)}% similar")
    shared = sorted(set(concept.beneficiaries) & set(activity["countries"]))
    if concept.beneficiaries:
        if shared:
            reasons.append(f"same beneficiar{'y' if len(shared) == 1 else 'ies'} {', '.join(shared)}")
        else:
            score *= 0.8
            reasons.append(f"other beneficiaries ({', '.join(activity['countries']) or 'none recorded'})")
    if concept.start and concept.end:
        days = (min(concept.end, activity["end"]) - max(concept.start, activity["start"])).days + 1
        if days > 0:
            months = max(1, round(days / 30.44))
            reasons.append(f"periods overlap {months} month{'s' if months != 1 else ''}")
        else:
            score *= 0.85
            reasons.append("another period")
    if concept.pillar_id and concept.pillar_id in activity["pillars"]:
        reasons.append("same pillar")
    elif concept.pillar_id and activity["pillars"]:
        score *= OTHER_PILLAR_FACTOR
        reasons.append("filed under another pillar")
    donors = activity["donors"]
    if donors:
        label = ", ".join(sorted(names.get(x, "?") for x in donors))
        if concept.donor_id and concept.donor_id in donors:
            reasons.append(f"already funded by the same donor ({label})")
        else:
            reasons.append(f"funded by {label}")
    return Match(
        activity_id=activity["id"],
        score=float(min(1.0, max(0.0, score))),
        reasons=reasons,
        title_similarity=t,
        description_similarity=d,
    )


@functools.lru_cache(maxsize=4096)
def _stems_of(text: str) -> str:
    """An objective title as stems (objective titles are few and asked for on every consultation)."""
    return " ".join(VOCABULARY.words(text))


def suggest_objectives(
    concept: Concept, matches: list[Match], objective_texts: dict[int, str], links: dict
) -> list[tuple[int, float]]:
    """iPA objectives the concept seems to serve: those of its closest matches, and those whose words it shares.

    `objective_texts` maps objective id to its title; `links` maps activity id to its objective ids.
    """
    votes: dict[int, float] = {}
    for match in matches:
        for objective_id in links.get(match.activity_id, ()):
            votes[objective_id] = votes.get(objective_id, 0.0) + match.score
    words = " ".join(VOCABULARY.words(f"{concept.title} {concept.description}", learn=False))
    for objective_id, text in objective_texts.items():
        similarity = fuzz.token_set_ratio(words, _stems_of(text)) / 100.0
        if similarity >= 0.5:
            votes[objective_id] = votes.get(objective_id, 0.0) + similarity
    ranked = sorted(votes.items(), key=lambda kv: -kv[1])[:5]
    total = sum(v for _, v in ranked) or 1.0
    return [(objective_id, round(v / total, 3)) for objective_id, v in ranked]
