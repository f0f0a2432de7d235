"""Webmention work done by the task worker, never in a request: fetching and
checking a source page, or a post's targets and their endpoints, can take
seconds each (gazette/lib/fetch.py's limits)."""

from django.tasks import task

from gazette.posts.models import Post
from gazette.webmentions import receiving, sending
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


@task()
def send_webmentions(post_id: int, site_url: str) -> None:
    """Notify the pages post `post_id` links to, and those it no longer links
    to, as the post is now (it may have changed again since this was queued).
    A post deleted since has nothing left to send."""
    post = Post.objects.filter(pk=post_id).first()
    if post is not None:
        sending.send_for_post(post, site_url)
