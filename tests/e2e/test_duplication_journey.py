"""Support Group staff run the duplication report, watch its progress, settle a flag and export."""

from contextlib import contextmanager

import pytest
from playwright.sync_api import expect

from ipas.models import DuplicateFlag
from tests.ipas.texts import ORIGINAL, REWORDED, UNRELATED, activity_with_text
from tests.utils import other_session


@contextmanager
def _holding_the_flags_table():
    with other_session() as other:
        other.execute("LOCK TABLE ipas_duplicateflag IN EXCLUSIVE MODE")
        try:
            yield
        finally:
            other.rollback()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_support_staff_run_the_report_settle_a_flag_and_export(
    sign_in, support, countries, celery_worker, live_server, tmp_path
):
    for text in UNRELATED:
        activity_with_text(text, countries=("RS", "ME"))
    activity_with_text(ORIGINAL)
    activity_with_text(REWORDED)

    page = sign_in(support)
    page.get_by_test_id("nav").get_by_role("link", name="Duplication").click()
    expect(page.get_by_role("heading", name="Duplication report")).to_be_visible()
    # Another session holds the flags table (reads allowed, writes wait), so the run stops where it saves its
    # flags and the progress can be watched mid-way: a few activities take the worker milliseconds otherwise.
    with _holding_the_flags_table():
        page.get_by_role("button", name="Run duplication report now").click()
        expect(page.get_by_test_id("run-message")).to_contain_text("Saving 1 flag", timeout=30_000)
        bar = page.get_by_role("progressbar", name="Progress of the duplication run")
        expect(bar).to_have_attribute("aria-valuenow", "92")
        expect(page.get_by_test_id("run-progress")).to_contain_text("Running")
        page.screenshot(path=tmp_path / "dup-progress.png", full_page=True)
    # Let go: the worker saves, the bar fills and the page reloads with the report.
    expect(page.get_by_test_id("run-message")).to_contain_text("open flag", timeout=30_000)
    page.screenshot(path=tmp_path / "dup-report.png", full_page=True)
    flags = page.get_by_test_id("flags")
    expect(flags).to_contain_text("Prosecutors: course on asset recovery")

    flags.get_by_role("link", name="Compare").first.click()
    expect(page.get_by_test_id("reasons")).to_contain_text("same beneficiary RS")
    expect(page.locator("mark").first).to_be_visible()
    page.screenshot(path=tmp_path / "dup-flag.png", full_page=True)
    page.get_by_label("Complementary").check()
    page.get_by_label("Note").fill("Different modules of the same programme.")
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_role("alert").first).to_contain_text("Complementary")
    expect(page.get_by_test_id("flags")).to_contain_text("No open flags")
    flag = DuplicateFlag.objects.get()
    assert (flag.resolution, flag.resolved_by) == ("complementary", support)

    # Files are written by the worker: the page follows the progress, then offers the download.
    for fmt in ("XLSX", "PDF"):
        page.get_by_role("button", name=f"Export {fmt}").click()
        expect(page.get_by_test_id("export-message")).to_contain_text(
            "The file holds 0 of 0 open flags", timeout=30_000
        )
        page.screenshot(path=tmp_path / f"dup-export-{fmt.lower()}.png", full_page=True)
        with page.expect_download() as download:
            page.get_by_role("link", name="Download").click()
        assert download.value.suggested_filename.endswith(f".{fmt.lower()}")
        page.get_by_role("link", name="Duplication report").first.click()
