"""The pack as a Word document the secretariat edits: agenda, decisions, action points and the funding totals."""

import io

from docx import Document
from docx.enum.section import WD_ORIENT  # noqa: F401 - kept for landscape annexes
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor

from board.packs.data import PackData
from board.templatetags.board_pack import eur

FONT = "Noto Sans"
BLUE = RGBColor(0x17, 0x3F, 0x5F)


def _table(document, header: list[str], rows: list[list[str]], *, numeric: set[int] = frozenset()):
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for index, text in enumerate(header):
        cell = table.rows[0].cells[index]
        cell.text = text
        run = cell.paragraphs[0].runs[0]
        run.bold = True
        if index in numeric:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for values in rows:
        cells = table.add_row().cells
        for index, value in enumerate(values):
            cells[index].text = value
            if index in numeric:
                cells[index].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return table


def render_docx(data: PackData) -> bytes:
    meeting = data.meeting
    document = Document()
    styles = document.styles
    styles["Normal"].font.name = FONT
    styles["Normal"].font.size = Pt(10)
    for name in ("Title", "Heading 1", "Heading 2"):
        styles[name].font.name = FONT
        styles[name].font.color.rgb = BLUE
    document.core_properties.title = f"{meeting.title} – meeting pack"
    document.core_properties.author = "IISG Board secretariat"

    header = document.sections[0].header.paragraphs[0]
    header.text = f"{meeting.get_body_display()} · {meeting.date:%d %B %Y}"
    document.add_heading(meeting.title, level=0)
    facts = [
        ("Body", meeting.get_body_display()),
        ("Date", f"{meeting.date:%A, %d %B %Y}"),
        ("Place", meeting.place),
        ("Host", str(meeting.host) if meeting.host else "–"),
        ("Pack version", f"{data.version} (data as of {data.built_at:%d %B %Y %H:%M} UTC)"),
    ]
    for label, value in facts:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(value)

    document.add_heading("Agenda", level=1)
    for item in data.agenda:
        document.add_heading(f"{item.order}. {item.title}", level=2)
        details = []
        if item.pillar:
            details.append(f"Pillar: {item.pillar.code}")
        if item.presenter:
            details.append(f"Presented by {item.presenter}")
        if details:
            document.add_paragraph(" · ".join(details))
        for line in item.document_list:
            document.add_paragraph(line, style="List Bullet")
        if item.outcome:
            paragraph = document.add_paragraph()
            paragraph.add_run("Outcome: ").bold = True
            paragraph.add_run(item.outcome)
    if not data.agenda:
        document.add_paragraph("No agenda items yet.")

    document.add_heading("Decisions proposed for this meeting", level=1)
    _table(
        document,
        ["No.", "Decision", "Agenda item", "Status"],
        [
            [
                decision.number,
                decision.text,
                f"{decision.agenda_item.order}. {decision.agenda_item.title}" if decision.agenda_item else "–",
                decision.get_status_display(),
            ]
            for decision in data.decisions
        ],
    )

    document.add_heading("Action points", level=1)
    _table(
        document,
        ["Action", "Responsible", "Due", "Status", "Age (days)", "Set at", "Follow-up"],
        [
            [
                row.point.text,
                str(row.point.responsible),
                f"{row.point.due_date:%d %b %Y}",
                "Overdue" if row.overdue else row.point.get_status_display(),
                str(row.age_days),
                f"{row.point.meeting.date:%d %b %Y}" if row.carried_over else "this meeting",
                row.point.follow_up,
            ]
            for row in data.action_points
        ],
        numeric={4},
    )

    document.add_heading("Funding overview (EUR)", level=1)
    document.add_paragraph("Gap = need − committed − disbursed. Figures as in the PDF pack and the Excel annex.")
    rows = [
        [
            section.pillar.code,
            eur(section.money.need),
            eur(section.money.pledged),
            eur(section.money.committed),
            eur(section.money.disbursed),
            eur(section.money.gap),
        ]
        for section in data.pillars
    ]
    money = data.money
    rows.append(
        [
            "All pillars",
            eur(money.need),
            eur(money.pledged),
            eur(money.committed),
            eur(money.disbursed),
            eur(money.gap),
        ]
    )
    _table(document, ["Pillar", "Need", "Pledged", "Committed", "Disbursed", "Gap"], rows, numeric={1, 2, 3, 4, 5})
    if data.kosovo_footnote:
        document.add_paragraph(f"* Kosovo: {data.kosovo_footnote}").runs[0].font.size = Pt(8)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
