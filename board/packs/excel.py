"""The Excel annex: the activities and funding lines behind the pack's figures, and the figures themselves."""

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from board.packs.data import PackData
from iisg_portal.exports import safe_cell as safe

MONEY_FORMAT = "#,##0.00"
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E9EEF3")


def _header(sheet, names: list[str]) -> None:
    cells = []
    for name in names:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cells.append(cell)
    sheet.append(cells)


def _row(sheet, values: list, *, money: set[int] = frozenset(), bold: bool = False) -> None:
    # Plain values where no style is needed: thousands of rows stay fast.
    cells = []
    for index, value in enumerate(values):
        if index in money or bold:
            cell = WriteOnlyCell(sheet, value=safe(value))
            if index in money:
                cell.number_format = MONEY_FORMAT
            if bold:
                cell.font = BOLD
            cells.append(cell)
        else:
            cells.append(safe(value))
    sheet.append(cells)


def _money_values(money) -> list[Decimal]:
    return [money.need, money.pledged, money.committed, money.disbursed, money.gap]


def render_xlsx(data: PackData) -> bytes:
    meeting = data.meeting
    book = Workbook(write_only=True)
    money_columns = {1, 2, 3, 4, 5}

    summary = book.create_sheet("Funding by pillar")
    summary.column_dimensions["A"].width = 28
    for letter in "BCDEF":
        summary.column_dimensions[letter].width = 18
    _row(summary, [f"{meeting.title} – meeting pack v{data.version}"], bold=True)
    _row(summary, [f"{meeting.get_body_display()}, {meeting.date:%d %B %Y}, {meeting.place}"])
    _row(
        summary,
        [
            "EUR. Gap = need − committed − disbursed; funding of approved, not cancelled activities by primary objective."
        ],
    )
    _row(summary, [])
    _header(summary, ["Pillar", "Need", "Pledged", "Committed", "Disbursed", "Gap"])
    for section in data.pillars:
        _row(summary, [section.pillar.code, *_money_values(section.money)], money=money_columns)
    _row(summary, ["All pillars", *_money_values(data.money)], money=money_columns, bold=True)

    by_objective = book.create_sheet("Funding by objective")
    by_objective.column_dimensions["B"].width = 60
    _header(by_objective, ["Pillar", "Objective", "Need", "Pledged", "Committed", "Disbursed", "Gap", "Activities"])
    for section in data.pillars:
        for row in section.objectives:
            _row(
                by_objective,
                [
                    section.pillar.code,
                    f"{row.objective.code} {row.objective.title}",
                    *_money_values(row.money),
                    row.activity_count,
                ],
                money={2, 3, 4, 5, 6},
            )

    activities = book.create_sheet("Activities")
    activities.column_dimensions["C"].width = 60
    _header(
        activities,
        [
            "ID",
            "External ID",
            "Title",
            "Organisation",
            "Implementer",
            "Pillars",
            "Primary objective",
            "All objectives",
            "Beneficiaries",
            "Status",
            "Planned start",
            "Planned end",
            "Budget (EUR)",
            "Pledged (EUR)",
            "Committed (EUR)",
            "Disbursed (EUR)",
            "Approved since previous meeting",
        ],
    )
    status_label = {"planned": "Planned", "ongoing": "Ongoing", "completed": "Completed", "cancelled": "Cancelled"}
    for row in data.activities:
        funding = row["funding"]
        _row(
            activities,
            [
                row["id"],
                row["external_id"],
                row["title"],
                row["organisation_name"],
                row["implementer_name"],
                ", ".join(sorted(row["pillars"])),
                row.get("primary_label", ""),
                "; ".join(row["objectives"]),
                ", ".join(sorted(row["beneficiaries"])),
                status_label.get(row["status"], row["status"]),
                row["planned_start"],
                row["planned_end"],
                row["budget_eur"],
                funding.pledged,
                funding.committed,
                funding.disbursed,
                "yes" if row["since"] else "no",
            ],
            money={12, 13, 14, 15},
        )

    fundings = book.create_sheet("Funding lines")
    _header(
        fundings, ["Funding ID", "Activity ID", "Donor", "Instrument", "Status", "Amount", "Currency", "Amount (EUR)"]
    )
    for line in data.fundings:
        _row(
            fundings,
            [
                line["id"],
                line["activity_id"],
                line["donor_name"],
                line["instrument"],
                line["status"],
                line["amount"],
                line["currency"],
                line["amount_eur"],
            ],
            money={5, 7},
        )

    decisions = book.create_sheet("Decisions")
    decisions.column_dimensions["B"].width = 80
    _header(decisions, ["No.", "Decision", "Status", "Agenda item"])
    for decision in data.decisions:
        _row(
            decisions,
            [
                decision.number,
                decision.text,
                decision.get_status_display(),
                decision.agenda_item.title if decision.agenda_item else "",
            ],
        )

    points = book.create_sheet("Action points")
    points.column_dimensions["A"].width = 60
    _header(points, ["Action", "Responsible", "Due", "Status", "Overdue", "Age (days)", "Set at meeting of"])
    for row in data.action_points:
        _row(
            points,
            [
                row.point.text,
                str(row.point.responsible),
                row.point.due_date,
                row.point.get_status_display(),
                "yes" if row.overdue else "no",
                row.age_days,
                row.point.meeting.date,
            ],
        )

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
