"""Cross-cutting protections on every response and session.

- ``NoStoreMiddleware``: pages for signed-in people hold case data, so no browser or proxy
  keeps them (``Cache-Control: no-store``); static files are untouched.
- ``SessionTimeoutMiddleware``: a session ends after ``SAFEGUARD_SESSION_IDLE_MINUTES`` of
  inactivity and, whatever the activity, ``SAFEGUARD_SESSION_ABSOLUTE_HOURS`` after sign-in.
  The time last seen is written at most once a minute (``SEEN_RESOLUTION``): saving the
  session on every request would make every page, even one that only reads, a database
  write. A session can so end up to a minute early, never late.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

_SIGNED_IN_AT = "safeguard_signed_in_at"
_SEEN_AT = "safeguard_seen_at"
#: Seconds: how stale the session's "last seen" may be before a request writes it again.
SEEN_RESOLUTION = 60


def note_sign_in(sender: object, request: HttpRequest, user: object, **kwargs: object) -> None:
    """Start the absolute session clock at sign-in (connected to ``user_logged_in``)."""
    if hasattr(request, "session"):
        request.session[_SIGNED_IN_AT] = time.time()
        request.session[_SEEN_AT] = time.time()


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            user = getattr(request, "user", None)
            if (user is not None and user.is_authenticated) or request.path.startswith("/api/"):
                response["Cache-Control"] = "no-store"
        return response


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            session = request.session
            signed_in = session.setdefault(_SIGNED_IN_AT, now)
            seen = session.get(_SEEN_AT, now)
            idle = settings.SAFEGUARD_SESSION_IDLE_MINUTES * 60
            absolute = settings.SAFEGUARD_SESSION_ABSOLUTE_HOURS * 3600
            if now - seen > idle or now - signed_in > absolute:
                logout(request)
            elif now - seen >= SEEN_RESOLUTION or _SEEN_AT not in session:
                session[_SEEN_AT] = now
        return self.get_response(request)
