"""Webmention work done by the task worker, never in a request: fetching and
checking a source page can take seconds (gazette/lib/fetch.py's limits)."""

from django.tasks import task

from gazette.webmentions import receiving
from gazette.webmentions.models import Received


@task()
def verify_webmention(received_id: int, site_url: str) -> None:
    """Check webmention `received_id` against its source as the source is now."""
    received = (
        Received.objects.select_related("post", "comment")
        .filter(pk=received_id)
        .first()
    )
    if received is not None:
        receiving.verify(received, site_url)
