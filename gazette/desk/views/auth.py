"""Signing in and out: Django's auth views with the desk's own templates.

Wrong passwords are throttled by gazette.accounts (an authentication backend);
the form names the wait, keeps the username, and answers 429 while it lasts.
"""

from django.contrib.auth import views as auth_views
from django.http import HttpResponse

from gazette.accounts.backends import refused_wait
from gazette.accounts.forms import SignInForm
from gazette.accounts.throttle import whole_seconds


class SignIn(auth_views.LoginView):
    template_name = "desk/sign_in.html"
    authentication_form = SignInForm

    def form_invalid(self, form) -> HttpResponse:
        response = super().form_invalid(form)
        wait = refused_wait(self.request)
        if wait is not None:
            response.status_code = 429
            response.headers["Retry-After"] = str(whole_seconds(wait))
        return response


sign_in = SignIn.as_view()
sign_out = auth_views.LogoutView.as_view(next_page="desk:sign_in")
