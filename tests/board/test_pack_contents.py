"""Open the files a pack build produces and read them as a ministry would: PDF text, Word tables, Excel cells."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.db.models import Sum
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from board import services
from board.models import MeetingPack
from board.packs import build_pack_files
from board.packs.excel import safe
from ipas.models import Activity, DuplicateFlag, Funding
from tests.board.conftest import SERBIAN_MINISTRY
from tests.utils import pdf_text


def eur(value: Decimal) -> str:
    return f"{value:,.2f}"


def committed_in_db(pillar) -> Decimal:
    """The committed money of a pillar, summed by the database without the pack's code."""
    return (
        Funding.objects.filter(
            status=Funding.Status.COMMITTED,
            activity__approval_state=Activity.ApprovalState.APPROVED,
            activity__objective_links__is_primary=True,
            activity__objective_links__objective__ipa__pillar=pillar,
        )
        .exclude(activity__status=Activity.Status.CANCELLED)
        .aggregate(total=Sum("amount_eur"))["total"]
    )


def test_built_pack_files_hold_the_meetings_content_and_the_databases_figures(
    world, secretariat, pillar, other_pillar, django_capture_on_commit_callbacks, tmp_path
):
    # One open flag from a duplication report (how the engine finds it is tested in tests/ipas).
    first, second = sorted(Activity.objects.filter(approval_state="approved"), key=lambda a: a.pk)[:2]
    DuplicateFlag.objects.create(
        activity_a=first, activity_b=second, score=0.91, reasons=["title 91% similar", "same beneficiaries RS"]
    )
    # A flag naming another organisation's unpublished draft stays with the Support Group, out of the pack.
    draft = Activity.objects.get(title="Secret draft")
    DuplicateFlag.objects.create(
        activity_a=min(first, draft, key=lambda a: a.pk),
        activity_b=max(first, draft, key=lambda a: a.pk),
        score=0.95,
        reasons=["title 95% similar"],
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        pack = services.meeting_pack_request(actor=secretariat, meeting=world.meeting)
    assert len(callbacks) == 1  # the Celery job is enqueued only once the request commits
    built = services.meeting_pack_build(actor=secretariat, pack_id=pack.pk)
    assert built.status == MeetingPack.Status.DONE and built.percent == 100
    assert services.meeting_pack_build(actor=secretariat, pack_id=pack.pk) is None  # a second run does nothing
    files = {f.format: bytes(f.content) for f in built.files.all()}
    assert set(files) == {"pdf", "docx", "xlsx"}

    expected = world.expected
    total = {key: expected["WBCTi"][key] + expected["WBCSCi"][key] for key in expected["WBCTi"]}
    assert committed_in_db(pillar) == expected["WBCTi"]["committed"]
    assert committed_in_db(other_pillar) == expected["WBCSCi"]["committed"]
    assert built.summary["funding_total"]["committed"] == str(total["committed"])

    # PDF: agenda, decision numbers, Cyrillic name, figures, running header and page numbers.
    text = pdf_text(files["pdf"], tmp_path)
    flat = " ".join(text.split())
    for title in world.agenda_titles:
        assert title in flat
    assert "2026/04" in flat and "2026/05" in flat
    assert SERBIAN_MINISTRY in flat
    assert "Ministria e Punëve të Brendshme" in flat
    for code in ("WBCTi", "WBCSCi"):
        for key in ("need", "pledged", "committed", "disbursed", "gap"):
            assert eur(expected[code][key]) in flat, (code, key)
    assert eur(total["need"]) in flat and eur(total["gap"]) in flat
    assert "Secret draft" not in flat and "999,999.00" not in flat and "888,888.00" not in flat
    assert "WBCTi progress report 2026" in flat  # the agenda item's documents
    assert "Lead Partners to map firearms focal points" in flat  # carried over from the previous meeting
    assert "Overdue" in flat
    assert "Protection of soft targets" in flat  # objective with no activity yet
    assert "Municipalities with referral mechanism" in flat
    assert "Open flags: 1" in flat
    assert "title 91% similar" in flat
    assert "ICJ Opinion on the Kosovo declaration" in flat
    reader = PdfReader(io.BytesIO(files["pdf"]))
    pages = len(reader.pages)
    assert f"Page 3 of {pages}" in flat
    assert "Contents" in flat
    assert "IISG Board · " in reader.pages[2].extract_text()  # running header

    # Word: agenda, decisions and action points to edit, with the same totals.
    document = Document(io.BytesIO(files["docx"]))
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    for title in world.agenda_titles:
        assert title in paragraphs
    assert {"2026/04", "2026/05", "Overdue", SERBIAN_MINISTRY} <= cells
    assert {eur(expected["WBCTi"]["committed"]), eur(total["need"]), eur(total["gap"])} <= cells

    # Excel: numbers as numbers, equal to the database's.
    book = load_workbook(io.BytesIO(files["xlsx"]), read_only=True)
    rows = {row[0]: row[1:6] for row in book["Funding by pillar"].iter_rows(min_row=6, values_only=True) if row[0]}
    for code in ("WBCTi", "WBCSCi"):
        assert [Decimal(str(v)).quantize(Decimal("0.01")) for v in rows[code]] == [
            expected[code][k] for k in ("need", "pledged", "committed", "disbursed", "gap")
        ]
    assert Decimal(str(rows["All pillars"][2])).quantize(Decimal("0.01")) == total["committed"]
    activity_titles = [row[2] for row in book["Activities"].iter_rows(min_row=2, values_only=True)]
    assert "P/CVE referral training for municipal staff" in activity_titles
    assert "Secret draft" not in activity_titles
    lines = sum(1 for _ in book["Funding lines"].iter_rows(min_row=2))
    assert lines == Funding.objects.filter(activity__approval_state=Activity.ApprovalState.APPROVED).count()


def test_spreadsheet_cells_that_look_like_formulas_are_neutralised():
    assert safe('=HYPERLINK("http://evil")') == '\'=HYPERLINK("http://evil")'
    assert safe("+381 11 123") == "'+381 11 123"
    assert safe("-1") == "'-1" and safe("@SUM(A1)") == "'@SUM(A1)"
    assert safe("Regional training") == "Regional training"
    assert safe(Decimal("-5")) == Decimal("-5")  # numbers stay numbers


def test_activity_titles_that_look_like_formulas_stay_text_in_the_annex(world):
    from tests.ipas.factories import ActivityFactory

    ActivityFactory(title="=1+1 training")
    files, _, _ = build_pack_files(world.meeting, formats=("xlsx",))
    book = load_workbook(io.BytesIO(files["xlsx"]))
    titles = [row[2].value for row in book["Activities"].iter_rows(min_row=2)]
    assert "'=1+1 training" in titles
    assert all(row[2].data_type == "s" for row in book["Activities"].iter_rows(min_row=2))


@pytest.mark.parametrize("fmt", ["docx", "zip"])
def test_export_command_writes_the_pack(world, tmp_path, fmt):
    from django.core.management import call_command

    out = tmp_path / f"pack.{fmt}"
    if fmt == "zip":
        pytest.importorskip("weasyprint")
    call_command("export_meeting_pack", str(world.meeting.pk), "--format", fmt, "-o", str(out), stdout=io.StringIO())
    if fmt == "docx":
        assert "2026/04" in {c.text for t in Document(str(out)).tables for r in t.rows for c in r.cells}
    else:
        names = zipfile.ZipFile(out).namelist()
        assert sorted(n.rsplit(".", 1)[1] for n in names) == ["docx", "pdf", "xlsx"]
