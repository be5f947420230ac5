"""Words to stems (pure: no database): stop words, a small stemmer, accent folding, and the `Vocabulary`
that tokenises whole lists of texts at once. `VOCABULARY` is the one vocabulary of this process: every corpus
and every consultation is read with it, so their stem ids meet."""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata

import numpy as np

from ipas.duplication.engine.tuning import QUERY_STEMS

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


_TOKEN_CHUNK_DOCS = 5000
# Every ASCII byte that is not a letter, digit or the document separator (\x01) splits words.
_SEPARATORS = bytes(
    b if (48 <= b <= 57 or 65 <= b <= 90 or 97 <= b <= 122 or b == 1 or b >= 128) else 32 for b in range(256)
)


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
