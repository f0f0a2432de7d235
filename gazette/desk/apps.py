from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "gazette.desk"
    label = "desk"
    verbose_name = "Desk"
