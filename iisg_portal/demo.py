"""Realistic demonstration data drawn from the 2017 IISG briefing (see README: demo logins).

Every row has a natural key, so building it again finds what exists and changes nothing.
Activity i is generated from its own random stream, so the first N activities are the same whatever N is.
"""

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection, transaction

from board.models import AgendaItem, Meeting
from ipas.models import (
    Activity,
    ActivityObjective,
    ActivityReview,
    Funding,
    FundingNeed,
    Indicator,
    IntegratedPlanOfAction,
    Objective,
)
from partners import roles
from partners.models import KOSOVO_FOOTNOTE, Country, Membership, Organisation, User
from partners.services import membership_set, organisation_group_ensure, staff_role_set
from pillars.models import CrossCuttingTheme, Pillar
from pillars.services import pillar_leads_set

DEMO_PASSWORD = "iisg-demo-2026"  # documented in the README; demo machines only

T = Organisation.Type
P = Organisation.Participation

COUNTRIES = [
    ("AL", "Albania", True, ""),
    ("BA", "Bosnia and Herzegovina", True, ""),
    ("XK", "Kosovo", True, KOSOVO_FOOTNOTE),
    ("MK", "North Macedonia", True, ""),
    ("ME", "Montenegro", True, ""),
    ("RS", "Serbia", True, ""),
    ("AT", "Austria", False, ""),
    ("SI", "Slovenia", False, ""),
    ("DE", "Germany", False, ""),
    ("NL", "Netherlands", False, ""),
    ("NO", "Norway", False, ""),
    ("GB", "United Kingdom", False, ""),
    ("US", "United States", False, ""),
    ("CH", "Switzerland", False, ""),
    ("SE", "Sweden", False, ""),
    ("BE", "Belgium", False, ""),
    ("FR", "France", False, ""),
]
BENEFICIARY_CODES = ["AL", "BA", "XK", "MK", "ME", "RS"]

