from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The bottom layer every app may use: the blog's settings, its comment
    policy and the roles of its people. It imports no other Gazette app."""

    name = "gazette.site"
    label = "site"
    verbose_name = "Blog"
