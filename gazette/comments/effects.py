"""What follows a change to comments: read this module to know what storing,
moderating or editing a comment does beyond the save.

* the page cache: the post's own version, once the transaction commits (its
  page shows the thread, and every listing that shows the post shows its count);
  no other page;
* mail, queued for the task worker after commit: a new or held comment to the
  post's author, an approved reply to the commenter replied to (see `notify`);
* a remote commenter's picture (`avatar_url`), fetched once by the task worker
  after commit for a comment someone will see (approved or held), and its
  local copy deleted once the last comment showing it is (see `avatars`);
* `comments_written` is sent, for every stored (not imported), changed or
  deleted comment, and heard by `gazette.federation.receivers`: once the
  transaction commits, it sends approved comments from the form to the blog's
  fediverse followers as replies (and their edits and removals after them).

The classifier's learning follows moderation decisions in `moderation.moderate`.
"""

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from gazette.comments import tasks
from gazette.comments.models import Comment
from gazette.lib import pagecache

# Sent with `comments` (a list) and `deleted` after comments were stored, changed
# state or text, or were deleted, inside the writing transaction: a receiver
# that does more than read defers it with `transaction.on_commit`. Imports do
# not send it (their comments are old news). Receivers are listed above.
comments_written = Signal()


def comment_stored(
    comment: Comment, *, site_url: str = "", imported: bool = False
) -> None:
    """A new comment was saved (inside the transaction). An `imported` one is
    old news: nobody is told of it."""
    if comment.status == Comment.Status.APPROVED:
        pagecache.bump_on_commit(pagecache.post_version(comment.post_id))
    _fetch_avatar(comment)
    if imported:
        return
    if comment.status in (Comment.Status.APPROVED, Comment.Status.HELD):
        transaction.on_commit(
            lambda: tasks.tell_author_of_comment.enqueue(comment.pk, site_url)
        )
    _tell_replied_to(comment, site_url)
    comments_written.send(sender=Comment, comments=[comment], deleted=False)


def comments_imported(comments: list[Comment]) -> None:
    """Many comments came in with an import: the posts showing them change."""
    shown = {c.post_id for c in comments if c.status == Comment.Status.APPROVED}
    pagecache.bump_on_commit(*(pagecache.post_version(pk) for pk in shown))


def comments_changed(
    comments: list[Comment], *, site_url: str = "", deleted: bool = False
) -> None:
    """`comments` changed state or text, or were `deleted` (inside the
    transaction)."""
    post_ids = {c.post_id for c in comments}
    pagecache.bump_on_commit(*(pagecache.post_version(pk) for pk in post_ids))
    if not deleted:
        for comment in comments:
            _tell_replied_to(comment, site_url)
            _fetch_avatar(comment)  # a new address, or shown at last
    elif pictures := sorted({c.avatar for c in comments if c.avatar}):
        transaction.on_commit(lambda: tasks.forget_avatars.enqueue(pictures))
    if comments:
        comments_written.send(sender=Comment, comments=comments, deleted=deleted)


def avatars_stored(post_ids: set[int]) -> None:
    """Comments on `post_ids` have a new local picture to show."""
    pagecache.bump_on_commit(*(pagecache.post_version(pk) for pk in post_ids))


def _fetch_avatar(comment: Comment) -> None:
    """Queue the fetch of the comment's picture, when it names one not copied
    yet and someone will see the comment (not spam, not trash)."""
    shown = (Comment.Status.APPROVED, Comment.Status.HELD)
    if comment.avatar_url and not comment.avatar and comment.status in shown:
        url = comment.avatar_url
        transaction.on_commit(lambda: tasks.fetch_avatar.enqueue(url))


def _tell_replied_to(comment: Comment, site_url: str) -> None:
    """Queue the mail to the commenter replied to, once per reply, once it shows."""
    if (
        comment.status == Comment.Status.APPROVED
        and comment.parent_id
        and comment.reply_notified_at is None
    ):
        comment.reply_notified_at = timezone.now()
        comment.save(update_fields=["reply_notified_at"])
        transaction.on_commit(
            lambda: tasks.tell_commenter_of_reply.enqueue(comment.pk, site_url)
        )
