from django.apps import AppConfig


class WebmentionsConfig(AppConfig):
    name = "gazette.webmentions"
    label = "webmentions"
