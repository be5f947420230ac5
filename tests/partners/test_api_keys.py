"""API keys: a person's scripts consult through the API in that person's name, without a browser session."""

import pytest
from django.urls import reverse

from ipas.models import Consultation
from partners.models import ApiKey
from partners.services import MAX_ACTIVE_API_KEYS, api_key_digest, api_key_issue, api_key_revoke
from tests.ipas.test_api_consult import URL, concept

pytestmark = pytest.mark.django_db


def call(client, key, data=None):
    return client.post(URL, data or concept(), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")


def test_a_script_consults_with_a_key_in_its_holders_name(client, editor, pillar, countries):
    from django.test import Client

    record, key = api_key_issue(actor=editor, name="Planning system")
    assert key.startswith("iisg_") and len(key) > 40
    assert record.digest == api_key_digest(key) and key not in (record.prefix, record.digest)
    script = Client(enforce_csrf_checks=True)  # no session, no CSRF token: the key alone
    response = call(script, key)
    assert response.status_code == 200, response.content
    assert Consultation.objects.get().user == editor
    record.refresh_from_db()
    assert record.last_used_at is not None


@pytest.mark.parametrize("bad", ["iisg_not-a-key", "somethingelse", "iisg_a iisg_b"])
def test_an_unknown_key_is_refused_with_401(client, editor, pillar, countries, bad):
    response = call(client, bad)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert not Consultation.objects.exists()


def test_a_revoked_key_or_a_deactivated_holder_is_refused(client, editor, pillar, countries):
    record, key = api_key_issue(actor=editor, name="Old script")
    api_key_revoke(actor=editor, api_key=record)
    assert call(client, key).status_code == 401
    _, other_key = api_key_issue(actor=editor, name="New script")
    editor.is_active = False
    editor.save()
    assert call(client, other_key).status_code == 401


def test_a_key_gives_no_more_than_its_holders_rights(client, observer, support, pillar, countries):
    from iisg_portal.errors import PortalError

    with pytest.raises(PortalError, match="does not use the API"):
        api_key_issue(actor=observer, name="x")
    with pytest.raises(PortalError, match="does not use the API"):
        api_key_issue(actor=support, name="x")


def test_a_person_holds_a_limited_number_of_keys(editor):
    from iisg_portal.errors import PortalError

    for n in range(MAX_ACTIVE_API_KEYS):
        api_key_issue(actor=editor, name=f"script {n}")
    with pytest.raises(PortalError, match="revoke one"):
        api_key_issue(actor=editor, name="one more")


def test_the_page_shows_a_new_key_once_and_revokes_after_confirmation(client_for, editor, other_editor):
    client = client_for(editor)
    page = client.get(reverse("api_keys"))
    assert page.status_code == 200 and "No keys yet" in page.content.decode()
    response = client.post(reverse("api_keys"), {"name": "Planning system"})
    key = response.context["new_key"]
    assert key.startswith("iisg_") and key in response.content.decode()
    again = client.get(reverse("api_keys")).content.decode()
    assert key not in again and "Planning system" in again and key[:12] in again
    record = ApiKey.objects.get()
    assert 'data-confirm="Revoke' in again
    # Someone else's key is not found; the holder revokes it.
    assert client_for(other_editor).post(reverse("api_key_revoke", args=[record.pk])).status_code == 404
    client.post(reverse("api_key_revoke", args=[record.pk]))
    record.refresh_from_db()
    assert not record.is_active
    # A blank purpose is a field error and makes nothing.
    assert client.post(reverse("api_keys"), {"name": " "}).status_code == 400
    assert ApiKey.objects.count() == 1


def test_the_page_is_for_those_who_may_consult(client_for, observer, support):
    assert client_for(observer).get(reverse("api_keys")).status_code == 403
    assert client_for(support).get(reverse("api_keys")).status_code == 403
    assert client_for(None).get(reverse("api_keys")).status_code == 302
