"""The benchmark's synthetic data, without a database: the same seed gives the same activities, and planted
duplicates are reworded, never copied."""

from ipas.duplication.bench import words
from ipas.duplication.bench.generator import generate


def test_the_same_seed_gives_the_same_activities_and_pairs():
    assert generate(300, seed=7) == generate(300, seed=7)
    assert generate(300, seed=7) != generate(300, seed=8)


def test_planted_pairs_are_reworded_and_share_a_beneficiary_and_a_period():
    activities, planted = generate(2000, seed=20170908)
    assert len(activities) == 2000
    assert planted
    for x, y in planted:
        a, b = activities[x], activities[y]
        assert x < y < len(activities)
        assert a["description"] != b["description"]
        assert set(a["countries"]) & set(b["countries"])
        assert a["start"] <= b["end"] and b["start"] <= a["end"]
        assert (a["pillar"], a["objective"]) == (b["pillar"], b["objective"])


def test_the_word_lists_come_from_the_data_file():
    assert words.BENEFICIARIES == ["AL", "BA", "XK", "MK", "ME", "RS"]
    assert set(words.CITIES) == set(words.COUNTRY_NAMES) == set(words.BENEFICIARIES)
    assert all(len(topic) == 4 for topic in words.TOPICS)
    assert all("{t}" in title for title in words.FORMATS)
