"""Texts to TF-IDF rows (pure: no database): the `FeatureSpace` (stem bigrams hashed, then one column per
stem), the word weights a full run keeps (`WordWeights`) and `vectorize`."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ipas.duplication.engine.text import Vocabulary
from ipas.duplication.engine.tuning import BIGRAM_BUCKETS


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
