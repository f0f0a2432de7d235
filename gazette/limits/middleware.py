"""A limit that cannot count (Redis down) refuses the action it guards with a
503 and a plain explanation, wherever in the site that happens; the comment
form answers it itself, keeping the reader's text (gazette/comments/views.py)."""

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from gazette.limits import Unavailable

RETRY_AFTER_SECONDS = 60


class LimitsUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, Unavailable):
            return None
        html = render_to_string("503.html", request=request)
        response = HttpResponse(html, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