# (name, short name, type, participation, country, IATI identifier)
ORGANISATIONS = [
    ("DCAF Ljubljana", "DCAF", T.INTERNATIONAL_ORGANISATION, P.PARTNER, "SI", ""),
    ("PCC SEE Secretariat", "PCC SEE", T.REGIONAL_INITIATIVE, P.PARTNER, "SI", ""),
    ("Austria – Federal Ministry of the Interior", "AT BMI", T.THIRD_STATE_DONOR, P.PARTNER, "AT", ""),
    ("Slovenia – Ministry of the Interior", "SI MoI", T.THIRD_STATE_DONOR, P.PARTNER, "SI", ""),
    ("United Nations Development Programme", "UNDP", T.INTERNATIONAL_ORGANISATION, P.PARTNER, None, "XM-DAC-41114"),
    ("International Organization for Migration", "IOM", T.INTERNATIONAL_ORGANISATION, P.PARTNER, None, "XM-DAC-47066"),
    ("Organization for Security and Co-operation in Europe", "OSCE", T.INTERNATIONAL_ORGANISATION, P.PARTNER, None, ""),
    (
        "United Nations Office on Drugs and Crime",
        "UNODC",
        T.INTERNATIONAL_ORGANISATION,
        P.PARTNER,
        None,
        "XM-DAC-41121",
    ),
    ("Regional Cooperation Council", "RCC", T.REGIONAL_INITIATIVE, P.PARTNER, "BA", ""),
    (
        "SEESAC (UNDP South Eastern and Eastern Europe Clearinghouse for SALW Control)",
        "SEESAC",
        T.REGIONAL_INITIATIVE,
        P.PARTNER,
        "RS",
        "",
    ),
    ("Migration, Asylum, Refugees Regional Initiative", "MARRI", T.REGIONAL_INITIATIVE, P.PARTNER, "MK", ""),
    ("European Commission – DG NEAR", "EU DG NEAR", T.EU_BODY, P.PARTNER, "BE", "XI-IATI-EC_NEAR"),
    ("Europol", "Europol", T.EU_BODY, P.PARTNER, "NL", ""),
    ("Frontex", "Frontex", T.EU_BODY, P.PARTNER, None, ""),
    ("CEPOL – EU Agency for Law Enforcement Training", "CEPOL", T.EU_BODY, P.PARTNER, None, ""),
    ("Eurojust", "Eurojust", T.EU_BODY, P.AD_HOC, "NL", ""),
    ("Deutsche Gesellschaft für Internationale Zusammenarbeit", "GIZ", T.THIRD_STATE_DONOR, P.PARTNER, "DE", ""),
    ("Germany – Federal Foreign Office", "DE AA", T.THIRD_STATE_DONOR, P.PARTNER, "DE", ""),
    ("Netherlands – Ministry of Foreign Affairs", "NL MFA", T.THIRD_STATE_DONOR, P.PARTNER, "NL", "XM-DAC-7"),
    ("Norway – Ministry of Foreign Affairs", "NO MFA", T.THIRD_STATE_DONOR, P.PARTNER, "NO", ""),
    (
        "United Kingdom – Foreign, Commonwealth & Development Office",
        "UK FCDO",
        T.THIRD_STATE_DONOR,
        P.PARTNER,
        "GB",
        "GB-GOV-1",
    ),
    ("United States – Department of State (INL)", "US INL", T.THIRD_STATE_DONOR, P.PARTNER, "US", ""),
    ("Switzerland – Federal Department of Foreign Affairs", "CH FDFA", T.THIRD_STATE_DONOR, P.AD_HOC, "CH", ""),
    (
        "Ministria e Brendshme e Shqipërisë (Ministry of Interior of Albania)",
        "AL MoI",
        T.NATIONAL_AUTHORITY,
        P.PARTNER,
        "AL",
        "",
    ),
    (
        "Ministarstvo sigurnosti Bosne i Hercegovine (Ministry of Security of BiH)",
        "BA MoS",
        T.NATIONAL_AUTHORITY,
        P.PARTNER,
        "BA",
        "",
    ),
    (
        "Ministria e Punëve të Brendshme (Ministry of Internal Affairs, Kosovo*)",
        "XK MIA",
        T.NATIONAL_AUTHORITY,
        P.PARTNER,
        "XK",
        "",
    ),
    (
        "Министерство за внатрешни работи (Ministry of Interior of North Macedonia)",
        "MK MoI",
        T.NATIONAL_AUTHORITY,
        P.PARTNER,
        "MK",
        "",
    ),
    (
        "Ministarstvo unutrašnjih poslova Crne Gore (Ministry of Interior of Montenegro)",
        "ME MoI",
        T.NATIONAL_AUTHORITY,
        P.PARTNER,
        "ME",
        "",
    ),
    (
        "Министарство унутрашњих послова Републике Србије (Ministry of Interior of Serbia)",
        "RS MoI",
        T.NATIONAL_AUTHORITY,
        P.PARTNER,
        "RS",
        "",
    ),
    (
        "Hedayah – International Centre of Excellence for Countering Violent Extremism",
        "Hedayah",
        T.INTERNATIONAL_ORGANISATION,
        P.PARTNER,
        None,
        "",
    ),
    ("Global Initiative against Transnational Organized Crime", "GI-TOC", T.NGO, P.PARTNER, "CH", ""),
    ("Council of Europe", "CoE", T.INTERNATIONAL_ORGANISATION, P.OBSERVER, "FR", ""),
]

PILLARS = [
    (
        "WBCTi",
        "Western Balkan Counter-Terrorism initiative",
        "Counter-terrorism and preventing/countering violent extremism (P/CVE).",
        "DCAF Ljubljana",
        ["Austria – Federal Ministry of the Interior", "Slovenia – Ministry of the Interior"],
    ),
    (
        "WBCSCi",
        "Western Balkan Counter-Serious Crime initiative",
        "Serious and organised crime (SOC), towards a Western Balkan policy cycle against SOC.",
        "PCC SEE Secretariat",
        [],
    ),
    (
        "WBBSi",
        "Western Balkan Border Security initiative",
        "Integrated border management and border security.",
        "DCAF Ljubljana",
        ["Austria – Federal Ministry of the Interior"],
    ),
]

