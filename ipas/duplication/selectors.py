"""Permission-scoped reads of duplication flags (the board's meeting packs use `open_duplicate_flags`)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from ipas.activities.selectors import activities_visible_to
from ipas.duplication import engine
from ipas.models import Activity, DuplicateFlag, Funding
from partners.models import Country, Organisation, User
from partners.selectors import organisations_of
from pillars.models import Pillar

RUN_PERM = "ipas.run_duplication_report"


def open_duplicate_flags() -> QuerySet[DuplicateFlag]:
    """Every open flag, strongest first, with both activities: for staff reports and meeting packs only."""
    return DuplicateFlag.objects.open().select_related(
        "activity_a", "activity_b", "activity_a__organisation", "activity_b__organisation"
    )


def flags_visible_to(user: User) -> QuerySet[DuplicateFlag]:
    """All flags for Support Group staff; for a partner, the flags on activities its organisation logs,
    implements or funds (a donor's portfolio is often logged by its implementers) whose two activities it
    may both see (the engine also compares drafts: another organisation's draft stays unseen, and so does
    its own draft for a viewer)."""
    if not user.is_authenticated:
        return DuplicateFlag.objects.none()
    if user.has_perm(RUN_PERM):
        return DuplicateFlag.objects.all()
    own = organisations_of(user).values("pk")
    funded = Funding.objects.filter(donor__in=own).values("activity_id")
    # One indexed semi-join per way of being involved (an OR over a join with fundings took 10x longer at
    # 100,000 activities).
    involved = Q()
    for side in ("activity_a", "activity_b"):
        involved |= (
            Q(**{f"{side}__organisation__in": own})
            | Q(**{f"{side}__implementing_organisation__in": own})
            | Q(**{f"{side}__in": funded})
        )
    visible = activities_visible_to(user).values("pk")
    return DuplicateFlag.objects.filter(involved, activity_a__in=visible, activity_b__in=visible)


def get_flag_for_user(user: User, pk: int, perm: str | None = None) -> DuplicateFlag:
    """404 when the user may not see the flag, 403 when they see it but may not do `perm`."""
    flag = (
        flags_visible_to(user)
        .select_related(
            "activity_a", "activity_b", "resolved_by", "activity_a__organisation", "activity_b__organisation"
        )
        .filter(pk=pk)
        .first()
    )
    if flag is None:
        raise Http404("No such flag.")
    if perm and not user.has_perm(perm):
        raise PermissionDenied
    return flag


def filter_flags(flags: QuerySet[DuplicateFlag], *, pillar=None, country=None, donor=None, min_score=None, kind=None):
    """The report's filters: a flag matches when either of its activities does."""

    def either(**lookup):
        a = Q(**{f"activity_a__{k}": v for k, v in lookup.items()})
        b = Q(**{f"activity_b__{k}": v for k, v in lookup.items()})
        return a | b

    if pillar:
        flags = flags.filter(either(objective_links__objective__ipa__pillar=pillar))
    if country:
        flags = flags.filter(either(beneficiaries=country))
    if donor:
        flags = flags.filter(either(fundings__donor=donor))
    if min_score is not None:
        flags = flags.filter(score__gte=min_score)
    if kind:
        flags = flags.filter(kind=kind)
    if pillar or country or donor:
        flags = flags.distinct()
    return flags


@dataclass(frozen=True)
class FlagFilters:
    """The report's filters, checked (FlagFilterForm makes them): what `filter_flags` applies, what a report
    file keeps to be built later (`query`: ids only, nothing else of the address) and states (`description`)."""

    pillar: Pillar | None = None
    country: Country | None = None
    donor: Organisation | None = None
    min_score: int | None = None  # percent, 0-100
    kind: str = ""

    def lookups(self) -> dict:
        """Keyword arguments of `filter_flags`."""
        return {
            "pillar": self.pillar,
            "country": self.country,
            "donor": self.donor,
            "min_score": self.min_score / 100 if self.min_score is not None else None,
            "kind": self.kind or None,
        }

    def query(self) -> str:
        values = [
            ("pillar", self.pillar.pk if self.pillar else None),
            ("country", self.country.pk if self.country else None),
            ("donor", self.donor.pk if self.donor else None),
            ("min_score", self.min_score),
            ("kind", self.kind),
        ]
        return urlencode([(name, value) for name, value in values if value not in (None, "")])

    def description(self) -> str:
        """The filters in words, for the exported files: "All open flags" when there are none."""
        parts = []
        if self.pillar:
            parts.append(f"pillar {self.pillar.code}")
        if self.country:
            parts.append(f"beneficiary {self.country.code}")
        if self.donor:
            parts.append(f"donor {self.donor.label}")
        if self.min_score is not None:
            parts.append(f"score at least {self.min_score}%")
        if self.kind:
            parts.append(dict(DuplicateFlag.Kind.choices)[self.kind].lower())
        return "Open flags with " + ", ".join(parts) if parts else "All open flags"

    @classmethod
    def from_query(cls, query: str) -> FlagFilters | None:
        """The filters a report file kept, read again when the worker builds it: None when one of them names
        a pillar, beneficiary or donor no longer there (the file must not hold every flag instead)."""
        values = dict(parse_qsl(query))
        found: dict = {}
        lookups = {
            "pillar": Pillar.objects.all(),
            "country": Country.objects.filter(is_beneficiary=True),
            "donor": Organisation.objects.filter(fundings__isnull=False).distinct(),
        }
        for name, candidates in lookups.items():
            if values.get(name):
                found[name] = candidates.filter(pk=values[name]).first()
                if found[name] is None:
                    return None
        if values.get("min_score"):
            if not values["min_score"].isdigit() or int(values["min_score"]) > 100:
                return None
            found["min_score"] = int(values["min_score"])
        if values.get("kind"):
            if values["kind"] not in DuplicateFlag.Kind.values:
                return None
            found["kind"] = values["kind"]
        return cls(**found)


def pair_details(flag: DuplicateFlag) -> dict:
    """Both activities with donors, beneficiaries and objectives, and their texts split into highlighted runs."""
    activities = {
        a.pk: a
        for a in Activity.objects.filter(pk__in=[flag.activity_a_id, flag.activity_b_id])
        .select_related("organisation", "implementing_organisation")
        .prefetch_related("beneficiaries", "fundings__donor", "objective_links__objective__ipa__pillar")
    }
    a, b = activities[flag.activity_a_id], activities[flag.activity_b_id]
    return {
        "a": a,
        "b": b,
        "title_a": engine.highlight(a.title, b.title),
        "title_b": engine.highlight(b.title, a.title),
        "description_a": engine.highlight(a.description, b.description, passages=True),
        "description_b": engine.highlight(b.description, a.description, passages=True),
    }
