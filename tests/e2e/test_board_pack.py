import os

import pytest
from playwright.sync_api import expect


def _shot(page, name):
    # Set BOARD_SCREENSHOTS=/some/dir to keep page images for a look by a person.
    folder = os.environ.get("BOARD_SCREENSHOTS")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


@pytest.mark.worker
def test_secretariat_prepares_a_meeting_and_downloads_its_pack(
    sign_in, secretariat, celery_worker, live_server, tmp_path
):
    page = sign_in(secretariat)
    page.get_by_test_id("nav").get_by_role("link", name="Meetings").click()
    page.get_by_role("link", name="New meeting").click()
    page.get_by_label("Body").select_option("board")
    page.get_by_label("Title").fill("IISG Board meeting, Brdo 2026")
    page.get_by_label("Date").fill("2026-12-10")
    page.get_by_label("Place").fill("Brdo pri Kranju")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="IISG Board meeting, Brdo 2026")).to_be_visible()

    for title in ("Opening and adoption of the agenda", "Funding gaps and donor coordination"):
        page.get_by_role("link", name="Add agenda item").click()
        page.get_by_label("Title").fill(title)
        page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("agenda")).to_contain_text("Funding gaps and donor coordination")

    page.get_by_role("link", name="Propose a decision").click()
    page.get_by_label("Text").fill("The Board calls on donors to close the funding gaps.")
    page.get_by_label("Agenda item").select_option(label="2. Funding gaps and donor coordination")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#decisions")).to_contain_text("2026/01")
    _shot(page, "meeting_detail")

    page.get_by_role("button", name="Build meeting pack").click()
    row = page.get_by_test_id("pack-1")
    expect(row).to_be_visible()
    _shot(page, "pack_building")
    expect(row.get_by_text("Ready")).to_be_visible(timeout=90_000)  # the progress bar has finished
    _shot(page, "pack_ready")
    with page.expect_download() as download_info:
        row.get_by_role("link", name="PDF").click()
    download = download_info.value
    assert download.suggested_filename == "IISG-Board-2026-12-10-pack-v1.pdf"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
