"""What the federation app does when posts change: queue telling followers.

Connected in `FederationConfig.ready()`. `posts_changed` is sent for posts that
are or were public, inside the writing transaction; the task runs once it
commits and works out itself whether followers get a Create, an Update, a
Delete or nothing.

Comments written here are told the same way, with `comments_written` (see
`gazette.federation.replies`); one deleted for good is told from the deletion
of its `PublishedComment` row, the only record of it having been sent.
"""

from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models.signals import pre_delete

from gazette.comments.effects import comments_written
from gazette.comments.models import Comment
from gazette.federation import replies, tasks
from gazette.federation.models import PublishedComment
from gazette.posts.effects import posts_changed
from gazette.site.models import SiteSettings


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


def federate_comments(sender, comments, deleted: bool = False, **kwargs) -> None:
    # A comment deleted for good is `retract_deleted`'s: its row is gone.
    if not settings.GAZETTE_FEDERATION or deleted:
        return
    local = [c for c in comments if replies.written_here(c)]
    if not local:
        return
    # Only what was sent, or may be sent now, is worth a task.
    sent = set(
        PublishedComment.objects.filter(
            comment__in=local, is_deleted=False
        ).values_list("comment_id", flat=True)
    )
    as_replies = SiteSettings.load().comments_as_replies
    for comment in local:
        if comment.pk in sent or (
            as_replies and comment.status == Comment.Status.APPROVED
        ):
            transaction.on_commit(partial(tasks.federate_comment.enqueue, comment.pk))


def retract_deleted(sender, instance: PublishedComment, **kwargs) -> None:
    if settings.GAZETTE_FEDERATION:
        replies.comment_deleted(instance)


def connect() -> None:
    posts_changed.connect(federate, dispatch_uid="gazette.federation.federate")
    comments_written.connect(
        federate_comments, dispatch_uid="gazette.federation.federate_comments"
    )
    pre_delete.connect(
        retract_deleted,
        sender=PublishedComment,
        dispatch_uid="gazette.federation.retract_deleted",
    )
