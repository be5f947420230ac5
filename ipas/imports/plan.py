"""Reading and checking donors' lists of activities (CSV or XLSX) before they are imported.

Nothing here writes: `ipas.imports.reading.read_table` turns an uploaded file into rows of text, `import_plan`
checks every row against the database and says what an import would do. `ipas.imports.services.activities_import`
writes.

The format (issue 4, "Bulk import of donors' lists"): one header row, then one activity per row, columns
``external_id, title, description, implementing_organisation, funding, beneficiaries, pillars, start_date,
end_date, budget_eur, status``:

- ``funding``: ``Donor name=amount; Other donor=amount`` (EUR; a point for decimals, no thousands separator);
- ``beneficiaries``: ISO codes separated by ``;`` (AL;BA;XK;MK;ME;RS);
- ``pillars``: pillar codes separated by ``;`` (WBCTi;WBCSCi);
- dates: YYYY-MM-DD (XLSX date cells are accepted too);
- ``budget_eur``: empty means the sum of the funding lines;
- ``status``: planned, ongoing, completed or cancelled (empty means planned).

``description``, ``funding``, ``budget_eur`` and ``status`` may be left out; the other columns are required.
Row numbers are those a spreadsheet program shows: the header is row 1, the first activity row 2.

Decisions (see also ipas/imports/services.py):

- Owner organisation: the organisation whose list it is, if the person importing names one (the donor,
  typically); otherwise each row's implementing organisation, which would have logged the entry itself.
  ``external_id`` is unique per owner, so re-importing a list for the same owner updates its entries.
- Pillar to objective: a pillar code maps to the top-level objective "1" of the pillar's adopted iPA (the
  adopted iPA whose period contains the start date, else the latest adopted one). The first pillar gives
  the primary objective, the others additional ones. An update whose entry is already linked to objectives
  of exactly the named pillars keeps those (possibly finer) objectives.
- Organisations are matched by name or short name, ignoring case; unknown ones are created, marked
  ``needs_review`` (donors as third-state donors, implementers as NGOs, both "ad hoc": a guess to check).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db.models import Q

from iisg_portal.errors import PortalError
from ipas.activities.snapshots import activity_snapshot
from ipas.imports.reading import Table
from ipas.models import Activity, ActivityRevision, IntegratedPlanOfAction, Objective
from partners.models import Country, Organisation
from pillars.models import Pillar

COLUMNS = [
    "external_id",
    "title",
    "description",
    "implementing_organisation",
    "funding",
    "beneficiaries",
    "pillars",
    "start_date",
    "end_date",
    "budget_eur",
    "status",
]
REQUIRED_COLUMNS = [
    "external_id",
    "title",
    "implementing_organisation",
    "beneficiaries",
    "pillars",
    "start_date",
    "end_date",
]
OPEN_REVISION_STATES = ActivityRevision.OPEN_STATES
# Funding lines of a donor's own list are the donor's commitments, in EUR.
FUNDING_STATUS = "committed"
NEW_DONOR_TYPE = Organisation.Type.THIRD_STATE_DONOR
NEW_IMPLEMENTER_TYPE = Organisation.Type.NGO

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MAX_AMOUNT = Decimal("1e12")  # the amount columns hold 14 digits, 2 after the point
_THOUSANDS_WITH_POINTS = re.compile(r"^\d{1,3}(\.\d{3})+$")


# --- Checking the rows -----------------------------------------------------------------------------------


@dataclass
class RowError:
    row: int
    message: str


@dataclass
class NewOrganisation:
    name: str
    type: str
    rows: list[int] = field(default_factory=list)

    @property
    def type_label(self) -> str:
        return Organisation.Type(self.type).label


@dataclass
class PlannedRow:
    """One valid row and what importing it does."""

    row: int
    external_id: str
    title: str
    description: str
    implementing_organisation: str  # the name as written; resolved to an existing or a new organisation
    fundings: list[tuple[str, Decimal]]
    beneficiaries: list[str]
    pillars: list[Pillar]
    objectives: list[int]  # primary first
    start: date
    end: date
    budget_eur: Decimal
    status: str
    owner: str | None = None  # the owner's name when it is each row's implementing organisation
    action: str = "create"  # create, update or unchanged
    activity_id: int | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    filename: str
    owner: Organisation | None
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    new_organisations: list[NewOrganisation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    organisations: Organisations | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_errors

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def creates(self) -> int:
        return self.count("create")

    @property
    def updates(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def errors_by_row(self) -> list[tuple[int, list[str]]]:
        grouped: dict[int, list[str]] = {}
        for error in self.errors:
            grouped.setdefault(error.row, []).append(error.message)
        return sorted(grouped.items())

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})


class Organisations:
    """Existing organisations by name and short name (ignoring case), and those the import would create."""

    def __init__(self):
        self.by_name: dict[str, Organisation] = {}
        short: dict[str, list[Organisation]] = {}
        for organisation in Organisation.objects.only("pk", "name", "short_name"):
            self.by_name[organisation.name.casefold()] = organisation
            if organisation.short_name:
                short.setdefault(organisation.short_name.casefold(), []).append(organisation)
        self.by_short_name = short
        self.new: dict[str, NewOrganisation] = {}

    def id_of(self, name: str) -> int | None:
        """The id of the organisation a valid name resolves to (None: to be created, not yet saved)."""
        key = name.casefold()
        found = self.by_name.get(key) or (self.by_short_name.get(key) or [None])[0]
        return found.pk if found else None

    def add_created(self, organisation: Organisation) -> None:
        self.by_name[organisation.name.casefold()] = organisation
        self.new.pop(organisation.name.casefold(), None)

    def resolve(self, name: str, *, row: int, kind: str) -> tuple[Organisation | None, str | None]:
        """The existing organisation called `name`, or None (to be created); or an error message."""
        key = name.casefold()
        if key in self.by_name:
            return self.by_name[key], None
        matches = self.by_short_name.get(key, [])
        if len(matches) == 1:
            return matches[0], None
        if len(matches) > 1:
            names = ", ".join(sorted(o.name for o in matches))
            return None, f"{kind} “{name}” is the short name of several organisations ({names}): write the full name"
        if len(name) > Organisation._meta.get_field("name").max_length:
            return None, f"{kind} name is longer than 200 characters"
        new = self.new.setdefault(
            key, NewOrganisation(name=name, type=NEW_DONOR_TYPE if kind == "donor" else NEW_IMPLEMENTER_TYPE)
        )
        if row not in new.rows:
            new.rows.append(row)
        return None, None


class PillarObjectives:
    """Pillar codes (ignoring case) and the objective "1" of their adopted iPAs."""

    def __init__(self):
        self.pillars = {p.code.casefold(): p for p in Pillar.objects.all()}
        self.objectives: dict[int, list[tuple[IntegratedPlanOfAction, int]]] = {}
        top = Objective.objects.filter(
            code="1", parent__isnull=True, ipa__status=IntegratedPlanOfAction.Status.ADOPTED
        ).select_related("ipa")
        for objective in top.order_by("-ipa__period_start"):
            self.objectives.setdefault(objective.ipa.pillar_id, []).append((objective.ipa, objective.pk))

    def objective_for(self, pillar: Pillar, start: date | None) -> int | None:
        candidates = self.objectives.get(pillar.pk, [])
        for ipa, objective_id in candidates:
            if start and ipa.period_start <= start <= ipa.period_end:
                return objective_id
        return candidates[0][1] if candidates else None


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _amount(text: str, what: str) -> tuple[Decimal | None, str | None]:
    cleaned = re.sub(r"[\s\u00a0\u202f_]", "", text)
    if cleaned.upper().startswith("EUR"):
        cleaned = cleaned[3:]
    cleaned = cleaned.removesuffix("€").removeprefix("€")
    if "," in cleaned:
        return None, f"{what} “{text}” has a comma: write amounts with a point for decimals and no separators"
    if _THOUSANDS_WITH_POINTS.match(cleaned):
        # "150.000" is 150 thousand in much of the region and 150 here: refuse rather than guess.
        return None, (
            f"{what} “{text}” looks like thousands separated by points: write {cleaned.replace('.', '')}"
            " (a point is only for cents, e.g. 1500.50)"
        )
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None, f"{what} “{text}” is not a number"
    if not amount.is_finite() or amount < 0:
        return None, f"{what} “{text}” must be zero or more"
    # Before rounding: quantize() itself fails on numbers of more than 28 digits.
    if amount >= _MAX_AMOUNT:
        return None, f"{what} “{text}” is too large"
    if amount != amount.quantize(Decimal("0.01")):
        return None, f"{what} “{text}” has more than 2 decimals"
    return amount.quantize(Decimal("0.01")), None


def _date(text: str, column: str) -> tuple[date | None, str | None]:
    if not text:
        return None, f"{column} is empty"
    if not _DATE.match(text):
        return None, f"{column} “{text}” is not a date written YYYY-MM-DD"
    try:
        return date.fromisoformat(text), None
    except ValueError:
        return None, f"{column} “{text}” is not a real date"


STATUS_WORDS = {
    **{value: value for value in Activity.Status.values},
    **{label.casefold(): value for value, label in Activity.Status.choices},
}


def import_plan(table: Table, *, owner: Organisation | None = None, filename: str = "") -> ImportPlan:
    """Check every row of `table` and say what importing it would do. Reads only."""
    plan = ImportPlan(filename=filename, owner=owner)
    header = table.header
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        plan.file_errors.append(
            "The header row lacks the column(s) "
            + ", ".join(missing)
            + ". Expected: "
            + ", ".join(COLUMNS)
            + f" (found: {', '.join(h for h in header if h) or 'nothing'})."
        )
    repeated = sorted({h for h in header if h and header.count(h) > 1})
    if repeated:
        plan.file_errors.append(f"The header row names a column twice: {', '.join(repeated)}.")
    ignored = [h for h in header if h and h not in COLUMNS]
    if ignored:
        plan.notes.append(f"Columns ignored: {', '.join(ignored)}.")
    if not table.rows:
        plan.file_errors.append("The file has a header but no activity rows.")
    if plan.file_errors:
        return plan

    position = {name: header.index(name) for name in COLUMNS if name in header}
    organisations = Organisations()
    pillars = PillarObjectives()
    # Only beneficiaries: the forms, the consult page and the API take no other country either.
    countries = set(Country.objects.filter(is_beneficiary=True).values_list("code", flat=True))
    seen_ids: dict[str, int] = {}
    max_length = {name: Activity._meta.get_field(name).max_length for name in ("title", "external_id")}

    for number, cells in table.rows:
        errors: list[str] = []

        def cell(name: str, cells=cells) -> str:
            index = position.get(name)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        external_id = cell("external_id")
        if not external_id:
            errors.append("external_id is empty (it is what a later import updates)")
        elif len(external_id) > max_length["external_id"]:
            errors.append("external_id is longer than 100 characters")
        elif external_id in seen_ids:
            errors.append(f"external_id “{external_id}” is already on row {seen_ids[external_id]}")
        else:
            seen_ids[external_id] = number
        title = cell("title")
        if not title:
            errors.append("title is empty")
        elif len(title) > max_length["title"]:
            errors.append("title is longer than 300 characters")

        implementer = cell("implementing_organisation")
        implementer_org = None
        if not implementer:
            errors.append("implementing_organisation is empty")
        else:
            implementer_org, error = organisations.resolve(implementer, row=number, kind="implementing organisation")
            if error:
                errors.append(error)

        fundings: list[tuple[str, Decimal]] = []
        for part in _split(cell("funding")):
            donor, sep, amount_text = part.rpartition("=")
            donor = donor.strip()
            if not sep or not donor:
                errors.append(f"funding “{part}” is not written “Donor name=amount”")
                continue
            amount, error = _amount(amount_text.strip(), f"funding amount of {donor}")
            if error:
                errors.append(error)
                continue
            donor_org, error = organisations.resolve(donor, row=number, kind="donor")
            if error:
                errors.append(error)
                continue
            # One donor by its full name and its short name is still one donor.
            earlier = next(
                (
                    d
                    for d, _ in fundings
                    if d.casefold() == donor.casefold() or (donor_org and organisations.id_of(d) == donor_org.pk)
                ),
                None,
            )
            if earlier is not None:
                both = "" if earlier.casefold() == donor.casefold() else f" (as “{earlier}” and “{donor}”)"
                errors.append(f"funding names {donor} twice{both}")
                continue
            fundings.append((donor, amount))

        beneficiaries = []
        codes = _split(cell("beneficiaries"))
        if not codes:
            errors.append("beneficiaries is empty (ISO codes separated by ;, e.g. AL;RS)")
        for code in codes:
            if code.upper() not in countries:
                errors.append(
                    f"beneficiary “{code}” is not one of the portal's beneficiaries ({';'.join(sorted(countries))})"
                )
            elif code.upper() not in beneficiaries:
                beneficiaries.append(code.upper())

        start, error = _date(cell("start_date"), "start_date")
        if error:
            errors.append(error)
        end, error = _date(cell("end_date"), "end_date")
        if error:
            errors.append(error)
        if start and end and end < start:
            errors.append(f"end_date {end} is before start_date {start}")

        row_pillars, objectives = [], []
        pillar_codes = _split(cell("pillars"))
        if not pillar_codes:
            errors.append("pillars is empty (pillar codes separated by ;)")
        for code in pillar_codes:
            pillar = pillars.pillars.get(code.casefold())
            if pillar is None:
                known = ", ".join(p.code for p in pillars.pillars.values())
                errors.append(f"pillar “{code}” is not known (known: {known})")
                continue
            objective = pillars.objective_for(pillar, start)
            if objective is None:
                errors.append(f"pillar {pillar.code} has no adopted iPA with an objective “1” to file the entry under")
            elif pillar not in row_pillars:
                row_pillars.append(pillar)
                objectives.append(objective)

        budget_text = cell("budget_eur")
        if budget_text:
            budget, error = _amount(budget_text, "budget_eur")
            if error:
                errors.append(error)
        else:
            budget = sum((amount for _, amount in fundings), Decimal("0.00"))

        status_text = cell("status")
        status = STATUS_WORDS.get(status_text.casefold() or "planned")
        if status is None:
            errors.append(f"status “{status_text}” is not one of {', '.join(Activity.Status.values)}")

        if errors:
            plan.errors.extend(RowError(number, message) for message in errors)
            continue
        plan.rows.append(
            PlannedRow(
                row=number,
                external_id=external_id,
                title=title,
                description=cell("description"),
                implementing_organisation=implementer,
                fundings=fundings,
                beneficiaries=sorted(beneficiaries),
                pillars=row_pillars,
                objectives=objectives,
                start=start,
                end=end,
                budget_eur=budget,
                status=status,
                owner=None if owner else (implementer_org.name if implementer_org else implementer),
            )
        )

    plan.new_organisations = list(organisations.new.values())
    plan.organisations = organisations
    if plan.ok:
        _match_existing(plan)
    return plan


def _match_existing(plan: ImportPlan) -> None:
    """Find the entries the rows update (same owner, same external_id) and say whether anything changes."""
    organisations = plan.organisations

    def owner_id(row: PlannedRow) -> int | None:
        return plan.owner.pk if plan.owner is not None else organisations.id_of(row.owner)

    wanted = {(owner_id(r), r.external_id): r for r in plan.rows}
    owners = {o for o, _ in wanted if o is not None}
    if not owners:
        return
    existing = Activity.objects.filter(
        organisation_id__in=owners, external_id__in=[e for _, e in wanted]
    ).prefetch_related("objective_links__objective__ipa", "beneficiaries", "themes", "fundings")
    open_revisions = set(
        ActivityRevision.objects.filter(activity__in=existing, state__in=OPEN_REVISION_STATES).values_list(
            "activity_id", flat=True
        )
    )
    for activity in existing:
        row = wanted.get((activity.organisation_id, activity.external_id))
        if row is None:
            continue
        row.activity_id = activity.pk
        before = activity_snapshot(activity)
        unchanged = (
            imported_snapshot(row, organisations, before=before, activity=activity) == before
            and activity.approval_state == Activity.ApprovalState.APPROVED
            and activity.pk not in open_revisions
        )
        row.action = "unchanged" if unchanged else "update"
        if activity.approval_state == Activity.ApprovalState.WITHDRAWN:
            row.warnings.append("the entry was withdrawn; the import publishes it again")
        elif activity.approval_state == Activity.ApprovalState.SUBMITTED or activity.pk in open_revisions:
            row.warnings.append("changes or reviews pending on the entry are discarded")


def imported_snapshot(
    row: PlannedRow, organisations: Organisations, *, before: dict | None = None, activity: Activity | None = None
) -> dict:
    """The entry as the row describes it, in the shape of activity_snapshot.

    Fields the file does not carry (actual dates, contact, links, themes) keep their current values.
    """
    data = (
        dict(before) if before else {"actual_start": None, "actual_end": None, "contact": "", "links": "", "themes": []}
    )
    data.update(
        title=row.title,
        description=row.description,
        implementing_organisation=organisations.id_of(row.implementing_organisation),
        planned_start=row.start.isoformat(),
        planned_end=row.end.isoformat(),
        status=row.status,
        budget_eur=str(row.budget_eur),
        beneficiaries=sorted(row.beneficiaries),
    )
    current_ids, current_pillars = _objectives_of(activity) if activity is not None else ([], set())
    if current_ids and current_pillars == {p.pk for p in row.pillars}:
        pass  # the entry already sits under (possibly finer) objectives of exactly these pillars: keep them
    else:
        data["primary_objective"] = row.objectives[0]
        data["additional_objectives"] = sorted(row.objectives[1:])
    existing_lines = {line["donor"]: line for line in (before or {}).get("fundings", [])}
    fundings = []
    for donor, amount in row.fundings:
        donor_id = organisations.id_of(donor)
        kept = existing_lines.get(donor_id) if donor_id else None
        fundings.append(
            {
                "donor": donor_id,
                "amount": str(amount),
                "currency": "EUR",
                "amount_eur": str(amount),
                "status": kept["status"] if kept else FUNDING_STATUS,
                "instrument": kept["instrument"] if kept else "",
            }
        )
    data["fundings"] = fundings
    return data


def _objectives_of(activity: Activity) -> tuple[list[int], set[int]]:
    """The entry's objective ids and the pillars they belong to."""
    links = list(activity.objective_links.all())
    return [link.objective_id for link in links], {link.objective.ipa.pillar_id for link in links}


