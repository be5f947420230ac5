import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login

SESSION_STARTED_KEY = "iisg_session_started"
SESSION_SEEN_KEY = "iisg_session_seen"


class SessionLifetimeMiddleware:
    """Session limits: SESSION_COOKIE_AGE idle, SESSION_ABSOLUTE_MAX_AGE in all, however active.

    The idle limit is renewed by saving the session, but at most once per SESSION_REFRESH_INTERVAL:
    saving on every request (SESSION_SAVE_EVERY_REQUEST) costs a database write per page for a limit
    that need not be exact to the second. Django itself has no absolute limit; this adds it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            session = request.session
            now = time.time()
            started = session.get(SESSION_STARTED_KEY)
            if started is None:
                session[SESSION_STARTED_KEY] = now
            elif now - started > settings.SESSION_ABSOLUTE_MAX_AGE:
                logout(request)
                return redirect_to_login(request.get_full_path())
            if now - session.get(SESSION_SEEN_KEY, 0) > settings.SESSION_REFRESH_INTERVAL:
                session[SESSION_SEEN_KEY] = now  # modified: saved, and the cookie's expiry pushed back
        return self.get_response(request)
