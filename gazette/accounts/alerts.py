"""Telling an account's owner that its password is being guessed.

When an existing username collects `WARN_AFTER` failures within `WINDOW` from
addresses it never signed in from, its owner gets one mail, at most one an hour,
naming the count and the addresses and saying what to do. Nothing of this shows
at the sign-in form, which behaves the same for names that exist and names that
do not.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from gazette.accounts.models import GuessingWarning, KnownAddress, SignInFailure
from gazette.accounts.tasks import send_account_mail
from gazette.site.models import SiteSettings

WARN_AFTER = 10
WINDOW = timedelta(hours=1)
ADDRESSES_LISTED = 10


def after_failure(username: str, request: HttpRequest) -> None:
    """Called after each failure is recorded: warn the owner when it is time.
    Most calls stop at the first, indexed count."""
    now = timezone.now()
    since = now - WINDOW
    recent = SignInFailure.objects.filter(username=username, failed_at__gt=since)
    if recent.count() < WARN_AFTER:
        return
    User = get_user_model()
    owners = User._default_manager.filter(
        **{f"{User.USERNAME_FIELD}__iexact": username, "is_active": True}
    )
    for owner in owners:
        email = getattr(owner, owner.get_email_field_name(), "")
        if email:
            _warn_once(owner, email, recent, since, request)


def _warn_once(owner, email: str, recent, since, request: HttpRequest) -> None:
    warning, _ = GuessingWarning.objects.get_or_create(user=owner)
    if warning.warned_at is not None and warning.warned_at > since:
        return
    known = KnownAddress.objects.filter(user=owner).values_list("address", flat=True)
    by_address = list(
        recent.exclude(address__in=list(known))
        .values_list("address")
        .annotate(count=Count("id"))
        .order_by("-count", "address")
    )
    total = sum(count for _, count in by_address)
    if total < WARN_AFTER:
        return
    # A conditional update is atomic: of several workers seeing the same
    # failures at once, exactly one claims this hour's mail.
    claimed = (
        GuessingWarning.objects.filter(pk=owner.pk)
        .filter(Q(warned_at__isnull=True) | Q(warned_at__lte=since))
        .update(warned_at=timezone.now())
    )
    if not claimed:
        return
    site = SiteSettings.load()
    context = {
        "site": site,
        "username": owner.get_username(),
        "count": total,
        "addresses": by_address[:ADDRESSES_LISTED],
        "more_addresses": max(0, len(by_address) - ADDRESSES_LISTED),
        "account_url": request.build_absolute_uri(reverse("desk:account")),
        "change_url": request.build_absolute_uri(reverse("desk:password_change")),
        "reset_url": request.build_absolute_uri(reverse("desk:password_reset")),
    }
    subject = f"Someone is guessing your password · {site.title}"
    body = render_to_string("accounts/email/guessing.txt", context)

    transaction.on_commit(lambda: send_account_mail.enqueue(subject, body, [email]))
