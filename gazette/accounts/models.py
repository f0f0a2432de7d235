"""What Gazette remembers about signing in: recent failures (for the throttle),
each signed-in session (so that a person can see and end them), the addresses an
account signed in from, when its owner was last warned of guessing, and recent
password-reset requests (for their limit)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class SignInFailure(models.Model):
    """One wrong password. Rows are only ever inserted and counted, which stays
    correct under concurrency (see gazette.accounts.throttle)."""

    # As typed, lower-cased, whether or not such an account exists.
    username = models.CharField(max_length=150)
    # The address, or its /64 network for IPv6 (gazette.accounts.addresses).
    address = models.CharField(max_length=64)
    failed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["address", "failed_at"]),
            models.Index(fields=["username", "address", "failed_at"]),
            models.Index(fields=["username", "failed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.username} from {self.address} at {self.failed_at:%Y-%m-%d %H:%M}"


class SignInSession(models.Model):
    """A session someone signed in to; ending it deletes the session itself."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sign_in_sessions",
    )
    # The key is kept, not a hash of it, because ending a session goes through
    # the session engine, which finds sessions by key. The session table holds
    # the same keys, so this adds nothing to what a copy of the database reveals.
    session_key = models.CharField(max_length=40, db_index=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=100, blank=True)  # "Firefox on Linux"
    signed_in_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"{self.user} since {self.signed_in_at:%Y-%m-%d %H:%M}"


class KnownAddress(models.Model):
    """An address (or IPv6 /64) an account signed in from: failures from it are
    the owner's own typing, not guessing."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="known_addresses",
    )
    address = models.CharField(max_length=64)
    last_signed_in_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "address"], name="known_address_once_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} from {self.address}"


class GuessingWarning(models.Model):
    """When an account's owner was last told that its password is being guessed:
    at most one mail an hour."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True
    )
    warned_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} warned at {self.warned_at}"


class PasswordResetRequest(models.Model):
    """One use of the "forgot your password" form, for its limits."""

    address = models.CharField(max_length=64)
    # An HMAC of the address typed, so that limits per mailbox need no copy of
    # addresses strangers type.
    email_digest = models.CharField(max_length=64)
    requested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["address", "requested_at"]),
            models.Index(fields=["email_digest", "requested_at"]),
        ]

    def __str__(self) -> str:
        return f"from {self.address} at {self.requested_at:%Y-%m-%d %H:%M}"
