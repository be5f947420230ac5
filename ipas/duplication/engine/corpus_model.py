"""The activities the engine compares, as columns (pure: no database). `corpus.load_corpus` fills them from
the database; tests build them by hand (tests/ipas/duplication/engine/corpora.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np


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
