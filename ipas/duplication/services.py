"""Writes of the duplication report: runs, checks after a save, flags and their settling. The engine
(ipas/duplication/engine) only reads."""

from __future__ import annotations

import json

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from iisg_portal.audit import audited
from iisg_portal.errors import PortalError
from iisg_portal.permissions import actor_require
from ipas.duplication import engine
from ipas.duplication.selectors import RUN_PERM
from ipas.models import DuplicateFlag, DuplicationRun
from ipas.tasks import duplication_run_full
from partners.models import User


def _user_or_none(actor: User | None) -> User | None:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def duplication_run_start(*, actor: User | None, trigger: str = "manual", enqueue: bool = True) -> DuplicationRun:
    """Queue a full run, or return the one already queued or running (one run at a time). The system (actor
    None: the nightly run, a command, a follow-up) may start one; a person needs RUN_PERM."""
    actor_require(actor, RUN_PERM, "Only Support Group staff may run the duplication report.", system=True)
    active = DuplicationRun.objects.filter(status__in=DuplicationRun.ACTIVE).first()
    if active is not None:
        return active
    try:
        with transaction.atomic(), audited(actor, "duplication_run_start"):
            run = DuplicationRun.objects.create(
                trigger=trigger, requested_by=_user_or_none(actor), message="Waiting for a worker"
            )
            if enqueue:
                # A broker that cannot take it now does not fail the request: `duplication_runs_resume`
                # sends it again.
                transaction.on_commit(lambda: duplication_run_full.delay(run.pk), robust=True)
    except IntegrityError:  # someone else started one in the same instant
        return DuplicationRun.objects.filter(status__in=DuplicationRun.ACTIVE).first()
    return run


def duplication_runs_resume() -> list[int]:
    """Send again the run no worker took (broker down when queued) or a dead worker left running; until
    then it would block every later run, the nightly one included; give up one its workers left running
    DuplicationRun.MAX_ATTEMPTS times. Safe: one execution claims a run. Returns the ids sent again."""
    return DuplicationRun.resume(send=duplication_run_full.delay)


#: Activities saved while a full run read and compared are checked again after it; past this many, another
#: full run follows instead.
RECHECK_AFTER_RUN_LIMIT = 200


def _progress(run_id: int, percent: int, message: str) -> None:
    DuplicationRun.progress(run_id, percent, message)


def duplication_run_execute(*, run_id: int, recheck: bool = True) -> DuplicationRun | None:
    """Run a queued full run to the end. Safe to call twice: only one caller claims the run.

    `recheck` False skips checking again what was saved while the run read (for a caller that knows nothing
    else writes, e.g. the demo seed, whose own inserts would otherwise count).

    A run left "running" by a worker that died is taken over once it is older than the task time limit,
    at most DuplicationRun.MAX_ATTEMPTS times in all, then given up: until it ends, no other run can start.
    """
    if not DuplicationRun.claim(run_id, percent=1, message="Starting"):
        # Another execution has it (None), or its workers kept dying: given up, which frees the next run.
        return DuplicationRun.objects.get(pk=run_id) if DuplicationRun.give_up([run_id]) else None
    try:
        # Read before the activities: every change the run may not see is recorded from this moment on.
        moment, _writing = engine.index_moment()
        _progress(run_id, 2, "Reading activities")
        corpus = engine.load_corpus()
        kept: dict = {}
        pairs = engine.find_pairs(
            corpus, progress=lambda p, m: _progress(run_id, p, m), names=engine.organisation_labels, keep=kept
        )
        _progress(run_id, 92, f"Saving {len(pairs):,} flag{'' if len(pairs) == 1 else 's'}")
        stats = duplicate_flags_sync(actor=None, pairs=pairs)
        stats["activities"] = len(corpus)
        # An activity saved meanwhile had its own check, which this run's older reading may just have
        # overwritten: check it again against the data as it is now.
        changed = engine.changed_since(moment, limit=RECHECK_AFTER_RUN_LIMIT) if recheck else []
        if changed:
            _progress(run_id, 97, f"Checking {len(changed):,} activities saved during the run")
            for activity_id in changed:
                duplication_check_activity(activity_id=activity_id, weights=kept.get("weights"))
        stats["checked_again"] = len(changed) if changed is not None else None
    except Exception as exc:
        DuplicationRun.objects.filter(pk=run_id).update(
            status=DuplicationRun.Status.FAILED, finished_at=timezone.now(), message=f"Failed: {exc}"[:300]
        )
        raise
    message = f"{stats['open']:,} open flags ({stats['new']:,} new, {stats['reopened']:,} back after a change)"
    with transaction.atomic():
        DuplicationRun.objects.filter(pk=run_id).update(
            status=DuplicationRun.Status.DONE,
            percent=100,
            finished_at=timezone.now(),
            message=message,
            stats=stats,
            word_weights=kept["weights"].to_bytes() if "weights" in kept else b"",
        )
        # Only the latest weights are read: older runs keep their record, not their few MB of numbers.
        DuplicationRun.objects.exclude(pk=run_id).exclude(word_weights=b"").update(word_weights=b"")
    is_follow_up = DuplicationRun.objects.filter(pk=run_id, trigger=DuplicationRun.Trigger.FOLLOW_UP).exists()
    if changed is None and not is_follow_up:
        # Too many saved during the run (a large import) to check one by one: a full run reads them all. Once:
        # a transaction left open for long keeps the moment in the past, and runs must not chain on it.
        duplication_run_start(actor=None, trigger=DuplicationRun.Trigger.FOLLOW_UP)
    return DuplicationRun.objects.get(pk=run_id)


