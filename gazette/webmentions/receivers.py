"""What the webmentions app does when posts change: queue sending.

Connected in `WebmentionsConfig.ready()`; `gazette.posts.effects` lists it among
what follows a write. Posts never import this app: it listens to the signal
posts sends.
"""

from functools import partial

from django.conf import settings
from django.db import transaction

from gazette.posts.effects import posts_changed
from gazette.posts.models import Post
from gazette.webmentions import sending, tasks


def queue_sending(sender, posts: list[Post], bulk: bool = False, **kwargs) -> None:
    """Queue `tasks.send_webmentions` for each post, once the write commits.

    Not for a bulk write: an import brings posts that were published long ago
    elsewhere, whose links were notified then (or never wanted to be). A post
    scheduled for later is queued for its publish time too, when the backend
    can wait (nothing else writes it then). Every post is queued now as well:
    one that went out of sight (unpublished, trashed, moved to a later time)
    tells the pages it linked to that it did.
    """
    if bulk or not settings.GAZETTE_SEND_WEBMENTIONS:
        return
    site = sending.site_url()
    task = tasks.send_webmentions
    for post in posts:
        transaction.on_commit(partial(task.enqueue, post.pk, site))
        if post.is_public and not post.is_visible and task.get_backend().supports_defer:
            later = task.using(run_after=post.published_at)
            transaction.on_commit(partial(later.enqueue, post.pk, site))


def connect() -> None:
    posts_changed.connect(queue_sending, dispatch_uid="gazette.webmentions.send")
