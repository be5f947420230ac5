import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from iisg_portal.middleware import SESSION_STARTED_KEY

ROOT = Path(__file__).resolve().parent.parent


def _production_env(**extra):
    # A clean environment: the test settings export variables a production process never has.
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "DATABASE_URL", "REDIS_URL")}
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "iisg_portal.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "portal.iisg.example",
        **extra,
    }


def test_check_deploy_reports_no_issue_with_production_settings():
    env = _production_env(DJANGO_SECRET_KEY="p9#x2!kq7z$w4m@r8t&v1n^b6c*y3h(d5s)f0g+j_l-e=a%uQ7wE4rT1yU8iO5pA2sD")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_with_the_development_key():
    env = _production_env()
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr


def test_session_limits():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_REFRESH_INTERVAL <= 60
    assert settings.SESSION_ABSOLUTE_MAX_AGE == 12 * 60 * 60


@pytest.mark.django_db
def test_session_ends_twelve_hours_after_sign_in_however_active(client, editor):
    client.force_login(editor)
    assert client.get(reverse("dashboard")).status_code == 200
    session = client.session
    session[SESSION_STARTED_KEY] = time.time() - settings.SESSION_ABSOLUTE_MAX_AGE - 1
    session.save()
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.get(reverse("dashboard")).status_code == 302  # signed out for good


def test_production_settings_use_the_connection_pool():
    code = "from django.conf import settings; import django; django.setup(); print(settings.DATABASES['default']['OPTIONS'])"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=_production_env(), capture_output=True, text=True, timeout=60
    )
    assert "'pool': {" in result.stdout, result.stderr


@pytest.mark.django_db
def test_an_active_session_is_renewed_for_another_thirty_minutes(client, editor):
    from django.contrib.sessions.models import Session

    from iisg_portal.middleware import SESSION_SEEN_KEY

    client.force_login(editor)
    client.get(reverse("dashboard"))
    session = client.session
    session[SESSION_SEEN_KEY] = time.time() - settings.SESSION_REFRESH_INTERVAL - 1
    session.save()
    Session.objects.filter(session_key=session.session_key).update(expire_date=timezone.now() + timedelta(seconds=30))
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    renewed = Session.objects.get(session_key=session.session_key).expire_date
    assert renewed > timezone.now() + timedelta(minutes=29)
    assert response.cookies["sessionid"]["max-age"] == settings.SESSION_COOKIE_AGE


@pytest.mark.django_db
def test_a_session_idle_for_thirty_minutes_is_over(client, editor):
    from django.contrib.sessions.models import Session

    client.force_login(editor)
    client.get(reverse("dashboard"))
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
