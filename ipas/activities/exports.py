"""The activity list as a file: exactly the filtered rows (all pages), as CSV lines or an XLSX workbook."""

import csv

from iisg_portal.exports import safe_cell
from ipas.activities.selectors import with_list_details

EXPORT_COLUMNS = [
    "ID",
    "External ID",
    "Title",
    "Organisation",
    "Implementing organisation",
    "Pillars",
    "Primary objective",
    "Beneficiaries",
    "Donors",
    "Planned start",
    "Planned end",
    "Status",
    "Approval state",
    "Budget (EUR)",
    "Funding (EUR)",
]


def export_rows(activities):
    yield EXPORT_COLUMNS
    for a in with_list_details(activities).iterator(chunk_size=2000):
        links = list(a.objective_links.all())
        primary = next((link.objective for link in links if link.is_primary), None)
        fundings = list(a.fundings.all())
        yield [
            a.pk,
            a.external_id,
            a.title,
            a.organisation.name,
            a.implementing_organisation.name,
            ", ".join(sorted({link.objective.ipa.pillar.code for link in links})),
            f"{primary.ipa.pillar.code} {primary.code} {primary.title}" if primary else "",
            ", ".join(c.code for c in a.beneficiaries.all()),
            "; ".join(sorted({f.donor.name for f in fundings})),
            a.planned_start.isoformat(),
            a.planned_end.isoformat(),
            a.get_status_display(),
            a.get_approval_state_display(),
            a.budget_eur,
            sum((f.amount_eur for f in fundings), 0),
        ]


class _Echo:
    def write(self, value):
        return value


def activities_csv_lines(activities):
    """CSV lines (the first with a byte-order mark, so spreadsheet programs read UTF-8), one per row."""
    writer = csv.writer(_Echo())
    for i, row in enumerate(export_rows(activities)):
        yield ("\ufeff" if i == 0 else "") + writer.writerow([safe_cell(v) for v in row])


def activities_xlsx_write(activities, stream) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Activities")
    for row in export_rows(activities):
        sheet.append([safe_cell(v) for v in row])
    workbook.save(stream)
