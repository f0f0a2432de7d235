"""The Django admin behind the same two-factor rule as the desk: a person who has
two-factor sign-in on is let in only once this session has been given a code.

Django swaps in this site for `admin.site` through `SecondStepAdminConfig`, named
in INSTALLED_APPS in place of django.contrib.admin, so every app's admin.py
registers with it unchanged. This module is loaded with the app registry, before
any model, so the desk's access rules are imported where they are used."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse
from django.urls import reverse


class SecondStepAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        from gazette.desk.access import second_step_pending

        return super().has_permission(request) and not second_step_pending(request)

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """The admin sends everyone it refuses here; a person who owes a code
        gives it on the desk's code page rather than their password again."""
        from gazette.desk.access import ask_for_code, second_step_pending

        if second_step_pending(request):
            next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse(
                "admin:index", current_app=self.name
            )
            return ask_for_code(request, next_url)
        return super().login(request, extra_context)


class SecondStepAdminConfig(AdminConfig):
    default_site = "gazette.desk.admin_site.SecondStepAdminSite"
