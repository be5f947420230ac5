"""Limits on guessing: failed sign-ins lock an account and an address (django-axes, configured in settings.py),
and password-reset mails are counted per address and per account (the "throttle" cache, Redis).

Both answer with the portal's 429 page saying when to try again.
"""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import datetime

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import caches
from django.db.models import Max, Q, Sum
from django.shortcuts import render
from django.utils import timezone

logger = logging.getLogger(__name__)


def client_address(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address the outermost of
    them saw (X-Forwarded-For read from the right: whatever a client puts at its left is not trusted)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def account_of(request, credentials: dict | None) -> str | None:
    """The account a sign-in names, as stored: people type their address in any case (User.email is lower-case),
    and "Lead@DCAF.example" must count towards the same lock as "lead@dcaf.example"."""
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        username = getattr(request, "POST", {}).get("username")
    return username.strip().lower() if isinstance(username, str) and username.strip() else None


class AccountAndAddressHandler(AxesDatabaseHandler):
    """axes counts failures per account (AXES_LOCKOUT_PARAMETERS = ["username"], AXES_FAILURE_LIMIT); this adds
    the count per client address with its own, higher limit (LOGIN_FAILURE_LIMIT_PER_ADDRESS), so one person's
    mistakes never lock their colleagues behind the same address, while guessing across accounts still stops."""

    def address_failures(self, request) -> int:
        attempts = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
        )
        return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        return settings.AXES_LOCK_OUT_AT_FAILURE and (
            self.address_failures(request) >= settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS
        )

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        # The failure that reaches the address's limit answers with the lockout page too, as one on an account does.
        if request is not None and not request.axes_locked_out and self.is_locked(request, credentials):
            request.axes_locked_out = True
            request.axes_credentials = credentials


def lockout_ends_at(request, credentials: dict | None) -> datetime:
    """When the lock on this account and address lifts at the latest: the last failure counted, plus the cool-off
    (attempts while locked are not counted: AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT is off)."""
    account = get_client_username(request, credentials)
    last = AccessAttempt.objects.filter(
        Q(username=account) | Q(ip_address=request.axes_ip_address),
        attempt_time__gte=get_cool_off_threshold(request),
    ).aggregate(last=Max("attempt_time"))["last"]
    return (last or timezone.now()) + get_cool_off(request)


def too_many(request, *, title: str, reason: str, retry_at: datetime, sign_in: bool = False):
    """The portal's 429 page: what happened, and when to try again (also as Retry-After)."""
    context = {"title": title, "reason": reason, "retry_at": retry_at, "sign_in": sign_in}
    response = render(request, "429.html", context, status=429)
    response["Retry-After"] = str(max(1, int((retry_at - timezone.now()).total_seconds())))
    return response


def lockout_response(request, original_response=None, credentials: dict | None = None):
    """AXES_LOCKOUT_CALLABLE: the portal's page instead of axes' plain text, for the portal's and the admin's login."""
    return too_many(
        request,
        title="Sign-in paused",
        reason="There were too many failed sign-ins for this account or from your network. "
        "Until the time below, even the right password is refused.",
        retry_at=lockout_ends_at(request, credentials),
        sign_in=True,
    )


def _window_count(scope: str, who: str, *, limit: int, window: int) -> datetime | None:
    """Count one event for `who` in the current window of `window` seconds. None while within `limit`, else
    the end of the window (when to try again). Fixed windows: one key per window, gone when it ends."""
    start = int(time.time()) // window * window
    digest = hashlib.sha256(who.encode()).hexdigest()  # no addresses or e-mail addresses in Redis
    key = f"{scope}:{digest}:{start}"
    cache = caches["throttle"]
    try:
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:  # gone between add and incr (the window ended), or a cache that keeps nothing
            cache.set(key, 1, timeout=window)
            count = 1
    except Exception:  # Redis unreachable: let the mail go rather than refuse every reset
        logger.warning("password-reset throttle unavailable", exc_info=True)
        return None
    if count <= limit:
        return None
    return datetime.fromtimestamp(start + window, tz=timezone.get_current_timezone())


def password_reset_mail_refused(request, email: str) -> tuple[str, datetime] | None:
    """Count a password-reset request. Returns None to send the mail, else (who is over the limit, retry time):
    "address" (the page says so) or "account" (the page answers as usual, without a mail). Counted whether or not
    an account has that address, so the answer reveals nothing about which accounts exist."""
    hour = 60 * 60
    address = client_address(request) or "unknown"
    if retry_at := _window_count(
        "password-reset-address", address, limit=settings.PASSWORD_RESET_MAILS_PER_ADDRESS, window=hour
    ):
        return "address", retry_at
    if retry_at := _window_count(
        "password-reset-account", email.strip().lower(), limit=settings.PASSWORD_RESET_MAILS_PER_ACCOUNT, window=hour
    ):
        return "account", retry_at
    return None
