from datetime import timedelta

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from gazette import limits
from gazette.lib.http import client_ip
from gazette.webmentions import receiving, tasks

RATE_WINDOW = timedelta(minutes=10)
PER_IP = 30


@csrf_exempt  # other sites post here; nothing here acts for a signed-in person
@never_cache
@require_POST
def endpoint(request: HttpRequest) -> HttpResponse:
    """The webmention endpoint: check the request's shape, answer 202 at once,
    and leave fetching the source to the worker."""
    # Each accepted request costs a fetch: one address gets a few a minute.
    ip = client_ip(request)
    if ip and limits.count(f"webmention:ip:{ip}", RATE_WINDOW) > PER_IP:
        response = HttpResponse(
            "Too many webmentions from this address: try again later.",
            status=429,
            content_type="text/plain",
        )
        response["Retry-After"] = str(int(RATE_WINDOW.total_seconds()))
        return response
    mention = receiving.Request(
        source=request.POST.get("source", ""),
        target=request.POST.get("target", ""),
        host=request.get_host(),
        sender_ip=client_ip(request) or None,
    )
    try:
        received = receiving.accept(mention)
    except receiving.Invalid as error:
        return HttpResponse(str(error), status=400, content_type="text/plain")
    site_url = request.build_absolute_uri("/").rstrip("/")
    transaction.on_commit(
        lambda: tasks.verify_webmention.enqueue(received.pk, site_url)
    )
    return HttpResponse(
        "Accepted: the source will be checked shortly.",
        status=202,
        content_type="text/plain",
    )
