"""The daily work in a real browser: log, submit, approve, return, resubmit, and a concurrent edit."""

import pytest
from playwright.sync_api import expect

from ipas.activities import services
from ipas.models import Activity, ActivityReview


@pytest.fixture
def world(countries, objective, other_objective, donor, other_donor, lead, other_editor, editor):
    return {"objective": objective, "donor": donor, "other_donor": other_donor}


def test_log_submit_approve_and_others_see_it(page, sign_in, live_server, world, editor, lead, other_editor):
    sign_in(editor)
    page.get_by_role("link", name="Log activity").click()
    page.get_by_label("Title").fill("Regional course on firearms trafficking investigations")
    page.get_by_label("Description").fill("Joint course for police and prosecutors.")
    page.get_by_label("Pillar").select_option("WBCTi")
    page.get_by_label("Primary objective").select_option(str(world["objective"].pk))
    page.get_by_label("Serbia").check()
    page.get_by_label("Montenegro").check()
    page.get_by_label("Planned start").fill("2026-04-01")
    page.get_by_label("Planned end").fill("2026-11-30")
    page.get_by_label("Budget (EUR)").fill("150000")
    page.get_by_role("button", name="Add a funding line").click()
    page.get_by_role("button", name="Add a funding line").click()
    rows = page.get_by_test_id("funding-row")
    expect(rows).to_have_count(2)
    rows.nth(0).get_by_label("Donor").select_option(label=world["donor"].name)
    rows.nth(0).get_by_label("Amount", exact=True).fill("90000")
    rows.nth(1).get_by_label("Donor").select_option(label=world["other_donor"].name)
    rows.nth(1).get_by_label("Amount", exact=True).fill("50000")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Activity saved as a draft")).to_be_visible()
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_text("Submitted to the Lead Partners of WBCTi")).to_be_visible()
    activity = Activity.objects.get(title="Regional course on firearms trafficking investigations")
    assert activity.fundings.count() == 2

    sign_in(lead)
    page.get_by_role("link", name="Review queue").click()
    expect(page.get_by_test_id("queue-row")).to_have_count(1)
    page.get_by_role("link", name="Review", exact=True).click()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("is now visible to all partners")).to_be_visible()

    sign_in(other_editor)
    page.get_by_test_id("nav").get_by_role("link", name="Activities").click()
    expect(page.get_by_role("link", name="Regional course on firearms trafficking investigations")).to_be_visible()


def test_returned_entry_is_edited_and_resubmitted(
    page, sign_in, live_server, world, editor, lead, partner_org, entry_data
):
    activity = services.activity_create(actor=editor, organisation=partner_org, data=entry_data)
    services.activity_submit(actor=editor, activity=activity)

    sign_in(lead)
    page.goto(f"{live_server.url}/activities/reviews/")
    page.get_by_role("link", name="Review", exact=True).click()
    page.get_by_role("button", name="Return with comment").click()
    expect(page.get_by_text("a comment is required")).to_be_visible()
    page.get_by_label("Comment").fill("Please name the second donor.")
    page.get_by_role("button", name="Return with comment").click()
    expect(page.get_by_text("Returned to")).to_be_visible()

    sign_in(editor)
    page.goto(f"{live_server.url}/activities/{activity.pk}/")
    expect(page.get_by_text("Please name the second donor.").first).to_be_visible()
    page.get_by_role("link", name="Edit").click()
    page.get_by_role("button", name="Add a funding line").click()
    row = page.get_by_test_id("funding-row").nth(1)
    row.get_by_label("Donor").select_option(label=world["other_donor"].name)
    row.get_by_label("Amount", exact=True).fill("20000")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_text("Submitted to the Lead Partners")).to_be_visible()
    assert list(ActivityReview.objects.filter(activity=activity).order_by("round").values_list("state", flat=True)) == [
        "returned",
        "pending",
    ]


def test_concurrent_edit_conflict_is_shown(
    browser, page, sign_in, tmp_path, live_server, world, editor, partner_org, entry_data
):
    activity = services.activity_create(actor=editor, organisation=partner_org, data=entry_data)
    sign_in(editor)
    page.goto(f"{live_server.url}/activities/{activity.pk}/edit/")

    colleague = browser.new_context().new_page()
    sign_in(editor, on=colleague)
    colleague.goto(f"{live_server.url}/activities/{activity.pk}/edit/")
    colleague.get_by_label("Title").fill("Title saved first by a colleague")
    colleague.get_by_role("button", name="Save").click()
    expect(colleague.get_by_text("Changes saved.")).to_be_visible()

    page.get_by_label("Title").fill("My own title")
    page.get_by_role("button", name="Save").click()
    conflict = page.get_by_test_id("conflict")
    expect(conflict).to_contain_text("Someone else saved this activity")
    expect(conflict).to_contain_text("Title saved first by a colleague")
    expect(page.get_by_label("Title")).to_have_value("My own title")
    page.screenshot(path=tmp_path / "e2e-conflict.png", full_page=True)
