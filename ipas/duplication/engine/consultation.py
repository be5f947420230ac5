"""The consultation's index of all activities, kept per process and following the data (reads the database):
`ConsultIndex`, and `consult_index()` that builds it, patches it with the activities changed since, or builds it
again; the audit trail tells what changed (`data_version`, `index_moment`, `changed_since`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from datetime import datetime

import numpy as np
import scipy.sparse as sp

from ipas.duplication.engine.concepts import Concept
from ipas.duplication.engine.corpus import load_corpus
from ipas.duplication.engine.corpus_model import Corpus
from ipas.duplication.engine.text import VOCABULARY
from ipas.duplication.engine.tuning import BIGRAM_BUCKETS, CONSULT_CANDIDATES, CONSULT_REBUILD_AFTER
from ipas.duplication.engine.vectors import FeatureSpace, _field_terms, vectorize


class ConsultIndex:
    """The fitted TF-IDF vectors of all activities, kept per process.

    Built in full once (seconds at 100,000 activities); when activities change, the index is patched: the
    changed ones are hidden in it and searched in a small index of their own, vectorised in the same
    feature space (a few milliseconds). Past CONSULT_REBUILD_AFTER changed activities it is built again.
    """

    def __init__(self, corpus: Corpus, title_m: sp.csr_matrix, desc_m: sp.csr_matrix, space: FeatureSpace, version):
        self.corpus = corpus
        # Features x activities: a query touches only the rows of its own words.
        self.title_t = title_m.T.tocsr()
        self.desc_t = desc_m.T.tocsr()
        self.space = space
        self.version = version
        self.built_at = time.monotonic()
        # The index built in full this one derives from, and what its patch changes (see `patched`).
        self.base: ConsultIndex = self
        self.hidden: np.ndarray | None = None
        self.delta: ConsultIndex | None = None
        # Feature ids of the matrices' columns when they keep only some (a patch's rows); None: all of them.
        self.columns: np.ndarray | None = None
        # When the oldest transaction still open at the full build began: changes to patch in are those
        # recorded from then on (an event id is taken when written, not when committed, so ids alone could
        # miss a long transaction, such as an import, that commits after the build).
        self.changes_since: datetime | None = None
        # Transactions in progress when this index read the data: one that commits later may carry event
        # ids below the version, so its commit counts as a change (see `data_version`).
        self.watched: tuple[int, ...] = ()

    @classmethod
    def build(cls, version, since: datetime, watched: tuple[int, ...]) -> ConsultIndex:
        """All activities as they are now; `version`, `since` and `watched` were read just before (see
        `consult_index`)."""
        corpus = load_corpus()
        title_m, desc_m, space = vectorize(VOCABULARY, corpus.titles, corpus.descriptions)
        # The few activities shown are read again from the database; the index keeps no text.
        corpus.titles, corpus.descriptions = [], []
        index = cls(corpus, title_m, desc_m, space, version)
        index.changes_since, index.watched = since, watched
        return index

    def patched(self, version, watched: tuple[int, ...], changed_ids: list[int]) -> ConsultIndex:
        """The full index this one derives from, brought to `version`: `changed_ids` (the activities changed
        since it was built) are read again, and those no longer compared (withdrawn, cancelled, deleted) drop out."""
        base = self.base
        corpus = load_corpus(changed_ids)
        title_m, desc_m, _space = vectorize(VOCABULARY, corpus.titles, corpus.descriptions, space=base.space)
        corpus.titles, corpus.descriptions = [], []
        # The few rows keep only the columns they use: transposing a million columns would cost more than
        # the rest of the patch.
        used = np.union1d(title_m.indices, desc_m.indices)

        def compact(matrix: sp.csr_matrix) -> sp.csr_matrix:
            indices = np.searchsorted(used, matrix.indices).astype(np.int32)
            return sp.csr_matrix((matrix.data, indices, matrix.indptr), shape=(matrix.shape[0], len(used)))

        delta = ConsultIndex(corpus, compact(title_m), compact(desc_m), base.space, version)
        delta.columns = used
        index = ConsultIndex.__new__(ConsultIndex)
        index.__dict__.update(base.__dict__)
        index.version, index.watched = version, watched
        index.delta = delta
        index.hidden = np.isin(base.corpus.ids, np.asarray(changed_ids, np.int64))
        return index

    def query_vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(columns, weights) of one text in the index's feature space: what `vectorize` gives for one row,
        without building a sparse matrix of a million columns for it."""
        _doc, ids, _bi_rows, bi_cols = _field_terms(VOCABULARY, [text], learn=False)
        cols = np.concatenate([ids[ids < self.space.n_stems] + BIGRAM_BUCKETS, bi_cols])
        if not len(cols):
            return np.zeros(0, np.int32), np.zeros(0, np.float32)
        cols, counts = np.unique(cols, return_counts=True)
        weights = (np.log(counts.astype(np.float32)) + np.float32(1.0)) * self.space.idf[cols]
        weights /= np.sqrt(np.add.reduce(weights**2))
        return cols, weights

    def _cosines(self, query: tuple[np.ndarray, np.ndarray], matrix_t: sp.csr_matrix) -> np.ndarray:
        cols, weights = query
        if self.columns is not None:
            local = np.minimum(np.searchsorted(self.columns, cols), max(len(self.columns) - 1, 0))
            kept = self.columns[local] == cols if len(self.columns) else np.zeros(len(cols), bool)
            cols, weights = local[kept], weights[kept]
        if not len(cols) or not matrix_t.shape[1]:
            return np.zeros(matrix_t.shape[1], np.float32)
        return np.asarray(matrix_t[cols].T @ weights).ravel()

    def _ranks(self, concept: Concept, q_title, q_desc) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rank, title cosine, description cosine) of every activity of this index's own corpus."""
        cos_t = self._cosines(q_title, self.title_t)
        # The rank is computed in place on float32 arrays: a query touches every activity, so each
        # temporary array costs.
        if len(q_desc[0]):
            cos_d = self._cosines(q_desc, self.desc_t)
            rank = np.add(cos_d, cos_t, dtype=np.float32)
            rank *= np.float32(0.5)
        else:
            cos_d = self._cosines(q_title, self.desc_t)
            rank = cos_t * np.float32(0.7)
            rank += cos_d * np.float32(0.3)
        corpus = self.corpus
        if concept.beneficiaries:
            # (A patch's few rows may know none of the concept's countries: then the mask is 0 and every
            # row is penalised, as in the full index.)
            mask = corpus.mask_of(concept.beneficiaries)
            np.multiply(rank, np.float32(0.8), out=rank, where=(corpus.countries & mask) == 0)
        if concept.start and concept.end:
            s, e = concept.start.toordinal(), concept.end.toordinal()
            np.multiply(rank, np.float32(0.85), out=rank, where=(corpus.starts > e) | (corpus.ends < s))
        return rank, cos_t, cos_d

    def candidates(self, concept: Concept, limit: int = CONSULT_CANDIDATES) -> list[tuple[int, float, float]]:
        """(activity id, title cosine, description cosine) of the closest activities, best first."""
        q_title = self.query_vector(concept.title)
        q_desc = self.query_vector(concept.description)
        rank, cos_t, cos_d = self._ranks(concept, q_title, q_desc)
        ids = self.corpus.ids
        if self.delta is not None:
            rank[self.hidden] = -1.0  # superseded by the delta's rows
            d_rank, d_t, d_d = self.delta._ranks(concept, q_title, q_desc)
            rank, cos_t, cos_d = (np.concatenate(pair) for pair in ((rank, d_rank), (cos_t, d_t), (cos_d, d_d)))
            ids = np.concatenate([ids, self.delta.corpus.ids])
        limit = min(limit, len(rank))
        if not limit:
            return []
        top = np.argpartition(rank, len(rank) - limit)[len(rank) - limit :]
        top = top[np.argsort(-rank[top], kind="stable")]
        return [(int(ids[k]), float(cos_t[k]), float(cos_d[k])) for k in top.tolist() if rank[k] > 0.05]

    def facts(self, activity_id: int) -> dict:
        """Beneficiaries, donors, objectives and pillars of an indexed activity."""
        if self.delta is not None and activity_id in self.delta.corpus.ids:
            return self.delta.facts(activity_id)
        corpus = self.corpus
        k = corpus.position(activity_id)
        return {
            "countries": corpus.codes_of(int(corpus.countries[k])),
            "donors": corpus.donors[k],
            "objectives": corpus.objectives[k],
            "pillars": corpus.pillars[k],
        }