THEMES = [
    ("Illegal arms trafficking", "Firearms as means of terrorist acts, object of trafficking and risk at the borders."),
    ("Hybrid threats", "Threats that cut across two or more pillars."),
    ("Gender mainstreaming", ""),
    ("Cybercrime and digital evidence", ""),
]

# Objectives per pillar: (code, title, [indicator (name, unit, baseline, target)])
OBJECTIVES = {
    "WBCTi": [
        ("1", "Prevent radicalisation and violent extremism", []),
        (
            "1.1",
            "Community-level P/CVE referral mechanisms established",
            [("Municipalities with referral mechanism", "municipalities", 4, 30)],
        ),
        (
            "1.2",
            "Rehabilitation and reintegration of returning foreign terrorist fighters and families",
            [("Returnees in reintegration programmes", "persons", 40, 250)],
        ),
        ("2", "Strengthen counter-terrorism capacities of law enforcement and judiciary", []),
        (
            "2.1",
            "Specialised CT investigation and prosecution capacity",
            [("Officers trained in CT financial investigations", "officers", 60, 400)],
        ),
        (
            "2.2",
            "Protection of soft targets and critical infrastructure",
            [("Soft-target protection plans adopted", "plans", 2, 18)],
        ),
        (
            "3",
            "Regional exchange of CT information and good practice",
            [("Joint regional CT exercises held", "exercises", 1, 6)],
        ),
    ],
    "WBCSCi": [
        ("1", "Disrupt organised crime groups and their assets", []),
        (
            "1.1",
            "Financial investigations and asset recovery",
            [("Assets frozen following financial investigations", "EUR million", 12, 60)],
        ),
        ("1.2", "Firearms trafficking investigations", [("Illicit firearms seized and traced", "firearms", 900, 4000)]),
        ("2", "Operational regional police cooperation", []),
        (
            "2.1",
            "Joint investigation teams and information exchange",
            [("Joint investigation teams with WB participation", "teams", 3, 15)],
        ),
        (
            "2.2",
            "Serious and organised crime threat assessment (SOCTA) methodology",
            [("Beneficiaries with SOCTA-based national plan", "beneficiaries", 1, 6)],
        ),
        (
            "3",
            "Fight against cybercrime and drug trafficking",
            [("Cybercrime units with digital forensics lab", "units", 2, 6)],
        ),
    ],
    "WBBSi": [
        ("1", "Integrated border management aligned with EU standards", []),
        (
            "1.1",
            "Risk analysis and border surveillance",
            [("Border crossing points with risk-analysis unit", "crossing points", 10, 60)],
        ),
        (
            "1.2",
            "Document fraud detection",
            [("Border guards trained in document fraud detection", "officers", 150, 900)],
        ),
        ("2", "Migration management and fight against migrant smuggling", []),
        (
            "2.1",
            "Identification and registration of migrants",
            [("Registration centres meeting EU standards", "centres", 3, 12)],
        ),
        ("2.2", "Investigation of migrant smuggling networks", [("Smuggling networks dismantled", "networks", 5, 30)]),
        ("3", "Cross-border cooperation and joint patrols", [("Joint contact centres operating", "centres", 4, 10)]),
    ],
}

