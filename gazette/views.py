"""Site-wide views: error pages, the health check, the icons, the look's
stylesheet and uploads."""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.templatetags.static import static as static_url
from django.utils.cache import patch_cache_control
from django.views import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from gazette.images import icons
from gazette.site import look
from gazette.site.middleware import site_of

FAVICON = Path(__file__).resolve().parent / "static" / "gazette" / "favicon.ico"
FAVICON_SECONDS = 7 * 24 * 3600  # a fixed address: a new icon shows within a week
# base.html links /theme.css?v=<accent>, so a new colour is a new address.
THEME_CSS_SECONDS = 24 * 3600
MEDIA_SECONDS = 365 * 24 * 3600  # uploads never change at a given address

PLAIN_500 = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>Something went wrong"
    "</title><h1>Something went wrong</h1><p>Please try again in a moment.</p></html>"
)


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors or queries here: the database may be what failed. If
    # even the template cannot render (say, static files were never collected), a
    # plain page still goes out rather than a second error.
    try:
        html = get_template("500.html").render({})
    except Exception:
        html = PLAIN_500
    return HttpResponse(html, status=500)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Whether this app server can reach the database and the cache, for load
    balancers and monitors: 200 when both answer, 503 naming what does not.
    Reveals nothing else, so it may stay public."""
    checks = {"database": _database_answers(), "cache": _cache_answers()}
    healthy = all(checks.values())
    body = {name: "ok" if fine else "unreachable" for name, fine in checks.items()}
    return JsonResponse(body, status=200 if healthy else 503)


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def _cache_answers() -> bool:
    """A round trip through the shared cache (Redis, or the file cache)."""
    key = f"gazette:healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "ok", 10)
        answered = cache.get(key) == "ok"
        cache.delete(key)
    except Exception:  # whatever the backend raises when it cannot be reached
        return False
    return answered


@require_safe
def favicon(request: HttpRequest) -> HttpResponseBase:
    """/favicon.ico, which browsers and feed readers ask for whatever the page
    links to: the icon chosen in Settings, or the one that ships with Gazette."""
    icon = site_of(request).icon
    response: HttpResponseBase
    if icon is None:
        response = FileResponse(FAVICON.open("rb"), content_type="image/x-icon")
    else:
        response = HttpResponse(icons.favicon_ico(icon), content_type="image/x-icon")
    patch_cache_control(response, public=True, max_age=FAVICON_SECONDS)
    return response


@require_safe
def touch_icon(request: HttpRequest) -> HttpResponseBase:
    """The icon from Settings as a 180-pixel square PNG, for phones' home
    screens; base.html links it with the icon's id in the address."""
    icon = site_of(request).icon
    if icon is None:
        return redirect(static_url("gazette/icon.png"))
    response = HttpResponse(icons.touch_icon_png(icon), content_type="image/png")
    patch_cache_control(response, public=True, max_age=FAVICON_SECONDS)
    return response


@require_safe
def theme_css(request: HttpRequest) -> HttpResponse:
    """The blog's colours, fonts and own CSS (gazette.site.look). The Content-
    Security-Policy forbids inline styles, so a setting cannot go into a style
    attribute; this small stylesheet, linked after the theme's, carries it."""
    css = look.stylesheet(site_of(request))
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    patch_cache_control(response, public=True, max_age=THEME_CSS_SECONDS)
    return response


def media(request: HttpRequest, path: str) -> HttpResponseBase:
    """An uploaded file, in one-machine mode. Uploads are stored under new
    names (the storage never overwrites a file), so what is at an address stays
    there: browsers and CDNs may keep it for a year."""
    response = static.serve(request, path, document_root=str(settings.MEDIA_ROOT))
    patch_cache_control(response, public=True, max_age=MEDIA_SECONDS, immutable=True)
    return response
