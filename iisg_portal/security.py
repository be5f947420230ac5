"""Response headers every page gets, and the second factor privileged roles must use (django-otp).

Who must use a second factor: superusers and staff (the admin), Support Group staff, the Board secretariat and
Lead / Co-Lead Partners (who approve entries). They set up an authenticator app before anything else, and enter
its code after every sign-in. Anyone else who set one up is asked for it too.

API calls with a key do not pass through here (they carry no session: the key is checked in the view, by
partners.api_auth). A key counts as a factor of its own: it is made only from a session that passed this
middleware, shown once, stored as a digest, announced to its holder by mail and revoked with the password.
"""

import time
from urllib.parse import urlencode

from django.http import FileResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import add_never_cache_headers
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners import roles
from pillars.selectors import led_pillar_ids

# Browser features the portal never uses: no page (nor anything injected into one) may ask for them.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response; `Cache-Control: no-store` on every response to a signed-in user and
    on every download, so no shared or browser cache keeps a page or file only its reader may see. Static files
    are answered before this middleware (WhiteNoise) and stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or _is_download(response):
            add_never_cache_headers(response)
        return response


def _is_download(response) -> bool:
    return "Content-Disposition" in response or isinstance(response, FileResponse | StreamingHttpResponse)


def second_factor_required(user) -> bool:
    """Roles that see or decide more than their own organisation's work: they must use a second factor."""
    if user.is_superuser or user.is_staff:
        return True
    if user.groups.filter(name__in=[roles.SUPPORT_GROUP_STAFF, roles.BOARD_SECRETARIAT]).exists():
        return True
    return bool(led_pillar_ids(user))


# The pages each pending step may still open: everything else sends the person back to the step.
STEP_PAGES = {
    "verify": {"second_factor_verify", "logout"},
    "setup": {"second_factor_setup", "logout"},
}
STEP_URLS = {"verify": "second_factor_verify", "setup": "second_factor_setup"}
# "Needs no second factor" is remembered in the session this long: a role given meanwhile (a membership of a
# lead organisation) asks for it within a minute, without costing every page of every partner queries.
NOT_NEEDED_KEY = "iisg_second_factor_not_needed"
RECHECK_SECONDS = 60


def second_factor_step(request, user) -> str | None:
    """What a signed-in, unverified user must do first: "verify" (enter a code), "setup", or nothing."""
    if time.time() - request.session.get(NOT_NEEDED_KEY, 0) < RECHECK_SECONDS:
        return None
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return "verify"
    if second_factor_required(user):
        return "setup"
    request.session[NOT_NEEDED_KEY] = time.time()
    return None


class SecondFactorMiddleware:
    """A signed-in user whose session is not verified by a second factor, and who has one or must have one, is
    sent to enter its code or to set it up before any other page (the API answers 403 instead)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified():
            step = second_factor_step(request, user)
            if step:
                match = _resolve(request)
                if match is None or match.url_name not in STEP_PAGES[step]:
                    return _send_to(step, request, match)
                request.second_factor_pending = True  # the layout shows no navigation meanwhile
        return self.get_response(request)


def _resolve(request):
    try:
        return resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return None


def _send_to(step: str, request, match):
    if match is not None and match.namespace == "api":
        what = "enter your second factor's code" if step == "verify" else "set up a second factor"
        return JsonResponse({"detail": f"Sign in in the browser and {what} first."}, status=403)
    url = reverse(STEP_URLS[step])
    if request.method == "GET":
        url = f"{url}?{urlencode({'next': request.get_full_path()})}"
    return redirect(url)