_INDEX: ConsultIndex | None = None
_INDEX_LOCK = threading.Lock()


def _version_sources() -> list[tuple[str, str]]:
    """(audit event table, column holding the activity id) of an activity, its funding and its objectives."""
    from ipas.models import Activity, ActivityObjective, Funding

    return [
        (_event_table(Activity), "pgh_obj_id"),
        (_event_table(Funding), "activity_id"),
        (_event_table(ActivityObjective), "activity_id"),
    ]


def data_version(watched: Iterable[int] = ()) -> tuple:
    """Moves whenever an activity, its funding or its objectives change: the last audit event id of each,
    and how many of the `watched` transactions have committed since they were seen in progress (one
    statement, index-only scans)."""
    from django.db import connection

    latest = [f'(SELECT max(pgh_id) FROM "{table}")' for table, _column in _version_sources()]  # noqa: S608
    committed = "(SELECT count(*) FROM unnest(%s::bigint[]) AS x WHERE pg_xact_status(x::text::xid8) = 'committed')"
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join([*latest, committed]), [list(watched)])
        return tuple(cursor.fetchone())


#: Margin on the moment changes are looked for from: a transaction's clock starts a moment before it shows.
_SINCE_MARGIN_SECONDS = 5


def index_moment() -> tuple[datetime, tuple[int, ...]]:
    """Read before an index reads the activities: (when the oldest client transaction now open began, less
    a margin; the ids of the transactions writing now). Every change the index may miss was made by one of
    those transactions: its events are recorded from that moment on, and its commit moves the version."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT least(coalesce(min(xact_start), now()), now()) - make_interval(secs => %s), "
            "ARRAY(SELECT x::text::bigint FROM pg_snapshot_xip(pg_current_snapshot()) AS x) "
            "FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' "
            "AND xact_start IS NOT NULL",
            [_SINCE_MARGIN_SECONDS],
        )
        since, watched = cursor.fetchone()
    return since, tuple(watched)


def changed_since(moment: datetime, limit: int) -> list[int] | None:
    """Ids of the activities whose row, funding or objectives had an audit event recorded at or after
    `moment`; None when there are more than `limit` of them."""
    from django.db import connection

    parts = [
        f'SELECT "{column}" FROM "{table}" WHERE pgh_created_at >= %s'  # noqa: S608 - our tables
        for table, column in _version_sources()
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT x FROM ({' UNION ALL '.join(parts)}) AS changed(x) LIMIT %s",  # noqa: S608
            [moment] * len(parts) + [limit + 1],
        )
        ids = [row[0] for row in cursor.fetchall() if row[0] is not None]
    return ids if len(ids) <= limit else None


def _event_table(model) -> str:
    from django.apps import apps

    return apps.get_model(model._meta.app_label, f"{model.__name__}Event")._meta.db_table


def consult_index() -> ConsultIndex:
    """This process's index, up to date: patched with the activities changed since its full build when they
    are few, built again otherwise. Under a lock: the holder brings it up to date, the others wait for it."""
    global _INDEX
    index = _INDEX
    if index is not None and data_version(index.watched) == index.version:
        return index
    with _INDEX_LOCK:
        index = _INDEX
        if index is not None and data_version(index.watched) == index.version:
            return index
        since, watched = index_moment()
        version = data_version(watched)
        changed = None
        # Event ids only grow; lower ones mean the audit trail was pruned or restored: build again.
        ids, base_ids = version[:-1], index.base.version[:-1] if index is not None else ()
        if index is not None and all((v or 0) >= (b or 0) for v, b in zip(ids, base_ids, strict=True)):
            changed = changed_since(index.base.changes_since, CONSULT_REBUILD_AFTER)
        if changed is None:
            _INDEX = ConsultIndex.build(version, since, watched)
        else:
            _INDEX = index.patched(version, watched, changed)
        return _INDEX
