"""A person's own account at the desk: where they are signed in, signing out
elsewhere, changing the password; and the "forgot your password?" screens,
which are Django's, with the desk's look and a limit per address."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from gazette.accounts import resets, sessions, throttle
from gazette.accounts.addresses import request_bucket
from gazette.accounts.forms import ResetForm
from gazette.accounts.models import SignInSession
from gazette.accounts.throttle import describe_wait, whole_seconds
from gazette.desk.access import desk_view
from gazette.site.models import SiteSettings


def _person(request: HttpRequest) -> User:
    """The signed-in person (desk_view lets nobody else in)."""
    if not request.user.is_authenticated:
        raise PermissionDenied("Sign in first.")
    return request.user


@desk_view
def account(request: HttpRequest) -> HttpResponse:
    current = sessions.current_record_id(request)
    entries = sessions.live_sessions(_person(request), current)
    others = [entry for entry in entries if entry.pk != current]
    context = {"entries": entries, "current": current, "others": others}
    return render(request, "desk/account.html", context)


@desk_view
@require_POST
def end_session(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(SignInSession, pk=pk, user_id=request.user.pk)
    if entry.pk == sessions.current_record_id(request):
        return _signed_out_here(request, "You are signed out.")
    sessions.end([entry])
    messages.success(request, "That session is signed out.")
    return redirect("desk:account")


@desk_view
@require_POST
def sign_out_elsewhere(request: HttpRequest) -> HttpResponse:
    ended = sessions.end_all(_person(request), keep=sessions.current_record_id(request))
    noun = "session" if ended == 1 else "sessions"
    messages.success(request, f"Signed out everywhere else ({ended} {noun}).")
    return redirect("desk:account")


@desk_view
@require_POST
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    sessions.end_all(_person(request))
    return _signed_out_here(request, "You are signed out everywhere.")


def _signed_out_here(request: HttpRequest, message: str) -> HttpResponse:
    logout(request)
    messages.success(request, message)
    return redirect("desk:sign_in")


class PasswordChange(auth_views.PasswordChangeView):
    template_name = "desk/password_change.html"
    success_url = reverse_lazy("desk:account")

    def form_valid(self, form) -> HttpResponse:
        # Django keeps this session signed in (its key rotated) and every other
        # session stops verifying; they are ended now so the list agrees.
        response = super().form_valid(form)
        current = sessions.current_record_id(self.request)
        sessions.end_all(_person(self.request), keep=current)
        messages.success(
            self.request, "Your password is changed, and you are signed out elsewhere."
        )
        return response


password_change = desk_view(PasswordChange.as_view())


def _reset_timeout() -> str:
    """ "1 hour" reads better than "60 minutes"."""
    seconds = settings.PASSWORD_RESET_TIMEOUT
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'' if hours == 1 else 's'}"
    return describe_wait(timedelta(seconds=seconds))


class PasswordReset(auth_views.PasswordResetView):
    template_name = "desk/password_reset.html"
    form_class = ResetForm
    subject_template_name = "accounts/email/password_reset_subject.txt"
    email_template_name = "accounts/email/password_reset.txt"
    success_url = reverse_lazy("desk:password_reset_done")

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(**kwargs) | {"reset_timeout": _reset_timeout()}

    def form_valid(self, form) -> HttpResponse:
        address = request_bucket(self.request)
        wait = resets.wait_before_request(address)
        if wait > timedelta(0):
            form.add_error(
                None,
                "Too many requests from your address. "
                f"Please wait {describe_wait(wait)}, then try again.",
            )
            response = self.form_invalid(form)
            response.status_code = 429
            response.headers["Retry-After"] = str(whole_seconds(wait))
            return response
        if not resets.record_request(address, form.cleaned_data["email"]):
            # Enough mail to that mailbox for now; the answer is the usual one.
            return HttpResponseRedirect(self.get_success_url())
        self.extra_email_context = {
            "site": SiteSettings.load(),
            "timeout": _reset_timeout(),
        }
        return super().form_valid(form)


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    template_name = "desk/password_reset_confirm.html"
    success_url = reverse_lazy("desk:password_reset_complete")

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        # Django's check would refuse the old sessions on their next request;
        # ending them now also takes them off the account screen.
        sessions.end_all(form.user)
        # Whoever holds the link owns the account: their own earlier typos from
        # this address no longer slow them down.
        username = throttle.normal_username(form.user.get_username())
        throttle.forget_failures(username, request_bucket(self.request))
        return response


password_reset = PasswordReset.as_view()
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="desk/password_reset_done.html"
)
password_reset_confirm = PasswordResetConfirm.as_view()
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="desk/password_reset_complete.html"
)
