"""API keys as a Django REST framework authentication: `Authorization: Bearer iisg_...`."""

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from partners.models import ApiKey
from partners.services import API_KEY_PREFIX, api_key_digest

#: last_used_at is written at most this often per key (not on every call).
LAST_USED_RESOLUTION = timedelta(minutes=5)


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Scripts call the API with a key instead of a browser session (and without its CSRF token)."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None  # not ours: the session authentication may answer
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send “Authorization: Bearer <key>”, the key without spaces.")
        try:
            key = header[1].decode()
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed("Unknown or revoked API key.") from exc
        if not key.startswith(API_KEY_PREFIX):
            raise exceptions.AuthenticationFailed("Unknown or revoked API key.")
        api_key = (
            ApiKey.objects.select_related("user")
            .filter(digest=api_key_digest(key), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if api_key is None:
            raise exceptions.AuthenticationFailed("Unknown or revoked API key.")
        now = timezone.now()
        if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
            ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        return api_key.user, api_key

    def authenticate_header(self, request):
        return self.keyword  # a failed key answers 401, with this challenge


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "partners.api_auth.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key made under your name: Account → API keys (shown once, when made).",
        }
