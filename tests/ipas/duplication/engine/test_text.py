"""Words to stems, without a database: normalisation, stemming, and the vocabulary consultations read."""

from ipas.duplication.engine import text
from ipas.duplication.engine.text import STOPWORDS, Vocabulary, stem


def test_the_forms_of_a_word_meet_at_one_stem():
    assert stem("training") == stem("trainings") == stem("trained") == "train"
    assert stem("prosecutors") == stem("prosecutor")
    # British and American spellings are one word.
    assert stem("radicalisation") == stem("radicalization")
    assert stem("organise") == stem("organize")
    # Short words keep their ending: "ices" is not a suffix of "police" worth stripping.
    assert stem("police") == "police"
    assert stem("units") == "unit"


def test_case_accents_and_stop_words_do_not_count():
    vocab = Vocabulary()
    assert vocab.words("The Border Police training in Niš") == vocab.words("border police TRAINING, Nis")
    assert vocab.words("Shkodër and Durrës") == vocab.words("Shkoder Durres")
    # Cyrillic stays Cyrillic (only lower case).
    assert vocab.words("Београд") == ["београд"]
    assert "the" in STOPWORDS and vocab.words("the of and in for") == []
    # Single letters carry no topic; a count or a year is a word like any other.
    assert vocab.words("a b c 60 officers") == ["60", "offic"]


def test_a_list_of_texts_is_normalised_at_once_each_text_apart():
    vocab = Vocabulary()
    normalised = vocab.normalized(
        ["MNE border police: forged travel documents", "", "Prevention councils in Kumanovo and Tetovo"]
    )
    assert normalised == ["mne bord police forg travel docu", "", "prevention council kumanovo tetovo"]
    # (doc, stem id) of each meaningful word, in reading order, for the whole list.
    doc, ids = vocab.tokenize(["border police", "police"])
    assert doc.tolist() == [0, 0, 1]
    assert [vocab.stems[k] for k in ids.tolist()] == ["bord", "police", "police"]


def test_a_stem_keeps_its_key_whatever_id_the_reading_order_gave_it():
    first, second = Vocabulary(), Vocabulary()
    # (One word per call: within one text, new words are numbered in no particular order.)
    for word in ("asset", "recovery"):
        first.words(word)
    for word in ("recovery", "assets"):
        second.words(word)
    assert first.stem_ids["asset"] != second.stem_ids["asset"]

    def key(vocab: Vocabulary, word: str) -> list[int]:
        return vocab.keys_of(vocab.tokenize([word])[1]).tolist()

    assert key(first, "assets") == key(second, "asset")
    assert key(first, "recovery") == key(second, "recoveries") != key(first, "asset")


def test_a_consultation_reads_the_vocabulary_without_keeping_its_spellings(monkeypatch):
    vocab = Vocabulary()
    known = vocab.words("Border police training")
    spellings = dict(vocab.raw_to_stem)
    # Known words keep their stems whatever the spelling; the spellings themselves are not kept.
    assert vocab.words("BORDER Police TRAINING", learn=False) == known
    assert vocab.raw_to_stem == spellings


def test_new_words_from_consultations_are_capped_per_process(monkeypatch):
    # The cap is read where the vocabulary learns (the text module), so it is patched there.
    monkeypatch.setattr(text, "QUERY_STEMS", 2)
    stems = Vocabulary().words("border police zebra yak walrus training")
    vocab = Vocabulary()
    vocab.words("border police")
    assert vocab.words("border zebra", learn=False) == [stems[0], stems[2]]
    assert vocab.words("yak", learn=False) == [stems[3]]
    # Past the cap, new words all read as one word that no activity has: they match nothing.
    assert vocab.words("walrus police", learn=False) == [text._UNKNOWN_STEM, stems[1]]
    assert len(vocab.stems) == 5  # border, police, zebra, yak and the unknown word
    vocab.words("okapi quokka", learn=False)
    assert len(vocab.stems) == 5
    # Activities' own texts are learnt whatever the cap.
    assert vocab.words("walrus training") == stems[4:]
