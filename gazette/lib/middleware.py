from django.http import HttpRequest, HttpResponseBadRequest


class RejectNulBytesMiddleware:
    """Answer 400 to a NUL byte in the path or query string.

    No page has a use for one, and PostgreSQL refuses text containing it, so a
    lookup with it would fail deep inside a view. Form fields already refuse it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        query_values = (v for values in request.GET.lists() for v in values[1])
        if "\x00" in request.path or any("\x00" in v for v in query_values):
            return HttpResponseBadRequest("Bad request: the address holds a NUL byte.")
        return self.get_response(request)
