"""What the federation app does when posts change: queue telling followers.

Connected in `FederationConfig.ready()`. `posts_changed` is sent for posts that
are or were public, inside the writing transaction; the task runs once it
commits and works out itself whether followers get a Create, an Update, a
Delete or nothing.
"""

from functools import partial

from django.conf import settings
from django.db import transaction

from gazette.federation import tasks
from gazette.posts.effects import posts_changed


def federate(sender, posts, bulk: bool = False, **kwargs) -> None:
    # A bulk write is an import or the demo: followers are not sent an archive.
    if not settings.GAZETTE_FEDERATION or bulk:
        return
    for post in posts:
        # An imported post, even edited one at a time later, was published long
        # ago, elsewhere.
        if post.import_ref:
            continue
        transaction.on_commit(partial(tasks.federate_post.enqueue, post.pk))


def connect() -> None:
    posts_changed.connect(federate, dispatch_uid="gazette.federation.federate")
