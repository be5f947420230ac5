"""Writes of the consultation before planning: each check is answered and recorded for the Support Group."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from iisg_portal.audit import audited
from iisg_portal.permissions import actor_require
from ipas.consult.selectors import CONSULT_PERM, consult
from ipas.duplication import engine
from ipas.models import Consultation
from partners.models import User


def _commit_without_wal_wait(execute, sql, params, many, context):
    """Run the statement with synchronous_commit off for its own (implicit) transaction only: prefixed in
    the same round trip, as pghistory prefixes its context; the statement's own result is the last one."""
    result = execute("SELECT set_config('synchronous_commit', 'off', true); " + sql, params, many, context)
    while result is not None and result.nextset():
        pass
    return result


def consultation_record(
    *, actor: User, concept: engine.Concept, matches: list[engine.Match], objectives: list[tuple[int, float]]
) -> Consultation:
    """Keep who checked what and what the portal showed, so the Support Group sees what is being planned.

    The record is a log line written on every consultation, so (when it is a transaction of its own) its
    commit does not wait for the WAL flush: it stays atomic and consistent, and a database crash could lose
    at most the last fraction of a second of consultations, never anything else. One round trip.
    """
    record = Consultation(
        user=actor,
        title=concept.title[:300],
        description=concept.description,
        beneficiaries=sorted(concept.beneficiaries),
        pillar_id=concept.pillar_id,
        start=concept.start,
        end=concept.end,
        intended_donor_id=concept.donor_id,
        results=[_shown(m) for m in matches],
        objectives=[{"objective": pk, "weight": w} for pk, w in objectives],
    )
    with audited(actor, "consultation_record"):
        if connection.vendor == "postgresql" and connection.get_autocommit() and not connection.in_atomic_block:
            with connection.execute_wrapper(_commit_without_wal_wait):
                record.save(force_insert=True)
        else:  # inside a caller's transaction: its durability is not ours to change
            record.save(force_insert=True)
    return record


def _shown(match: engine.Match) -> dict:
    """One match as the consultation showed it: the activity's title, organisation and status are kept as
    they were then (the activity may change or go later)."""
    shown = {"activity": match.activity_id, "score": round(match.score, 4), "reasons": match.reasons}
    if match.activity:
        shown.update({key: match.activity[key] for key in ("title", "organisation", "status")})
    return shown


@dataclass
class ConsultAnswer:
    """What a consultation showed: the recorded consultation, the matches and the objectives (id, weight, label)."""

    consultation: Consultation
    matches: list[engine.Match]
    objectives: list[tuple[int, float, str]]


def consultation_make(*, actor: User, concept: engine.Concept, limit: int = 10) -> ConsultAnswer:
    """Consult before planning: the closest activities `actor` may see and the objectives the concept seems
    to serve, recorded for the Support Group. The page and the API both answer with this."""
    actor_require(actor, CONSULT_PERM, "Only IISG partners may consult the portal before planning.")
    matches, objectives = consult(actor, concept, limit=limit)
    consultation = consultation_record(
        actor=actor, concept=concept, matches=matches, objectives=[(pk, w) for pk, w, _label in objectives]
    )
    return ConsultAnswer(consultation=consultation, matches=matches, objectives=objectives)
