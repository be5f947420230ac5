import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login

SESSION_STARTED_KEY = "iisg_session_started"


class SessionLifetimeMiddleware:
    """End a signed-in session SESSION_ABSOLUTE_MAX_AGE seconds after it began, however active it is.

    The idle limit is the cookie age renewed on every request; this adds the absolute limit that
    Django itself does not have.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            now = time.time()
            if started is None:
                request.session[SESSION_STARTED_KEY] = now
            elif now - started > settings.SESSION_ABSOLUTE_MAX_AGE:
                logout(request)
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)
