"""A small Board world for the pack: two pillars, objectives with needs and indicators, funded activities,
a meeting with agenda, decisions and action points, and the meeting before it."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from board.models import ActionPoint, Decision, Meeting
from ipas.models import Activity, Funding
from partners import roles
from partners.models import KOSOVO_FOOTNOTE
from tests.board.factories import ActionPointFactory, AgendaItemFactory, DecisionFactory, MeetingFactory
from tests.ipas.factories import (
    ActivityFactory,
    FundingFactory,
    FundingNeedFactory,
    IndicatorFactory,
    ObjectiveFactory,
)
from tests.partners.factories import CountryFactory, OrganisationFactory, UserFactory

SERBIAN_MINISTRY = "Министарство унутрашњих послова Републике Србије"
ALBANIAN_MINISTRY = "Ministria e Punëve të Brendshme (Kosovë)"


@pytest.fixture
def board_member(db):
    from partners.services import roles_ensure

    roles_ensure()
    user = UserFactory(email="minister@board.example", full_name="Board member")
    user.groups.add(Group.objects.get(name=roles.BOARD_MEMBERS))
    return user


@dataclass
class World:
    meeting: Meeting
    previous: Meeting
    agenda_titles: list[str]
    decisions: list[Decision]
    overdue_point: ActionPoint
    carried_point: ActionPoint
    serbian_ministry: object
    # Money by pillar code and status, written down by hand from the rows below.
    expected: dict


@pytest.fixture
def world(db, pillar, other_pillar, objective, other_objective):
    CountryFactory(code="XK", name="Kosovo", footnote=KOSOVO_FOOTNOTE)
    serbian = OrganisationFactory(name=SERBIAN_MINISTRY, short_name="RS MoI", type="national_authority")
    albanian = OrganisationFactory(name=ALBANIAN_MINISTRY, short_name="XK MIA", type="national_authority")
    donor = OrganisationFactory(name="Austria – Federal Ministry of the Interior", type="third_state_donor")
    sub = ObjectiveFactory(ipa=objective.ipa, code="1.1", parent=objective, title="Community referral mechanisms")
    empty = ObjectiveFactory(ipa=objective.ipa, code="2", title="Protection of soft targets")
    IndicatorFactory(
        objective=sub,
        name="Municipalities with referral mechanism",
        unit="municipalities",
        baseline=Decimal(4),
        target=Decimal(30),
        latest_value=Decimal(13),
    )
    FundingNeedFactory(objective=objective, amount_eur=Decimal("500000.00"))
    FundingNeedFactory(objective=sub, amount_eur=Decimal("1250000.50"))
    FundingNeedFactory(objective=other_objective, amount_eur=Decimal("800000.00"))

    a1 = ActivityFactory(
        objective=sub,
        countries=["RS", "XK"],
        status=Activity.Status.ONGOING,
        title="P/CVE referral training for municipal staff",
    )
    FundingFactory(activity=a1, donor=donor, amount=Decimal("120000.25"), status=Funding.Status.COMMITTED)
    FundingFactory(activity=a1, donor=donor, amount=Decimal("30000.00"), status=Funding.Status.PLEDGED)
    a2 = ActivityFactory(objective=objective, countries=["AL"], status=Activity.Status.COMPLETED)
    FundingFactory(activity=a2, donor=donor, amount=Decimal("75500.75"), status=Funding.Status.DISBURSED)
    a3 = ActivityFactory(objective=other_objective, countries=["BA", "ME"])
    FundingFactory(
        activity=a3,
        donor=donor,
        amount=Decimal("200000.00"),
        status=Funding.Status.COMMITTED,
        currency="USD",
        amount_eur=Decimal("184000.00"),
    )
    # Not counted: a cancelled activity's money, and a draft of another organisation.
    cancelled = ActivityFactory(objective=sub, status=Activity.Status.CANCELLED)
    FundingFactory(activity=cancelled, donor=donor, amount=Decimal("999999.00"), status=Funding.Status.COMMITTED)
    draft = ActivityFactory(objective=objective, approval_state=Activity.ApprovalState.DRAFT, title="Secret draft")
    FundingFactory(activity=draft, donor=donor, amount=Decimal("888888.00"), status=Funding.Status.COMMITTED)
    # Inter-pillar activity: its money counts once, under its primary objective's pillar (WBCSCi).
    a4 = ActivityFactory(objective=other_objective, countries=["MK"])
    a4.objective_links.create(objective=objective, is_primary=False)
    FundingFactory(activity=a4, donor=donor, amount=Decimal("10000.00"), status=Funding.Status.PLEDGED)

    previous = MeetingFactory(title="IISG Board meeting, spring", date=date(2026, 5, 20))
    carried = ActionPointFactory(
        meeting=previous,
        text="Lead Partners to map firearms focal points",
        responsible=albanian,
        due_date=date(2026, 9, 1),
    )
    ActionPointFactory(meeting=previous, text="Already done", status=ActionPoint.Status.DONE)
    meeting = MeetingFactory(
        title="IISG Board meeting, Brdo Process",
        date=timezone_today() + timedelta(days=14),
        place="Brdo pri Kranju",
        host=donor,
    )
    meeting.participants.set([serbian, albanian, donor])
    titles = ["Opening and adoption of the agenda", "Progress of the WBCTi iPA", "Funding gaps and donor coordination"]
    items = [
        AgendaItemFactory(
            meeting=meeting,
            order=i,
            title=t,
            presenter=serbian if i == 2 else None,
            documents="WBCTi progress report 2026\nM&E dashboard extract" if i == 2 else "",
        )
        for i, t in enumerate(titles, start=1)
    ]
    decisions = [
        DecisionFactory(
            meeting=meeting,
            year=2026,
            sequence=4,
            agenda_item=items[1],
            text="The Board endorses the revised WBCTi iPA.",
        ),
        DecisionFactory(
            meeting=meeting, year=2026, sequence=5, text="The Board calls on donors to close the WBCSCi gap."
        ),
    ]
    overdue = ActionPointFactory(
        meeting=meeting,
        text="Secretariat to circulate the minutes",
        responsible=serbian,
        due_date=timezone_today() - timedelta(days=3),
    )
    to_pillar = {"WBCTi": {}, "WBCSCi": {}}
    to_pillar["WBCTi"] = {
        "need": Decimal("500000.00") + Decimal("1250000.50"),
        "pledged": Decimal("30000.00"),
        "committed": Decimal("120000.25"),
        "disbursed": Decimal("75500.75"),
    }
    to_pillar["WBCSCi"] = {
        "need": Decimal("800000.00"),
        "pledged": Decimal("10000.00"),
        "committed": Decimal("184000.00"),
        "disbursed": Decimal("0.00"),
    }
    for money in to_pillar.values():
        money["gap"] = money["need"] - money["committed"] - money["disbursed"]
    assert empty.pk  # an objective with no activity
    return World(
        meeting=meeting,
        previous=previous,
        agenda_titles=titles,
        decisions=decisions,
        overdue_point=overdue,
        carried_point=carried,
        serbian_ministry=serbian,
        expected=to_pillar,
    )


def timezone_today():
    from django.utils import timezone

    return timezone.localdate()
