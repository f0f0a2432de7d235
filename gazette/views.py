"""Site-wide error pages."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import get_template

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
