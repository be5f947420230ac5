"""`manage.py bench_duplicates --activities N`: synthetic activities with planted duplicates, one JSON line.

Meant for a database of its own (tools/bench.py gives it one): it wipes the activities it finds there.

The data is built to be honest, not easy:
- base activities combine a format, a topic (with its own words), an audience, places and institutions of
  the region, numbers and dates, so unrelated activities share topic words as real ones do;
- planted duplicates are reworded, never copied: synonyms (a table the engine does not know), sentences
  reordered, dropped and added, words dropped, typos; another donor (sometimes the same: a double entry);
  counts (participants, modules) changed; dates shifted; a different but overlapping set of beneficiaries;
- planted hard non-duplicates say the same thing for other beneficiaries or another period.
"""

import json
import multiprocessing
import random
import re
import resource
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

BENEFICIARIES = ["AL", "BA", "XK", "MK", "ME", "RS"]
COUNTRY_NAMES = {
    "AL": "Albania",
    "BA": "Bosnia and Herzegovina",
    "XK": "Kosovo",
    "MK": "North Macedonia",
    "ME": "Montenegro",
    "RS": "Serbia",
}
CITIES = {
    "AL": ["Tirana", "Durrës", "Shkodër", "Vlorë", "Elbasan", "Korçë", "Fier", "Berat", "Kukës", "Lezhë"],
    "BA": ["Sarajevo", "Banja Luka", "Tuzla", "Zenica", "Mostar", "Bihać", "Brčko", "Doboj", "Trebinje", "Goražde"],
    "XK": ["Pristina", "Prizren", "Peja", "Gjakova", "Mitrovica", "Ferizaj", "Gjilan", "Podujeva", "Vushtrri"],
    "MK": ["Skopje", "Bitola", "Kumanovo", "Prilep", "Tetovo", "Ohrid", "Veles", "Štip", "Gostivar", "Strumica"],
    "ME": ["Podgorica", "Nikšić", "Bar", "Herceg Novi", "Bijelo Polje", "Cetinje", "Budva", "Pljevlja", "Kotor"],
    "RS": ["Belgrade", "Novi Sad", "Niš", "Kragujevac", "Subotica", "Zrenjanin", "Pančevo", "Čačak", "Preševo"],
}
# (topic, pillar, objective code, words that go with it)
TOPICS = [
    (
        "community policing for the prevention of violent extremism",
        "WBCTi",
        "1.1",
        "neighbourhood trust youth schools mosques referral social workers beat officers community safety forums early warning imams teachers parents outreach",
    ),
    (
        "municipal referral mechanisms for radicalised individuals",
        "WBCTi",
        "1.1",
        "case management multi-agency psychologists families mayors protocols confidentiality information sharing exit programmes mentors counselling local councils",
    ),
    (
        "reintegration of returning foreign terrorist fighters",
        "WBCTi",
        "1.2",
        "returnees children Syria Iraq rehabilitation probation housing repatriation camps trauma schooling women vocational training psychosocial support",
    ),
    (
        "prison deradicalisation programmes",
        "WBCTi",
        "1.2",
        "inmates prison staff risk assessment tools chaplains release planning segregation regimes disengagement extremist inmates classification rehabilitation officers",
    ),
    (
        "investigations into the financing of terrorism",
        "WBCTi",
        "2.1",
        "financial intelligence units suspicious transactions hawala charities crypto assets sanctions lists non-profit sector wire transfers correspondent banks typologies",
    ),
    (
        "prosecution of terrorist offences with battlefield evidence",
        "WBCTi",
        "2.1",
        "battlefield evidence admissibility military cooperation eurojust indictments mutual legal assistance foreign fighters trials witnesses digital evidence",
    ),
    (
        "protection of soft targets and crowded places",
        "WBCTi",
        "2.2",
        "stadiums shopping centres vulnerability assessments private security drills places of worship concerts transport hubs barriers evacuation plans",
    ),
    (
        "online radicalisation and terrorist content",
        "WBCTi",
        "1",
        "social media platforms referral units propaganda counter-narratives moderators hate speech takedown requests algorithms digital literacy influencers monitoring",
    ),
    (
        "regional counter-terrorism table-top exercises",
        "WBCTi",
        "3",
        "scenario crisis management hostage coordination lessons observers simulated attack command post communication plan after-action review",
    ),
    (
        "chemical biological radiological and nuclear preparedness",
        "WBCTi",
        "2.2",
        "first responders decontamination laboratories detectors hospitals toxic substances pathogens radiation portals export control response teams",
    ),
    (
        "financial investigations and asset recovery",
        "WBCSCi",
        "1.1",
        "confiscation asset management offices money laundering registers freezing beneficial ownership tax records real estate vehicles parallel investigations",
    ),
    (
        "investigations of firearms trafficking",
        "WBCSCi",
        "1.2",
        "weapons ballistic tracing ammunition deactivation smuggling routes illicit arms gunsmiths postal parcels converted pistols dark web",
    ),
    (
        "firearms focal points and ballistic data exchange",
        "WBCSCi",
        "1.2",
        "ballistic databases interoperability ibin forensic laboratories focal markings registration record keeping tracing requests interpol iarms",
    ),
    (
        "joint investigation teams with EU member states",
        "WBCSCi",
        "2.1",
        "europol eurojust agreements funding operational meetings liaison cross-border operations arrest warrants surveillance controlled deliveries",
    ),
    (
        "serious and organised crime threat assessments",
        "WBCSCi",
        "2.2",
        "socta methodology indicators analysts intelligence-led policing priorities crime markets organised groups scoring harm data collection",
    ),
    (
        "witness protection and cooperation of justice collaborators",
        "WBCSCi",
        "2.1",
        "relocation identity change safe houses collaborators courts threat assessment psychological support testimony video links cooperation agreements",
    ),
    (
        "digital forensics for cybercrime units",
        "WBCSCi",
        "3",
        "mobile phones extraction software laboratories electronic evidence servers encryption cloud data chain of custody imaging malware",
    ),
    (
        "intelligence exchange on drug trafficking",
        "WBCSCi",
        "3",
        "cocaine ports containers heroin balkan route precursors cannabis synthetic drugs maritime ports interceptions informants analysis",
    ),
    (
        "fight against trafficking in human beings",
        "WBCSCi",
        "2.1",
        "victims identification shelters labour exploitation hotlines forced begging sexual exploitation referral mechanism labour inspectors ngos",
    ),
    (
        "anti-corruption investigations in law enforcement",
        "WBCSCi",
        "1",
        "integrity testing internal control asset declarations whistleblowers bribery abuse of office professional standards disciplinary procedures",
    ),
    (
        "border risk analysis",
        "WBBSi",
        "1.1",
        "common integrated risk analysis model frontex indicators profiles tactical analysis threat indicators statistics daily reporting irregular crossings",
    ),
    (
        "surveillance of the green border",
        "WBBSi",
        "1.1",
        "thermal cameras drones patrol vehicles night vision sensors motion detectors watchtowers patrol routes mountain passes forests",
    ),
    (
        "detection of forged travel documents",
        "WBBSi",
        "1.2",
        "document examination magnifiers ultraviolet lamps passports visas impostors stamps visas security features alerts databases",
    ),
    (
        "registration and identification of migrants",
        "WBBSi",
        "2.1",
        "biometric eurodac fingerprints interviews reception screening vulnerable persons unaccompanied minors age assessment registration forms",
    ),
    (
        "investigations of migrant smuggling networks",
        "WBBSi",
        "2.2",
        "smugglers financial flows routes prosecutions informants facilitators safe houses payments social media advertising trucks",
    ),
    (
        "joint police and customs contact centres",
        "WBBSi",
        "3",
        "hotline duty officers bilateral agreements data exchange shifts common centre liaison officers cross-border requests shift rota",
    ),
    (
        "joint patrols on common borders",
        "WBBSi",
        "3",
        "mixed patrols bilateral protocol rivers mountain terrain border sections joint operations communication equipment patrol boats",
    ),
    (
        "border crossing point infrastructure",
        "WBBSi",
        "1",
        "lanes booths scanners x-ray inspection canine waiting times traffic management renovation lighting queues",
    ),
    (
        "advance passenger information systems",
        "WBBSi",
        "1.1",
        "airlines passenger name records targeting airports watch lists passenger data airline carriers risk rules analysts alerts",
    ),
    (
        "asylum procedures and return of irregular migrants",
        "WBBSi",
        "2",
        "readmission voluntary return interpreters appeals legal aid asylum interviews country information reception conditions returns",
    ),
]
FORMATS = [
    "Regional training on {t}",
    "Capacity building in {t}",
    "Technical assistance for {t}",
    "Strengthening {t}",
    "Study visit and peer exchange on {t}",
    "Needs assessment and action plan for {t}",
    "Specialised course on {t}",
    "Equipment and mentoring for {t}",
    "Improving {t}",
    "Support to national authorities in {t}",
    "Pilot project on {t}",
    "Development of standard operating procedures for {t}",
]
AUDIENCES = [
    "police officers",
    "prosecutors and judges",
    "border police officers",
    "ministry analysts",
    "first-line practitioners",
    "customs officers",
    "prison staff",
    "municipal officials",
    "criminal investigators",
    "forensic experts",
    "intelligence analysts",
    "civil society organisations",
]
UNITS = [
    "Police Directorate",
    "Basic Prosecutor's Office",
    "Border Police Station",
    "Customs Office",
    "Police Training Centre",
    "Centre for Social Work",
    "Municipal Safety Council",
    "High Court",
    "Regional Police Unit",
    "Forensic Laboratory",
    "Prison",
    "Reception Centre",
    "Crime Analysis Unit",
    "Organised Crime Unit",
    "Cybercrime Unit",
    "Anti-Corruption Department",
    "Migration Office",
    "Youth Centre",
]
INSTITUTIONS = [
    "the Ministry of Interior",
    "the State Prosecutor's Office",
    "the Police Academy",
    "the Financial Intelligence Unit",
    "the Border Police Directorate",
    "the Customs Administration",
    "the Judicial Training Centre",
    "the Directorate of Prison Administration",
    "the National Security Agency",
    "the Agency for Management of Seized Assets",
    "the National Coordinator for Countering Violent Extremism",
    "the Forensic Centre",
    "the Criminal Police Directorate",
    "the Ministry of Justice",
    "the Office for Migration",
]
LAWS = [
    "national strategy against terrorism",
    "law on confiscation of criminal assets",
    "integrated border management strategy",
    "action plan on small arms and light weapons",
    "law on criminal procedure",
    "strategy against organised crime",
    "migration governance strategy",
    "cybersecurity strategy",
    "law on witness protection",
    "anti-money laundering law",
    "roadmap on firearms control",
    "strategy for the prevention of radicalisation",
    "law on foreigners",
    "action plan against trafficking in human beings",
    "law on police",
    "law on international legal assistance",
]
EQUIPMENT = [
    "laptops",
    "servers",
    "off-road vehicles",
    "forensic workstations",
    "licences for analysis software",
    "body cameras",
    "digital radio sets",
    "document readers",
    "training simulators",
    "secure communication lines",
    "thermal imaging cameras",
    "mobile forensic kits",
    "fingerprint scanners",
    "video-conferencing units",
    "evidence storage lockers",
    "metal detectors",
    "portable x-ray devices",
    "drones",
    "night vision goggles",
    "case management software",
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
SENTENCES = [
    "The action brings together {n} {audience} from {inst} and the {local}.",
    "Sessions cover {kw1}, {kw2} and {kw3}.",
    "It builds on the {law} adopted in {year}.",
    "Workshops take place in {city} and {city2} over {k} months.",
    "Equipment delivered includes {eq} and {eq2} for the {local}.",
    "Mentoring visits follow in {month} to consolidate work on {kw1}.",
    "A regional conference in {city} presents the results to {inst}.",
    "Experts from {donorcountry} share practice on {kw2} and {kw3}.",
    "The expected result is better {kw1} by {audience} in {country}.",
    "A handbook on {kw2} is drafted with the {local} and published in {lang}.",
    "Participants are selected with {inst2} on the basis of a needs assessment.",
    "Gender balance among the {n} participants is monitored throughout.",
    "An e-learning module on {kw3} remains available to {audience} after the action.",
    "The project addresses gaps identified by the {year} peer review on {kw1}.",
    "The {local} receives {eq} and on-site coaching on {kw2}.",
    "A joint working group with the {local2} drafts guidelines on {kw3}.",
    "Two pilot cases on {kw1} are handled jointly by the {local} and {inst2}.",
    "Trainers certified by {inst} cascade the module on {kw2} to {n} colleagues.",
    "An assessment mission to {city2} in {month} {year} reviews {kw3}.",
    "The curriculum of {inst} is updated with a chapter on {kw1} and {kw2}.",
    "A tabletop simulation on {kw3} tests cooperation between the {local} and the {local2}.",
    "Translation of the {law} commentary on {kw1} into {lang} is supported.",
]
# The bench's own synonyms: the engine does not know them, it must see past them.
SYNONYMS = {
    "training": ["course", "instruction"],
    "regional": ["region-wide", "cross-border"],
    "capacity building": ["institutional development", "capacity development"],
    "technical assistance": ["expert support", "technical support"],
    "strengthening": ["reinforcing", "enhancing"],
    "improving": ["upgrading", "enhancing"],
    "study visit": ["exchange visit", "field visit"],
    "police officers": ["law enforcement officers", "police staff"],
    "prosecutors": ["public prosecutors"],
    "judges": ["members of the judiciary"],
    "brings together": ["gathers", "convenes"],
    "cover": ["address", "deal with"],
    "builds on": ["follows up", "draws on"],
    "take place": ["are held", "run"],
    "adopted": ["approved", "passed"],
    "equipment": ["hardware", "material"],
    "delivered": ["supplied", "provided"],
    "consolidate": ["reinforce", "sustain"],
    "conference": ["meeting", "event"],
    "presents": ["shares", "reports"],
    "results": ["findings", "outcomes"],
    "experts": ["specialists", "practitioners"],
    "share": ["exchange", "pass on"],
    "expected result": ["intended outcome", "aim"],
    "better": ["stronger", "more effective"],
    "handbook": ["manual", "guide"],
    "drafted": ["written", "prepared"],
    "selected": ["chosen", "nominated"],
    "needs assessment": ["needs analysis", "baseline study"],
    "monitored": ["tracked", "followed"],
    "remains available": ["stays accessible", "is kept online"],
    "addresses": ["tackles", "responds to"],
    "gaps": ["shortcomings", "weaknesses"],
    "project": ["action", "initiative"],
    "action": ["project", "intervention"],
    "support": ["assistance", "help"],
    "pilot project": ["pilot initiative", "trial project"],
    "specialised course": ["specialist training", "advanced course"],
    "mentoring": ["coaching", "on-the-job advice"],
    "development": ["drafting", "preparation"],
    "standard operating procedures": ["SOPs", "operating procedures"],
    "national authorities": ["state institutions", "national institutions"],
}
EXTRA_SENTENCES = [
    "The action is coordinated with other partners to avoid overlaps.",
    "A steering committee meets twice a year.",
    "Lessons learned are shared with the IISG Support Group.",
    "Sustainability is ensured through national co-funding.",
    "Local ownership is a guiding principle.",
]
LANGS = ["Albanian", "Bosnian", "Macedonian", "Montenegrin", "Serbian", "English"]
DONOR_COUNTRIES = ["Austria", "Slovenia", "Germany", "the Netherlands", "Norway", "Sweden", "Switzerland", "France"]

IMPLEMENTERS = [
    "DCAF Ljubljana",
    "PCC SEE Secretariat",
    "United Nations Development Programme",
    "International Organization for Migration",
    "Organization for Security and Co-operation in Europe",
    "United Nations Office on Drugs and Crime",
    "Regional Cooperation Council",
    "SEESAC",
    "Deutsche Gesellschaft für Internationale Zusammenarbeit",
    "Hedayah",
    "Global Initiative against Transnational Organized Crime",
    "MARRI",
    "Geneva Centre for Security Sector Governance",
    "ICMPD",
    "CEPOL",
    "Europol",
    "Interpol",
    "Council of Europe",
]
DONORS = [
    "EU DG NEAR",
    "Austria BMI",
    "Slovenia MoI",
    "Germany Federal Foreign Office",
    "Netherlands MFA",
    "Norway MFA",
    "UK FCDO",
    "US INL",
    "Switzerland FDFA",
    "Sweden Sida",
    "France MEAE",
    "Belgium FPS Foreign Affairs",
    "Denmark MFA",
    "Finland MFA",
    "Italy MoI",
    "Czech MoI",
    "Hungary MoI",
    "Japan MOFA",
    "Canada GAC",
    "World Bank",
]


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


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Command(BaseCommand):
    help = "Benchmark the duplication engine on N synthetic activities; prints one JSON line."

    def add_arguments(self, parser):
        parser.add_argument("--activities", type=int, default=10_000)
        parser.add_argument("--consultations", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=20170908)
        parser.add_argument(
            "--consult-via",
            choices=["api", "page"],
            default="api",
            help="Consult through the API endpoint (JSON, the default) or the HTML page (form post).",
        )
        parser.add_argument(
            "--allow-wipe",
            action="store_true",
            help="Wipe activities even when the database name does not contain 'bench'.",
        )

    def handle(self, *args, **options):
        n = options["activities"]
        name = connection.settings_dict["NAME"]
        if "bench" not in name and not options["allow_wipe"]:
            raise CommandError(f"Refusing to wipe database {name!r}: use a bench database or --allow-wipe.")
        log = self.stderr.write
        started = time.monotonic()
        data, planted = generate(n, options["seed"])
        log(
            f"generated {n} activities, {len(planted)} planted pairs in {time.monotonic() - started:.1f} s"
            f" (peak RSS so far {peak_rss_mib():.0f} MiB)"
        )
        started = time.monotonic()
        ids, world = load_into_database(data)
        del data
        log(f"inserted in {time.monotonic() - started:.1f} s (peak RSS so far {peak_rss_mib():.0f} MiB)")
        planted_ids = {(min(ids[x], ids[y]), max(ids[x], ids[y])) for x, y in planted}

        from ipas.duplication.services import duplication_run_start
        from ipas.models import DuplicateFlag

        run = duplication_run_start(actor=world["support"], trigger="command", enqueue=False)
        # The report runs in a fresh process, as in a Celery worker: its memory is the engine's, not that of
        # the 100,000 synthetic activities this process generated.
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
            full_run_s, full_run_rss = pool.submit(full_run_in_own_process, run.pk, name).result()
            # The nightly case: the report runs again over flags it already holds.
            again = duplication_run_start(actor=world["support"], trigger="command", enqueue=False)
            rerun_s, full_run_rss = pool.submit(full_run_in_own_process, again.pk, name).result()
        flagged = set(DuplicateFlag.objects.open().values_list("activity_a_id", "activity_b_id"))
        true_positive = len(flagged & planted_ids)
        precision = true_positive / len(flagged) if flagged else 0.0
        recall = true_positive / len(planted_ids) if planted_ids else 1.0
        log(
            f"full run {full_run_s:.2f} s: {len(flagged)} flags, {true_positive} planted found"
            f" (run again over its flags: {rerun_s:.2f} s; peak RSS of their process {full_run_rss:.0f} MiB)"
        )

        # Pages link static files; without collectstatic the hashed storage has no manifest to read.
        storages = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        with override_settings(STORAGES=storages):
            timings, consult_path = run_consultations(
                world, ids, options["consultations"], options["seed"], via=options["consult_via"]
            )
            # As in real use, entries are saved between consultations: each of these follows a change.
            after_change, _ = run_consultations(
                world,
                ids,
                options["consultations"] // 5,
                options["seed"] + 7,
                via=options["consult_via"],
                change_before_each=True,
            )
        self.stdout.write(
            json.dumps(
                {
                    "activities": n,
                    "full_run_s": round(full_run_s, 2),
                    "full_rerun_s": round(rerun_s, 2),
                    "peak_rss_mib": round(full_run_rss, 1),
                    "bench_process_peak_rss_mib": round(peak_rss_mib(), 1),
                    "precision": round(precision, 4),
                    "recall": round(recall, 4),
                    "consult_p50_ms": round(statistics.median(timings), 1) if timings else None,
                    "consult_p95_ms": round(_p95(timings), 1) if timings else None,
                    "consult_path": f"POST {consult_path}",
                    "consult_after_change_p50_ms": round(statistics.median(after_change), 1) if after_change else None,
                    "consult_after_change_p95_ms": round(_p95(after_change), 1) if after_change else None,
                    "planted_pairs": len(planted_ids),
                    "flagged_pairs": len(flagged),
                }
            )
        )


def full_run_in_own_process(run_id: int, database: str) -> tuple[float, float]:
    """The full report of `run_id` in this (fresh) process on `database`: (seconds, peak RSS in MiB)."""
    import django

    django.setup()
    from django.db import connections

    connections["default"].settings_dict["NAME"] = database
    from ipas.duplication.services import duplication_run_execute

    started = time.monotonic()
    duplication_run_execute(run_id=run_id)
    seconds = time.monotonic() - started
    connections.close_all()
    return seconds, peak_rss_mib()


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def run_consultations(
    world: dict, ids: list[int], count: int, seed: int, via: str = "api", change_before_each: bool = False
) -> tuple[list[float], str]:
    """Concepts a donor might type (reworded activities, some new), as a signed-in partner, end to end through a
    Django view with the database: the API endpoint (JSON) or the page (form post, HTML answer).

    With `change_before_each`, one activity is changed (untimed) before each consultation, so each one finds
    its index out of date, as happens while partners log their entries.

    Returns the timings in ms and the path measured.
    """
    rng = random.Random(seed + 1)
    host = next((h.lstrip(".") for h in settings.ALLOWED_HOSTS if h != "*"), "127.0.0.1")
    client = Client(SERVER_NAME=host, HTTP_HOST=host)
    client.force_login(world["editor"])
    url = reverse("api:consult") if via == "api" else reverse("ipas:consult")
    if not count:
        return [], url
    concepts = []
    for _ in range(count + 1):
        base = make_base(rng)
        concept = reword(base, rng)
        concepts.append(
            {
                "title": concept["title"],
                "description": " ".join(concept["sentences"]),
                "beneficiaries": concept["countries"],
                # The API names the pillar by its code, the page's form by its id.
                "pillar": base["pillar"] if via == "api" else world["pillars"][base["pillar"]],
                "start": concept["start"].isoformat(),
                "end": concept["end"].isoformat(),
                "intended_donor": world["donors"][concept["donors"][0]],
            }
        )

    def post(concept):
        if via == "api":
            return client.post(url, concept, content_type="application/json")
        return client.post(url, concept)

    # The first request builds this process's index (once per data version); it is not a consultation figure.
    response = post(concepts[0])
    if response.status_code != 200:
        raise CommandError(f"consult answered {response.status_code}: {response.content[:300]!r}")
    from django.db.models import F

    from ipas.models import Activity

    timings = []
    for concept in concepts[1:]:
        if change_before_each:
            Activity.objects.filter(pk=rng.choice(ids)).update(version=F("version") + 1)
        started = time.perf_counter()
        response = post(concept)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise CommandError(f"consult answered {response.status_code}: {response.content[:300]!r}")
    return timings, url


# --- Loading the synthetic world ---------------------------------------------------------------------


def _copy(model, columns: list[str], rows) -> None:
    table = model._meta.db_table
    cols = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        with cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:  # noqa: S608 - our own table
            for row in rows:
                copy.write_row(row)


def _defaults(model, given: set[str]) -> dict:
    """Database values of every concrete column not given: the model's defaults (so new fields still load)."""
    now = timezone.now()
    out = {}
    for f in model._meta.concrete_fields:
        if f.primary_key or f.column in given:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            out[f.column] = now
        elif f.has_default():
            out[f.column] = f.get_db_prep_save(f.get_default(), connection)
        elif f.null:
            out[f.column] = None
        elif f.blank and f.get_internal_type() in ("CharField", "TextField"):
            out[f.column] = ""
        else:
            raise CommandError(f"{model.__name__}.{f.name} needs a value in the bench loader")
    return out


def load_into_database(data: list[dict]) -> tuple[list[int], dict]:
    from ipas.models import (
        Activity,
        ActivityObjective,
        DuplicateFlag,
        DuplicationRun,
        Funding,
        IntegratedPlanOfAction,
        Objective,
    )
    from partners import roles
    from partners.models import Country, Membership, Organisation, User
    from partners.services import membership_set, organisation_group_ensure, roles_ensure, staff_role_set
    from pillars.models import Pillar

    with transaction.atomic():
        tables = [
            DuplicateFlag,
            DuplicationRun,
            Funding,
            ActivityObjective,
            Activity.beneficiaries.through,
            Activity.themes.through,
            Activity,
        ]
        with connection.cursor() as cursor:
            names = ", ".join(f'"{m._meta.db_table}"' for m in tables)
            cursor.execute(f"TRUNCATE {names} CASCADE")  # noqa: S608 - our own tables

        roles_ensure()
        for code, name in COUNTRY_NAMES.items():
            Country.objects.update_or_create(code=code, defaults={"name": name, "is_beneficiary": True})
        pillars, objectives = {}, {}
        for code in ("WBCTi", "WBCSCi", "WBBSi"):
            pillar, _ = Pillar.objects.get_or_create(code=code, defaults={"name": code})
            pillars[code] = pillar.pk
            ipa, _ = IntegratedPlanOfAction.objects.get_or_create(
                pillar=pillar,
                period_start=date(2016, 1, 1),
                defaults={"title": f"{code} iPA", "period_end": date(2030, 12, 31), "status": "adopted"},
            )
            for _topic, p, objective_code, _words in TOPICS:
                if p == code:
                    obj, _ = Objective.objects.get_or_create(
                        ipa=ipa, code=objective_code, defaults={"title": f"{code} objective {objective_code}"}
                    )
                    objectives[(code, objective_code)] = obj.pk
        org_ids = {}
        for org_name in [*IMPLEMENTERS, *DONORS]:
            org, _ = Organisation.objects.get_or_create(
                name=org_name, defaults={"type": Organisation.Type.INTERNATIONAL_ORGANISATION}
            )
            organisation_group_ensure(org)
            org_ids[org_name] = org.pk
        support, _ = User.objects.get_or_create(email="bench-support@iisg.example")
        staff_role_set(actor=None, user=support, role=roles.SUPPORT_GROUP_STAFF)
        editor, _ = User.objects.get_or_create(email="bench-editor@iisg.example")
        membership_set(
            actor=None,
            user=editor,
            organisation=Organisation.objects.get(pk=org_ids[IMPLEMENTERS[2]]),
            role=Membership.Role.EDITOR,
        )

        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [Activity._meta.db_table])
            first_id = cursor.fetchone()[0] + 1
        ids = list(range(first_id, first_id + len(data)))
        given = {
            "id",
            "title",
            "description",
            "organisation_id",
            "implementing_organisation_id",
            "planned_start",
            "planned_end",
            "status",
            "approval_state",
            "budget_eur",
            "external_id",
        }
        defaults = _defaults(Activity, given)
        columns = [*sorted(given), *defaults]
        today = date.today()  # noqa: DTZ011 - a calendar date for synthetic statuses

        def activity_rows():
            for pk, a in zip(ids, data, strict=True):
                implementer = org_ids[IMPLEMENTERS[a["implementer"]]]
                status = "completed" if a["end"] < today else "ongoing" if a["start"] <= today else "planned"
                values = {
                    "id": pk,
                    "title": a["title"][:300],
                    "description": a["description"],
                    "organisation_id": implementer,
                    "implementing_organisation_id": implementer,
                    "planned_start": a["start"],
                    "planned_end": a["end"],
                    "status": status,
                    "approval_state": "approved",
                    "budget_eur": Decimal(a["budget"]),
                    "external_id": f"BENCH-{pk}",
                    **defaults,
                }
                yield [values[c] for c in columns]

        # The synthetic rows of this throwaway database are not audited: pghistory's row triggers would
        # write an event per row (about a minute more at 100,000). FK checks stay on ("USER" triggers only).
        audited_tables = [Activity, ActivityObjective, Funding]
        with connection.cursor() as cursor:
            for model in audited_tables:
                cursor.execute(f'ALTER TABLE "{model._meta.db_table}" DISABLE TRIGGER USER')  # noqa: S608
        _copy(Activity, columns, activity_rows())
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [Activity._meta.db_table, ids[-1]])
        through = Activity.beneficiaries.through
        _copy(
            through,
            ["activity_id", "country_id"],
            ((pk, code) for pk, a in zip(ids, data, strict=True) for code in sorted(set(a["countries"]))),
        )
        _copy(
            ActivityObjective,
            ["activity_id", "objective_id", "is_primary"],
            ((pk, objectives[(a["pillar"], a["objective"])], True) for pk, a in zip(ids, data, strict=True)),
        )
        funding_defaults = _defaults(
            Funding, {"activity_id", "donor_id", "amount", "currency", "amount_eur", "status", "instrument"}
        )

        def funding_rows():
            for pk, a in zip(ids, data, strict=True):
                share = Decimal(a["budget"]) / len(a["donors"])
                for d in a["donors"]:
                    yield [pk, org_ids[DONORS[d]], share, "EUR", share, "committed", "", *funding_defaults.values()]

        _copy(
            Funding,
            ["activity_id", "donor_id", "amount", "currency", "amount_eur", "status", "instrument", *funding_defaults],
            funding_rows(),
        )
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # run the deferred FK checks before re-enabling
            for model in audited_tables:
                cursor.execute(f'ALTER TABLE "{model._meta.db_table}" ENABLE TRIGGER USER')  # noqa: S608
    with connection.cursor() as cursor:
        for model in (Activity, through, ActivityObjective, Funding):
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')  # noqa: S608 - our own table
    world = {
        "support": support,
        "editor": editor,
        "pillars": pillars,
        "donors": [org_ids[d] for d in DONORS],
    }
    return ids, world