def duplication_check_activity(*, activity_id: int, weights: engine.WordWeights | None = None) -> dict:
    """The incremental check after an activity is saved: its pairs, reconciled with the stored flags. Words
    are weighed as the latest full run weighed them, or as `weights` say."""
    pairs = engine.check_activity(activity_id, weights=weights or latest_word_weights())
    return duplicate_flags_sync(actor=None, pairs=pairs, scope=[activity_id])


_WEIGHTS: dict[int, engine.WordWeights] = {}


def latest_word_weights() -> engine.WordWeights | None:
    """The word weights of the latest full run that kept them (read once per process and run)."""
    run_id = (
        DuplicationRun.objects.filter(status=DuplicationRun.Status.DONE)
        .exclude(word_weights=b"")
        .order_by("-finished_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if run_id is None:
        return None
    if run_id not in _WEIGHTS:
        data = DuplicationRun.objects.filter(pk=run_id).values_list("word_weights", flat=True).first()
        if not data:  # a newer run took them meanwhile: the next check reads those
            return None
        _WEIGHTS.clear()
        _WEIGHTS[run_id] = engine.WordWeights.from_bytes(data)
    return _WEIGHTS[run_id]


def duplicate_flags_sync(*, actor: User | None, pairs: list[engine.Pair], scope: list[int] | None = None) -> dict:
    """Make the stored flags match what the engine found.

    `scope` None means a full run (every flag is in scope); otherwise only flags involving those activities.
    New pairs become open flags; open flags still found are refreshed; flags no longer found leave the
    report; a settled flag stays settled unless a material field of either activity changed since, and
    then it opens again, showing what changed.
    """
    now = timezone.now()
    found = {(p.a, p.b): p for p in pairs}
    existing_qs = DuplicateFlag.objects.all()
    if scope is not None:
        existing_qs = existing_qs.involving(scope)
    with transaction.atomic(), audited(actor, "duplicate_flags_sync"):
        existing = {(f.activity_a_id, f.activity_b_id): f for f in existing_qs.select_for_update()}
        settled_found = [key for key, f in existing.items() if f.resolution and key in found]
        current = engine.material_fields({x for key in settled_found for x in key})
        to_update, reopened = [], 0
        for key, flag in existing.items():
            pair = found.get(key)
            if pair is None:
                if flag.is_active:
                    flag.is_active = False
                    to_update.append(flag)
                continue
            if flag.resolution:
                a, b = current.get(key[0]), current.get(key[1])
                if a is None or b is None or engine.fingerprint(a, b) == flag.fingerprint:
                    if not flag.is_active:
                        flag.is_active = True
                        to_update.append(flag)
                    continue
                flag.changes = engine.material_changes(flag.snapshot.get("a", {}), a, "A") + engine.material_changes(
                    flag.snapshot.get("b", {}), b, "B"
                )
                flag.previous_resolution = flag.resolution
                flag.resolution = DuplicateFlag.Resolution.OPEN
                reopened += 1
            if flag.is_active and not flag.changes and not flag.previous_resolution and _same(flag, pair):
                continue  # an open flag found again unchanged: nothing to write
            _apply(flag, pair)
            flag.is_active = True
            flag.last_detected_at = now
            to_update.append(flag)
        _flags_update(to_update, _SYNCED_FIELDS)
        new = [key for key in found if key not in existing]
        created = []
        for key in new:
            flag = DuplicateFlag(activity_a_id=key[0], activity_b_id=key[1], first_detected_at=now)
            _apply(flag, found[key])
            flag.last_detected_at = now
            created.append(flag)
        DuplicateFlag.objects.bulk_create(created, batch_size=2000, ignore_conflicts=True)
    open_count = DuplicateFlag.objects.open().count() if scope is None else sum(1 for p in pairs)
    return {"found": len(found), "new": len(created), "reopened": reopened, "open": open_count}


_SYNCED_FIELDS = [
    "is_active",
    "resolution",
    "previous_resolution",
    "changes",
    "score",
    "kind",
    "reasons",
    "title_similarity",
    "description_similarity",
    "last_detected_at",
]


def _flags_update(flags: list[DuplicateFlag], names: list[str], batch_size: int = 5000) -> None:
    """Write `names` of `flags`: one UPDATE from column arrays per batch. (Django's bulk_update builds a CASE
    expression per field and row: seconds for a few thousand flags, where this takes milliseconds.)

    Values are prepared by their fields as a save would; text and JSON travel as text, so a value too long
    for its column is refused, never cut."""
    fields = [DuplicateFlag._meta.get_field(name) for name in names]
    kinds = [f.get_internal_type() for f in fields]
    textual = {"CharField", "TextField", "JSONField"}
    types = ["bigint"] + [
        "text" if kind in textual else f.db_type(connection) for f, kind in zip(fields, kinds, strict=True)
    ]
    columns = ["id"] + [f.column for f in fields]
    assignments = ", ".join(
        f'"{f.column}" = v."{f.column}"{"::jsonb" if kind == "JSONField" else ""}'
        for f, kind in zip(fields, kinds, strict=True)
    )
    arrays = ", ".join(f"%s::{t}[]" for t in types)
    names_of_v = ", ".join(f'"{c}"' for c in columns)
    sql = (
        f'UPDATE "{DuplicateFlag._meta.db_table}" AS f SET {assignments} '  # noqa: S608 - model metadata only
        f"FROM unnest({arrays}) AS v({names_of_v}) WHERE f.id = v.id"
    )

    def prepared(f, kind: str, value):
        if kind == "JSONField":
            return json.dumps(f.get_prep_value(value), cls=f.encoder)
        return f.get_db_prep_save(value, connection)

    with connection.cursor() as cursor:
        for lo in range(0, len(flags), batch_size):
            batch = flags[lo : lo + batch_size]
            params = [[flag.pk for flag in batch]]
            for f, kind in zip(fields, kinds, strict=True):
                params.append([prepared(f, kind, getattr(flag, f.attname)) for flag in batch])
            cursor.execute(sql, params)


def _same(flag: DuplicateFlag, pair: engine.Pair) -> bool:
    return (
        not flag.resolution
        and abs(flag.score - pair.score) < 0.0005
        and flag.kind == pair.kind
        and flag.reasons == pair.reasons
    )


def _apply(flag: DuplicateFlag, pair: engine.Pair) -> None:
    flag.score = round(pair.score, 4)
    flag.kind = pair.kind
    flag.reasons = pair.reasons
    flag.title_similarity = round(pair.title_similarity, 4)
    flag.description_similarity = round(pair.description_similarity, 4)


def duplicate_flag_resolve(*, actor: User, flag: DuplicateFlag, resolution: str, note: str = "") -> DuplicateFlag:
    """Settle a flag as duplicate, complementary or not related; it is not raised again unless one side
    changes materially. The material fields are remembered to tell what changed if it comes back."""
    actor_require(actor, RUN_PERM, "Only Support Group staff may settle duplication flags.")
    if resolution not in {
        DuplicateFlag.Resolution.DUPLICATE,
        DuplicateFlag.Resolution.COMPLEMENTARY,
        DuplicateFlag.Resolution.UNRELATED,
    }:
        raise PortalError("Choose duplicate, complementary or not related.", field="resolution")
    with transaction.atomic(), audited(actor, "duplicate_flag_resolve"):
        flag = DuplicateFlag.objects.select_for_update(of=("self",)).select_related("resolved_by").get(pk=flag.pk)
        if flag.resolution:
            # Two staff members (or a stale tab) deciding at once: the first decision stands.
            who = flag.resolved_by or "someone"
            when = timezone.localtime(flag.resolved_at).strftime("%d %b %Y %H:%M") if flag.resolved_at else ""
            raise PortalError(
                f"This flag was already settled as {flag.get_resolution_display().lower()} by {who} {when}; "
                "nothing was changed. Open it again to change the decision."
            )
        fields = engine.material_fields([flag.activity_a_id, flag.activity_b_id])
        a, b = fields[flag.activity_a_id], fields[flag.activity_b_id]
        flag.resolution = resolution
        flag.note = note.strip()
        flag.resolved_by = actor
        flag.resolved_at = timezone.now()
        flag.snapshot = {"a": a, "b": b}
        flag.fingerprint = engine.fingerprint(a, b)
        flag.changes = []
        flag.full_clean()
        flag.save()
    return flag


def duplicate_flag_reopen(*, actor: User, flag: DuplicateFlag) -> DuplicateFlag:
    """Undo a settlement (e.g. chosen by mistake); the decision stays in the audit history."""
    actor_require(actor, RUN_PERM, "Only Support Group staff may open a settled flag again.")
    with transaction.atomic(), audited(actor, "duplicate_flag_reopen"):
        flag = DuplicateFlag.objects.select_for_update().get(pk=flag.pk)
        if not flag.resolution:
            raise PortalError("This flag is already open.")
        flag.previous_resolution = flag.resolution
        flag.resolution = DuplicateFlag.Resolution.OPEN
        flag.changes = []
        flag.save()
    return flag
