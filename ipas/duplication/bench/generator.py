"""Synthetic activities with planted duplicates and hard non-duplicates (pure: no Django, no database).

Deterministic for a seed: every draw comes from one seeded random generator, in a fixed order (the word lists
in words.json included), so the same seed gives the same activities and the same planted pairs.
"""

import random
import re
from datetime import date, timedelta

from ipas.duplication.bench.words import (
    AUDIENCES,
    BENEFICIARIES,
    CITIES,
    COUNTRY_NAMES,
    DONOR_COUNTRIES,
    DONORS,
    EQUIPMENT,
    EXTRA_SENTENCES,
    FORMATS,
    IMPLEMENTERS,
    INSTITUTIONS,
    LANGS,
    LAWS,
    MONTHS,
    SENTENCES,
    SYNONYMS,
    TOPICS,
    UNITS,
)


def _pick_countries(rng: random.Random) -> list[str]:
    r = rng.random()
    k = 1 if r < 0.6 else 2 if r < 0.85 else 3 if r < 0.95 else 6
    return rng.sample(BENEFICIARIES, k)


def _fill(template: str, rng: random.Random, base: dict) -> str:
    kws = base["keywords"]
    country = base["countries"][0]
    return template.format(
        n=rng.randint(12, 240),
        audience=base["audience"],
        inst=rng.choice(INSTITUTIONS),
        inst2=rng.choice(INSTITUTIONS),
        kw1=rng.choice(kws),
        kw2=rng.choice(kws),
        kw3=rng.choice(kws),
        law=rng.choice(LAWS),
        year=rng.randint(2012, 2026),
        city=rng.choice(CITIES[country]),
        city2=rng.choice(CITIES[rng.choice(base["countries"])]),
        k=rng.randint(2, 24),
        eq=rng.choice(EQUIPMENT),
        eq2=rng.choice(EQUIPMENT),
        month=rng.choice(MONTHS),
        local=f"{rng.choice(CITIES[country])} {rng.choice(UNITS)}",
        local2=f"{rng.choice(CITIES[rng.choice(base['countries'])])} {rng.choice(UNITS)}",
        donorcountry=rng.choice(DONOR_COUNTRIES),
        country=COUNTRY_NAMES[country],
        lang=rng.choice(LANGS),
    )


def make_base(rng: random.Random) -> dict:
    topic, pillar, objective, words = rng.choice(TOPICS)
    keywords = words.split()
    keywords = [" ".join(keywords[i : i + 2]) for i in range(0, len(keywords) - 1)] + keywords
    countries = _pick_countries(rng)
    audience = rng.choice(AUDIENCES)
    title = rng.choice(FORMATS).format(t=topic) + f" for {audience}"
    if rng.random() < 0.5:
        title += f" in {rng.choice(CITIES[countries[0]])}"
    elif len(countries) == 6:
        title += " in the Western Balkans"
    base = {"countries": countries, "audience": audience, "keywords": keywords}
    sentences = [_fill(s, rng, base) for s in rng.sample(SENTENCES, rng.randint(3, 6))]
    start = date(2016, 1, 1) + timedelta(days=rng.randint(0, 12 * 365))
    end = start + timedelta(days=rng.randint(180, 1100))
    return {
        "title": title,
        "sentences": sentences,
        "countries": countries,
        "audience": audience,
        "keywords": keywords,
        "pillar": pillar,
        "objective": objective,
        "start": start,
        "end": end,
        "donors": rng.sample(range(len(DONORS)), 1 if rng.random() < 0.75 else 2),
        "implementer": rng.randrange(len(IMPLEMENTERS)),
        "budget": rng.randint(20, 3000) * 1000,
    }


def _synonyms(text: str, rng: random.Random, p: float) -> str:
    for phrase, options in SYNONYMS.items():
        if rng.random() < p:
            for candidate in (phrase, phrase.capitalize()):
                match = re.search(rf"\b{re.escape(candidate)}\b", text)
                if match:
                    replacement = rng.choice(options)
                    if candidate[0].isupper():
                        replacement = replacement[0].upper() + replacement[1:]
                    text = text[: match.start()] + replacement + text[match.end() :]
                    break
    return text