def plan_summary(plan: ImportPlan) -> str:
    parts = [f"{plan.count('create')} to create", f"{plan.count('update')} to update"]
    if plan.count("unchanged"):
        parts.append(f"{plan.count('unchanged')} unchanged")
    if plan.new_organisations:
        parts.append(f"{len(plan.new_organisations)} new organisation(s) marked for review")
    return ", ".join(parts)


def report_lines(plan: ImportPlan) -> list[str]:
    """The plan as plain text lines (the command prints them)."""
    lines = [f"{plan.filename}: {len(plan.rows) + plan.bad_rows} activity row(s) read."]
    lines.extend(plan.file_errors)
    for row, messages in plan.errors_by_row:
        lines.extend(f"  row {row}: {message}" for message in messages)
    if not plan.ok:
        return lines
    lines.append(plan_summary(plan) + ".")
    for row in plan.rows:
        warning = f" ({'; '.join(row.warnings)})" if row.warnings else ""
        lines.append(f"  row {row.row}: {row.action} {row.external_id} “{row.title}”{warning}")
    for new in plan.new_organisations:
        rows = ", ".join(str(r) for r in new.rows)
        lines.append(f"  new organisation, marked for review: {new.name} ({new.type_label}; row {rows})")
    lines.extend(plan.notes)
    return lines


def owner_lookup(text: str) -> Organisation:
    """An organisation by id, name or short name (for the command's --organisation)."""
    query = Q(name__iexact=text) | Q(short_name__iexact=text)
    if text.isdigit():
        query |= Q(pk=int(text))
    found = list(Organisation.objects.filter(query)[:2])
    if len(found) != 1:
        raise PortalError(
            f"No organisation is called “{text}”." if not found else f"Several organisations match “{text}”."
        )
    return found[0]
