"""Site-wide error pages."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import get_template


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors or queries here: the database may be what failed.
    html = get_template("500.html").render({})
    return HttpResponse(html, status=500)
