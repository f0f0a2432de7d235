"""Comment work done by the task worker: forgetting where old comments came
from, mail about new comments and replies (so that rendering and sending it,
perhaps to a slow mail server, never holds up the reader who commented), and
mailing a commenter the erase link they asked for, and fetching remote
commenters' pictures (`avatars`: the other site may be slow).

A commenter's IP address and browser help against abuse (rate limits, block
rules, a moderator's judgement) only while the comment is fresh; after
GAZETTE_IP_RETENTION_DAYS they are erased.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from gazette.comments import avatars, notify, privacy
from gazette.comments.models import Comment
from gazette.site.periodic import periodic

BATCH = 1000  # rows per UPDATE, so a first run on a large blog holds no long lock


@periodic(every=timedelta(hours=6))
def erase_old_ip_addresses() -> int:
    """Clear the IP address and browser of comments older than the retention
    period, and the browser's commenter id of those that were not approved (an
    approved comment's id is what makes its writer a known guest). Returns how
    many comments were cleared."""
    cutoff = timezone.now() - timedelta(days=settings.GAZETTE_IP_RETENTION_DAYS)
    old = Comment.objects.filter(created_at__lt=cutoff)
    cleared = _clear_in_batches(
        old.filter(Q(ip_address__isnull=False) | ~Q(user_agent="")),
        ip_address=None,
        user_agent="",
    )
    _clear_in_batches(
        old.exclude(commenter_id="").exclude(status=Comment.Status.APPROVED),
        commenter_id="",
    )
    return cleared


def _clear_in_batches(holding, **cleared_fields) -> int:
    cleared = 0
    while ids := list(holding.order_by().values_list("pk", flat=True)[:BATCH]):
        cleared += Comment.objects.filter(pk__in=ids).update(**cleared_fields)
    return cleared


@task()
def send_erase_link(email: str, site_url: str) -> None:
    """Mail the erase link to `email` when comments were written with it, and
    nothing otherwise: the request page answers the same either way, and only
    the mailbox's owner learns whether there were any."""
    if privacy.comments_by(email).exists():
        notify.erase_link(email, site_url)


@task()
def tell_author_of_comment(comment_id: int, site_url: str) -> None:
    """Mail the post's author about a new comment (`notify.new_comment`)."""
    notify.new_comment(comment_id, site_url)


@task()
def tell_commenter_of_reply(comment_id: int, site_url: str) -> None:
    """Mail the commenter replied to, when they asked (`notify.reply`)."""
    notify.reply(comment_id, site_url)


@task()
def fetch_avatar(avatar_url: str) -> None:
    """Copy the picture at `avatar_url` for the comments that name it
    (`avatars.store`; nothing when it is unusable)."""
    avatars.store(avatar_url)


@task()
def forget_avatars(names: list[str]) -> None:
    """Delete the pictures among `names` no comment shows any more."""
    avatars.forget_unused(names)


@periodic(every=timedelta(days=1))
def delete_unused_avatars() -> int:
    """Delete the pictures of commenters whose comments all left without
    passing through moderation (a post deleted for good). Returns how many."""
    return len(avatars.forget_orphans())
