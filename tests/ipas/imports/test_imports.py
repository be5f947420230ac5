"""Bulk import of donors' lists: reading, checking and writing, and the import_activities command."""

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from ipas.imports.plan import import_plan
from ipas.imports.reading import MAX_ROWS, ImportFileError, read_table
from ipas.imports.services import activities_import
from ipas.models import Activity, ActivityRevision, DuplicateFlag
from partners.models import Organisation
from tests.ipas.factories import IntegratedPlanOfActionFactory, ObjectiveFactory
from tests.ipas.import_files import GOOD_ROWS, HEADER, csv_bytes, xlsx_bytes
from tests.partners.factories import CountryFactory


@pytest.fixture
def world(objective, other_objective, partner_org, donor, other_donor, countries):
    """Pillars WBCTi and WBCSCi with adopted iPAs, UNDP, two donors, the six beneficiaries."""
    return {"objective": objective, "other_objective": other_objective}


def run_import(content: bytes, name: str = "list.csv", **kwargs):
    return activities_import(actor=None, table=read_table(content, name), filename=name, **kwargs)


def test_a_good_csv_imports_every_row_published_and_owned_by_the_implementing_organisation(
    world, partner_org, donor, other_donor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        plan = run_import(csv_bytes(*GOOD_ROWS))
    assert plan.ok and plan.count("create") == 2
    assert len(callbacks) == 2  # one duplication check per imported entry, after commit
    first = Activity.objects.get(external_id="AT-2026-001")
    assert first.organisation == partner_org == first.implementing_organisation
    assert first.approval_state == Activity.ApprovalState.APPROVED and first.approved_at
    assert first.status == "ongoing" and first.description == "Joint course, five days"
    assert (first.planned_start, first.planned_end, first.budget_eur) == (date(2026, 1, 1), date(2026, 12, 31), 200000)
    assert sorted(first.beneficiaries.values_list("code", flat=True)) == ["ME", "RS"]
    assert [(f.donor, f.amount_eur, f.currency) for f in first.fundings.all()] == [
        (other_donor, Decimal("150000.00"), "EUR"),
        (donor, Decimal("50000.00"), "EUR"),
    ]
    link = first.objective_links.get()
    assert link.objective == world["objective"] and link.is_primary
    second = Activity.objects.get(external_id="AT-2026-002")
    assert second.budget_eur == Decimal("80000.50")  # empty budget: the sum of the funding lines
    assert [(lnk.objective, lnk.is_primary) for lnk in second.objective_links.order_by("-is_primary")] == [
        (world["objective"], True),
        (world["other_objective"], False),
    ]


def test_unknown_organisations_are_created_once_and_marked_for_review(world):
    rows = [
        GOOD_ROWS[1],
        "AT-2026-003,Second course,,balkan forensic network,New Donor Fund=10,BA,WBCTi,2026-03-01,2026-04-01,,",
    ]
    plan = run_import(csv_bytes(*rows))
    assert [(n.name, n.type, n.rows) for n in plan.new_organisations] == [
        ("Balkan Forensic Network", Organisation.Type.NGO, [2, 3]),
        ("New Donor Fund", Organisation.Type.THIRD_STATE_DONOR, [3]),
    ]
    network = Organisation.objects.get(name="Balkan Forensic Network")
    assert network.needs_review and network.group_id
    assert Organisation.objects.get(name="New Donor Fund").needs_review
    # The new organisation owns both of its rows: one organisation, not two differing by case.
    assert set(Activity.objects.filter(organisation=network).values_list("external_id", flat=True)) == {
        "AT-2026-002",
        "AT-2026-003",
    }


def test_a_good_xlsx_imports_with_date_cells_and_numbers(world, partner_org):
    content = xlsx_bytes(
        [
            [
                "X-1",
                "Cyber forensics course",
                "",
                "UNDP",
                "EU DG NEAR=1000",
                "AL",
                "wbcti",
                date(2026, 5, 1),
                "2026-06-30",
                1000,
                "Planned",
            ],
            # A formula is never evaluated: its stored value (none, as openpyxl wrote it) is read instead.
            ["X-2", '=HYPERLINK("http://evil")', "", "UNDP", "", "AL", "WBCTi", "2026-05-01", "2026-06-30", 0.5, ""],
        ]
    )
    plan = run_import(content, "list.xlsx")
    assert not plan.ok
    assert [(e.row, e.message) for e in plan.errors] == [(3, "title is empty")]
    assert not Activity.objects.exists()

    content = xlsx_bytes(
        [
            [
                "X-1",
                "Cyber forensics course",
                "",
                "UNDP",
                "EU DG NEAR=1000",
                "AL",
                "wbcti",
                date(2026, 5, 1),
                "2026-06-30",
                1000,
                "Planned",
            ]
        ]
    )
    plan = run_import(content, "list.xlsx")
    assert plan.ok, plan.errors
    activity = Activity.objects.get(external_id="X-1")
    assert (activity.planned_start, activity.budget_eur, activity.status) == (date(2026, 5, 1), 1000, "planned")


def test_reimport_updates_the_same_external_id_and_an_identical_reimport_changes_nothing(world):
    run_import(csv_bytes(*GOOD_ROWS))
    activity = Activity.objects.get(external_id="AT-2026-001")
    changed = GOOD_ROWS[0].replace("Border police training", "Border police course").replace("200000", "210000")
    plan = run_import(csv_bytes(changed, GOOD_ROWS[1]))
    assert (plan.count("create"), plan.count("update"), plan.count("unchanged")) == (0, 1, 1)
    assert Activity.objects.count() == 2
    activity.refresh_from_db()
    assert activity.title == "Border police course on firearms trafficking"
    assert activity.budget_eur == 210000 and activity.version == 2
    plan = run_import(csv_bytes(changed, GOOD_ROWS[1]))
    assert (plan.count("update"), plan.count("unchanged")) == (0, 2)


def test_reimport_sets_aside_a_pending_revision_of_the_entry(world, partner_org, editor):
    from ipas.activities.services import activity_update
    from ipas.activities.snapshots import activity_snapshot

    run_import(csv_bytes(GOOD_ROWS[0]))
    activity = Activity.objects.get(external_id="AT-2026-001")
    data = activity_snapshot(activity) | {"title": "Edited by the partner"}
    activity_update(actor=editor, activity=activity, data=data, expected_version=activity.version)
    plan = run_import(csv_bytes(GOOD_ROWS[0]))
    assert plan.rows[0].action == "update"
    assert plan.rows[0].warnings == ["changes or reviews pending on the entry are discarded"]
    assert activity.revisions.get().state == ActivityRevision.State.DISCARDED


def test_an_owner_organisation_owns_every_row_of_its_list(world, other_donor, partner_org):
    run_import(csv_bytes(*GOOD_ROWS), owner=other_donor)
    assert set(Activity.objects.values_list("organisation", flat=True)) == {other_donor.pk}
    # The same external ids in another owner's list are other entries.
    run_import(csv_bytes(GOOD_ROWS[0]))
    assert Activity.objects.filter(external_id="AT-2026-001").count() == 2


def test_a_file_with_bad_rows_imports_nothing_and_reports_every_bad_row(world):
    rows = [
        GOOD_ROWS[0],
        ",No id,,UNDP,,RS,WBCTi,2026-01-01,2026-02-01,,",
        "B-3,Bad dates,,UNDP,,RS,WBCTi,01/02/2026,2025-02-30,,",
        "B-4,Bad lists,,UNDP,EU DG NEAR=12 000; Nobody; AT BMI=1.234,QQ;RS,NOPE,2026-01-01,2025-01-01,-5,maybe",
        GOOD_ROWS[1],
        "AT-2026-001,Twice,,UNDP,,RS,WBCTi,2026-01-01,2026-02-01,,",
    ]
    plan = run_import(csv_bytes(*rows))
    assert not plan.ok
    by_row = dict(plan.errors_by_row)
    assert sorted(by_row) == [3, 4, 5, 7]
    assert by_row[3] == ["external_id is empty (it is what a later import updates)"]
    assert by_row[4] == [
        "start_date “01/02/2026” is not a date written YYYY-MM-DD",
        "end_date “2025-02-30” is not a real date",
    ]
    assert by_row[5] == [
        "funding “Nobody” is not written “Donor name=amount”",
        "funding amount of AT BMI “1.234” looks like thousands separated by points: write 1234"
        " (a point is only for cents, e.g. 1500.50)",
        "beneficiary “QQ” is not one of the portal's beneficiaries (AL;BA;ME;MK;RS;XK)",
        "end_date 2025-01-01 is before start_date 2026-01-01",
        "pillar “NOPE” is not known (known: WBCTi, WBCSCi)",
        "budget_eur “-5” must be zero or more",
        "status “maybe” is not one of planned, ongoing, completed, cancelled",
    ]
    assert by_row[7] == ["external_id “AT-2026-001” is already on row 2"]
    assert not Activity.objects.exists()
    assert not Organisation.objects.filter(name="Balkan Forensic Network").exists()


@pytest.mark.parametrize(
    "funding, error",
    [
        ("EU DG NEAR=150.000", "funding amount of EU DG NEAR “150.000” looks like thousands separated by points"),
        ("EU DG NEAR=1.500.000,00", "funding amount of EU DG NEAR “1.500.000,00” has a comma"),
        ("EU DG NEAR=1e30", "funding amount of EU DG NEAR “1e30” is too large"),
        ("EU DG NEAR=" + "9" * 40, "is too large"),
        ("EU DG NEAR=12.345", "looks like thousands separated by points"),
        ("EU DG NEAR=10.1255", "has more than 2 decimals"),
        (
            "EU DG NEAR=100; European Commission – DG NEAR=50",
            "funding names European Commission – DG NEAR twice (as “EU DG NEAR” and “European Commission – DG NEAR”)",
        ),
        ("eu dg near=100; EU DG NEAR=50", "funding names EU DG NEAR twice"),
    ],
)
def test_amounts_and_donors_that_would_be_misread_are_errors_of_the_row(world, funding, error):
    plan = run_import(csv_bytes(f'X-1,Title,,UNDP,"{funding}",RS,WBCTi,2026-01-01,2026-02-01,,'))
    assert not plan.ok
    [(row, errors)] = plan.errors_by_row
    assert row == 2 and any(error in message for message in errors), errors
    assert not Activity.objects.exists()


def test_amounts_with_cents_spaces_and_a_currency_are_read(world):
    plan = run_import(
        csv_bytes('X-1,Title,,UNDP,"EU DG NEAR=EUR 1 500.50; AT BMI=150000€",RS,WBCTi,2026-01-01,2026-02-01,,')
    )
    assert plan.ok, plan.errors_by_row
    activity = Activity.objects.get(external_id="X-1")
    assert sorted(activity.fundings.values_list("amount", flat=True)) == [Decimal("1500.50"), Decimal("150000.00")]


def test_a_country_that_is_not_a_beneficiary_is_an_error_of_the_row(world):
    CountryFactory(code="AT", is_beneficiary=False)
    plan = run_import(csv_bytes("X-1,Title,,UNDP,,AT;RS,WBCTi,2026-01-01,2026-02-01,,"))
    assert dict(plan.errors_by_row) == {
        2: ["beneficiary “AT” is not one of the portal's beneficiaries (AL;BA;ME;MK;RS;XK)"]
    }


def test_a_pillar_without_an_adopted_ipa_is_an_error_of_the_row(world, countries):
    from tests.pillars.factories import PillarFactory

    draft_pillar = PillarFactory(code="WBBSi")
    ObjectiveFactory(ipa=IntegratedPlanOfActionFactory(pillar=draft_pillar, status="draft"), code="1")
    plan = run_import(csv_bytes("D-1,Title,,UNDP,,RS,WBBSi,2026-01-01,2026-02-01,,"))
    assert [e.message for e in plan.errors] == [
        "pillar WBBSi has no adopted iPA with an objective “1” to file the entry under"
    ]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"%PDF-1.7 binary\x00\x01", "list.csv", "neither CSV"),
        (b"%PDF-1.7", "list.pdf", "Only CSV"),
        (b"\xd0\xcf\x11\xe0old excel", "list.xls", "old Excel"),
        (b"external_id,title\n\xff\xfe", "list.csv", "not UTF-8"),
        (b"not a zip", "list.xlsx", "not an XLSX workbook"),
        (b"PK\x03\x04broken", "list.xlsx", "not a readable XLSX"),
        (b"x" * (5 * 1024 * 1024 + 1), "list.csv", "at most 5 MB"),
        (csv_bytes(*["R,T,,UNDP,,RS,WBCTi,2026-01-01,2026-02-01,,"] * (MAX_ROWS + 1)), "list.csv", "more than 5,000"),
    ],
)
def test_files_that_cannot_be_read_are_rejected_with_a_reason(content, name, message):
    with pytest.raises(ImportFileError, match=message):
        read_table(content, name)


