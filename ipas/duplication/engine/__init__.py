"""The duplication engine: which activities look like the same work, how strongly, and why.

No web code lives here. The engine reads activities from the database (plain value lists, for speed), and
answers three questions; the services in ipas/duplication/services.py write what it finds:

- `find_pairs(corpus)`: every pair of activities that looks duplicated (the full report);
- `check_activity(activity_id)`: the pairs one activity forms with the others (the check after a save);
- `consult(concept)`: the activities closest to a planned concept (the check before planning).

How the full run avoids comparing 5 billion pairs:

1. Text is tokenised for the whole corpus at once with numpy (a rolling hash over the UTF-8 bytes), so no
   Python loop runs per word; each distinct word is stemmed once. Features are word stems and stem bigrams,
   weighted by TF-IDF (sublinear tf, title counted twice), float32 rows of unit length.
2. Blocking: a pair can only be a duplicate if both activities share a beneficiary and their periods
   overlap. For each beneficiary, its activities are sorted by start date; each chunk of rows is multiplied
   only with the earlier activities still running when the chunk starts. Sparse products stay small.
3. Candidates above a cosine floor are re-scored exactly, pair by pair, with rapidfuzz on the normalised
   title and description (robust to word order, dropped and added words and typos). The score also weighs
   words by how rare they are among all activities: the full run fits these weights and keeps them
   (`WordWeights`), and the check after a save uses them, so both score a pair alike.
4. Rules: a pair is flagged at FLAG_THRESHOLD and above. A shared beneficiary and overlapping periods are
   required (step 2); pillars with none in common lower the score (OTHER_PILLAR_FACTOR); the same donor on
   both sides makes it a possible double entry, different donors the cross-donor case.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import scipy.sparse as sp
from rapidfuzz import fuzz, process

# --- Tuning (measured with `manage.py bench_duplicates`; see the README) -----------------------------

#: A pair is flagged from this text similarity on (0-1), when the rules (beneficiary, period) also hold.
FLAG_THRESHOLD = 0.62
#: Consultation: from this score on a match is shown as worth a look (below the flag threshold).
WORTH_A_LOOK = 0.4
#: Two activities filed under pillars with none in common are less likely the same work: their score is
#: multiplied by this (an activity may name several pillars; one without any is not judged on this rule).
OTHER_PILLAR_FACTOR = 0.92
#: Cosine floor for a pair to be re-scored exactly.
CANDIDATE_COSINE = 0.1
#: Candidates meet on words found in at most this share of activities (or DF_CAP_MIN activities).
DF_CAP_SHARE = 0.005
DF_CAP_MIN = 200
#: Described pairs below this description cosine are not scored further.
DESCRIPTION_COSINE_FLOOR = 0.25
#: Rows per sparse product.
CHUNK_ROWS = 5000
#: Share of the text score that comes from the title when both descriptions exist.
TITLE_WEIGHT = 0.35
#: Consultation: how many neighbours the index returns before visibility and exact scoring.
CONSULT_CANDIDATES = 40
CONCEPT_DESCRIPTION_MAX_LENGTH = 10_000  # a concept note of a few pages; longer text only slows the search
#: Consultation: past this many activities changed since the index was built in full, it is built again
#: (seconds at 100,000 activities) instead of being patched (milliseconds).
CONSULT_REBUILD_AFTER = 2000

# Short, common English words that carry no topic.
STOPWORDS = frozenset(
    """a about above across after again against all also am among an and any are as at be been before being
    between both but by can could did do does doing during each either for from further had has have having
    he her here hers him his how i if in into is it its itself just may might more most must no nor not of
    off on once only or other our ours out over own per same shall she should so some such than that the
    their them then there these they this those through to too under until up upon very via was we were
    what when where which while who whom why will with within without would you your new well""".split()
)

_SUFFIXES = (
    ("isations", "is"),
    ("izations", "is"),
    ("isation", "is"),
    ("ization", "is"),
    ("ational", "at"),
    ("ations", "at"),
    ("ation", "at"),
    ("itions", "it"),
    ("ition", "it"),
    ("ements", "e"),
    ("ement", "e"),
    ("ments", ""),
    ("ment", ""),
    ("ings", ""),
    ("ing", ""),
    ("ities", ""),
    ("ity", ""),
    ("ives", ""),
    ("ive", ""),
    ("ies", "y"),
    ("ers", ""),
    ("ors", ""),
    ("er", ""),
    ("or", ""),
    ("ed", ""),
    ("es", ""),
    ("al", ""),
    ("ly", ""),
    ("s", ""),
)
_IZE = re.compile(r"iz(e|ed|es|ing)$")


def stem(word: str) -> str:
    """A small suffix-stripping stemmer: enough to meet "training"/"trainings"/"trained" at one stem."""
    word = _IZE.sub(r"is\1", word)
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: len(word) - len(suffix)] + replacement
    return word


_COMBINING = re.compile("[\u0300-\u036f]")


def _fold(text: str) -> str:
    """Lower case without accents (Albanian ë, Serbian š đ ž); Cyrillic stays Cyrillic."""
    text = text.lower()
    if text.isascii():
        return text
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text))


# --- Vocabulary and vectorisation --------------------------------------------------------------------

_TOKEN_CHUNK_DOCS = 5000
# Every ASCII byte that is not a letter, digit or the document separator (\x01) splits words.
_SEPARATORS = bytes(
    b if (48 <= b <= 57 or 65 <= b <= 90 or 97 <= b <= 122 or b == 1 or b >= 128) else 32 for b in range(256)
)


# Stems that only consultations brought (`learn=False`) are learnt up to this many per process; beyond it
# every new one reads as one unknown word, so a stream of invented words cannot grow a web worker's memory.
QUERY_STEMS = 50_000
_UNKNOWN_STEM = "\x00unknown"  # no text tokenises to it: it matches nothing an activity says


class Vocabulary:
    """Word hashes to stem ids, shared by every corpus vectorised in this process (so queries match).

    Activities' texts are learnt without limit (they are the portal's own data); what a consultation types
    is read with `learn=False`: its raw spellings are not kept and its new stems are capped (QUERY_STEMS).
    """

    def __init__(self):
        self.stem_ids: dict[str, int] = {}
        self.stems: list[str] = []
        # A stable hash of each stem (stem ids depend on what this process read first; bigram columns must
        # not, or scores would differ from one process to the next).
        self.stem_keys: list[int] = []
        self._key_array = np.zeros(0, np.uint64)
        self.raw_to_stem: dict[bytes, int] = {}
        self.query_stems = 0
        self.lock = threading.RLock()

    def stem_id_of(self, word: str, learn: bool = True) -> int:
        """-1 for words that carry no topic (stop words, numbers, single letters)."""
        word = _fold(word)
        if len(word) < 2 or word in STOPWORDS:
            return -1
        s = stem(word)
        sid = self.stem_ids.get(s)
        if sid is None:
            with self.lock:  # web threads share the vocabulary: one id per stem, ids and keys aligned
                sid = self.stem_ids.get(s)
                if sid is None:
                    if not learn:
                        if self.query_stems >= QUERY_STEMS:
                            return self._learn(_UNKNOWN_STEM)
                        self.query_stems += 1
                    sid = self._learn(s)
        return sid

    def _learn(self, s: str) -> int:
        sid = self.stem_ids.get(s)
        if sid is None:
            key = int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "little")
            self.stem_keys.append(key)
            self.stems.append(s)
            sid = self.stem_ids[s] = len(self.stems) - 1
        return sid

    def tokenize(self, texts: list[str], learn: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """(doc index, stem id) of every meaningful word, in reading order, for a list of texts."""
        docs_out, ids_out = [], []
        for offset in range(0, len(texts), _TOKEN_CHUNK_DOCS):
            doc, ids = self._tokenize_chunk(texts[offset : offset + _TOKEN_CHUNK_DOCS], learn)
            docs_out.append(doc + offset)
            ids_out.append(ids)
        if not docs_out:
            return np.zeros(0, np.int32), np.zeros(0, np.int32)
        return np.concatenate(docs_out), np.concatenate(ids_out)

    def _tokenize_chunk(self, texts: list[str], learn: bool) -> tuple[np.ndarray, np.ndarray]:
        # Bytes, not str: translate and split run at C speed; each distinct raw word is decoded, folded
        # and stemmed once, and every occurrence then costs one dict lookup.
        raw = " \x01 ".join(texts).encode("utf-8").translate(_SEPARATORS)
        tokens = raw.split()
        known = self.raw_to_stem
        with self.lock:
            unseen = set(tokens).difference(known)
            # A consultation's spellings are looked up, not kept (case variants alone are endless).
            spelled = known if learn else {}
            for word in unseen:
                spelled[word] = (
                    -2 if word == b"\x01" else self.stem_id_of(word.decode("utf-8", "ignore").lower(), learn)
                )
        lookup = known.__getitem__ if learn or not unseen else (lambda t: spelled[t] if t in spelled else known[t])
        ids = np.fromiter(map(lookup, tokens), np.int32, len(tokens))
        boundary = ids == -2
        doc = np.cumsum(boundary, dtype=np.int32)
        keep = ids >= 0
        return doc[keep], ids[keep]

    def keys_of(self, ids: np.ndarray) -> np.ndarray:
        """The stable hashes of stem ids (uint64)."""
        keys = self._key_array
        if len(keys) <= (int(ids.max()) if len(ids) else -1):
            with self.lock:
                keys = self._key_array = np.array(self.stem_keys, np.uint64)
        return keys[ids]

    def normalized(self, texts: list[str], learn: bool = True) -> list[str]:
        """Each text as its stems joined by spaces (one tokenisation for the whole list)."""
        doc, ids = self.tokenize(texts, learn)
        bounds = np.searchsorted(doc, np.arange(len(texts) + 1)).tolist()
        stems, ids = self.stems, ids.tolist()
        return [" ".join([stems[k] for k in ids[bounds[i] : bounds[i + 1]]]) for i in range(len(texts))]

    def words(self, text: str, learn: bool = True) -> list[str]:
        """The stems of one text, in order, for exact scoring and highlighting."""
        _, ids = self.tokenize([text], learn)
        return [self.stems[i] for i in ids.tolist()]


VOCABULARY = Vocabulary()


BIGRAM_BUCKETS = 1 << 20


@dataclass
class FeatureSpace:
    """Columns: stem bigrams hashed into BIGRAM_BUCKETS, then one per stem; and their IDF on one corpus."""

    n_stems: int
    idf: np.ndarray

    @property
    def n_features(self) -> int:
        return BIGRAM_BUCKETS + self.n_stems


@dataclass
class WordWeights:
    """The IDF a full run fitted on all activities, kept so that the check after a save weighs words as the
    full run did (fitted on the few activities it compares, a pair's score would differ by about 0.01)."""

    bigrams: np.ndarray  # float32, one per bigram bucket
    stems: dict[str, float]
    documents: int  # activities the full run read
    _space: FeatureSpace | None = field(default=None, repr=False, compare=False)

    @property
    def unseen(self) -> float:
        """The weight of a word no activity had (as `vectorize` computes it for a count of 0)."""
        return float(np.log(self.documents + 1.0) + 1.0)

    @classmethod
    def of(cls, space: FeatureSpace, vocab: Vocabulary, documents: int) -> WordWeights:
        stems = vocab.stems[: space.n_stems]
        return cls(
            bigrams=space.idf[:BIGRAM_BUCKETS].copy(),
            stems=dict(zip(stems, space.idf[BIGRAM_BUCKETS:].tolist(), strict=True)),
            documents=documents,
        )

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            bigrams=self.bigrams,
            stems=np.array("\n".join(self.stems)),
            stem_weights=np.array(list(self.stems.values()), np.float32),
            documents=np.array(self.documents),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> WordWeights:
        with np.load(io.BytesIO(bytes(data))) as saved:
            names = str(saved["stems"]).split("\n") if str(saved["stems"]) else []
            return cls(
                bigrams=saved["bigrams"],
                stems=dict(zip(names, saved["stem_weights"].tolist(), strict=True)),
                documents=int(saved["documents"]),
            )

    def space(self, vocab: Vocabulary) -> FeatureSpace:
        """These weights as a feature space over every stem `vocab` knows now (new words: `unseen`). Stem ids
        only grow, so the space of a previous call is extended, not rebuilt."""
        with vocab.lock:
            names = vocab.stems[len(self._space.idf) - BIGRAM_BUCKETS if self._space else 0 :]
        if self._space is not None and not names:
            return self._space
        extra = np.array([self.stems.get(name, self.unseen) for name in names], np.float32)
        idf = np.concatenate([self._space.idf if self._space is not None else self.bigrams, extra])
        self._space = FeatureSpace(n_stems=len(idf) - BIGRAM_BUCKETS, idf=idf)
        return self._space


def _field_terms(
    vocab: Vocabulary, texts: list[str], learn: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(row, column) occurrences of one field: its stems, and its stem bigrams (hashed)."""
    doc, ids = vocab.tokenize(texts, learn)
    same = doc[1:] == doc[:-1]
    with np.errstate(over="ignore"):
        stable = vocab.keys_of(ids)
        keys = stable[:-1] * np.uint64(0x9E3779B97F4A7C15) + stable[1:]
        keys *= np.uint64(0xBF58476D1CE4E5B9)
    bucket = (keys >> np.uint64(44)).astype(np.int32)  # top 20 bits
    return doc, ids, doc[1:][same], bucket[same]


def _counts(n: int, terms, n_stems: int) -> sp.csr_matrix:
    uni_rows, uni_ids, bi_rows, bi_cols = terms
    known = uni_ids < n_stems
    rows = np.concatenate([uni_rows[known], bi_rows])
    cols = np.concatenate([uni_ids[known] + BIGRAM_BUCKETS, bi_cols])
    matrix = sp.csr_matrix(
        (np.ones(len(rows), np.float32), (rows, cols)), shape=(n, BIGRAM_BUCKETS + n_stems), dtype=np.float32
    )
    matrix.sum_duplicates()
    return matrix


def _tfidf(matrix: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear tf times idf, rows scaled to unit length (empty rows stay empty)."""
    np.log(matrix.data, out=matrix.data)
    matrix.data += 1.0
    matrix.data *= idf[matrix.indices]
    lengths = np.diff(matrix.indptr)
    squares = np.zeros(matrix.shape[0], np.float32)
    nonempty = lengths > 0
    if matrix.nnz:
        squares[nonempty] = np.add.reduceat(matrix.data**2, matrix.indptr[:-1][nonempty])
    norms = np.where(nonempty, np.sqrt(squares), 1.0).astype(np.float32)
    matrix.data /= np.repeat(norms, lengths)
    return matrix


def vectorize(
    vocab: Vocabulary,
    titles: list[str],
    descriptions: list[str],
    space: FeatureSpace | None = None,
    streams: dict | None = None,
    weights: WordWeights | None = None,
) -> tuple[sp.csr_matrix, sp.csr_matrix, FeatureSpace]:
    """TF-IDF rows of unit length for titles and for descriptions, in one feature space.

    Without `space`, fit one on these texts (the IDF counts a word once per activity), or take the word
    weights of a full run (`weights`); with `space`, reuse it.
    """
    n = len(titles)
    title_terms = _field_terms(vocab, titles)
    desc_terms = _field_terms(vocab, descriptions)
    if space is None and weights is not None:  # (after reading the texts: it covers their new words too)
        space = weights.space(vocab)
    if streams is not None:  # the words of each text, kept for exact scoring
        streams["title"] = title_terms[:2]
        streams["description"] = desc_terms[:2]
    n_stems = len(vocab.stems) if space is None else space.n_stems
    title_counts = _counts(n, title_terms, n_stems)
    desc_counts = _counts(n, desc_terms, n_stems)
    if space is None:
        presence = (title_counts + desc_counts).tocsr()
        df = np.bincount(presence.indices, minlength=BIGRAM_BUCKETS + n_stems).astype(np.float32)
        idf = (np.log((n + 1.0) / (df + 1.0)) + 1.0).astype(np.float32)
        space = FeatureSpace(n_stems=n_stems, idf=idf)
    return _tfidf(title_counts, space.idf), _tfidf(desc_counts, space.idf), space


# --- The corpus --------------------------------------------------------------------------------------


@dataclass
class Corpus:
    """Columns of the activities the engine compares (index i is one activity)."""

    ids: np.ndarray
    titles: list[str]
    descriptions: list[str]
    starts: np.ndarray  # proleptic ordinals (date.toordinal)
    ends: np.ndarray
    countries: np.ndarray  # bit mask over country_codes
    country_codes: list[str]
    donors: Groups | list[tuple[int, ...]]
    objectives: Groups | list[tuple[int, ...]]
    pillars: Groups | list[tuple[int, ...]]
    external_ids: list[str] = field(default_factory=list)
    organisations: np.ndarray | None = None
    _position: dict[int, int] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def position(self, activity_id: int) -> int:
        if self._position is None:
            self._position = {pk: i for i, pk in enumerate(self.ids.tolist())}
        return self._position[activity_id]

    def codes_of(self, mask: int) -> list[str]:
        return [code for bit, code in enumerate(self.country_codes) if mask >> bit & 1]

    def mask_of(self, codes: Iterable[str]) -> int:
        mask = 0
        for code in codes:
            if code in self.country_codes:
                mask |= 1 << self.country_codes.index(code)
        return mask


class Groups:
    """Per-activity sets of ids (donors, objectives, pillars) as two numpy arrays: offsets and values."""

    def __init__(self, positions: np.ndarray, values: np.ndarray, n: int):
        keys = np.unique(positions.astype(np.int64) << 32 | values.astype(np.int64))  # sorted, no repeats
        self.values = (keys & 0xFFFFFFFF).astype(np.int64)
        self.offsets = np.searchsorted(keys >> 32, np.arange(n + 1)).tolist()

    def __getitem__(self, i: int) -> tuple[int, ...]:
        return tuple(self.values[self.offsets[i] : self.offsets[i + 1]].tolist())

    def __len__(self) -> int:
        return len(self.offsets) - 1


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


# --- Pairs -------------------------------------------------------------------------------------------


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


def organisation_labels(ids: Iterable[int]) -> dict[int, str]:
    from partners.models import Organisation

    ids = list(ids)
    if not ids:
        return {}
    return {
        pk: short or name
        for pk, short, name in Organisation.objects.filter(pk__in=ids).values_list("pk", "short_name", "name")
    }


def find_pairs(
    corpus: Corpus,
    *,
    progress: Callable[[int, str], None] | None = None,
    only: Iterable[int] | None = None,
    names: Callable[[Iterable[int]], dict] = organisation_labels,
    vocab: Vocabulary | None = None,
    weights: WordWeights | None = None,
    keep: dict | None = None,
) -> list[Pair]:
    """Every flagged pair of the corpus (or, with `only`, the pairs involving those activity ids).

    `weights`: the word weights of a full run, instead of weights fitted on this corpus; `keep`: a dict that
    receives the word weights fitted here (under "weights"), for later checks.
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
    return find_pairs(corpus, only=[activity_id], weights=weights)


# --- Material fields: what makes a settled pair come back --------------------------------------------


def material_fields(activity_ids: Iterable[int]) -> dict[int, dict]:
    """Title, description, donors, beneficiaries and dates of each activity, as plain JSON values. Donors are
    ids (a donor renamed is the same donor); their names are kept beside them to say what changed."""
    from ipas.models import Activity, Funding

    ids = list(activity_ids)
    out = {
        pk: {
            "title": title,
            "description": description,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "donors": [],
            "donor_names": {},
            "countries": [],
        }
        for pk, title, description, start, end in Activity.objects.filter(pk__in=ids).values_list(
            "pk", "title", "description", "planned_start", "planned_end"
        )
    }
    fundings = Funding.objects.filter(activity_id__in=ids).values_list("activity_id", "donor_id", "donor__name")
    for activity_id, donor_id, name in fundings:
        out[activity_id]["donors"].append(donor_id)
        out[activity_id]["donor_names"][str(donor_id)] = name
    through = Activity.beneficiaries.through
    for activity_id, code in through.objects.filter(activity_id__in=ids).values_list("activity_id", "country_id"):
        out[activity_id]["countries"].append(code)
    for values in out.values():
        values["donors"] = sorted(set(values["donors"]))
        values["countries"] = sorted(set(values["countries"]))
    return out


#: What a settled pair is remembered by; names shown beside the ids are not part of it.
FINGERPRINTED = ("title", "description", "start", "end", "donors", "countries")


def fingerprint(fields_a: dict, fields_b: dict) -> str:
    """A digest of both sides' material fields; whitespace and case changes are not material.
    (Migration 0012 holds a frozen copy: change both, with a migration that recomputes stored ones.)"""

    def norm(values: dict) -> dict:
        kept = {key: values[key] for key in FINGERPRINTED}
        kept["title"] = " ".join(values["title"].lower().split())
        kept["description"] = " ".join(values["description"].lower().split())
        return kept

    raw = json.dumps([norm(fields_a), norm(fields_b)], sort_keys=True)
    return hashlib.sha256(raw.encode()).hexdigest()


FIELD_LABELS = {
    "title": "title",
    "description": "description",
    "donors": "donors",
    "countries": "beneficiaries",
    "start": "start date",
    "end": "end date",
}


def material_changes(before: dict, after: dict, side: str) -> list[str]:
    """Human-readable list of what changed in one side since it was settled."""

    def donor_names(values: dict) -> list[str]:
        names = values.get("donor_names") or {}
        # Settlements older than donor ids (migration 0012 left those whose donor was since renamed) hold names.
        return sorted(
            pk if isinstance(pk, str) else names.get(str(pk), f"donor {pk}") for pk in values.get("donors") or []
        )

    changes = []
    for key, label in FIELD_LABELS.items():
        old, new = before.get(key), after.get(key)
        if key in ("title", "description"):
            old = " ".join((old or "").lower().split())
            new = " ".join((new or "").lower().split())
        if old == new:
            continue
        if key == "donors":
            old, new = donor_names(before), donor_names(after)
        if key in ("donors", "countries"):
            changes.append(f"{side}: {label} {', '.join(old or []) or 'none'} → {', '.join(new or []) or 'none'}")
        elif key in ("start", "end"):
            changes.append(f"{side}: {label} {old} → {new}")
        else:
            changes.append(f"{side}: {label} changed")
    return changes


# --- Highlighting ------------------------------------------------------------------------------------

_WORD = re.compile(r"\w+", re.UNICODE)


def _close_pairs(stems: list[str], window: int) -> set[frozenset]:
    """Unordered pairs of different stems at most `window` meaningful words apart."""
    return {
        frozenset((stems[i], stems[j]))
        for i in range(len(stems))
        for j in range(i + 1, min(i + 1 + window, len(stems)))
        if stems[i] != stems[j]
    }


#: Words apart (stop words not counted) that still make one passage: reworded text inserts a word or swaps two.
PASSAGE_WINDOW = 2


def highlight(
    text: str, other: str, vocab: Vocabulary | None = None, *, passages: bool = False
) -> list[tuple[str, bool]]:
    """Split `text` into (segment, shared) runs.

    A word is shared when its stem occurs in `other`; with `passages` (for descriptions, where common words
    would light up everywhere) only when it also has a neighbour, at most PASSAGE_WINDOW words away, that is
    close to it in `other` as well: the passages both texts say, in any order of those words.
    """
    vocab = vocab or VOCABULARY
    other_stems = vocab.words(other)
    shared = set(other_stems)
    words = []  # (match, stem or None)
    for m in _WORD.finditer(text):
        sid = vocab.stem_id_of(_fold(m.group()))
        words.append((m, vocab.stems[sid] if sid >= 0 else None))
    marked = [stem is not None and stem in shared for _m, stem in words]
    if passages:
        pairs_other = _close_pairs(other_stems, PASSAGE_WINDOW)
        meaningful = [k for k, (_m, stem) in enumerate(words) if stem is not None]
        in_passage = set()
        for n, k in enumerate(meaningful):
            for k2 in meaningful[n + 1 : n + 1 + PASSAGE_WINDOW]:
                if frozenset((words[k][1], words[k2][1])) in pairs_other:
                    in_passage.update((k, k2))
        marked = [flag and k in in_passage for k, flag in enumerate(marked)]
    # A stop word between two highlighted words is part of the passage ("asset recovery and financial").
    for k in range(1, len(words) - 1):
        if words[k][1] is None and marked[k - 1] and marked[k + 1]:
            marked[k] = True
    out: list[tuple[str, bool]] = []
    last = 0
    for (m, _stem), is_shared in zip(words, marked, strict=True):
        if m.start() > last:
            out.append((text[last : m.start()], False))
        out.append((m.group(), is_shared))
        last = m.end()
    if last < len(text):
        out.append((text[last:], False))
    # Merge neighbours of the same kind (whitespace between two shared words stays shared).
    merged: list[tuple[str, bool]] = []
    for segment, flag in out:
        if merged and (merged[-1][1] == flag or (not segment.strip() and merged[-1][1])):
            merged[-1] = (merged[-1][0] + segment, merged[-1][1])
        else:
            merged.append((segment, flag))
    out = []
    for segment, flag in merged:  # whitespace after the last shared word is not part of the passage
        stripped = segment.rstrip() if flag else segment
        if stripped:
            out.append((stripped, flag))
        if len(stripped) < len(segment):
            out.append((segment[len(stripped) :], False))
    return out


# --- Consultation ------------------------------------------------------------------------------------


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
