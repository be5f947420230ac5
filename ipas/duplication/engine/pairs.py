"""Which activities of a corpus look like the same work (pure: no database): candidates blocked by beneficiary
and period, scored exactly, described with reasons (`find_pairs`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from rapidfuzz import fuzz, process

from ipas.duplication.engine.corpus_model import Corpus
from ipas.duplication.engine.text import VOCABULARY, Vocabulary
from ipas.duplication.engine.tuning import (
    CANDIDATE_COSINE,
    CHUNK_ROWS,
    DESCRIPTION_COSINE_FLOOR,
    DF_CAP_MIN,
    DF_CAP_SHARE,
    FLAG_THRESHOLD,
    OTHER_PILLAR_FACTOR,
)
from ipas.duplication.engine.vectors import WordWeights, vectorize


@dataclass
class Pair:
    """A flagged pair: positions in the corpus, its score (0-1), kind and reasons."""

    a: int  # activity ids, a < b
    b: int
    score: float
    title_similarity: float
    description_similarity: float
    kind: str  # "cross_donor", "double_entry" or "no_donor" (one side names no donor: cannot tell)
    reasons: list[str]

    def as_dict(self) -> dict:
        return {
            "a": self.a,
            "b": self.b,
            "score": round(self.score, 4),
            "kind": self.kind,
            "reasons": self.reasons,
            "title_similarity": round(self.title_similarity, 4),
            "description_similarity": round(self.description_similarity, 4),
        }


def _blocked_candidates(
    matrix: sp.csr_matrix, corpus: Corpus, rows_subset: np.ndarray | None, progress: Callable[[float], None]
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i, j) of positions sharing a beneficiary, overlapping in time, cosine >= CANDIDATE_COSINE."""
    found_i, found_j = [], []
    n_bits = len(corpus.country_codes)
    total = int(sum(np.count_nonzero(corpus.countries >> bit & 1) for bit in range(n_bits))) or 1
    done = 0
    for bit in range(n_bits):
        members = np.flatnonzero(corpus.countries >> bit & 1)
        if len(members) < 2:
            continue
        members = members[np.argsort(corpus.starts[members], kind="stable")]
        starts, ends = corpus.starts[members], corpus.ends[members]
        block = matrix[members]
        # Among earlier starters, only those still running can overlap a later one.
        for lo in range(0, len(members), CHUNK_ROWS):
            hi = min(lo + CHUNK_ROWS, len(members))
            rows = np.arange(lo, hi)
            if rows_subset is not None:
                rows = rows[np.isin(members[lo:hi], rows_subset)]
                if not len(rows):
                    continue
            earliest = starts[rows].min()
            cols = np.flatnonzero(ends[:hi] >= earliest)
            product = (block[rows] @ block[cols].T).tocoo()
            r, c, score = product.row, cols[product.col], product.data
            pos_r = rows[r]
            keep = (c < pos_r) & (score >= CANDIDATE_COSINE) & (ends[c] >= starts[pos_r])
            found_i.append(members[pos_r[keep]])
            found_j.append(members[c[keep]])
            done += hi - lo
            progress(done / total)
    if not found_i:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    i = np.concatenate(found_i)
    j = np.concatenate(found_j)
    lo_, hi_ = np.minimum(i, j), np.maximum(i, j)
    keys = np.unique(lo_.astype(np.int64) * len(corpus) + hi_)
    return keys // len(corpus), keys % len(corpus)


class Texts:
    """Normalised stems of each activity's title and description (as kept by `vectorize`)."""

    def __init__(self, vocab: Vocabulary, streams: dict, n: int):
        self.vocab = vocab
        self.streams = streams
        self.bounds = {which: np.searchsorted(doc, np.arange(n + 1)).tolist() for which, (doc, _ids) in streams.items()}
        self.cache: dict[tuple[str, int], str] = {}

    def get(self, which: str, p: int) -> str:
        key = (which, p)
        text = self.cache.get(key)
        if text is None:
            bounds = self.bounds[which]
            stems = self.vocab.stems
            ids = self.streams[which][1][bounds[p] : bounds[p + 1]]
            text = self.cache[key] = " ".join([stems[k] for k in ids.tolist()])
        return text

    def title(self, p: int) -> str:
        return self.get("title", p)

    def description(self, p: int) -> str:
        return self.get("description", p)


