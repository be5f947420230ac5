"""The second factor for the sign-in helpers (tests/conftest.py client_for, tests/e2e/conftest.py sign_in): a
privileged persona gets an authenticator app, as a real person sets one up, and signs in with its code."""

import time

from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from iisg_portal.security import second_factor_required


def needs_second_factor(user) -> bool:
    return second_factor_required(user) or TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def device_for(user) -> TOTPDevice:
    """The persona's confirmed authenticator app (made once)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def code_for(device: TOTPDevice) -> str:
    """The code the app shows, as the portal accepts it next: the portal takes each time step's code once (and one
    step either side), so a persona signing in twice within 30 s types the next step's code, or waits for it."""
    device.refresh_from_db()
    while True:
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        step = max(totp.t(), device.last_t + 1)
        if step <= totp.t() + device.tolerance:
            totp.drift += step - totp.t()
            return f"{totp.token():0{device.digits}d}"
        time.sleep(1)


def verify_session(client, user) -> None:
    """Mark `client`'s session (already signed in as `user`) as verified by the user's app, with django-otp's own
    login(), as the portal's code page does."""
    request = HttpRequest()
    request.session = client.session
    request.user = user
    otp_login(request, device_for(user))
    request.session.save()
