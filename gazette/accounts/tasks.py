"""Background work for accounts: their mail, and forgetting old records."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.utils import timezone

from gazette.accounts import resets, throttle
from gazette.accounts.models import KnownAddress, SignInSession
from gazette.site.periodic import periodic

logger = logging.getLogger(__name__)
# An address not signed in from for this long no longer counts as the owner's.
KNOWN_ADDRESS_MEMORY = timedelta(days=90)


@task()
def send_account_mail(subject: str, body: str, to: list[str]) -> None:
    """Mail about someone's account (a reset link, a warning), sent outside the
    request so that whether an account exists does not show in response times."""
    try:
        EmailMessage(subject=subject, body=body, to=to).send()
    except Exception:
        logger.exception("Could not send %r", subject)
        raise


@periodic(every=timedelta(hours=1))
def forget_old_sign_in_records() -> None:
    """Failures past the throttle's memory, reset requests past their window,
    records of sessions that have expired, addresses long unused."""
    now = timezone.now()
    throttle.forget_old_failures(now)
    resets.forget_old_requests(now)
    expired = now - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    SignInSession.objects.filter(last_seen_at__lt=expired).delete()
    KnownAddress.objects.filter(
        last_signed_in_at__lt=now - KNOWN_ADDRESS_MEMORY
    ).delete()
