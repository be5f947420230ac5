"""Reads of the consultation before planning: the closest activities a user may see, their own past checks,
and the small reference tables a concept is checked against (kept a minute per process)."""

from __future__ import annotations

import time

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from ipas.activities.selectors import activities_visible_to
from ipas.duplication import engine
from ipas.models import Activity, Consultation, Objective
from partners.models import Country, Organisation, User
from pillars.models import Pillar

CONSULT_PERM = "ipas.consult_activities"


def consultations_of(user: User, limit: int = 10) -> list[Consultation]:
    """The user's own latest consultations (title and time), newest first."""
    if not user.is_authenticated:
        return []
    return list(Consultation.objects.filter(user=user).only("pk", "title", "created_at")[:limit])


def consultation_shown(consultation, viewer: User) -> dict:
    """What a recorded consultation showed, for the Support Group and the partner who made it: each match as
    shown then (title, organisation, status; consultations recorded before these were kept have none) with the
    activity as it is now when `viewer` may still see it (None when it has since been deleted or is hidden from
    them now: `hidden` says which), and the objectives with their labels."""
    ids = [row["activity"] for row in consultation.results]
    # Only what the viewer may see now: a draft renamed since (or an entry no longer theirs) keeps its title private.
    activities = activities_visible_to(viewer).select_related("organisation").in_bulk(ids)
    hidden = set(Activity.objects.filter(pk__in=set(ids) - set(activities)).values_list("pk", flat=True))
    labels = _objectives({row["objective"] for row in consultation.objectives})
    matches = []
    for row in consultation.results:
        now = activities.get(row["activity"])
        matches.append(
            {
                **row,
                "activity": now,
                "activity_id": row["activity"],
                "hidden": row["activity"] in hidden,
                "title": row.get("title") or (now.title if now else f"Activity {row['activity']}"),
                "organisation": row.get("organisation") or (now.organisation.label if now else ""),
                "status": row.get("status") or (now.get_status_display() if now else ""),
                "title_now": now.title if now and row.get("title") and now.title != row["title"] else "",
            }
        )
    return {
        "matches": matches,
        "objectives": [
            {
                "label": labels[row["objective"]][1] if row["objective"] in labels else "(objective since removed)",
                "weight": row["weight"],
            }
            for row in consultation.objectives
        ],
    }


def consult(user: User, concept: engine.Concept, *, limit: int = 10) -> tuple[list[engine.Match], list]:
    """The closest activities this user may see, scored with reasons, and the objectives the concept serves.

    Returns (matches, objectives); each match carries `activity`, a dict of what the page shows, and each
    objective is (id, weight, label).
    """
    visible = activities_visible_to(user)
    # The index is brought to the current data version first (patched in milliseconds when activities
    # changed), so the search runs once.
    index = engine.consult_index()
    cosines = {pk: (t, d) for pk, t, d in index.candidates(concept)}
    rows = list(
        visible.filter(pk__in=list(cosines)).values(
            "id",
            "title",
            "description",
            "planned_start",
            "planned_end",
            "status",
            "organisation__short_name",
            "organisation__name",
        )
    )
    facts = {row["id"]: index.facts(row["id"]) for row in rows}
    names = _labels({d for f in facts.values() for d in f["donors"]} | ({concept.donor_id} - {None}))
    # The concept is read without learning its words (see Vocabulary); the activities' own texts are learnt.
    concept_norm = tuple(engine.VOCABULARY.normalized([concept.title, concept.description], learn=False))
    texts = engine.VOCABULARY.normalized([x for row in rows for x in (row["title"], row["description"])])
    status_label = dict(Activity.Status.choices)
    matches = []
    for k, row in enumerate(rows):
        activity = {
            **row,
            **facts[row["id"]],
            "start": row["planned_start"],
            "end": row["planned_end"],
            "norm": (texts[2 * k], texts[2 * k + 1]),
            "concept_norm": concept_norm,
        }
        t, d = cosines[row["id"]]
        match = engine.score_concept(concept, activity, t, d, names)
        match.activity = {
            "id": row["id"],
            "title": row["title"],
            "organisation": row["organisation__short_name"] or row["organisation__name"],
            "status": status_label.get(row["status"], row["status"]),
            "start": row["planned_start"],
            "end": row["planned_end"],
        }
        matches.append(match)
    matches.sort(key=lambda m: -m.score)
    matches = [m for m in matches if m.score >= CONSULT_MIN_SCORE][:limit]
    links = {m.activity_id: facts[m.activity_id]["objectives"] for m in matches}
    objective_labels = _objectives({o for ids in links.values() for o in ids})
    texts_for_pillar = (
        {pk: title for pk, (title, _label, pillar_id) in objective_labels.items() if pillar_id == concept.pillar_id}
        if concept.pillar_id
        else {pk: title for pk, (title, _label, _p) in objective_labels.items()}
    )
    objectives = engine.suggest_objectives(concept, matches, texts_for_pillar, links)
    return matches, [(pk, w, objective_labels[pk][1]) for pk, w in objectives if pk in objective_labels]


CONSULT_MIN_SCORE = 0.2
_CACHE_SECONDS = 60


def _cached(key: str, build, needed=()):
    """Per-process cache of small reference tables (organisation labels, objectives): kept a minute, read
    again at once when an id it should know is missing."""
    now = time.monotonic()
    hit = _REFERENCE.get(key)
    if hit is None or now - hit[0] > _CACHE_SECONDS or any(x not in hit[1] for x in needed):
        hit = _REFERENCE[key] = (now, build())
    return hit[1]


_REFERENCE: dict[str, tuple[float, object]] = {}


@receiver([post_save, post_delete], sender=Country, dispatch_uid="duplication_reference_countries")
@receiver([post_save, post_delete], sender=Pillar, dispatch_uid="duplication_reference_pillars")
@receiver([post_save, post_delete], sender=Organisation, dispatch_uid="duplication_reference_organisations")
def _reference_changed(sender, **kwargs):
    """A change made in this process is seen at once (other processes see it within _CACHE_SECONDS)."""
    _REFERENCE.clear()


def _labels(needed=()) -> dict[int, str]:
    return _cached(
        "labels",
        lambda: {pk: short or name for pk, short, name in Organisation.objects.values_list("pk", "short_name", "name")},
        needed,
    )


def _objectives(needed=()) -> dict[int, tuple[str, str, int]]:
    """Objective id -> (title, "WBCTi 1.2 – title", pillar id)."""
    return _cached(
        "objectives",
        lambda: {
            pk: (title, f"{code_p} {code} – {title}", pillar_id)
            for pk, title, code, code_p, pillar_id in Objective.objects.values_list(
                "pk", "title", "code", "ipa__pillar__code", "ipa__pillar_id"
            )
        },
        needed,
    )


def beneficiary_codes(needed=()) -> frozenset[str]:
    """ISO codes of the beneficiary countries (a concept may name only these)."""
    return _cached(
        "beneficiaries",
        lambda: frozenset(Country.objects.filter(is_beneficiary=True).values_list("code", flat=True)),
        needed,
    )


def pillar_ids_by_code(needed=()) -> dict[str, int]:
    """Pillar code -> id."""
    return _cached("pillars", lambda: dict(Pillar.objects.values_list("code", "pk")), needed)


def organisation_label_map(needed=()) -> dict[int, str]:
    """Organisation id -> short label, for every organisation (an intended donor may be any of them)."""
    return _labels(needed)
