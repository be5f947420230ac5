"""Limits on guessing (issue 12, item 1): failed sign-ins lock the account (and an address, with a higher limit),
the right password is refused while locked, the portal's page says when to try again; reset mails are counted.

The suite runs with these limits off (iisg_portal/settings_test.py); each test here switches them on for itself:
axes through the settings fixture, the reset counters with a Redis cache of the test's own (a unique prefix).
"""

import uuid
from datetime import timedelta

import pytest
import redis
from axes.models import AccessAttempt
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.partners.factories import UserFactory

PASSWORD = "correct horse battery staple"  # tests.partners.factories.UserFactory
LOGIN = reverse("login")


@pytest.fixture
def limits_on(settings):
    settings.AXES_ENABLED = True
    return settings


def sign_in(client, email, password, address="10.0.0.1"):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=address)


def fail(client, email, times, address="10.0.0.1"):
    for _ in range(times):
        sign_in(client, email, "not the password", address)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_failures_count_against_the_account_typed(limits_on, client, editor):
    sign_in(client, "Editor@UNDP.example ", "not the password")
    attempt = AccessAttempt.objects.get()
    # Before the fix the failure was counted under an empty name, so no account was ever locked.
    assert (attempt.username, attempt.ip_address, attempt.failures_since_start) == (
        "editor@undp.example",
        "10.0.0.1",
        1,
    )


def test_after_the_limit_even_the_right_password_is_refused(limits_on, client, editor):
    fail(client, editor.email, limits_on.AXES_FAILURE_LIMIT - 1)
    response = sign_in(client, editor.email, "not the password")
    assert response.status_code == 429
    response = sign_in(client, editor.email, PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    # From another address too: the lock is on the account.
    assert sign_in(Client(), editor.email.upper(), PASSWORD, address="10.9.9.9").status_code == 429


def test_the_lockout_page_is_the_portals_and_says_when_to_try_again(limits_on, client, editor):
    fail(client, editor.email, limits_on.AXES_FAILURE_LIMIT)
    response = sign_in(client, editor.email, PASSWORD)
    last_failure = AccessAttempt.objects.get().attempt_time
    retry_at = timezone.localtime(last_failure + timedelta(hours=limits_on.AXES_COOLOFF_TIME))
    body = response.content.decode()
    assert response.status_code == 429
    assert "429.html" in [t.name for t in response.templates]
    assert "IISG Coordination Portal" in body and 'name="password"' not in body  # the layout, not the form
    assert f"Try again after <strong>{retry_at:%H:%M}</strong>" in body
    assert reverse("password_reset") in body
    assert 3500 <= int(response["Retry-After"]) <= 3600


def test_the_admin_login_is_locked_too(limits_on, client, db):
    admin = UserFactory(email="admin@iisg.example", is_staff=True, is_superuser=True)
    url = reverse("admin:login")
    for _ in range(limits_on.AXES_FAILURE_LIMIT):
        client.post(url, {"username": admin.email, "password": "wrong", "next": "/admin/"})
    response = client.post(url, {"username": admin.email, "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 429
    assert "Try again after" in response.content.decode()
    assert not signed_in(client)


def test_the_lock_lifts_after_the_cool_off(limits_on, client, editor):
    fail(client, editor.email, limits_on.AXES_FAILURE_LIMIT)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(hours=limits_on.AXES_COOLOFF_TIME, minutes=1))
    assert sign_in(client, editor.email, PASSWORD).status_code == 302
    assert signed_in(client)


def test_one_persons_mistakes_do_not_lock_colleagues_behind_the_same_address(limits_on, editor, viewer):
    fail(Client(), editor.email, limits_on.AXES_FAILURE_LIMIT)
    colleague = Client()
    assert sign_in(colleague, viewer.email, PASSWORD).status_code == 302
    assert signed_in(colleague)


def test_guessing_across_accounts_locks_the_address_at_its_own_limit(limits_on, editor):
    limits_on.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 8
    guesser = Client()
    for n in range(4):  # two guesses each at four accounts: no account reaches its limit of five
        fail(guesser, f"someone{n}@undp.example", 2, address="10.0.0.2")
    response = sign_in(Client(), editor.email, PASSWORD, address="10.0.0.2")
    assert response.status_code == 429
    elsewhere = Client()
    assert sign_in(elsewhere, editor.email, PASSWORD, address="10.0.0.3").status_code == 302


def test_behind_a_proxy_the_address_is_the_one_it_saw(limits_on, client, editor):
    limits_on.TRUSTED_PROXY_COUNT = 1
    client.post(
        LOGIN,
        {"username": editor.email, "password": "wrong"},
        REMOTE_ADDR="10.0.0.254",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7",  # a client may put anything at the left
    )
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"


def test_a_password_reset_lifts_the_lock_on_the_account(limits_on, client, editor):
    fail(client, editor.email, limits_on.AXES_FAILURE_LIMIT)
    uid = urlsafe_base64_encode(force_bytes(editor.pk))
    token = default_token_generator.make_token(editor)
    set_password = client.get(reverse("password_reset_confirm", args=[uid, token]))["Location"]
    new = "a new horse battery staple"
    response = client.post(set_password, {"new_password1": new, "new_password2": new})
    assert response["Location"] == reverse("password_reset_complete")
    assert sign_in(client, editor.email, new).status_code == 302
    assert signed_in(client)


# --- password-reset mails ------------------------------------------------------------------------------------


@pytest.fixture
def throttle(settings):
    """A Redis cache of this test's own for the counters, removed afterwards."""
    prefix = f"test-throttle-{uuid.uuid4().hex}"
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.REDIS_URL,
            "KEY_PREFIX": prefix,
        },
    }
    yield settings
    server = redis.Redis.from_url(settings.REDIS_URL)
    for key in server.scan_iter(match=f"{prefix}:*"):
        server.delete(key)


