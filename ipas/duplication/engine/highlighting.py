"""The words and passages two texts share, for the side-by-side view of a flag (pure: no database)."""

from __future__ import annotations

import re

from ipas.duplication.engine.text import VOCABULARY, Vocabulary, _fold
from ipas.duplication.engine.tuning import PASSAGE_WINDOW

_WORD = re.compile(r"\w+", re.UNICODE)


def _close_pairs(stems: list[str], window: int) -> set[frozenset]:
    """Unordered pairs of different stems at most `window` meaningful words apart."""
    return {
        frozenset((stems[i], stems[j]))
        for i in range(len(stems))
        for j in range(i + 1, min(i + 1 + window, len(stems)))
        if stems[i] != stems[j]
    }


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