TOPICS = {
    "WBCTi": [
        ("community policing for the prevention of violent extremism", "1.1"),
        ("P/CVE referral mechanisms in municipalities", "1.1"),
        ("reintegration of returning foreign terrorist fighters", "1.2"),
        ("prison deradicalisation programmes", "1.2"),
        ("counter-terrorism financing investigations", "2.1"),
        ("CT prosecution and use of battlefield evidence", "2.1"),
        ("protection of soft targets", "2.2"),
        ("online radicalisation and terrorist content", "1"),
        ("regional CT table-top exercise", "3"),
    ],
    "WBCSCi": [
        ("financial investigations and asset recovery", "1.1"),
        ("firearms trafficking investigations", "1.2"),
        ("firearms focal points and ballistic data exchange", "1.2"),
        ("joint investigation teams", "2.1"),
        ("SOCTA methodology and strategic analysis", "2.2"),
        ("witness protection cooperation", "2.1"),
        ("digital forensics for cybercrime units", "3"),
        ("drug trafficking intelligence exchange", "3"),
    ],
    "WBBSi": [
        ("border risk analysis", "1.1"),
        ("border surveillance equipment", "1.1"),
        ("document fraud detection", "1.2"),
        ("registration and identification of migrants", "2.1"),
        ("investigations of migrant smuggling networks", "2.2"),
        ("joint police contact centres", "3"),
        ("joint border patrols", "3"),
    ],
}
FORMATS = [
    "Regional training on {topic}",
    "Capacity building in {topic}",
    "Technical assistance for {topic}",
    "Strengthening {topic}",
    "Study visit and peer exchange on {topic}",
    "Needs assessment and action plan for {topic}",
]
AUDIENCES = [
    "for police officers",
    "for prosecutors and judges",
    "for border police",
    "for ministry analysts",
    "for first-line practitioners",
]
OPENINGS = [
    "Supports {pillar} iPA objective {objective} through {topic}.",
    "Responds to gaps in {topic} identified in the latest threat assessment ({pillar} {objective}).",
    "Builds national capacity in {topic}, in line with {pillar} objective {objective}.",
    "Follows up the regional needs assessment on {topic}.",
    "A beneficiary request for support in {topic} ({pillar} iPA, objective {objective}).",
]
METHODS = [
    "{n} workshops bring together practitioners from {countries}.",
    "Mentoring by seconded experts in {countries}, with {n} joint exercises.",
    "A train-the-trainer course ({n} sessions) for institutions in {countries}.",
    "Study visits to EU member states and {n} national follow-up meetings in {countries}.",
    "Equipment, standard operating procedures and {n} on-the-job coaching missions in {countries}.",
    "An e-learning module complemented by {n} classroom days for staff from {countries}.",
]
RESULTS = [
    "Expected result: procedures adopted and staff certified.",
    "Results feed the M&E indicators of the pillar.",
    "A handbook and a regional network of contact points remain after the activity.",
    "Sustainability through integration into the national training curricula.",
    "Progress is reported to the Lead Partner twice a year.",
    "",
]
IMPLEMENTERS = [
    "DCAF Ljubljana",
    "PCC SEE Secretariat",
    "United Nations Development Programme",
    "International Organization for Migration",
    "Organization for Security and Co-operation in Europe",
    "United Nations Office on Drugs and Crime",
    "Regional Cooperation Council",
    "SEESAC (UNDP South Eastern and Eastern Europe Clearinghouse for SALW Control)",
    "Deutsche Gesellschaft für Internationale Zusammenarbeit",
    "Hedayah – International Centre of Excellence for Countering Violent Extremism",
    "Global Initiative against Transnational Organized Crime",
    "Migration, Asylum, Refugees Regional Initiative",
    "CEPOL – EU Agency for Law Enforcement Training",
    "Frontex",
]
DONORS = [
    ("European Commission – DG NEAR", "EUR", "EU IPA II"),
    ("European Commission – DG NEAR", "EUR", "EU IPA III"),
    ("Austria – Federal Ministry of the Interior", "EUR", "Bilateral"),
    ("Slovenia – Ministry of the Interior", "EUR", "Bilateral"),
    ("Germany – Federal Foreign Office", "EUR", "Bilateral"),
    ("Netherlands – Ministry of Foreign Affairs", "EUR", "Bilateral"),
    ("Norway – Ministry of Foreign Affairs", "NOK", "Bilateral"),
    ("United Kingdom – Foreign, Commonwealth & Development Office", "GBP", "Conflict, Stability and Security Fund"),
    ("United States – Department of State (INL)", "USD", "INCLE"),
    ("Switzerland – Federal Department of Foreign Affairs", "CHF", "Bilateral"),
]
EUR_PER_UNIT = {
    "EUR": Decimal("1"),
    "USD": Decimal("0.92"),
    "GBP": Decimal("1.17"),
    "NOK": Decimal("0.086"),
    "CHF": Decimal("1.05"),
}

