"""Odd input is a 4xx, never a 500 (issue 12, item 8): NUL bytes in the address, the query string and form fields,
and the admin's "view on site" shortcut for records without a page."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from ipas.models import Activity
from tests.board.factories import MeetingFactory
from tests.ipas.activities.test_views import _form_post


def _client(user=None) -> Client:
    # A server error must show as a 500 here, not as an exception raised into the test.
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/pillars/%00/",
        "/pillars/WBCTi%00/",
        "/activities/?q=%00",
        "/activities/?country=RS%00",
        "/activities/?%00=1",
        "/admin/ipas/activity/?q=%00",
        "/accounts/login/?next=/%00",
    ],
)
def test_a_nul_byte_in_the_address_or_query_is_a_400(url, editor, pillar):
    for client in (_client(editor), _client()):
        assert client.get(url).status_code == 400, url
        assert client.post(url, {"q": "x"}).status_code == 400, url


def test_the_address_without_the_nul_byte_still_answers(client_for, editor, pillar):
    assert client_for(editor).get("/pillars/WBCTi/").status_code == 200
    assert client_for(editor).get("/activities/?q=training").status_code == 200


def test_a_nul_character_in_a_form_field_is_an_error_of_that_field_and_nothing_is_saved(
    editor, objective, partner_org, donor, countries
):
    # Django's own fields refuse it before any lookup (CharField's validator, the model choice fields' check).
    data = _form_post(objective, partner_org, donor, title="Border\x00 training", pillar="WBCTi\x00")
    data["beneficiaries"] = ["AL", "XK\x00"]
    response = _client(editor).post(reverse("ipas:activity_create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    for field in ("title", "pillar", "beneficiaries"):
        assert errors[field] == ["Null characters are not allowed."], field
    assert not Activity.objects.exists()


@pytest.fixture
def admin_client(django_user_model, client_for):
    superuser = django_user_model.objects.create_superuser(email="admin@iisg.example", password="x-long-admin-pass-1")
    return client_for(superuser)  # with its second factor verified


@pytest.mark.parametrize(
    ("app_label", "model", "object_id"),
    [
        ("pghistory", "events", "1"),  # a view built per query: reading it as a table failed
        ("pghistory", "context", "1"),  # a UUID key given a number
        ("pghistory", "middlewareevents", "1"),
        ("ipas", "activity", "1"),  # a model without a page of its own
    ],
)
def test_the_admin_view_on_site_shortcut_answers_404_for_records_without_a_page(
    admin_client, app_label, model, object_id
):
    content_type = ContentType.objects.get(app_label=app_label, model=model)
    assert admin_client.get(f"/admin/r/{content_type.pk}/{object_id}/").status_code == 404


def test_the_admin_view_on_site_shortcut_still_leads_to_a_meetings_page(admin_client, client_for, editor):
    meeting = MeetingFactory()
    url = reverse("admin:view_on_site", args=[ContentType.objects.get_for_model(meeting).pk, meeting.pk])
    response = admin_client.get(url)
    assert response.status_code == 302 and response["Location"].endswith(meeting.get_absolute_url())
    gone = reverse("admin:view_on_site", args=[ContentType.objects.get_for_model(meeting).pk, meeting.pk + 1000])
    assert admin_client.get(gone).status_code == 404
    # Not for people outside the admin: they are sent to its sign-in page.
    assert client_for(editor).get(url)["Location"].startswith("/admin/login/")
