"""Support Group staff run the duplication report, watch its progress, settle a flag and export."""

import pytest
from playwright.sync_api import expect

from ipas.models import DuplicateFlag
from tests.ipas.test_duplication_engine import ORIGINAL, REWORDED, UNRELATED, _activity


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_support_staff_run_the_report_settle_a_flag_and_export(sign_in, support, countries, celery_worker, live_server):
    for text in UNRELATED:
        _activity(text, countries=("RS", "ME"))
    _activity(ORIGINAL)
    _activity(REWORDED)

    page = sign_in(support)
    page.get_by_test_id("nav").get_by_role("link", name="Duplication").click()
    expect(page.get_by_role("heading", name="Duplication report")).to_be_visible()
    page.get_by_role("button", name="Run duplication report now").click()
    # Progress shows, then the page reloads with the report once the worker is done.
    expect(page.get_by_test_id("run-progress")).to_be_visible()
    expect(page.get_by_test_id("run-message")).to_contain_text("open flag", timeout=30_000)
    page.screenshot(path="/tmp/dup-report.png", full_page=True)
    flags = page.get_by_test_id("flags")
    expect(flags).to_contain_text("Prosecutors: course on asset recovery")

    flags.get_by_role("link", name="Compare").first.click()
    expect(page.get_by_test_id("reasons")).to_contain_text("same beneficiary RS")
    expect(page.locator("mark").first).to_be_visible()
    page.screenshot(path="/tmp/dup-flag.png", full_page=True)
    page.get_by_label("Complementary").check()
    page.get_by_label("Note").fill("Different modules of the same programme.")
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_role("alert").first).to_contain_text("Complementary")
    expect(page.get_by_test_id("flags")).to_contain_text("No open flags")
    flag = DuplicateFlag.objects.get()
    assert (flag.resolution, flag.resolved_by) == ("complementary", support)

    with page.expect_download() as download:
        page.get_by_role("link", name="Export XLSX").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
