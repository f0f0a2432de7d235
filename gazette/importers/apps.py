from django.apps import AppConfig


class ImportersConfig(AppConfig):
    """Moving a blog in and out: Blogger, WordPress and Gazette's own format."""

    name = "gazette.importers"
    label = "importers"
