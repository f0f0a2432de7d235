from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "gazette.search"
    label = "search"

    def ready(self):
        from gazette.search import receivers

        receivers.connect()
