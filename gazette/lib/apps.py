from django.apps import AppConfig


class LibConfig(AppConfig):
    name = "gazette.lib"
    label = "gazette_lib"
    verbose_name = "Gazette helpers"
