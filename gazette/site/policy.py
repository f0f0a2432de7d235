"""Whether a post takes comments and whether they wait for approval.

Works on anything with `comment_policy` and `published_at` (a post), so that the
rule is written once for the comment form, the intake and the feeds.
"""

from datetime import datetime, timedelta
from typing import Protocol

from django.utils import timezone

from gazette.site.models import CommentPolicy, SiteSettings


class Commentable(Protocol):
    comment_policy: str
    published_at: datetime | None


def effective_policy(post: Commentable, site: SiteSettings) -> str:
    """The post's own comment policy, or the blog's when the post has none; closed
    once the post is older than the blog's close_comments_after_days."""
    policy = post.comment_policy or site.comment_policy
    days = site.close_comments_after_days
    if days is not None and post.published_at:
        try:
            closes_at = post.published_at + timedelta(days=days)
        except OverflowError:  # past the end of the calendar: never
            closes_at = None
        if closes_at and timezone.now() >= closes_at:
            return CommentPolicy.CLOSED
    return policy


def comments_open(post: Commentable, site: SiteSettings) -> bool:
    return effective_policy(post, site) != CommentPolicy.CLOSED
