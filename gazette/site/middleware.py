from django.http import HttpRequest
from django.utils import timezone, translation

from gazette.site.models import SiteSettings


class SiteTimeZoneMiddleware:
    """Speak the blog's language and show times in its time zone.

    Times stay UTC in the database; `request.site` is the SiteSettings row.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.site = SiteSettings.load()
        timezone.activate(request.site.tzinfo)
        translation.activate(request.site.language)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
            translation.deactivate()


def site_of(request: HttpRequest) -> SiteSettings:
    """The SiteSettings row that SiteTimeZoneMiddleware put on `request`."""
    # django-stubs declares request.site as django.contrib.sites' Site.
    return request.site  # type: ignore[return-value]
