"""Texts to TF-IDF rows, without a database."""

import numpy as np
import pytest

from ipas.duplication.engine.text import Vocabulary, stem
from ipas.duplication.engine.tuning import BIGRAM_BUCKETS
from ipas.duplication.engine.vectors import WordWeights, _field_terms, vectorize
from tests.ipas.duplication.engine.corpora import (
    ASSET_RECOVERY,
    BORDER_POLICE,
    BORDER_POLICE_DONOR_LINE,
    CYBERCRIME,
    FIREARMS,
)
from tests.ipas.texts import ORIGINAL, REWORDED, UNRELATED

TEXTS = [BORDER_POLICE, BORDER_POLICE_DONOR_LINE, ASSET_RECOVERY, FIREARMS, CYBERCRIME]


def cosines(matrix) -> np.ndarray:
    return (matrix @ matrix.T).toarray()


def test_rows_have_unit_length_and_an_empty_text_an_empty_row():
    titles = [title for title, _ in TEXTS]
    descriptions = [description for _, description in TEXTS[:-1]] + [""]
    title_m, desc_m, space = vectorize(Vocabulary(), titles, descriptions)

    assert title_m.shape == desc_m.shape == (len(TEXTS), space.n_features)
    assert space.n_features == BIGRAM_BUCKETS + space.n_stems
    assert np.linalg.norm(title_m.toarray(), axis=1) == pytest.approx(np.ones(len(TEXTS)), abs=1e-5)
    assert np.diff(desc_m.indptr).tolist()[-1] == 0


def test_the_donors_line_is_closest_to_the_implementers_account_of_the_same_work():
    _title_m, desc_m, _space = vectorize(Vocabulary(), [t for t, _ in TEXTS], [d for _, d in TEXTS])
    closeness = cosines(desc_m)[0]
    # Reworded, terse and reordered, the donor's line still shares the rare words (forged, impostor, Debeli
    # Brijeg) the unrelated work in the same country does not.
    assert np.argsort(-closeness)[:2].tolist() == [0, 1]
    assert closeness[1] > 0.4
    assert max(closeness[2:]) < 0.1


def test_words_every_activity_uses_weigh_less_than_rare_ones():
    vocab = Vocabulary()
    _title_m, _desc_m, space = vectorize(vocab, [t for t, _ in TEXTS], [d for _, d in TEXTS])

    def weight(word: str) -> float:
        return float(space.idf[BIGRAM_BUCKETS + vocab.stem_ids[stem(word)]])

    # "police" is in four of the five activities, "impostor" in the two that are the same work.
    assert weight("police") < weight("impostor")


def test_the_weights_of_a_full_run_score_as_the_fit_did_and_survive_being_stored():
    """The check after a save vectorises a few activities with the weights the full run kept."""
    vocab = Vocabulary()
    titles, descriptions = [t for t, _ in TEXTS], [d for _, d in TEXTS]
    title_m, desc_m, space = vectorize(vocab, titles, descriptions)
    kept = WordWeights.from_bytes(WordWeights.of(space, vocab, len(TEXTS)).to_bytes())
    assert kept.documents == len(TEXTS)

    few_t, few_d, _space = vectorize(vocab, titles[:2], descriptions[:2], weights=kept)
    assert cosines(few_d)[0, 1] == pytest.approx(cosines(desc_m)[0, 1], abs=1e-6)
    assert cosines(few_t)[0, 1] == pytest.approx(cosines(title_m)[0, 1], abs=1e-6)
    # Fitted on these two alone, their shared words would weigh otherwise.
    _alone_t, alone_d, _space = vectorize(vocab, titles[:2], descriptions[:2])
    assert cosines(alone_d)[0, 1] != pytest.approx(cosines(desc_m)[0, 1], abs=1e-3)


def test_scores_do_not_depend_on_what_the_process_read_before():
    """Stem ids follow the order words were first read; the scores must not, or every nightly run in a
    new worker would rewrite every flag."""
    titles = [ORIGINAL[0], REWORDED[0], UNRELATED[0][0]]
    descriptions = [ORIGINAL[1], REWORDED[1], UNRELATED[0][1]]
    fresh = Vocabulary()
    seasoned = Vocabulary()
    seasoned.tokenize([UNRELATED[1][1], "asset confiscation prosecutors registers ownership", UNRELATED[0][1]])

    cosines = []
    for vocabulary in (fresh, seasoned):
        title_m, desc_m, _space = vectorize(vocabulary, titles, descriptions)
        cosines.append(((title_m @ title_m.T).toarray(), (desc_m @ desc_m.T).toarray()))

    assert fresh.stem_ids != seasoned.stem_ids
    for first, second in zip(cosines[0], cosines[1], strict=True):
        assert first == pytest.approx(second, abs=1e-6)
    # Word pairs land in the same hashed columns whatever the stem ids (at 100,000 activities columns are
    # shared by several word pairs, and which ones share must not change from one process to the next).
    for text in descriptions:
        assert _field_terms(fresh, [text])[3].tolist() == _field_terms(seasoned, [text])[3].tolist()
