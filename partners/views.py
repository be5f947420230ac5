from base64 import b32encode
from urllib.parse import urlencode

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from iisg_portal.web import call_service, permission_required_or_403
from partners import services, sign_in_limits
from partners.forms import (
    ApiKeyForm,
    OrganisationFilterForm,
    OrganisationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SecondFactorCodeForm,
    SecondFactorSetupForm,
    SetPasswordForm,
)
from partners.models import Organisation


@permission_required_or_403("partners.view_organisation")
def organisation_list(request):
    form = OrganisationFilterForm(request.GET or None)
    organisations = (
        Organisation.objects.select_related("country").annotate(member_count=Count("memberships")).order_by("name")
    )
    if form.is_valid():
        if q := form.cleaned_data["q"]:
            organisations = organisations.filter(Q(name__icontains=q) | Q(short_name__icontains=q))
        if kind := form.cleaned_data["type"]:
            organisations = organisations.filter(type=kind)
        if participation := form.cleaned_data["participation"]:
            organisations = organisations.filter(participation=participation)
        if form.cleaned_data["needs_review"]:
            organisations = organisations.filter(needs_review=True)
    page = Paginator(organisations, 25).get_page(request.GET.get("page"))
    return render(request, "partners/organisation_list.html", {"form": form, "page": page})


@permission_required_or_403("partners.view_organisation")
def organisation_detail(request, pk: int):
    organisation = get_object_or_404(Organisation.objects.select_related("country"), pk=pk)
    return render(
        request,
        "partners/organisation_detail.html",
        {
            "organisation": organisation,
            "led_pillars": organisation.led_pillars.all(),
            "co_led_pillars": organisation.co_led_pillars.all(),
            "can_edit": request.user.has_perm("partners.change_organisation"),
        },
    )


