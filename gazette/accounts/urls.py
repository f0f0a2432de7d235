"""The account screens, included in the desk's URLs (and its namespace)."""

from django.urls import path

from gazette.accounts import views

urlpatterns = [
    path("account/", views.account, name="account"),
    path("account/password/", views.password_change, name="password_change"),
    path("account/sessions/<int:pk>/sign-out/", views.end_session, name="end_session"),
    path(
        "account/sign-out-elsewhere/",
        views.sign_out_elsewhere,
        name="sign_out_elsewhere",
    ),
    path(
        "account/sign-out-everywhere/",
        views.sign_out_everywhere,
        name="sign_out_everywhere",
    ),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/sent/", views.password_reset_done, name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        views.password_reset_complete,
        name="password_reset_complete",
    ),
]