# (e-mail, full name, organisation or None, membership role or None, staff role or None, superuser)
DEMO_USERS = [
    ("admin@iisg.demo", "Portal Administrator", None, None, None, True),
    (
        "support@iisg.demo",
        "Support Group Officer",
        None,  # staff, not a member of a Lead Partner: the demo keeps the two roles apart
        None,
        roles.SUPPORT_GROUP_STAFF,
        False,
    ),
    (
        "secretariat@iisg.demo",
        "Board Secretariat Officer",
        "Slovenia – Ministry of the Interior",
        Membership.Role.VIEWER,
        roles.BOARD_SECRETARIAT,
        False,
    ),
    (
        "lead.dcaf@iisg.demo",
        "Lead Partner, DCAF Ljubljana (WBCTi, WBBSi)",
        "DCAF Ljubljana",
        Membership.Role.EDITOR,
        None,
        False,
    ),
    (
        "lead.pccsee@iisg.demo",
        "Lead Partner, PCC SEE (WBCSCi)",
        "PCC SEE Secretariat",
        Membership.Role.EDITOR,
        None,
        False,
    ),
    (
        "colead.austria@iisg.demo",
        "Co-Lead Partner, Austria BMI",
        "Austria – Federal Ministry of the Interior",
        Membership.Role.EDITOR,
        None,
        False,
    ),
    (
        "editor.undp@iisg.demo",
        "Partner editor, UNDP",
        "United Nations Development Programme",
        Membership.Role.EDITOR,
        None,
        False,
    ),
    (
        "editor.iom@iisg.demo",
        "Partner editor, IOM",
        "International Organization for Migration",
        Membership.Role.EDITOR,
        None,
        False,
    ),
    (
        "viewer.giz@iisg.demo",
        "Partner viewer, GIZ",
        "Deutsche Gesellschaft für Internationale Zusammenarbeit",
        Membership.Role.VIEWER,
        None,
        False,
    ),
    ("observer@iisg.demo", "Observer, Council of Europe", "Council of Europe", Membership.Role.VIEWER, None, False),
]

IPA_START = date(2024, 1, 1)
IPA_END = date(2027, 12, 31)