def _typo(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    k = rng.randrange(len(words))
    w = words[k]
    if len(w) > 4:
        i = rng.randrange(1, len(w) - 2)
        words[k] = w[:i] + w[i + 1] + w[i] + w[i + 2 :] if rng.random() < 0.5 else w[:i] + w[i + 1 :]
    return " ".join(words)


def _drop_words(text: str, rng: random.Random, p: float) -> str:
    return " ".join(w for w in text.split(" ") if rng.random() >= p)


_COUNT = re.compile(r"\b(\d{1,3})\b")  # counts of participants, modules, units (not years)


def _vary_counts(text: str, rng: random.Random) -> str:
    """Another account gives other figures: each count moves by up to a third, one time in two."""

    def vary(match: re.Match) -> str:
        n = int(match.group(1))
        return str(max(2, round(n * rng.uniform(0.67, 1.33)))) if n >= 2 and rng.random() < 0.5 else match.group(1)

    return _COUNT.sub(vary, text)


def reword(base: dict, rng: random.Random) -> dict:
    """Another partner's account of the same work: same substance, other words."""
    title = _synonyms(base["title"], rng, 0.8)
    if " for " in title and rng.random() < 0.3:
        head, _, audience = title.partition(" for ")
        title = f"{audience[0].upper()}{audience[1:]}: {head[0].lower()}{head[1:]}"
    if rng.random() < 0.3:
        title += rng.choice([" (phase II)", " in the region", " – follow-up", " 2.0"])
    if rng.random() < 0.3:
        title = _typo(title, rng)
    sentences = [_synonyms(s, rng, 0.6) for s in base["sentences"]]
    rng.shuffle(sentences)
    if len(sentences) >= 4 and rng.random() < 0.6:
        sentences.pop(rng.randrange(len(sentences)))
    if rng.random() < 0.6:
        sentences.insert(rng.randrange(len(sentences) + 1), rng.choice(EXTRA_SENTENCES))
    sentences = [_vary_counts(_drop_words(s, rng, 0.06), rng) for s in sentences]
    if rng.random() < 0.5:
        k = rng.randrange(len(sentences))
        sentences[k] = _typo(sentences[k], rng)
    return {**base, "title": title, "sentences": sentences}


def make_duplicate(base: dict, rng: random.Random) -> dict:
    dup = reword(base, rng)
    countries = list(base["countries"])
    if rng.random() < 0.5:  # overlapping but different country set
        others = [c for c in BENEFICIARIES if c not in countries]
        if others and (len(countries) == 1 or rng.random() < 0.5):
            countries.append(rng.choice(others))
        elif len(countries) > 1:
            countries.remove(rng.choice(countries[1:]))
    rng.shuffle(countries)
    shift = timedelta(days=rng.randint(-120, 120))
    start = base["start"] + shift
    end = max(base["end"] + timedelta(days=rng.randint(-120, 120)), start + timedelta(days=120))
    if end < base["start"] + timedelta(days=30):
        end = base["start"] + timedelta(days=180)
    same_donor = rng.random() < 0.1
    donors = base["donors"] if same_donor else rng.sample([d for d in range(len(DONORS)) if d not in base["donors"]], 1)
    return {
        **dup,
        "countries": countries,
        "start": start,
        "end": end,
        "donors": donors,
        "implementer": rng.randrange(len(IMPLEMENTERS)),
    }


def make_hard_negative(group: list[dict], rng: random.Random) -> dict:
    """Same words, but for other beneficiaries or in another period than every member of the group."""
    base = group[0]
    neg = reword(base, rng) if rng.random() < 0.7 else dict(base)
    used = {c for member in group for c in member["countries"]}
    others = [c for c in BENEFICIARIES if c not in used]
    if others and rng.random() < 0.5:
        countries = rng.sample(others, min(len(others), rng.randint(1, 2)))
        return {**neg, "countries": countries, "donors": rng.sample(range(len(DONORS)), 1)}
    last_end = max(member["end"] for member in group)
    first_start = min(member["start"] for member in group)
    duration = base["end"] - base["start"]
    if rng.random() < 0.5:
        start = last_end + timedelta(days=rng.randint(30, 700))
    else:
        start = first_start - duration - timedelta(days=rng.randint(30, 700))
    return {**neg, "start": start, "end": start + duration, "donors": rng.sample(range(len(DONORS)), 1)}


def generate(n: int, seed: int = 20170908) -> tuple[list[dict], set[tuple[int, int]]]:
    """n activity dicts (index = position) and the planted duplicate pairs (positions, low first)."""
    rng = random.Random(seed)
    activities: list[dict] = []
    planted: set[tuple[int, int]] = set()
    while len(activities) < n:
        base = make_base(rng)
        group = [base]
        r = rng.random()
        if r < 0.022:
            group.append(make_duplicate(base, rng))
            if rng.random() < 0.1:
                group.append(make_duplicate(base, rng))
        positions = list(range(len(activities), len(activities) + len(group)))
        activities.extend(group)
        for x in positions:
            for y in positions:
                if x < y:
                    planted.add((x, y))
        if r > 0.99 or (len(group) > 1 and rng.random() < 0.3):
            activities.append(make_hard_negative(group, rng))
    activities = activities[:n]
    planted = {(x, y) for x, y in planted if y < n}
    for a in activities:
        a["description"] = " ".join(a.pop("sentences"))
    return activities, planted
