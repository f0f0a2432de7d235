from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gazette.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Connects the receivers of Django's sign-in and sign-out signals.
        from gazette.accounts import signals  # noqa: F401
