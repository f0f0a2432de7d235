"""Signing in and out: Django's auth views with the desk's own templates."""

from django.contrib.auth import views as auth_views

sign_in = auth_views.LoginView.as_view(template_name="desk/sign_in.html")
sign_out = auth_views.LogoutView.as_view(next_page="desk:sign_in")
