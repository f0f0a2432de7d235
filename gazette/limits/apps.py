from django.apps import AppConfig


class LimitsConfig(AppConfig):
    """Counters and one-use tokens shared by every worker: a bottom layer, like
    the site app, that imports no feature app."""

    name = "gazette.limits"
    label = "limits"
    verbose_name = "Limits"
