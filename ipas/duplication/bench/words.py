"""The word lists of the synthetic activities, read from words.json (data only: edit it there). Every list keeps
its order: the generator draws from them with a seeded random generator, so reordering one changes the data."""

import json
from pathlib import Path

_WORDS = json.loads((Path(__file__).parent / "words.json").read_text(encoding="utf-8"))

BENEFICIARIES: list[str] = _WORDS["beneficiaries"]
COUNTRY_NAMES: dict[str, str] = _WORDS["country_names"]
CITIES: dict[str, list[str]] = _WORDS["cities"]
#: (topic, pillar, objective code, words that go with it)
TOPICS: list[tuple[str, str, str, str]] = [
    (topic["topic"], topic["pillar"], topic["objective"], topic["words"]) for topic in _WORDS["topics"]
]
FORMATS: list[str] = _WORDS["formats"]  # title patterns, {t} the topic
AUDIENCES: list[str] = _WORDS["audiences"]
UNITS: list[str] = _WORDS["units"]
INSTITUTIONS: list[str] = _WORDS["institutions"]
LAWS: list[str] = _WORDS["laws"]
EQUIPMENT: list[str] = _WORDS["equipment"]
MONTHS: list[str] = _WORDS["months"]
SENTENCES: list[str] = _WORDS["sentences"]  # description sentences, filled in by generator._fill
#: The bench's own synonyms: the engine does not know them, it must see past them.
SYNONYMS: dict[str, list[str]] = _WORDS["synonyms"]
EXTRA_SENTENCES: list[str] = _WORDS["extra_sentences"]
LANGS: list[str] = _WORDS["langs"]
DONOR_COUNTRIES: list[str] = _WORDS["donor_countries"]
IMPLEMENTERS: list[str] = _WORDS["implementers"]
DONORS: list[str] = _WORDS["donors"]
