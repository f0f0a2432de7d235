"""The throttle as an authentication backend, first in AUTHENTICATION_BACKENDS,
so that every sign-in form (the desk's, the Django admin's) is guarded by it.

When a try must wait, the backend raises PermissionDenied: Django then stops
before any password is checked, and the form shows its usual error. The wait is
left on the request for the form to name (`refused_wait`).
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from gazette.accounts import throttle
from gazette.accounts.addresses import request_bucket

_WAIT_ATTRIBUTE = "gazette_sign_in_wait"


def refused_wait(request: HttpRequest | None) -> timedelta | None:
    """How long the throttle told this request to wait, if it refused it."""
    return getattr(request, _WAIT_ATTRIBUTE, None)


class SignInThrottleBackend:
    """Authenticates nobody; refuses tries that must wait.

    It has no get_user() on purpose: Django then never picks it as the backend
    a session belongs to (Client.force_login takes the first with one).
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: object,
    ) -> None:
        if request is None:  # a command or a test calling authenticate() directly
            return None
        wait = throttle.wait_before_try(
            throttle.normal_username(username), request_bucket(request)
        )
        if wait > timedelta(0):
            setattr(request, _WAIT_ATTRIBUTE, wait)
            raise PermissionDenied("This address must wait before trying again.")
        return None