@permission_required_or_403("partners.add_organisation")
def organisation_create(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, organisation = call_service(
            request, lambda: services.organisation_create(actor=request.user, **form.cleaned_data), form=form
        )
        if ok:
            messages.success(request, f"{organisation.name} was added.")
            return redirect("partners:organisation_detail", pk=organisation.pk)
    return render(request, "partners/organisation_form.html", {"form": form, "title": "Add an organisation"})


@permission_required_or_403("partners.change_organisation")
def organisation_update(request, pk: int):
    organisation = get_object_or_404(Organisation, pk=pk)
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        ok, _ = call_service(
            request,
            lambda: services.organisation_update(actor=request.user, organisation=organisation, **form.cleaned_data),
            form=form,
            success="Changes saved.",
        )
        if ok:
            return redirect("partners:organisation_detail", pk=organisation.pk)
    return render(request, "partners/organisation_form.html", {"form": form, "title": f"Edit {organisation.name}"})


NEW_API_KEY_SESSION = "new_api_key"


@never_cache  # the page shows a new key once: no copy of it may stay in a cache
def api_keys(request):
    """A person's API keys: make one (shown once), see when each was last used, revoke. Anyone signed in sees
    and revokes their own; making one needs the consult permission (the API's use)."""
    may_issue = request.user.has_perm("ipas.consult_activities")
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST":
        if not may_issue:
            raise PermissionDenied
        if form.is_valid():
            ok, issued = call_service(
                request, lambda: services.api_key_issue(actor=request.user, name=form.cleaned_data["name"]), form=form
            )
            if ok:
                record, key = issued
                # Shown by the next page once, then gone from the session: a reload makes no second key.
                request.session[NEW_API_KEY_SESSION] = key
                messages.success(request, f"Key “{record.name}” made. Copy it now: it is not shown again.")
                return redirect("api_keys")
    new_key = request.session.pop(NEW_API_KEY_SESSION, None) if request.method == "GET" else None
    context = {"form": form, "keys": request.user.api_keys.all(), "new_key": new_key, "may_issue": may_issue}
    return render(request, "partners/api_keys.html", context, status=400 if form.errors else 200)


@require_POST
def api_key_revoke(request, pk: int):
    api_key = get_object_or_404(request.user.api_keys, pk=pk)  # someone else's key: not found
    call_service(
        request,
        lambda: services.api_key_revoke(actor=request.user, api_key=api_key),
        success=f"Key “{api_key.name}” revoked: scripts using it are refused from now on.",
    )
    return redirect("api_keys")


# --- Password pages: limits and consequences --------------------------------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    """Reset mails are counted per client address and per account (partners/sign_in_limits.py)."""

    form_class = PasswordResetForm

    def form_valid(self, form):
        refused = sign_in_limits.password_reset_mail_refused(self.request, form.cleaned_data["email"])
        if refused is None:
            return super().form_valid(form)
        who, retry_at = refused
        if who == "account":
            # The same answer as when a mail goes: the page must not tell which addresses have an account.
            return redirect(self.get_success_url())
        return sign_in_limits.too_many(
            self.request,
            title="Too many reset requests",
            reason="Your network asked for too many password-reset mails in the last hour.",
            retry_at=retry_at,
        )


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm

    def form_valid(self, form):
        response = super().form_valid(form)
        # Whoever reads the account's mailbox may sign in again at once: the failed sign-ins no longer lock it.
        axes_reset(username=form.user.email)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm

    def form_valid(self, form):
        response = super().form_valid(form)
        if form.revoked_api_keys:
            messages.warning(
                self.request,
                f"Your {form.revoked_api_keys} API key{pluralize(form.revoked_api_keys)} "
                f"{pluralize(form.revoked_api_keys, 'was,were')} revoked with the old password: scripts using "
                f"{pluralize(form.revoked_api_keys, 'it,them')} are refused from now on. Make new ones under API keys.",
            )
        return response


# --- Second factor ----------------------------------------------------------------------------------------

NEW_RECOVERY_CODES_SESSION = "new_recovery_codes"


def _next_url(request) -> str:
    """Where to go once the second factor is done: the page asked for, if it is one of the portal's."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _has_app(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _locked_out(request) -> bool:
    credentials = {"username": request.user.email}
    return settings.AXES_ENABLED and not AxesProxyHandler.is_allowed(request, credentials)


def _sign_out_locked(request):
    credentials = {"username": request.user.email}
    logout(request)
    return sign_in_limits.lockout_response(request, credentials=credentials)


def _verified(request, device):
    request.session.cycle_key()  # a new session id for the verified session
    otp_login(request, device)


@never_cache
def second_factor_verify(request):
    """After the password, the code of the person's authenticator app (or a recovery code, used up by this).
    A wrong code counts as a failed sign-in of the account: enough of them lock it, as wrong passwords do."""
    user = request.user
    if user.is_verified() or not _has_app(user):
        return redirect(_next_url(request))
    if _locked_out(request):
        return _sign_out_locked(request)
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, device = call_service(
            request, lambda: services.second_factor_check(actor=user, code=form.cleaned_data["code"]), form=form
        )
        if device is not None:
            _verified(request, device)
            if device.persistent_id.startswith("otp_static."):
                left = StaticToken.objects.filter(device__user=user).count()
                messages.warning(
                    request,
                    f"You signed in with a recovery code: {left} left. Lost your phone? Set up the app again "
                    f"under Second factor, which also gives you new recovery codes.",
                )
            return redirect(_next_url(request))
        if ok:
            form.add_error("code", "That code is not right. Type the six digits the app shows now.")
            user_login_failed.send(sender=__name__, credentials={"username": user.email}, request=request)
            if getattr(request, "axes_locked_out", False):
                return _sign_out_locked(request)
    context = {"form": form, "next": _next_url(request)}
    return render(request, "registration/second_factor_verify.html", context, status=400 if form.errors else 200)


@never_cache  # the page shows the app's secret
def second_factor_setup(request):
    """Set up an authenticator app: scan the QR code (or type the secret), then type the code it shows. Replacing
    an app needs a session verified with the current one (the middleware asks for its code first)."""
    user = request.user
    replacing = _has_app(user)
    if replacing and not user.is_verified():
        return redirect(reverse("second_factor_verify"))
    device = services.second_factor_start(actor=user)
    form = SecondFactorSetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, codes = call_service(
            request,
            lambda: services.second_factor_confirm(actor=user, device=device, code=form.cleaned_data["code"]),
            form=form,
        )
        if ok:
            _verified(request, device)
            request.session[NEW_RECOVERY_CODES_SESSION] = codes
            messages.success(
                request, "Your authenticator app is set up: the portal asks for its code at every sign-in."
            )
            return redirect(f"{reverse('recovery_codes')}?{urlencode({'next': _next_url(request)})}")
    secret = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "replacing": replacing,
        "qr_code": segno.make(device.config_url, error="m").svg_inline(
            scale=5, light="#fff", title="QR code to scan with your authenticator app"
        ),
        "config_url": device.config_url,
        "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        "next": _next_url(request),
    }
    return render(request, "registration/second_factor_setup.html", context, status=400 if form.errors else 200)


@never_cache  # the page shows new recovery codes once
def recovery_codes(request):
    """Recovery codes: shown once when made; how many are left; new ones on request (the old ones stop working)."""
    if request.method == "POST":
        ok, codes = call_service(request, lambda: services.recovery_codes_renew(actor=request.user))
        if ok:
            request.session[NEW_RECOVERY_CODES_SESSION] = codes
            messages.success(request, "New recovery codes made: the earlier ones no longer work.")
        return redirect("recovery_codes")
    context = {
        "codes": request.session.pop(NEW_RECOVERY_CODES_SESSION, None),
        "has_app": _has_app(request.user),
        "left": StaticToken.objects.filter(device__user=request.user).count(),
        "next": _next_url(request),
    }
    return render(request, "registration/recovery_codes.html", context)
