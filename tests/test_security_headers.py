"""Response headers (issue 12, item 13): no copy of a signed-in page or a download stays in a cache, the browser
features the portal never uses are refused, and a proxy's HTTPS header is trusted only when configured."""

import subprocess
import sys
from pathlib import Path

from django.test import Client, override_settings
from django.urls import reverse

from tests.ipas.factories import ActivityFactory

ROOT = Path(__file__).resolve().parent.parent


def test_every_signed_in_page_says_no_store(client_for, editor, lead, support, pillar):
    for user, url in [
        (editor, reverse("dashboard")),
        (editor, reverse("ipas:activity_list")),
        (lead, reverse("ipas:review_queue")),
        (support, reverse("partners:organisation_list")),
        (support, reverse("ipas:duplication_report")),
    ]:
        response = client_for(user).get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url


def test_exports_say_no_store(client_for, editor, objective):
    ActivityFactory(title="Approved work", objective=objective)
    for kind in ["csv", "xlsx"]:
        response = client_for(editor).get(reverse("ipas:activity_export", args=[kind]))
        assert response.status_code == 200
        assert "attachment" in response["Content-Disposition"]
        assert "no-store" in response["Cache-Control"]


def test_the_permissions_policy_refuses_the_features_the_portal_never_uses(client_for, editor, db):
    for response in [Client().get(reverse("login")), client_for(editor).get(reverse("dashboard"))]:
        policy = dict(part.split("=") for part in response["Permissions-Policy"].split(", "))
        for feature in ["camera", "microphone", "geolocation", "payment", "usb"]:
            assert policy[feature] == "()"


@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
def test_static_files_stay_cacheable_for_signed_in_users(client_for, editor):
    response = client_for(editor).get("/static/css/portal.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def _settings_value(name: str, **env) -> str:
    code = f"import django; django.setup(); from django.conf import settings; print(repr(settings.{name}))"
    keep = {k: v for k, v in __import__("os").environ.items() if k in ("PATH", "HOME", "LANG", "DATABASE_URL")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**keep, "DJANGO_SETTINGS_MODULE": "iisg_portal.settings", "DJANGO_DEBUG": "0", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_the_proxys_https_header_is_trusted_only_when_configured():
    assert _settings_value("SECURE_PROXY_SSL_HEADER") == "None"
    configured = _settings_value(
        "SECURE_PROXY_SSL_HEADER", DJANGO_SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https"
    )
    assert configured == "('HTTP_X_FORWARDED_PROTO', 'https')"


@override_settings(SECURE_PROXY_SSL_HEADER=None, SECURE_SSL_REDIRECT=True)
def test_without_it_a_client_cannot_claim_https(client, db):
    response = client.get(reverse("login"), HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
