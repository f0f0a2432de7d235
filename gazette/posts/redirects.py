"""The one fallback for old addresses: look a 404's path up in OldAddress."""

from urllib.parse import unquote

from django.http import HttpRequest, HttpResponsePermanentRedirect

from gazette.posts.models import OldAddress


def old_address_redirect(request: HttpRequest) -> HttpResponsePermanentRedirect | None:
    """A permanent redirect for an address that used to show something, or None.

    The full address is tried first, so that "/?p=12" (WordPress) and "/" differ;
    then the path alone, with and without its trailing slash.
    """
    # Paths are compared decoded, as OldAddress keeps them.
    full = unquote(request.get_full_path())
    path = request.path
    candidates = [full, path, path.rstrip("/") if path != "/" else path, path + "/"]
    candidates = [c[:500] for c in dict.fromkeys(candidates)]
    found = {
        a.path: a
        for a in OldAddress.objects.filter(path__in=candidates).select_related(
            "post", "page"
        )
    }
    for candidate in candidates:
        if candidate in found and (destination := found[candidate].destination()):
            if unquote(destination) != full:
                return HttpResponsePermanentRedirect(destination)
    return None


def _exact_redirect(request: HttpRequest) -> HttpResponsePermanentRedirect | None:
    address = (
        OldAddress.objects.filter(path=unquote(request.get_full_path())[:500])
        .select_related("post", "page")
        .first()
    )
    if address and (destination := address.destination()):
        return HttpResponsePermanentRedirect(destination)
    return None


class OldAddressMiddleware:
    """Before answering 404 to a GET, see whether the address has moved.

    Addresses with a query string ("/?p=12") are looked up first, since the page
    without it exists and would never be a 404.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.META.get("QUERY_STRING") and request.method in ("GET", "HEAD"):
            if redirect := _exact_redirect(request):
                return redirect
        response = self.get_response(request)
        if response.status_code == 404 and request.method in ("GET", "HEAD"):
            return old_address_redirect(request) or response
        return response