def build_structure() -> dict:
    """Countries, organisations, pillars, themes, iPAs, objectives, indicators, needs, users, a meeting."""
    with transaction.atomic():
        for code, name, beneficiary, footnote in COUNTRIES:
            Country.objects.get_or_create(
                code=code, defaults={"name": name, "is_beneficiary": beneficiary, "footnote": footnote}
            )
        organisations = {}
        for name, short, kind, participation, country, iati in ORGANISATIONS:
            org, _ = Organisation.objects.get_or_create(
                name=name,
                defaults={
                    "short_name": short,
                    "type": kind,
                    "participation": participation,
                    "country_id": country,
                    "iati_identifier": iati,
                },
            )
            organisation_group_ensure(org)
            organisations[name] = org
        for name, description in THEMES:
            CrossCuttingTheme.objects.get_or_create(name=name, defaults={"description": description})
        pillars = {}
        for order, (code, name, description, lead, co_leads) in enumerate(PILLARS, start=1):
            pillar, _ = Pillar.objects.get_or_create(
                code=code, defaults={"name": name, "description": description, "order": order}
            )
            wanted = {organisations[n].pk for n in co_leads}
            current = set(pillar.co_lead_organisations.values_list("pk", flat=True))
            if pillar.lead_organisation_id != organisations[lead].pk or wanted != current:
                pillar_leads_set(
                    actor=None,
                    pillar=pillar,
                    lead_organisation=organisations[lead],
                    co_lead_organisations=[organisations[n] for n in co_leads],
                )
            pillars[code] = pillar
        objectives = {}
        for code, pillar in pillars.items():
            ipa, _ = IntegratedPlanOfAction.objects.get_or_create(
                pillar=pillar,
                period_start=IPA_START,
                defaults={
                    "title": f"{code} Integrated Plan of Action 2024–2027",
                    "period_end": IPA_END,
                    "status": IntegratedPlanOfAction.Status.ADOPTED,
                    "adopted_on": date(2023, 11, 15),
                },
            )
            for obj_code, title, indicators in OBJECTIVES[code]:
                parent = objectives.get((code, obj_code.rsplit(".", 1)[0])) if "." in obj_code else None
                objective, created = Objective.objects.get_or_create(
                    ipa=ipa, code=obj_code, defaults={"title": title, "parent": parent}
                )
                objectives[(code, obj_code)] = objective
                if created:
                    for name, unit, baseline, target in indicators:
                        Indicator.objects.create(
                            objective=objective,
                            name=name,
                            unit=unit,
                            baseline=baseline,
                            target=target,
                            latest_value=baseline + (target - baseline) // 3,
                            latest_value_on=date(2026, 6, 30),
                        )
                    FundingNeed.objects.create(
                        objective=objective,
                        # Sized like the demo portfolio (about 300 activities), so that gaps show where money is short.
                        amount_eur=Decimal(30_000_000 if parent else 6_000_000),
                        period_start=IPA_START,
                        period_end=IPA_END,
                    )
        for email, full_name, org_name, role, staff_role, superuser in DEMO_USERS:
            user = User.objects.filter(email=email).first()
            if user is None:
                factory = User.objects.create_superuser if superuser else User.objects.create_user
                user = factory(
                    email=email,
                    password=DEMO_PASSWORD,
                    full_name=full_name,
                    is_staff=superuser or staff_role == roles.SUPPORT_GROUP_STAFF,
                )
            if (
                org_name
                and not Membership.objects.filter(user=user, organisation=organisations[org_name], role=role).exists()
            ):
                membership_set(actor=None, user=user, organisation=organisations[org_name], role=role)
            if staff_role and not user.groups.filter(name=staff_role).exists():
                staff_role_set(actor=None, user=user, role=staff_role)
        meeting, created = Meeting.objects.get_or_create(
            body=Meeting.Body.BOARD,
            date=date(2026, 12, 10),
            defaults={
                "title": "IISG Board meeting, Brdo Process ministerial forum",
                "place": "Brdo pri Kranju, Slovenia",
                "host": organisations["Slovenia – Ministry of the Interior"],
            },
        )
        if created:
            meeting.participants.set([org for org in organisations.values() if org.participation != P.OBSERVER])
            for order, (title, pillar_code, presenter) in enumerate(
                [
                    ("Opening and adoption of the agenda", None, "Slovenia – Ministry of the Interior"),
                    ("Progress of the WBCTi iPA", "WBCTi", "DCAF Ljubljana"),
                    ("Progress of the WBCSCi iPA", "WBCSCi", "PCC SEE Secretariat"),
                    ("Progress of the WBBSi iPA", "WBBSi", "DCAF Ljubljana"),
                    ("Funding gaps and donor coordination", None, "DCAF Ljubljana"),
                    ("Any other business", None, None),
                ],
                start=1,
            ):
                AgendaItem.objects.create(
                    meeting=meeting,
                    order=order,
                    title=title,
                    pillar=pillars.get(pillar_code),
                    presenter=organisations.get(presenter),
                )
    return {"organisations": organisations, "pillars": pillars, "objectives": objectives}


