"""Each signed-in session, recorded so that its owner can see where they are
signed in and end any session, and an admin can sign someone out everywhere.

A session's record id is kept in the session itself; the record keeps the
session key, and ending a session deletes it through the session engine, so a
copied cookie stops working at once. The key changes when Django rotates it (a
password change, a second sign-in step); the middleware follows it.
"""

import re
from collections.abc import Iterable
from importlib import import_module

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from gazette.accounts.addresses import address_bucket, valid_ip
from gazette.accounts.models import KnownAddress, SignInSession

# Keys in the session's own data.
RECORD_KEY = "_gazette_sign_in"
SEEN_KEY = "_gazette_seen_at"  # a Unix time: when the record was last updated
# The session key the record holds, so that a rotated key is noticed without
# reading the record.
RECORDED_KEY = "_gazette_session_key"


def session_store(session_key: str | None = None) -> SessionBase:
    engine = import_module(settings.SESSION_ENGINE)
    return engine.SessionStore(session_key)


def record(request: HttpRequest, user: User) -> SignInSession:
    """Record the session `user` just signed in to, and the address as theirs."""
    ip = valid_ip(request)
    session = request.session
    if session.session_key is None:
        session.save()
    now = timezone.now()
    entry = SignInSession.objects.create(
        user=user,
        session_key=session.session_key or "",
        address=ip,
        user_agent=summarise_user_agent(request.headers.get("User-Agent", "")),
        signed_in_at=now,
        last_seen_at=now,
    )
    session[RECORD_KEY] = entry.pk
    session[SEEN_KEY] = int(now.timestamp())
    session[RECORDED_KEY] = entry.session_key
    if ip is not None:
        KnownAddress.objects.update_or_create(
            user=user, address=address_bucket(ip), defaults={"last_signed_in_at": now}
        )
    return entry


def current_record_id(request: HttpRequest) -> int | None:
    value = request.session.get(RECORD_KEY)
    return value if isinstance(value, int) else None


def end(entries: Iterable[SignInSession]) -> int:
    """Delete these sessions through the session engine, and their records."""
    entries = list(entries)
    store = session_store()
    for entry in entries:
        if entry.session_key:
            store.delete(entry.session_key)
    SignInSession.objects.filter(pk__in=[entry.pk for entry in entries]).delete()
    return len(entries)


def end_all(user: User, *, keep: int | None = None) -> int:
    """End every session of `user`, except the record `keep` (the current one)."""
    entries = SignInSession.objects.filter(user=user)
    return end(entries.exclude(pk=keep) if keep is not None else entries)


def live_sessions(user: User, current: int | None) -> list[SignInSession]:
    """The user's sessions that still sign them in, newest first. Records of
    sessions that expired or that a password change ended are removed, so the
    list agrees with what a cookie can still do."""
    entries = list(SignInSession.objects.filter(user=user))
    dead = [e for e in entries if e.pk != current and not _still_signs_in(e, user)]
    end(dead)
    return [entry for entry in entries if entry not in dead]


def _still_signs_in(entry: SignInSession, user: User) -> bool:
    """What Django checks on each request: the session names this user and
    carries the hash of their current password (or one made with an older key)."""
    data = session_store(entry.session_key).load()
    if str(data.get(SESSION_KEY)) != str(user.pk):
        return False
    session_hash = data.get(HASH_SESSION_KEY) or ""
    hashes = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
    return any(constant_time_compare(session_hash, known) for known in hashes)


_BROWSERS = [
    ("Edge", r"Edg(e|A|iOS)?/"),
    ("Opera", r"OPR/|Opera"),
    ("Firefox", r"Firefox/|FxiOS/"),
    ("Chrome", r"Chrome/|CriOS/|Chromium/"),
    ("Safari", r"Safari/"),
    ("curl", r"^curl/"),
]
_SYSTEMS = [
    ("iOS", r"iPhone|iPad|iPod"),
    ("Android", r"Android"),
    ("Windows", r"Windows"),
    ("macOS", r"Mac OS X|Macintosh"),
    ("ChromeOS", r"CrOS"),
    ("Linux", r"Linux|X11"),
]


def summarise_user_agent(user_agent: str) -> str:
    """ "Firefox on Linux": enough to recognise a device, and no more is kept."""
    user_agent = user_agent[:1000]
    browser = next((n for n, p in _BROWSERS if re.search(p, user_agent)), "")
    system = next((n for n, p in _SYSTEMS if re.search(p, user_agent)), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or ("Unknown browser" if user_agent else "")
