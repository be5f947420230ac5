"""Support Group staff import a donor's list: check the file, confirm, watch the worker import it."""

import pytest
from playwright.sync_api import expect

from ipas.models import Activity, ActivityImport
from tests.ipas.import_files import GOOD_ROWS, csv_bytes


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_support_staff_check_confirm_and_follow_an_import(
    sign_in, support, objective, other_objective, partner_org, donor, other_donor, countries, celery_worker, tmp_path
):
    listing = tmp_path / "austria-2026.csv"
    listing.write_bytes(csv_bytes(*GOOD_ROWS))

    page = sign_in(support)
    page.get_by_test_id("nav").get_by_role("link", name="Import").click()
    expect(page.get_by_test_id("import-history")).to_contain_text("No list has been imported yet")
    page.get_by_label("Donor's list").set_input_files(str(listing))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_test_id("import-summary")).to_contain_text("to create")
    expect(page.get_by_test_id("new-organisations")).to_contain_text("Balkan Forensic Network")
    assert not Activity.objects.exists()  # checking writes nothing

    page.get_by_role("button", name="Import 2 activities").click()
    # The worker imports; the page follows its progress, then shows the outcome.
    expect(page.get_by_test_id("import-progress")).to_be_visible()
    expect(page.get_by_test_id("import-outcome")).to_contain_text("created", timeout=30_000)
    expect(page.get_by_test_id("import-status")).to_have_text("Imported")
    page.screenshot(path=tmp_path / "import-done.png", full_page=True)
    assert ActivityImport.objects.get().status == "done"
    assert Activity.objects.count() == 2

    page.get_by_role("link", name="Import another list").click()
    expect(page.get_by_test_id("import-history")).to_contain_text("austria-2026.csv")
    page.screenshot(path=tmp_path / "import-history.png", full_page=True)