def _activity_rows(i: int, structure: dict):
    """Activity number i, its objective links, beneficiaries and funding lines, from its own random stream."""
    rng = random.Random(20170908 + i)
    organisations, objectives = structure["organisations"], structure["objectives"]
    pillar_code = rng.choice(list(TOPICS))
    topic, objective_code = rng.choice(TOPICS[pillar_code])
    title = f"{rng.choice(FORMATS).format(topic=topic)} {rng.choice(AUDIENCES)}"
    countries = rng.sample(BENEFICIARY_CODES, rng.choice([1, 1, 2, 3, 6]))
    if len(countries) < 6:
        title += " in " + ", ".join(sorted(countries))
    else:
        title += " (regional)"
    start = date(2022, 1, 1) + timedelta(days=rng.randrange(0, 5 * 365))
    end = start + timedelta(days=rng.choice([90, 180, 365, 540, 730]))
    today = date(2026, 11, 1)
    status = (
        Activity.Status.PLANNED
        if start > today
        else Activity.Status.COMPLETED
        if end < today
        else Activity.Status.ONGOING
    )
    if rng.random() < 0.03:
        status = Activity.Status.CANCELLED
    approval = rng.choices(
        [
            Activity.ApprovalState.APPROVED,
            Activity.ApprovalState.SUBMITTED,
            Activity.ApprovalState.DRAFT,
            Activity.ApprovalState.RETURNED,
        ],
        weights=[80, 10, 7, 3],
    )[0]
    implementer = organisations[rng.choice(IMPLEMENTERS)]
    budget = Decimal(rng.randrange(50, 3000) * 1000)
    # Varied wording, so that only activities that really are alike read alike.
    description = " ".join(
        [
            rng.choice(OPENINGS).format(topic=topic, pillar=pillar_code, objective=objective_code),
            rng.choice(METHODS).format(n=rng.randint(2, 12), countries=", ".join(sorted(countries))),
            rng.choice(RESULTS),
        ]
    ).strip()
    submitted = datetime.combine(start - timedelta(days=rng.randrange(20, 120)), time(10), tzinfo=UTC)
    if approval == Activity.ApprovalState.SUBMITTED:
        # Entries still waiting were submitted lately, some beyond the 14 days of the reminder digest.
        submitted = datetime(2026, 10, 10, 10, tzinfo=UTC) + timedelta(days=rng.randrange(0, 40))
    activity = Activity(
        review_round=0 if approval == Activity.ApprovalState.DRAFT else 1,
        approved_at=submitted + timedelta(days=7) if approval == Activity.ApprovalState.APPROVED else None,
        title=title[:300],
        description=description,
        organisation=implementer,
        implementing_organisation=implementer,
        planned_start=start,
        planned_end=end,
        status=status,
        approval_state=approval,
        budget_eur=budget,
        contact=f"contact.{i}@example.org",
        external_id=f"DEMO-{i:06d}",
    )
    links = [(objectives[(pillar_code, objective_code)], True)]
    if rng.random() < 0.1:  # inter-pillar work, e.g. illegal arms trafficking
        other = rng.choice([c for c in TOPICS if c != pillar_code])
        links.append((objectives[(other, rng.choice(TOPICS[other])[1])], False))
    fundings = []
    remaining = budget * Decimal(rng.choice([60, 80, 100])) / 100
    donors = rng.sample(DONORS, rng.choice([1, 1, 2]))
    for n, (donor_name, currency, instrument) in enumerate(donors):
        # The last donor takes at most what is left, so funding never exceeds the budget.
        share = 100 if n == len(donors) - 1 else rng.choice([40, 50, 70])
        amount_eur = (remaining * Decimal(share) / 100).quantize(Decimal("1"))
        remaining -= amount_eur
        rate = EUR_PER_UNIT[currency]
        fundings.append(
            Funding(
                donor=organisations[donor_name],
                currency=currency,
                amount=(amount_eur / rate).quantize(Decimal("0.01")),
                amount_eur=amount_eur,
                instrument=instrument,
                status=rng.choice([Funding.Status.PLEDGED, Funding.Status.COMMITTED, Funding.Status.DISBURSED]),
            )
        )
    return activity, links, countries, fundings, submitted


