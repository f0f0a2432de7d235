from django.http import HttpRequest, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.utils.cache import patch_cache_control


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


# What a blog does not use, refused to the page and to every frame in it (the
# embedded videos keep what they need: fullscreen, autoplay, encrypted media).
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "camera",
        "microphone",
        "geolocation",
        "payment",
        "usb",
        "serial",
        "hid",
        "midi",
        "display-capture",
        "browsing-topics",
    )
)
# The signed-in part of the site: its pages hold people's drafts and settings,
# so neither the browser nor anything in between keeps a copy.
PRIVATE_PREFIXES = ("/desk/", "/admin/")


class SecurityHeadersMiddleware:
    """The security headers Django's middleware do not set, on every response.

    It stands near the top of MIDDLEWARE, with SecurityMiddleware, the CSP and
    X-Frame-Options middleware, above WhiteNoise and the page cache, so that
    static files and pages served from the cache get them too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if request.path_info.startswith(PRIVATE_PREFIXES):
            patch_cache_control(response, no_store=True, private=True)
        return response
