"""Keeps each signed-in session's record current, cheaply.

For a signed-in request, the session's own data says when its record was last
touched; only every `SEEN_EVERY` does the middleware write to the record (and
end the session if its record was removed by "sign out" elsewhere). A session
key rotated during the request (a password change, a second sign-in step) is
written to the record before the response leaves.
"""

import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from gazette.accounts import sessions
from gazette.accounts.models import SignInSession

SEEN_EVERY = timedelta(minutes=5)


class SignInSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # No session cookie (most readers): nothing to load, nothing to do.
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            self._touch(request)
        response = self.get_response(request)
        self._follow_key(request)
        return response

    def _touch(self, request: HttpRequest) -> None:
        session = request.session
        if SESSION_KEY not in session or not request.user.is_authenticated:
            return
        record_id = sessions.current_record_id(request)
        if record_id is None:
            # Signed in before sessions were recorded: record it now.
            sessions.record(request, request.user)
            return
        seen = session.get(sessions.SEEN_KEY)
        if isinstance(seen, int) and time.time() - seen < SEEN_EVERY.total_seconds():
            return
        now = timezone.now()
        updated = SignInSession.objects.filter(
            pk=record_id, user_id=request.user.pk
        ).update(last_seen_at=now)
        if not updated:
            # Ended elsewhere while this session lived on (a session engine
            # that cannot delete sessions, or a race with the ending).
            logout(request)
            return
        session[sessions.SEEN_KEY] = int(now.timestamp())

    def _follow_key(self, request: HttpRequest) -> None:
        session = getattr(request, "session", None)
        if session is None or not session.accessed:
            return
        record_id = session.get(sessions.RECORD_KEY)
        key = session.session_key
        if (
            record_id is None
            or key is None
            or session.get(sessions.RECORDED_KEY) == key
        ):
            return
        SignInSession.objects.filter(pk=record_id).update(session_key=key)
        session[sessions.RECORDED_KEY] = key
