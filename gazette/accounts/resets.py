"""Limits on the "forgot your password?" form.

Per address: a few requests an hour, then the form says how long to wait. Per
mailbox: a few mails an hour whoever asks, so that strangers cannot flood
someone's inbox; past it the form answers exactly as usual (it must never tell
whether an address belongs to an account) and no mail is sent.
"""

from datetime import datetime, timedelta

from django.db.models import Count, Min
from django.utils import timezone
from django.utils.crypto import salted_hmac

from gazette.accounts.models import PasswordResetRequest

WINDOW = timedelta(hours=1)
PER_ADDRESS = 5
PER_EMAIL = 3


def email_digest(email: str) -> str:
    return salted_hmac(
        "gazette.accounts.resets", email.strip().lower(), algorithm="sha256"
    ).hexdigest()


def wait_before_request(address: str, now: datetime | None = None) -> timedelta:
    """How long this address must wait before asking again (zero: it may)."""
    now = now or timezone.now()
    recent = PasswordResetRequest.objects.filter(
        address=address, requested_at__gt=now - WINDOW
    )
    found = recent.aggregate(oldest=Min("requested_at"), count=Count("id"))
    if found["count"] < PER_ADDRESS or found["oldest"] is None:
        return timedelta(0)
    return max(timedelta(seconds=1), found["oldest"] + WINDOW - now)


def record_request(address: str, email: str) -> bool:
    """Record a request; whether a mail may go to `email` within its limit."""
    now = timezone.now()
    digest = email_digest(email)
    PasswordResetRequest.objects.create(
        address=address, email_digest=digest, requested_at=now
    )
    sent_lately = PasswordResetRequest.objects.filter(
        email_digest=digest, requested_at__gt=now - WINDOW
    ).count()
    return sent_lately <= PER_EMAIL


def forget_old_requests(now: datetime | None = None) -> int:
    now = now or timezone.now()
    deleted, _ = PasswordResetRequest.objects.filter(
        requested_at__lte=now - WINDOW
    ).delete()
    return deleted
