"""Activities written by hand and a `Corpus` built from them in memory, for the engine's pure modules: no
database, no model. Plain data and one builder: any test may import it.

The texts are the kind partners log: an implementer describes its work at length, a donor files the same work
as a terse line (other words, other order, abbreviations); unrelated work in the same countries and years
surrounds them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from ipas.duplication.engine.corpus_model import Corpus, Groups

# Donors and pillars by id, as the database would number them.
EU, AUSTRIA, SLOVENIA = 1, 2, 3
DONOR_NAMES = {EU: "EU DG NEAR", AUSTRIA: "Austria BMI", SLOVENIA: "Slovenia MoI"}
WBCTI, WBCSCI, WBBSI = 10, 11, 12


def donor_names(ids) -> dict[int, str]:
    """What `corpus.organisation_labels` reads from the database, from the table above."""
    return {x: DONOR_NAMES[x] for x in ids if x in DONOR_NAMES}


# The implementer's account of a border police action in Montenegro...
BORDER_POLICE = (
    "Document security training for border police officers at the crossing points of Montenegro",
    "The Border Police Directorate of Montenegro and the Police Academy in Danilovgrad train 60 border police "
    "officers in detecting forged and falsified travel documents. Modules cover document security features, "
    "impostor detection and risk analysis at border crossing points. Twelve crossing points, among them "
    "Debeli Brijeg and the port of Bar, receive document examination kits and document readers.",
)
# ...and the same work as its donor filed it: terse, reworded, reordered.
BORDER_POLICE_DONOR_LINE = (
    "MNE border police: forged travel documents training and document examination kits",
    "Training of 60 border police officers on forged travel documents, document security features, impostor "
    "detection and risk analysis; document examination kits and readers for 12 crossing points (Debeli "
    "Brijeg, port of Bar).",
)
# Work in the same countries and years that is not the same (the P/CVE action has its donor line too).
ASSET_RECOVERY = (
    "Financial investigations and asset recovery for prosecutors in Podgorica",
    "Prosecutors of the Special State Prosecutor's Office and the Financial Intelligence Unit trace criminal "
    "assets, freeze bank accounts and confiscate real estate; a handbook on parallel financial investigations "
    "is drafted with the Agency for Management of Seized Assets.",
)
PCVE = (
    "Community resilience against violent extremism in municipalities of the Western Balkans",
    "Local prevention councils in Kumanovo, Tetovo and Pljevlja bring together social workers, teachers, "
    "imams and youth workers; they agree referral protocols for young people at risk of radicalisation and "
    "run mentoring for families of returnees from Syria.",
)
# A P/CVE action, and the donor's line for it.
PCVE_DONOR_LINE = (
    "P/CVE: municipal prevention councils and referral of youth at risk (Kumanovo, Tetovo, Pljevlja)",
    "Prevention councils of social workers, teachers, imams and youth workers in Kumanovo, Tetovo and Pljevlja; "
    "referral protocols for young people at risk of radicalisation; mentoring for returnee families.",
)
FIREARMS = (
    "Collection and destruction of small arms and light weapons",
    "A voluntary surrender campaign in Sarajevo and Tuzla collects illegally held firearms and ammunition; "
    "police stations register them and a smelting plant in Zenica destroys them under SEESAC monitoring.",
)
CYBERCRIME = (
    "Digital forensics laboratory for the cybercrime unit",
    "Mobile phone extraction software, servers and training on electronic evidence and the chain of custody "
    "for the cybercrime unit of the Police Directorate.",
)
BACKGROUND = [ASSET_RECOVERY, FIREARMS, CYBERCRIME]


@dataclass
class Entry:
    """One activity as the engine reads it."""

    text: tuple[str, str]  # title, description
    countries: tuple[str, ...] = ("ME",)
    start: date = date(2025, 1, 1)
    end: date = date(2025, 12, 31)
    donors: tuple[int, ...] = (EU,)
    objectives: tuple[int, ...] = ()
    pillars: tuple[int, ...] = (WBBSI,)


def _groups(values: list[tuple[int, ...]]) -> Groups:
    positions = [k for k, group in enumerate(values) for _ in group]
    flat = [x for group in values for x in group]
    return Groups(np.array(positions, np.int64), np.array(flat, np.int64), len(values))


def corpus_of(entries: list[Entry], first_id: int = 101) -> Corpus:
    """A corpus as `load_corpus` would read these entries (activity ids from `first_id` on, in order)."""
    codes = sorted({code for entry in entries for code in entry.countries})
    countries = np.array([sum(1 << codes.index(code) for code in set(e.countries)) for e in entries], np.int64)
    return Corpus(
        ids=np.arange(first_id, first_id + len(entries), dtype=np.int64),
        titles=[entry.text[0] for entry in entries],
        descriptions=[entry.text[1] for entry in entries],
        starts=np.array([entry.start.toordinal() for entry in entries], np.int32),
        ends=np.array([entry.end.toordinal() for entry in entries], np.int32),
        countries=countries,
        country_codes=codes,
        donors=_groups([entry.donors for entry in entries]),
        objectives=_groups([entry.objectives for entry in entries]),
        pillars=_groups([entry.pillars for entry in entries]),
    )


def with_background(*entries: Entry) -> list[Entry]:
    """The entries, after unrelated work in the same countries and years (as in a real portfolio)."""
    countries = tuple(sorted({code for entry in entries for code in entry.countries}))
    return [Entry(text, countries=countries, donors=(SLOVENIA,), pillars=(WBCSCI,)) for text in BACKGROUND] + list(
        entries
    )