def ask_reset(email, address="10.0.0.1"):
    return Client().post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_reset_mails_per_account_stop_at_the_limit_and_the_page_does_not_tell(throttle, editor, mailoutbox):
    limit = throttle.PASSWORD_RESET_MAILS_PER_ACCOUNT
    answers = [ask_reset(editor.email.upper(), address=f"10.0.1.{n}") for n in range(limit + 2)]
    assert len(mailoutbox) == limit
    assert {(r.status_code, r["Location"]) for r in answers} == {(302, reverse("password_reset_done"))}
    # An address with no account answers just the same, before and after its limit.
    unknown = [ask_reset("nobody@undp.example", address=f"10.0.2.{n}") for n in range(limit + 2)]
    assert {(r.status_code, r["Location"]) for r in unknown} == {(302, reverse("password_reset_done"))}
    assert len(mailoutbox) == limit


def test_reset_requests_per_address_stop_at_the_limit_with_the_portals_page(throttle, editor, mailoutbox):
    throttle.PASSWORD_RESET_MAILS_PER_ADDRESS = 3
    for n in range(3):
        assert ask_reset(f"person{n}@undp.example", address="10.0.3.1").status_code == 302
    response = ask_reset(editor.email, address="10.0.3.1")
    assert response.status_code == 429
    assert "Too many reset requests" in response.content.decode()
    assert "Try again after" in response.content.decode()
    assert not mailoutbox
    assert ask_reset(editor.email, address="10.0.3.2").status_code == 302
    assert len(mailoutbox) == 1


def test_the_counters_live_in_redis_without_the_addresses(throttle, editor):
    ask_reset(editor.email, address="10.0.4.1")
    server = redis.Redis.from_url(throttle.REDIS_URL)
    keys = [key.decode() for key in server.scan_iter(match=f"{throttle.CACHES['throttle']['KEY_PREFIX']}:*")]
    assert len(keys) == 2
    assert not any("10.0.4.1" in key or "undp" in key for key in keys)
