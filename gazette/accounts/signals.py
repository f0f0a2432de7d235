"""What signing in, failing to and signing out do to the account records:
Django's auth signals, so that every sign-in form (desk and admin) is covered."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.dispatch import receiver
from django.http import HttpRequest

from gazette.accounts import alerts, sessions, throttle
from gazette.accounts.addresses import request_bucket
from gazette.accounts.backends import refused_wait
from gazette.accounts.models import SignInSession


@receiver(user_login_failed)
def count_failure(
    sender: object,
    credentials: dict,
    request: HttpRequest | None = None,
    **kwargs: object,
) -> None:
    # A try the throttle refused checked no password: it is not a failure.
    if request is None or refused_wait(request) is not None:
        return
    field = get_user_model().USERNAME_FIELD
    username = throttle.normal_username(credentials.get(field, ""))
    throttle.record_failure(username, request_bucket(request))
    alerts.after_failure(username, request)


@receiver(user_logged_in)
def record_sign_in(
    sender: object, request: HttpRequest | None, user, **kwargs: object
) -> None:
    if request is None:
        return
    username = throttle.normal_username(user.get_username())
    throttle.forget_failures(username, request_bucket(request))
    sessions.record(request, user)


@receiver(user_logged_out)
def forget_session(
    sender: object, request: HttpRequest | None, **kwargs: object
) -> None:
    if request is None or not hasattr(request, "session"):
        return
    record_id = sessions.current_record_id(request)
    if record_id is not None:
        SignInSession.objects.filter(pk=record_id).delete()
