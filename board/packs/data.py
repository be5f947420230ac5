"""Everything a meeting pack shows, read once from the database so that the PDF, Word and Excel files agree.

Definitions used throughout the pack (and printed in it):
- Activities counted are the approved ones (what the secretariat may see); drafts never appear.
- Funding is the EUR value of the funding lines of approved activities that are not cancelled, attributed to the
  activity's primary objective (so no euro is counted twice), and from there to that objective's pillar.
- Gap = need − committed − disbursed (pledges are shown, but are not yet secured money).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from board.models import ActionPoint, Decision, Meeting
from board.selectors import action_points_for_pack, previous_meeting
from ipas.models import Activity, ActivityObjective, Funding, FundingNeed, IntegratedPlanOfAction, Objective
from partners.models import KOSOVO_FOOTNOTE, Country, Organisation
from pillars.models import Pillar

ZERO = Decimal("0.00")
FUNDING_STATUSES = [Funding.Status.PLEDGED, Funding.Status.COMMITTED, Funding.Status.DISBURSED]
ACTIVITY_STATUSES = list(Activity.Status)


@dataclass
class Money:
    need: Decimal = ZERO
    pledged: Decimal = ZERO
    committed: Decimal = ZERO
    disbursed: Decimal = ZERO

    @property
    def gap(self) -> Decimal:
        return self.need - self.committed - self.disbursed

    def add(self, other: "Money") -> None:
        self.need += other.need
        self.pledged += other.pledged
        self.committed += other.committed
        self.disbursed += other.disbursed

    def as_dict(self) -> dict[str, str]:
        return {
            "need": str(self.need),
            "pledged": str(self.pledged),
            "committed": str(self.committed),
            "disbursed": str(self.disbursed),
            "gap": str(self.gap),
        }


@dataclass
class ObjectiveRow:
    objective: Objective
    money: Money
    activity_count: int
    indicators: list


@dataclass
class PillarSection:
    pillar: Pillar
    ipas: list[IntegratedPlanOfAction]
    approved_total: int
    approved_since: int
    # rows: (beneficiary label, {status: count}, total)
    by_beneficiary: list[tuple[str, dict[str, int], int]]
    by_status_total: dict[str, int]
    objectives: list[ObjectiveRow]
    objectives_without_activity: list[Objective]
    money: Money


@dataclass
class ActionPointRow:
    point: ActionPoint
    age_days: int
    overdue: bool
    carried_over: bool


@dataclass
class PackData:
    meeting: Meeting
    version: int
    built_at: datetime
    today: date
    previous: Meeting | None
    since: date | None
    agenda: list
    decisions: list[Decision]
    action_points: list[ActionPointRow]
    pillars: list[PillarSection]
    money: Money
    duplication: dict
    participants: list[tuple[Organisation, bool]]
    activities: list[dict] = field(repr=False)
    fundings: list[dict] = field(repr=False)
    countries: dict[str, Country] = field(repr=False)
    kosovo_footnote: str = ""

    @property
    def title(self) -> str:
        return self.meeting.title

    def summary(self) -> dict:
        """The figures the pack was built from, kept on the MeetingPack row."""
        return {
            "previous_meeting": self.previous.pk if self.previous else None,
            "approved_activities": len(self.activities),
            "funding_lines": len(self.fundings),
            "agenda_items": len(self.agenda),
            "decisions": len(self.decisions),
            "action_points": len(self.action_points),
            "overdue_action_points": sum(1 for row in self.action_points if row.overdue),
            "funding_total": self.money.as_dict(),
            "funding_by_pillar": {section.pillar.code: section.money.as_dict() for section in self.pillars},
        }


def _approval_time_field():
    """When an activity was approved: `approved_at` where the review workflow records it, else its creation."""
    try:
        Activity._meta.get_field("approved_at")
    except FieldDoesNotExist:
        return F("created_at")
    return Coalesce("approved_at", "created_at")


def duplication_section(*, top: int = 10) -> dict:
    """Open duplication flags between approved activities: how many, and the strongest ones. (Packs go to Lead
    Partners and the Board: a flag naming an organisation's unpublished draft stays with the Support Group.)"""
    from ipas.duplication.selectors import open_duplicate_flags

    approved = Activity.ApprovalState.APPROVED
    flags = open_duplicate_flags().filter(activity_a__approval_state=approved, activity_b__approval_state=approved)
    return {"available": True, "count": flags.count(), "top": list(flags[:top])}


def collect(meeting: Meeting, *, version: int = 0, today: date | None = None) -> PackData:
    built_at = timezone.now()
    today = today or timezone.localdate()
    previous = previous_meeting(meeting)
    since = previous.date if previous else None
    since_dt = timezone.make_aware(datetime.combine(since, time.min)) if since else None

    agenda = list(meeting.agenda_items.select_related("pillar", "presenter").prefetch_related("decisions"))
    for item in agenda:
        item.document_list = [line.strip() for line in item.documents.splitlines() if line.strip()]
    decisions = list(
        meeting.decisions.select_related("agenda_item")
        .prefetch_related("corrections", "action_points")
        .order_by("year", "sequence")
    )
    action_points = [
        ActionPointRow(
            point=point,
            age_days=max((today - point.meeting.date).days, 0),
            overdue=point.is_overdue(today),
            carried_over=point.meeting_id != meeting.pk,
        )
        for point in action_points_for_pack(meeting)
    ]

    # Activities, their objectives, beneficiaries and funding, in four flat reads.
    approved = Activity.objects.approved()
    activities = list(
        approved.annotate(approved_on=_approval_time_field())
        .values(
            "id",
            "external_id",
            "title",
            "status",
            "planned_start",
            "planned_end",
            "budget_eur",
            "approved_on",
            organisation_name=F("organisation__name"),
            implementer_name=F("implementing_organisation__name"),
        )
        .order_by("id")
    )
    by_id = {row["id"]: row for row in activities}
    for row in activities:
        row.update(
            pillars=set(),
            primary=None,
            objectives=[],
            beneficiaries=[],
            since=since_dt is None or (row["approved_on"] is not None and row["approved_on"] >= since_dt),
            funding=Money(),
        )
    for link in (
        ActivityObjective.objects.filter(activity__in=approved)
        .values("activity_id", "objective_id", "is_primary", "objective__code", "objective__ipa__pillar__code")
        .order_by("activity_id", "-is_primary", "objective__code")
    ):
        row = by_id[link["activity_id"]]
        label = f"{link['objective__ipa__pillar__code']} {link['objective__code']}"
        row["pillars"].add(link["objective__ipa__pillar__code"])
        row["objectives"].append(label)
        if link["is_primary"]:
            row["primary"] = link["objective_id"]
            row["primary_label"] = label
    countries = {country.code: country for country in Country.objects.all()}
    for link in Activity.beneficiaries.through.objects.filter(activity__in=approved).values(
        "activity_id", "country_id"
    ):
        by_id[link["activity_id"]]["beneficiaries"].append(link["country_id"])
    fundings = list(
        Funding.objects.filter(activity__in=approved)
        .values(
            "id", "activity_id", "amount", "currency", "amount_eur", "status", "instrument", donor_name=F("donor__name")
        )
        .order_by("activity_id", "id")
    )

    # Funding per primary objective.
    objective_money: dict[int, Money] = defaultdict(Money)
    for line in fundings:
        activity = by_id[line["activity_id"]]
        if activity["status"] == Activity.Status.CANCELLED or activity["primary"] is None:
            continue
        money = objective_money[activity["primary"]]
        setattr(money, line["status"], getattr(money, line["status"]) + line["amount_eur"])
        setattr(activity["funding"], line["status"], getattr(activity["funding"], line["status"]) + line["amount_eur"])
    for need in FundingNeed.objects.values("objective_id").annotate(total=Sum("amount_eur")):
        objective_money[need["objective_id"]].need += need["total"]

    activity_count = Counter(
        link["objective_id"]
        for link in ActivityObjective.objects.filter(activity__in=approved).values("objective_id", "activity_id")
    )

    pillars = []
    total = Money()
    objectives = (
        (
            Objective.objects.filter(ipa__status=IntegratedPlanOfAction.Status.ADOPTED)
            | Objective.objects.filter(pk__in=list(objective_money))
        )
        .select_related("ipa", "parent")
        .prefetch_related("indicators")
    )
    objectives_by_pillar: dict[int, list[Objective]] = defaultdict(list)
    for objective in objectives.order_by("ipa__pillar__order", "ipa__period_start", "code"):
        objectives_by_pillar[objective.ipa.pillar_id].append(objective)
    for pillar in Pillar.objects.select_related("lead_organisation").order_by("order", "code"):
        rows = [
            ObjectiveRow(
                objective=objective,
                money=objective_money.get(objective.pk, Money()),
                activity_count=activity_count.get(objective.pk, 0),
                indicators=list(objective.indicators.all()),
            )
            for objective in sorted(objectives_by_pillar.get(pillar.pk, []), key=_code_key)
        ]
        money = Money()
        for row in rows:
            money.add(row.money)
        total.add(money)
        in_pillar = [row for row in activities if pillar.code in row["pillars"]]
        recent = [row for row in in_pillar if row["since"]]
        table: dict[str, Counter] = defaultdict(Counter)
        for row in recent:
            for code in row["beneficiaries"] or ["—"]:
                table[code][row["status"]] += 1
        by_beneficiary = [
            (
                countries[code].display_name if code in countries else code,
                {status.value: table[code][status.value] for status in ACTIVITY_STATUSES},
                sum(table[code].values()),
            )
            for code in sorted(table, key=lambda c: countries[c].name if c in countries else c)
        ]
        pillars.append(
            PillarSection(
                pillar=pillar,
                ipas=sorted({row.objective.ipa for row in rows}, key=lambda ipa: ipa.period_start),
                approved_total=len(in_pillar),
                approved_since=len(recent),
                by_beneficiary=by_beneficiary,
                by_status_total={s.value: sum(1 for r in recent if r["status"] == s.value) for s in ACTIVITY_STATUSES},
                objectives=rows,
                objectives_without_activity=[row.objective for row in rows if not row.activity_count],
                money=money,
            )
        )

    attended = set(meeting.attendees.values_list("pk", flat=True))
    participants = [
        (org, org.pk in attended)
        for org in meeting.participants.select_related("country").order_by("participation", "name")
    ]
    uses_kosovo = any("XK" in row["beneficiaries"] for row in activities) or any(
        org.country_id == "XK" for org, _ in participants
    )
    return PackData(
        meeting=meeting,
        version=version,
        built_at=built_at,
        today=today,
        previous=previous,
        since=since,
        agenda=agenda,
        decisions=decisions,
        action_points=action_points,
        pillars=pillars,
        money=total,
        duplication=duplication_section(),
        participants=participants,
        activities=activities,
        fundings=fundings,
        countries=countries,
        kosovo_footnote=KOSOVO_FOOTNOTE if uses_kosovo else "",
    )


def _code_key(objective: Objective):
    return (objective.ipa.period_start, [int(part) for part in objective.code.split(".")])
