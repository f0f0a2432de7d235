from django.apps import AppConfig


class WebmentionsConfig(AppConfig):
    name = "gazette.webmentions"
    label = "webmentions"

    def ready(self):
        from gazette.webmentions import receivers

        # Posts sit below webmentions: they announce changes, webmentions sends.
        receivers.connect()
