"""Signing in and out: Django's auth views with the desk's own templates.

Wrong passwords are throttled by gazette.accounts (an authentication backend);
the form names the wait, keeps the username, and answers 429 while it lasts.
"""

from django.contrib.auth import views as auth_views
from django.http import HttpResponse

from gazette.accounts.backends import refused_wait
from gazette.accounts.forms import SignInForm
from gazette.accounts.throttle import whole_seconds
from gazette.site.models import SiteSettings


class SignIn(auth_views.LoginView):
    template_name = "desk/sign_in.html"
    authentication_form = SignInForm

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        # LoginView puts Django's own `site` (a Site or RequestSite) into the
        # context, over the blog's settings that every desk template reads as
        # `site`: without this the page has no language, title or blog name.
        context["site"] = getattr(self.request, "site", None) or SiteSettings.load()
        return context

    def form_invalid(self, form) -> HttpResponse:
        response = super().form_invalid(form)
        wait = refused_wait(self.request)
        if wait is not None:
            response.status_code = 429
            response.headers["Retry-After"] = str(whole_seconds(wait))
        return response


sign_in = SignIn.as_view()
sign_out = auth_views.LogoutView.as_view(next_page="desk:sign_in")
