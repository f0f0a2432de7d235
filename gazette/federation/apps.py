from django.apps import AppConfig


class FederationConfig(AppConfig):
    name = "gazette.federation"
    label = "federation"

    def ready(self) -> None:
        # Posts know nothing of federation: it listens to what they announce.
        from gazette.federation import receivers

        receivers.connect()
