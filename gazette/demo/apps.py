from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo blog behind `gazette demo`. Nothing else imports it: a production
    site may leave it out (GAZETTE_DEMO=0)."""

    name = "gazette.demo"
    label = "demo"
