"""A password change revokes the person's API keys, as a reset does (issue 12, item 11)."""

from django.urls import reverse

from partners.services import api_key_issue

PASSWORD = "correct horse battery staple"  # tests.partners.factories.UserFactory
NEW = "another horse battery staple"


def test_a_password_change_revokes_the_api_keys_and_says_so(client_for, editor, other_editor):
    first, _ = api_key_issue(actor=editor, name="Planning system")
    second, _ = api_key_issue(actor=editor, name="Reporting script")
    theirs, _ = api_key_issue(actor=other_editor, name="Someone else's")
    client = client_for(editor)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("password_change_done"), 302)]
    for key in (first, second, theirs):
        key.refresh_from_db()
    assert not first.is_active and not second.is_active
    assert theirs.is_active
    body = response.content.decode()
    assert "Your 2 API keys were revoked with the old password" in body
    assert client.get(reverse("dashboard")).status_code == 200  # still signed in, with the new password


def test_a_failed_password_change_revokes_nothing(client_for, editor):
    key, _ = api_key_issue(actor=editor, name="Planning system")
    response = client_for(editor).post(
        reverse("password_change"), {"old_password": "wrong", "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 200
    key.refresh_from_db()
    assert key.is_active