REVIEW_STATE = {
    Activity.ApprovalState.APPROVED: ActivityReview.State.APPROVED,
    Activity.ApprovalState.SUBMITTED: ActivityReview.State.PENDING,
    Activity.ApprovalState.RETURNED: ActivityReview.State.RETURNED,
}


def _reviews(activity: Activity, objective_links, submitted, pillar_of: dict) -> list[ActivityReview]:
    """The review round that brought a demo entry to its approval state, one row per pillar named."""
    state = REVIEW_STATE.get(activity.approval_state)
    if state is None:
        return []
    pillar_ids = sorted({pillar_of[objective.pk] for objective, _ in objective_links})
    decided = state != ActivityReview.State.PENDING
    return [
        ActivityReview(
            activity=activity,
            pillar_id=pillar_id,
            round=1,
            state=state,
            submitted_at=submitted,
            decided_at=submitted + timedelta(days=7) if decided else None,
            comment="Please add the budget per beneficiary." if state == ActivityReview.State.RETURNED else "",
        )
        for pillar_id in pillar_ids
    ]


def build_activities(count: int, structure: dict, *, batch_size: int = 2000) -> int:
    """Create the first `count` demo activities that do not exist yet; returns how many were created."""
    existing = set(Activity.objects.filter(external_id__startswith="DEMO-").values_list("external_id", flat=True))
    created = 0
    Beneficiary = Activity.beneficiaries.through
    pillar_of = dict(Objective.objects.values_list("pk", "ipa__pillar_id"))
    for batch_start in range(0, count, batch_size):
        rows = [
            _activity_rows(i, structure)
            for i in range(batch_start, min(count, batch_start + batch_size))
            if f"DEMO-{i:06d}" not in existing
        ]
        if not rows:
            continue
        with transaction.atomic():
            activities = Activity.objects.bulk_create([row[0] for row in rows], batch_size=batch_size)
            links, beneficiaries, fundings, reviews = [], [], [], []
            for activity, (_, objective_links, countries, activity_fundings, submitted) in zip(
                activities, rows, strict=True
            ):
                reviews.extend(_reviews(activity, objective_links, submitted, pillar_of))
                links.extend(
                    ActivityObjective(activity=activity, objective=o, is_primary=p) for o, p in objective_links
                )
                beneficiaries.extend(Beneficiary(activity_id=activity.pk, country_id=c) for c in countries)
                for funding in activity_fundings:
                    funding.activity = activity
                    fundings.append(funding)
            ActivityObjective.objects.bulk_create(links, batch_size=5000)
            Beneficiary.objects.bulk_create(beneficiaries, batch_size=5000)
            Funding.objects.bulk_create(fundings, batch_size=5000)
            ActivityReview.objects.bulk_create(reviews, batch_size=5000)
        created += len(rows)
    if created > 1000:
        # Fresh statistics and visibility map, as autovacuum would leave them: else the planner guesses
        # from a nearly empty table and index-only scans still visit the heap.
        with connection.cursor() as cursor:
            for model in (Activity, ActivityObjective, Beneficiary, Funding, ActivityReview):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")  # noqa: S608 - our own table names
    return created


def first_duplication_report() -> bool:
    """A portal with activities has had a duplication report (nightly, in production): the demo runs the
    first one here, in this process, so its flags show at once. Once only: later seeds leave runs alone."""
    from ipas.duplication.services import duplication_run_execute, duplication_run_start
    from ipas.models import DuplicationRun

    if DuplicationRun.objects.exists():
        return False
    run = duplication_run_start(actor=None, trigger=DuplicationRun.Trigger.COMMAND, enqueue=False)
    duplication_run_execute(run_id=run.pk, recheck=False)  # nothing else writes while the demo is seeded
    return True