def _rowdot(matrix: sp.csr_matrix, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Cosine of rows i[k] and j[k] (rows have unit length), in slices to bound memory."""
    out = np.zeros(len(i), np.float32)
    for lo in range(0, len(i), 200_000):
        hi = lo + 200_000
        out[lo:hi] = np.asarray(matrix[i[lo:hi]].multiply(matrix[j[lo:hi]]).sum(axis=1)).ravel()
    return out


def combine(cos_title, cos_desc, fuzzy_title, fuzzy_desc, both_described):
    """The text score (0-1) of pairs: description words weigh most, the title's wording a little.

    With both descriptions: 0.4 description cosine (TF-IDF) + 0.4 description fuzzy + 0.2 title fuzzy.
    Otherwise the titles alone: half cosine, half fuzzy.
    """
    with_desc = 0.4 * cos_desc + 0.4 * fuzzy_desc + 0.2 * fuzzy_title
    title_only = 0.5 * cos_title + 0.5 * fuzzy_title
    return np.where(both_described, with_desc, title_only)


def _similarity(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    return (fuzz.token_set_ratio(a, b) + fuzz.token_sort_ratio(a, b)) / 200.0


def _similarities(left: list[str], right: list[str]) -> np.ndarray:
    """Fuzzy similarity of normalised texts, pairwise (left[k] with right[k]): robust to order and typos."""
    if not left:
        return np.zeros(0, np.float32)
    set_ratio = process.cpdist(left, right, scorer=fuzz.token_set_ratio, dtype=np.float32, workers=-1)
    sort_ratio = process.cpdist(left, right, scorer=fuzz.token_sort_ratio, dtype=np.float32, workers=-1)
    return (set_ratio + sort_ratio) / 200.0


def _score_candidates(
    corpus: Corpus,
    texts: Texts,
    title_m: sp.csr_matrix,
    desc_m: sp.csr_matrix,
    has_desc: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(text score, title similarity, description similarity) of candidate pairs."""
    cos_t = _rowdot(title_m, i, j)
    cos_d = _rowdot(desc_m, i, j)
    both = has_desc[i] & has_desc[j]
    # Fuzzy matching is the costly part: skip pairs that cannot reach the threshold even if it were perfect,
    # and pairs whose descriptions share too few weighted words to be the same work.
    best = combine(cos_t, cos_d, np.ones_like(cos_t), np.ones_like(cos_d), both)
    hopeful = np.flatnonzero((best >= FLAG_THRESHOLD) & (~both | (cos_d >= DESCRIPTION_COSINE_FLOOR)))
    fuzzy_t = np.zeros(len(i), np.float32)
    fuzzy_d = np.zeros(len(i), np.float32)
    if len(hopeful):
        hi, hj = i[hopeful], j[hopeful]
        li, lj = hi.tolist(), hj.tolist()
        fuzzy_t[hopeful] = _similarities([texts.title(p) for p in li], [texts.title(p) for p in lj])
        described = np.flatnonzero(both[hopeful])
        fuzzy_d[hopeful[described]] = _similarities(
            [texts.description(li[k]) for k in described.tolist()],
            [texts.description(lj[k]) for k in described.tolist()],
        )
    score = combine(cos_t, cos_d, fuzzy_t, fuzzy_d, both)
    return score, np.maximum(fuzzy_t, cos_t), np.where(both, np.maximum(fuzzy_d, cos_d), 0.0)


def _overlap_months(corpus: Corpus, i: int, j: int) -> int:
    days = min(corpus.ends[i], corpus.ends[j]) - max(corpus.starts[i], corpus.starts[j]) + 1
    return max(1, round(days / 30.44))


def describe_pair(
    corpus: Corpus, i: int, j: int, text: float, t: float, d: float, names: Callable[[Iterable[int]], dict]
) -> Pair:
    """Score, kind and human-readable reasons of a pair that passed the rules."""
    shared_countries = corpus.codes_of(int(corpus.countries[i] & corpus.countries[j]))
    donors_i, donors_j = set(corpus.donors[i]), set(corpus.donors[j])
    same_donor = bool(donors_i & donors_j)
    shared_objectives = set(corpus.objectives[i]) & set(corpus.objectives[j])
    pillars_i, pillars_j = set(corpus.pillars[i]), set(corpus.pillars[j])
    shared_pillars = pillars_i & pillars_j
    other_pillars = bool(pillars_i and pillars_j and not shared_pillars)
    score = text * OTHER_PILLAR_FACTOR if other_pillars else text
    reasons = [f"title {round(t * 100)}% similar"]
    if d:
        reasons.append(f"description {round(d * 100)}% similar")
    label = "same beneficiary" if len(shared_countries) == 1 else "same beneficiaries"
    reasons.append(f"{label} {', '.join(shared_countries)}")
    months = _overlap_months(corpus, i, j)
    reasons.append(f"periods overlap {months} month{'s' if months != 1 else ''}")
    if shared_objectives:
        reasons.append("same iPA objective")
    elif shared_pillars:
        reasons.append("same pillar")
    elif other_pillars:
        reasons.append("filed under other pillars")
    label_of = names(donors_i | donors_j)
    if same_donor:
        common = ", ".join(sorted(label_of.get(x, "?") for x in donors_i & donors_j))
        reasons.append(f"same donor {common}: possible double entry")
    elif donors_i and donors_j:
        left = ", ".join(sorted(label_of.get(x, "?") for x in donors_i))
        right = ", ".join(sorted(label_of.get(x, "?") for x in donors_j))
        reasons.append(f"donors {left} and {right}")
    else:
        reasons.append("donor not recorded for one of them")
    a, b = int(corpus.ids[i]), int(corpus.ids[j])
    return Pair(
        a=min(a, b),
        b=max(a, b),
        score=float(min(1.0, max(0.0, score))),
        title_similarity=float(t),
        description_similarity=float(d),
        kind="double_entry" if same_donor else "cross_donor" if donors_i and donors_j else "no_donor",
        reasons=reasons,
    )


def no_labels(ids: Iterable[int]) -> dict[int, str]:
    """No donor names (this module reads no database): the reasons say "?" for each donor."""
    return {}


def find_pairs(
    corpus: Corpus,
    *,
    progress: Callable[[int, str], None] | None = None,
    only: Iterable[int] | None = None,
    names: Callable[[Iterable[int]], dict] = no_labels,
    vocab: Vocabulary | None = None,
    weights: WordWeights | None = None,
    keep: dict | None = None,
) -> list[Pair]:
    """Every flagged pair of the corpus (or, with `only`, the pairs involving those activity ids).

    `names`: donors' labels for the reasons, by organisation id (`corpus.organisation_labels` reads them from
    the database; without it, every donor reads "?"). `weights`: the word weights of a full run, instead of
    weights fitted on this corpus; `keep`: a dict that receives the word weights fitted here (under "weights"),
    for later checks.
    """
    report = progress or (lambda percent, message: None)
    vocab = vocab or VOCABULARY
    if len(corpus) < 2:
        report(100, "Nothing to compare.")
        return []
    report(5, f"Reading the text of {len(corpus):,} activities")
    streams: dict = {}
    title_m, desc_m, space = vectorize(vocab, corpus.titles, corpus.descriptions, streams=streams, weights=weights)
    if keep is not None:
        keep["weights"] = WordWeights.of(space, vocab, len(corpus))
    has_desc = np.diff(desc_m.indptr) > 0
    # Candidates meet on their descriptions; an activity without one is represented by its title.
    candidate_m = (
        sp.diags(has_desc.astype(np.float32)) @ desc_m + sp.diags((~has_desc).astype(np.float32)) @ title_m
    ).tocsr()
    # Words most activities share make products dense and add little: candidates meet on rarer words.
    df_cap = max(DF_CAP_MIN, int(DF_CAP_SHARE * len(corpus)))
    common = np.flatnonzero(np.bincount(candidate_m.indices, minlength=candidate_m.shape[1]) > df_cap)
    if len(common):
        candidate_m.data[np.isin(candidate_m.indices, common)] = 0
        candidate_m.eliminate_zeros()
    report(25, "Comparing activities that share a beneficiary and a period")
    last = [0.0]

    def on_block(fraction: float) -> None:
        if fraction - last[0] >= 0.1:
            last[0] = fraction
            report(25 + int(50 * fraction), "Comparing activities that share a beneficiary and a period")

    if only is None:
        i, j = _blocked_candidates(candidate_m, corpus, None, on_block)
    else:
        wanted = set(only)
        rows = np.array([k for k, pk in enumerate(corpus.ids.tolist()) if pk in wanted], np.int64)
        i, j = _subset_candidates(candidate_m, corpus, rows)
    del candidate_m
    report(75, f"Scoring {len(i):,} candidate pairs")
    score, t, d = _score_candidates(corpus, Texts(vocab, streams, len(corpus)), title_m, desc_m, has_desc, i, j)
    keep = np.flatnonzero(score >= FLAG_THRESHOLD)
    label = _cached(names)
    described = (
        describe_pair(corpus, int(i[k]), int(j[k]), float(score[k]), float(t[k]), float(d[k]), label)
        for k in keep.tolist()
    )
    # The rules may lower a score (other pillars): what falls below the threshold is not flagged.
    pairs = [pair for pair in described if pair.score >= FLAG_THRESHOLD]
    pairs.sort(key=lambda p: (-p.score, p.a, p.b))
    report(90, f"{len(pairs):,} pairs look duplicated")
    return pairs


def _cached(names: Callable[[Iterable[int]], dict]) -> Callable[[Iterable[int]], dict]:
    cache: dict[int, str] = {}

    def lookup(ids: Iterable[int]) -> dict:
        missing = [x for x in ids if x not in cache]
        if missing:
            cache.update(names(missing))
            cache.update({x: "?" for x in missing if x not in cache})
        return cache

    return lookup


def _subset_candidates(matrix: sp.csr_matrix, corpus: Corpus, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Candidates of a few rows against the whole corpus (the check after one activity is saved)."""
    found_i, found_j = [], []
    for r in rows.tolist():
        ok = (
            (corpus.countries & corpus.countries[r]).astype(bool)
            & (corpus.starts <= corpus.ends[r])
            & (corpus.ends >= corpus.starts[r])
        )
        ok[r] = False
        cols = np.flatnonzero(ok)
        if not len(cols):
            continue
        scores = (matrix[cols] @ matrix[r].T).toarray().ravel()
        hit = cols[scores >= CANDIDATE_COSINE]
        found_i.append(np.full(len(hit), r))
        found_j.append(hit)
    if not found_i:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    i, j = np.concatenate(found_i), np.concatenate(found_j)
    return np.minimum(i, j), np.maximum(i, j)
