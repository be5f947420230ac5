"""API keys: a person's scripts consult through the API in that person's name, without a browser session."""

import pytest
from django.urls import reverse

from ipas.models import Consultation
from partners.models import ApiKey
from partners.services import MAX_ACTIVE_API_KEYS, api_key_digest, api_key_issue, api_key_revoke
from tests.ipas.consult_concepts import URL, concept

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
    response = client.post(reverse("api_keys"), {"name": "Planning system"}, follow=True)
    key = response.context["new_key"]
    assert key.startswith("iisg_") and key in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    # Shown once: a reload neither shows it again nor makes a second key.
    again = client.get(reverse("api_keys")).content.decode()
    assert key not in again and "Planning system" in again and key[:12] in again
    assert ApiKey.objects.count() == 1
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


def test_only_those_who_may_consult_make_keys_but_anyone_revokes_their_own(client_for, observer, editor):
    assert client_for(None).get(reverse("api_keys")).status_code == 302
    page = client_for(observer).get(reverse("api_keys"))
    assert page.status_code == 200 and "not make new ones" in page.content.decode()
    assert client_for(observer).post(reverse("api_keys"), {"name": "x"}).status_code == 403
    # A holder who lost the role still sees and revokes the keys made before.
    record, _key = api_key_issue(actor=editor, name="Old tool")
    from partners.services import membership_remove

    for membership in editor.memberships.all():
        membership_remove(actor=None, membership=membership)
    client = client_for(editor)
    assert "Old tool" in client.get(reverse("api_keys")).content.decode()
    client.post(reverse("api_key_revoke", args=[record.pk]))
    record.refresh_from_db()
    assert not record.is_active


def test_the_holder_is_told_of_every_new_key(editor, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        record, _key = api_key_issue(actor=editor, name="Planning system")
    assert len(mailoutbox) == 1
    notice = mailoutbox[0]
    assert notice.to == [editor.email]
    assert record.prefix in notice.body and "revoke it" in notice.body


def test_a_password_reset_revokes_every_key(editor):
    from partners.forms import SetPasswordForm

    record, key = api_key_issue(actor=editor, name="Planning system")
    form = SetPasswordForm(
        editor, {"new_password1": "A-new-long-passphrase-2026", "new_password2": "A-new-long-passphrase-2026"}
    )
    assert form.is_valid(), form.errors
    form.save()
    record.refresh_from_db()
    assert not record.is_active


def test_an_administrator_revokes_a_leaked_key_others_may_not(editor, other_editor, django_user_model):
    from iisg_portal.errors import PortalError

    record, _key = api_key_issue(actor=editor, name="Leaked")
    with pytest.raises(PortalError, match="holder or an administrator"):
        api_key_revoke(actor=other_editor, api_key=record)
    admin = django_user_model.objects.create_superuser(email="admin@iisg.example", password="x-long-admin-pass-1")
    api_key_revoke(actor=admin, api_key=record)
    record.refresh_from_db()
    assert not record.is_active


def test_revoked_keys_do_not_count_towards_the_limit(editor):
    for n in range(MAX_ACTIVE_API_KEYS):
        record, _key = api_key_issue(actor=editor, name=f"script {n}")
    api_key_revoke(actor=editor, api_key=record)
    api_key_issue(actor=editor, name="replacement")
    assert editor.api_keys.filter(revoked_at__isnull=True).count() == MAX_ACTIVE_API_KEYS


def test_the_audit_trail_names_the_key_of_each_consultation(client, editor, pillar, countries):
    record, key = api_key_issue(actor=editor, name="Planning system")
    assert call(client, key).status_code == 200
    event = Consultation.objects.get().events.get()
    assert event.pgh_context.metadata["api_key"] == record.pk
    assert event.pgh_context.metadata["user"] == editor.pk
    # The key's own history never holds its digest.
    assert not hasattr(record.events.first(), "digest")


def test_a_holder_who_lost_the_role_is_refused(client, editor, pillar, countries):
    from partners.services import membership_remove

    _record, key = api_key_issue(actor=editor, name="Planning system")
    for membership in editor.memberships.all():
        membership_remove(actor=None, membership=membership)
    assert call(client, key).status_code == 403


def test_sessions_still_need_their_csrf_token_and_a_bad_key_is_not_rescued_by_one(editor, pillar, countries):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(editor)
    assert browser.post(URL, concept(), content_type="application/json").status_code == 403  # no CSRF token
    assert call(browser, "iisg_wrong").status_code == 401  # a wrong key with a session: refused, no fallback
    bare = browser.post(URL, concept(), content_type="application/json", HTTP_AUTHORIZATION="Bearer")
    assert bare.status_code == 401
    assert not Consultation.objects.exists()


def test_the_schema_documents_the_key(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert schema["components"]["securitySchemes"]["apiKey"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["apiKey"]["description"],
    }
    assert {"apiKey": []} in schema["paths"]["/api/consult/"]["post"]["security"]
