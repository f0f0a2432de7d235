from django.utils import timezone

from gazette.posts.models import SiteSettings


class SiteTimeZoneMiddleware:
    """Show every time in the blog's own time zone; times stay UTC in the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.site = SiteSettings.load()
        timezone.activate(request.site.tzinfo)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
