"""The corpus read from the database: `load_corpus` (plain value lists and SQL, no model instances, for
speed), donors' names for the reasons (`organisation_labels`), and the check after a save (`check_activity`)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ipas.duplication.engine.corpus_model import Corpus, Groups
from ipas.duplication.engine.pairs import Pair, find_pairs
from ipas.duplication.engine.vectors import WordWeights


def _fetch(sql: str, params) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _pairs_array(rows: list[tuple], ids: np.ndarray, columns: int = 2) -> tuple[np.ndarray, ...]:
    """(positions, values...) of (activity id, value...) rows whose activity is in `ids` (sorted)."""
    if not rows:
        empty = np.zeros(0, np.int64)
        return (empty,) * columns
    arrays = [np.fromiter((r[k] for r in rows), np.int64, len(rows)) for k in range(columns)]
    positions = np.searchsorted(ids, arrays[0])
    positions[positions >= len(ids)] = 0
    keep = ids[positions] == arrays[0] if len(ids) else np.zeros(len(rows), bool)
    return (positions[keep], *[a[keep] for a in arrays[1:]])


def load_corpus(activity_ids: Iterable[int] | None = None, *, queryset=None) -> Corpus:
    """Read the activities to compare: all that are not withdrawn or cancelled, or the given ones."""
    from ipas.models import Activity, ActivityObjective, Funding, Objective

    if queryset is None:
        queryset = Activity.objects.exclude(approval_state=Activity.ApprovalState.WITHDRAWN).exclude(
            status=Activity.Status.CANCELLED
        )
    if activity_ids is not None:
        queryset = queryset.filter(pk__in=list(activity_ids))
    rows = list(
        queryset.order_by("pk").values_list(
            "pk", "title", "description", "planned_start", "planned_end", "external_id", "organisation_id"
        )
    )
    n = len(rows)
    ids = np.fromiter((r[0] for r in rows), np.int64, n)
    # The related rows are read whole (plain SQL, no model instances) and matched to positions with numpy.
    if n:
        subquery, params = queryset.order_by().values("pk").query.sql_with_params()
    else:  # (an empty `pk__in` has no SQL at all: ask for no row)
        subquery, params = "SELECT NULL::bigint WHERE false", ()
    through = Activity.beneficiaries.through._meta.db_table
    beneficiary_rows = _fetch(
        f'SELECT activity_id, country_id FROM "{through}" WHERE activity_id IN ({subquery})',  # noqa: S608
        params,
    )
    country_codes = sorted({code for _, code in beneficiary_rows})
    bit_of = {code: 1 << k for k, code in enumerate(country_codes)}
    pos, bits = _pairs_array([(a, bit_of[c]) for a, c in beneficiary_rows], ids)
    countries = np.zeros(n, np.int64)
    np.bitwise_or.at(countries, pos, bits)
    funding = Funding._meta.db_table
    donor_rows = _fetch(f'SELECT activity_id, donor_id FROM "{funding}" WHERE activity_id IN ({subquery})', params)  # noqa: S608
    links, objective, ipa = (
        ActivityObjective._meta.db_table,
        Objective._meta.db_table,
        Objective._meta.get_field("ipa").related_model._meta.db_table,
    )
    objective_rows = _fetch(
        f'SELECT l.activity_id, l.objective_id, i.pillar_id FROM "{links}" l '  # noqa: S608
        f'JOIN "{objective}" o ON o.id = l.objective_id JOIN "{ipa}" i ON i.id = o.ipa_id '
        f"WHERE l.activity_id IN ({subquery})",
        params,
    )
    donor_pos, donor_ids = _pairs_array(donor_rows, ids)
    obj_pos, obj_ids, pillar_ids = _pairs_array(objective_rows, ids, columns=3)
    return Corpus(
        ids=ids,
        titles=[r[1] for r in rows],
        descriptions=[r[2] or "" for r in rows],
        starts=np.fromiter((r[3].toordinal() for r in rows), np.int32, n),
        ends=np.fromiter((r[4].toordinal() for r in rows), np.int32, n),
        countries=countries,
        country_codes=country_codes,
        donors=Groups(donor_pos, donor_ids, n),
        objectives=Groups(obj_pos, obj_ids, n),
        pillars=Groups(obj_pos, pillar_ids, n),
        external_ids=[r[5] for r in rows],
        organisations=np.fromiter((r[6] for r in rows), np.int64, n),
    )


def organisation_labels(ids: Iterable[int]) -> dict[int, str]:
    """Donors' labels in the reasons a pair gives, by organisation id: the short name, else the name."""
    from partners.models import Organisation

    ids = list(ids)
    if not ids:
        return {}
    return {
        pk: short or name
        for pk, short, name in Organisation.objects.filter(pk__in=ids).values_list("pk", "short_name", "name")
    }


def check_activity(activity_id: int, weights: WordWeights | None = None) -> list[Pair]:
    """Pairs one activity forms now: compared with the activities sharing a beneficiary and period, words
    weighed as the last full run weighed them (`weights`) when there is one."""
    from ipas.models import Activity

    activity = (
        Activity.objects.filter(pk=activity_id)
        .values("planned_start", "planned_end", "approval_state", "status")
        .first()
    )
    if activity is None:
        return []
    if (
        activity["approval_state"] == Activity.ApprovalState.WITHDRAWN
        or activity["status"] == Activity.Status.CANCELLED
    ):
        return []
    block = (
        Activity.objects.exclude(approval_state=Activity.ApprovalState.WITHDRAWN)
        .exclude(status=Activity.Status.CANCELLED)
        .filter(
            planned_start__lte=activity["planned_end"],
            planned_end__gte=activity["planned_start"],
            beneficiaries__in=Activity.beneficiaries.through.objects.filter(activity_id=activity_id).values(
                "country_id"
            ),
        )
        .values("pk")
    )
    corpus = load_corpus(queryset=Activity.objects.filter(pk__in=block))
    if activity_id not in set(corpus.ids.tolist()) or len(corpus) < 2:
        return []
    return find_pairs(corpus, only=[activity_id], weights=weights, names=organisation_labels)