def _xlsx_with_its_sheet(change) -> bytes:
    """A good workbook whose first sheet's XML `change` damages (or, returning None, removes)."""
    good = zipfile.ZipFile(
        io.BytesIO(xlsx_bytes([["X-1", "Title", "", "UNDP", "", "RS", "WBCTi", "2026-01-01", "2026-02-01", "", ""]]))
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as damaged:
        for name in good.namelist():
            content = good.read(name)
            if name.endswith("sheet1.xml"):
                content = change(content)
            if content is not None:
                damaged.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize("change", [lambda xml: xml[: len(xml) // 2], lambda xml: None], ids=["cut", "missing"])
def test_an_xlsx_whose_sheet_is_damaged_is_rejected_with_a_reason(change):
    with pytest.raises(ImportFileError, match="not a readable XLSX"):
        read_table(_xlsx_with_its_sheet(change), "list.xlsx")


def test_an_xlsx_whose_compressed_sheet_is_corrupt_is_rejected_with_a_reason():
    content = bytearray(
        xlsx_bytes([["X-1", "Title", "", "UNDP", "", "RS", "WBCTi", "2026-01-01", "2026-02-01", "", ""]])
    )
    info = zipfile.ZipFile(io.BytesIO(bytes(content))).getinfo("xl/worksheets/sheet1.xml")
    assert info.compress_type == zipfile.ZIP_DEFLATED
    # Scramble the sheet's deflated bytes (past its local header), as a broken download or disk would.
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for k in range(start + 2, start + min(info.compress_size, 60)):
        content[k] ^= 0x5A
    with pytest.raises(ImportFileError, match="not a readable XLSX"):
        read_table(bytes(content), "list.xlsx")


@pytest.mark.parametrize("epoch", ["1900", "1904"])
def test_xlsx_cells_are_read_as_the_spreadsheet_shows_them(epoch):
    from datetime import datetime

    from openpyxl import Workbook
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont
    from openpyxl.utils.datetime import MAC_EPOCH

    book = Workbook()
    if epoch == "1904":
        book.epoch = MAC_EPOCH
    sheet = book.active
    sheet.append(["External ID", "title", "start date", "budget_eur", "confirmed"])
    sheet.append(["X-1", "  Título ñ “quoted”  ", date(2026, 3, 1), 1500.0, True])
    sheet.append([None, "   "])  # nothing but spaces: an empty row
    bold = CellRichText("plain ", TextBlock(InlineFont(b=True), "bold"))
    sheet.append(["X-2", bold, datetime(2026, 3, 1, 14, 30), 12.5, False, "=1+1"])  # formulas are never evaluated
    sheet["AP4"] = "beyond the 40 columns read"
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table(buffer.getvalue(), "list.xlsx")
    assert table.header == ["external_id", "title", "start_date", "budget_eur", "confirmed"]
    assert table.rows == [
        (2, ["X-1", "Título ñ “quoted”", "2026-03-01", "1500", "TRUE"]),
        (4, ["X-2", "plain bold", "2026-03-01 14:30:00", "12.5", "FALSE"]),
    ]


def test_an_xlsx_written_by_another_tool_is_read_too():
    """Prefixed elements, no cell or row references, a shared text in runs with a phonetic guide, inline texts,
    a formula's text and an error value, the sheet found through an absolute target."""
    main = 'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "_rels/.rels": f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="r1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<x:workbook {main} xmlns:r="{rel}"><x:sheets>'
        '<x:sheet name="List" sheetId="7" r:id="s1"/></x:sheets></x:workbook>',
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="s1" Type="{rel}/worksheet" Target="/xl/worksheets/list.xml"/>'
        f'<Relationship Id="t1" Type="{rel}/sharedStrings" Target="texts.xml"/></Relationships>',
        "xl/texts.xml": f"<x:sst {main}><x:si><x:t>external_id</x:t></x:si>"
        "<x:si><x:r><x:t>ti</x:t></x:r><x:r><x:t>tle</x:t></x:r><x:rPh><x:t>taitoru</x:t></x:rPh></x:si></x:sst>",
        "xl/worksheets/list.xml": f"<x:worksheet {main}><x:sheetData>"
        '<x:row><x:c t="s"><x:v>0</x:v></x:c><x:c t="s"><x:v>1</x:v></x:c></x:row>'
        '<x:row><x:c t="inlineStr"><x:is><x:t>X-1</x:t></x:is></x:c><x:c t="str"><x:f>A2</x:f><x:v>Computed</x:v></x:c>'
        '<x:c t="e"><x:v>#N/A</x:v></x:c></x:row></x:sheetData></x:worksheet>',
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        for name, xml in parts.items():
            book.writestr(name, xml)
    table = read_table(buffer.getvalue(), "list.xlsx")
    assert table.header == ["external_id", "title"]
    assert table.rows == [(2, ["X-1", "Computed", "#N/A"])]


def test_missing_columns_are_reported_for_the_file(world):
    plan = import_plan(read_table(b"external_id;title;whatever\nA;B;C\n", "list.csv"))
    assert not plan.ok
    assert plan.file_errors[0].startswith("The header row lacks the column(s) implementing_organisation, beneficiaries")


def test_semicolon_separated_csv_is_read(world):
    header = HEADER.replace(",", ";")
    plan = run_import(csv_bytes('S-1;Title;;UNDP;"EU DG NEAR=5";"RS;ME";WBCTi;2026-01-01;2026-02-01;;', header=header))
    assert plan.ok, plan.errors
    assert sorted(Activity.objects.get().beneficiaries.values_list("code", flat=True)) == ["ME", "RS"]


def test_imported_entries_are_checked_for_duplicates(world, django_capture_on_commit_callbacks):
    rows = [
        "D-1,Training of prosecutors on financial investigations of terrorism financing,,UNDP,EU DG NEAR=10,RS,WBCTi,2026-01-01,2026-12-31,,",
        "D-2,Training for prosecutors on terrorism financing financial investigations,,UNDP,AT BMI=10,RS,WBCTi,2026-02-01,2026-11-30,,",
    ]
    with django_capture_on_commit_callbacks(execute=True):
        run_import(csv_bytes(*rows))
    assert DuplicateFlag.objects.count() == 1


def test_a_list_longer_than_the_checks_one_by_one_are_worth_starts_a_full_run(
    world, django_capture_on_commit_callbacks
):
    from ipas.imports.services import INCREMENTAL_CHECK_LIMIT
    from ipas.models import DuplicationRun

    rows = [
        f"L-{n},Border police training course {n},,UNDP,EU DG NEAR=10,RS,WBCTi,2026-01-01,2026-12-31,,"
        for n in range(INCREMENTAL_CHECK_LIMIT + 1)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        run_import(csv_bytes(*rows))
    run = DuplicationRun.objects.order_by("pk").first()
    assert run.status == "done" and run.stats["activities"] == INCREMENTAL_CHECK_LIMIT + 1


# --- The command ------------------------------------------------------------------------------------------


def test_command_imports_and_reports(world, tmp_path, capsys):
    path = tmp_path / "donor.csv"
    path.write_bytes(csv_bytes(*GOOD_ROWS))
    call_command("import_activities", str(path))
    out = capsys.readouterr().out
    assert "donor.csv: 2 activity row(s) read." in out
    assert "2 to create, 0 to update, 1 new organisation(s) marked for review." in out
    assert "new organisation, marked for review: Balkan Forensic Network (NGO; row 3)" in out
    assert "Imported: 2 created, 0 updated, 0 unchanged; 1 organisation(s) created and marked for review." in out
    assert Activity.objects.count() == 2


def test_command_dry_run_writes_nothing(world, tmp_path, capsys):
    path = tmp_path / "donor.csv"
    path.write_bytes(csv_bytes(*GOOD_ROWS))
    call_command("import_activities", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert "row 2: create AT-2026-001 “Border police training on firearms trafficking”" in out
    assert "Dry run: nothing was written." in out
    assert not Activity.objects.exists()
    assert not Organisation.objects.filter(name="Balkan Forensic Network").exists()


def test_command_reports_every_bad_row_and_fails(world, tmp_path, capsys):
    path = tmp_path / "donor.csv"
    path.write_bytes(
        csv_bytes(
            GOOD_ROWS[0],
            "B-2,,,UNDP,,RS,WBCTi,2026-01-01,2026-02-01,,",
            "B-3,T,,UNDP,,XX,WBCTi,2026-01-01,2026-02-01,,",
        )
    )
    with pytest.raises(CommandError, match="2 bad row"):
        call_command("import_activities", str(path))
    err = capsys.readouterr().err
    assert "row 3: title is empty" in err and "row 4: beneficiary “XX” is not one of the portal's beneficiaries" in err
    assert not Activity.objects.exists()


def test_command_with_an_owner_organisation(world, tmp_path, capsys):
    path = tmp_path / "donor.xlsx"
    path.write_bytes(xlsx_bytes([["O-1", "Title", "", "UNDP", "", "RS", "WBCTi", "2026-01-01", "2026-02-01", "", ""]]))
    call_command("import_activities", str(path), "--organisation", "AT BMI")
    assert Activity.objects.get().organisation.short_name == "AT BMI"
    with pytest.raises(CommandError, match="No organisation is called"):
        call_command("import_activities", str(path), "--organisation", "Nobody")
    with pytest.raises(CommandError, match="not a file"):
        call_command("import_activities", str(tmp_path / "missing.csv"))


def test_imports_are_audited_as_imports_by_the_actor(world, support):
    activities_import(actor=support, table=read_table(csv_bytes(GOOD_ROWS[0]), "nl.csv"), filename="nl.csv")
    activity = Activity.objects.get()
    assert activity.created_by == support
    event = Activity.pgh_event_model.objects.filter(pgh_obj=activity).get()
    assert event.pgh_context.metadata == {"user": support.pk, "action": "activity_import", "import_file": "nl.csv"}
