"""Response headers every page gets."""

from django.http import FileResponse, StreamingHttpResponse
from django.utils.cache import add_never_cache_headers

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
