"""The upload page of the bulk import: who may use it, and upload → preview → confirm."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ipas.imports.views import SESSION_KEY
from ipas.models import Activity, ActivityImport
from partners.models import Organisation
from tests.ipas.import_files import GOOD_ROWS, csv_bytes, xlsx_bytes

URL = reverse("ipas:activity_import")


@pytest.fixture
def world(objective, other_objective, partner_org, donor, other_donor, countries):
    return objective


def upload(client, content: bytes, name: str = "donor.csv", **extra):
    return client.post(URL, {"step": "upload", "file": SimpleUploadedFile(name, content), **extra})


def test_anonymous_visitors_are_sent_to_sign_in(client_for, db):
    for response in (client_for(None).get(URL), client_for(None).post(URL, {"step": "confirm", "token": "x"})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["editor", "viewer", "lead", "observer", "secretariat"])
def test_everyone_but_support_group_staff_is_forbidden(client_for, request, persona, world):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert upload(client, csv_bytes(*GOOD_ROWS)).status_code == 403
    assert client.post(URL, {"step": "confirm", "token": "x"}).status_code == 403
    assert not Activity.objects.exists()


def test_support_staff_see_the_page_in_the_navigation(client_for, support):
    response = client_for(support).get(URL)
    assert response.status_code == 200
    assert any(item["label"] == "Import" and item["active"] for item in response.context["nav_items"])


def test_support_staff_preview_then_confirm_a_csv(client_for, support, world, django_capture_on_commit_callbacks):
    client = client_for(support)
    response = upload(client, csv_bytes(*GOOD_ROWS))
    assert response.status_code == 200
    plan = response.context["plan"]
    assert (plan.creates, plan.updates, [n.name for n in plan.new_organisations]) == (2, 0, ["Balkan Forensic Network"])
    html = response.content.decode()
    assert "Border police training on firearms trafficking" in html and "Balkan Forensic Network" in html
    assert "Import 2 activities" in html
    assert not Activity.objects.exists()  # a preview writes nothing
    assert not Organisation.objects.filter(name="Balkan Forensic Network").exists()

    token = response.context["confirm_form"].initial["token"]
    with django_capture_on_commit_callbacks(execute=True):  # the worker's task runs on leaving (eager)
        response = client.post(URL, {"step": "confirm", "token": token})
    job = ActivityImport.objects.get()
    assert response["Location"] == reverse("ipas:activity_import_detail", args=[job.pk])
    html = client.get(response["Location"]).content.decode()
    assert "donor.csv is being imported" in html
    assert job.status == ActivityImport.Status.DONE and job.requested_by == support
    assert "2 created, 0 updated, 0 unchanged; 1 organisation(s) created and marked for review" in html
    assert job.result == {"created": 2, "updated": 0, "unchanged": 0, "new_organisations": ["Balkan Forensic Network"]}
    assert job.rows == b""  # the rows are not kept once written
    assert Activity.objects.filter(created_by=support).count() == 2
    assert Organisation.objects.get(name="Balkan Forensic Network").needs_review
    assert SESSION_KEY not in client.session
    # The upload page lists it.
    assert "donor.csv" in client.get(URL).content.decode()

    # The same confirmation again finds nothing to import: no duplicate entries.
    response = client.post(URL, {"step": "confirm", "token": token}, follow=True)
    assert "no longer current" in response.content.decode()
    assert Activity.objects.count() == 2
    assert ActivityImport.objects.count() == 1


def test_an_xlsx_owned_by_the_chosen_organisation_is_imported(
    client_for, support, world, other_donor, django_capture_on_commit_callbacks
):
    client = client_for(support)
    content = xlsx_bytes(
        [["X-1", "Cyber forensics", "", "UNDP", "AT BMI=10", "AL", "WBCTi", "2026-05-01", "2026-06-30", "", ""]]
    )
    response = upload(client, content, "list.xlsx", organisation=other_donor.pk)
    assert response.status_code == 200, response.context["plan"].errors
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"step": "confirm", "token": response.context["confirm_form"].initial["token"]})
    assert Activity.objects.get(external_id="X-1").organisation == other_donor


def test_a_file_with_bad_rows_shows_every_error_and_cannot_be_confirmed(client_for, support, world):
    client = client_for(support)
    rows = [
        GOOD_ROWS[0],
        "B-3,,,UNDP,,RS,WBCTi,2026-01-01,2026-02-01,,",
        "B-4,T,,UNDP,,ZZ,WBCTi,2026-13-01,2026-02-01,,",
    ]
    response = upload(client, csv_bytes(*rows))
    assert response.status_code == 400
    assert "confirm_form" not in response.context
    html = response.content.decode()
    assert "2 rows have errors: nothing was imported." in html
    assert "title is empty" in html and "beneficiary “ZZ” is not one of the portal" in html
    assert "start_date “2026-13-01” is not a real date" in html
    assert [row for row, _ in response.context["plan"].errors_by_row] == [3, 4]
    assert SESSION_KEY not in client.session
    assert not Activity.objects.exists()


def test_a_file_that_is_neither_csv_nor_xlsx_is_rejected(client_for, support, world):
    response = upload(client_for(support), b"%PDF-1.7\x00", "donor.pdf")
    assert response.status_code == 400
    assert "Only CSV (.csv) and Excel workbook (.xlsx) files can be imported." in response.content.decode()


def test_cancel_forgets_the_preview(client_for, support, world):
    client = client_for(support)
    token = upload(client, csv_bytes(*GOOD_ROWS)).context["confirm_form"].initial["token"]
    client.post(URL, {"step": "cancel"})
    assert SESSION_KEY not in client.session
    client.post(URL, {"step": "confirm", "token": token})
    assert not Activity.objects.exists()


def test_a_token_from_another_preview_is_refused(client_for, support, world):
    client = client_for(support)
    upload(client, csv_bytes(*GOOD_ROWS))
    client.post(URL, {"step": "confirm", "token": "forged"})
    assert not Activity.objects.exists()


def test_a_list_the_portal_no_longer_accepts_is_not_imported_and_the_page_says_why(
    client_for, support, world, django_capture_on_commit_callbacks
):
    client = client_for(support)
    token = upload(client, csv_bytes(*GOOD_ROWS)).context["confirm_form"].initial["token"]
    ipa = world.ipa
    ipa.status = "draft"  # between the check and the import, WBCTi's iPA is no longer adopted
    ipa.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"step": "confirm", "token": token})

    job = ActivityImport.objects.get()
    assert job.status == ActivityImport.Status.FAILED
    html = client.get(response["Location"]).content.decode()
    assert "Nothing was imported." in html and "The portal changed since the file was checked" in html
    assert "pillar WBCTi has no adopted iPA" in html
    assert [row for row, _ in job.result["errors"]] == [2, 3]
    assert not Activity.objects.exists()


def test_the_page_of_an_import_is_for_support_staff_and_polls_while_it_runs(client_for, support, editor, world):
    from ipas.imports.reading import read_table
    from ipas.imports.services import activity_import_start

    job = activity_import_start(
        actor=support, table=read_table(csv_bytes(*GOOD_ROWS), "a.csv"), owner=None, filename="a.csv"
    )
    url = reverse("ipas:activity_import_detail", args=[job.pk])
    assert client_for(editor).get(url).status_code == 403
    assert client_for(None).get(url).status_code == 302
    assert client_for(support).get(reverse("ipas:activity_import_detail", args=[job.pk + 1])).status_code == 404

    page = client_for(support).get(url).content.decode()
    assert "Queued" in page and "Waiting for the worker" in page and 'hx-trigger="every 1s"' in page
    partial = client_for(support).get(url + "?watching=1", HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and "HX-Refresh" not in partial
    assert 'data-testid="import-progress"' in partial.content.decode()

    ActivityImport.objects.filter(pk=job.pk).update(
        status=ActivityImport.Status.DONE, started_at=job.created_at, message="2 created"
    )
    partial = client_for(support).get(url + "?watching=1", HTTP_HX_REQUEST="true")
    assert partial["HX-Refresh"] == "true"  # it ended: the page reloads to show the outcome
    assert "hx-trigger" not in partial.content.decode()


def test_the_upload_page_says_what_to_do_when_nothing_was_imported_yet(client_for, support):
    html = client_for(support).get(URL).content.decode()
    assert "No list has been imported yet" in html
