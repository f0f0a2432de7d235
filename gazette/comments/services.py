"""Writing comments: posting one and moderating many. Views go through these.

`post_comment` runs the spam defence and stores the comment in one transaction;
`moderate` is the only way a comment changes state afterwards, so that the
classifier is taught, notifications go out once and listeners hear of it.
"""

import ipaddress
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone

from gazette.comments import notify, spam
from gazette.comments.models import Comment
from gazette.comments.spam import Refused
from gazette.lib import roles
from gazette.lib.markup import render_comment
from gazette.posts.models import CommentPolicy, Post, SiteSettings

# Sent after comments were added or changed state, inside the transaction, with
# `post`: whatever caches a post page or a comments feed listens to it.
comments_changed = Signal()

ACTIONS = ("approve", "spam", "not_spam", "trash", "delete")


def effective_policy(post: Post, site: SiteSettings) -> str:
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


def comments_open(post: Post, site: SiteSettings) -> bool:
    return effective_policy(post, site) != CommentPolicy.CLOSED


def replyable(post: Post, own_ids=()):
    """Comments on `post` a reader may reply to: the approved ones, and their own
    comments still awaiting moderation (`own_ids`)."""
    return post.comments.filter(status=Comment.Status.APPROVED) | post.comments.filter(
        pk__in=list(own_ids), status=Comment.Status.HELD
    )


@dataclass
class Submission:
    """A comment as the form received it, with where it came from."""

    name: str
    email: str
    url: str
    body: str
    wants_replies: bool = False
    parent_id: int | None = None
    form_token: str = ""
    honeypot: str = ""
    ip: str | None = None
    user_agent: str = ""
    user: object = None  # a signed-in account comments as itself


def post_comment(
    post: Post,
    submission: Submission,
    *,
    site: SiteSettings | None = None,
    own_ids=(),
    site_url: str = "",
) -> Comment:
    """Check and store a reader's comment on `post` (a visible post).

    Returns the stored comment: approved, held or spam. Raises `Refused` with a
    message for the reader when nothing was stored: comments closed, a forged or
    replayed form, too many comments at once, a reply that cannot be matched.
    `own_ids` are the reader's comments still awaiting moderation, which they
    may reply to.
    """
    site = site or SiteSettings.load()
    sub = submission
    if not comments_open(post, site):
        raise Refused("Comments on this post are closed.")
    token = spam.read_form_token(sub.form_token, post.pk)
    if sub.parent_id is not None and not _parent_ok(post, sub.parent_id, own_ids):
        raise Refused(
            "The comment you replied to is not on this page any more. You can "
            "post your text as a new comment instead."
        )
    user = sub.user if sub.user is not None and sub.user.is_authenticated else None
    ip = _valid_ip(sub.ip)
    comment = Comment(
        post=post,
        parent_id=sub.parent_id,
        user=user,
        author_name=sub.name,
        author_email=sub.email,
        author_url=sub.url,
        body=sub.body,
        body_html=render_comment(sub.body),
        ip_address=ip,
        user_agent=sub.user_agent[:300],
        wants_reply_notifications=bool(sub.wants_replies and sub.email),
        fingerprint=spam.fingerprint(sub.body),
    )
    if user is not None and roles.can_use_desk(user):
        # The blog's own people are known; their comments appear at once.
        comment.status = Comment.Status.APPROVED
    else:
        spam.check_rate(ip, post.pk)
        found = spam.assess(
            post,
            site,
            token=token,
            name=sub.name,
            email=sub.email,
            url=sub.url,
            body=sub.body,
            ip=ip,
            user_agent=sub.user_agent,
            honeypot=sub.honeypot,
            site_url=site_url,
        )
        comment.spam_score, comment.spam_reasons = found.score, found.reasons
        comment.status = _status_for(found, post, site, sub.email, user)
        if comment.status == Comment.Status.HELD and found.verdict == spam.PASS:
            comment.spam_reasons.insert(0, _policy_reason(post, site))
    spam.use_form_token(token)
    try:
        with transaction.atomic():
            comment.save()
            comments_changed.send(sender=Comment, post=post)
            _after_commit(comment, new=True, site_url=site_url)
    except IntegrityError as error:  # the parent was deleted a moment ago
        raise Refused(
            "The comment you replied to was just removed. You can post your text "
            "as a new comment instead."
        ) from error
    return comment


def _parent_ok(post: Post, parent_id: int, own_ids) -> bool:
    return replyable(post, own_ids).filter(pk=parent_id).exists()


def _valid_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def _status_for(found, post: Post, site: SiteSettings, email: str, user) -> str:
    if found.verdict == spam.SPAM:
        return Comment.Status.SPAM
    if found.verdict == spam.HOLD:
        return Comment.Status.HELD
    policy = effective_policy(post, site)
    if policy == CommentPolicy.HOLD_ALL:
        return Comment.Status.HELD
    if policy == CommentPolicy.HOLD_FIRST and not _known(email, user):
        return Comment.Status.HELD
    return Comment.Status.APPROVED


def _policy_reason(post: Post, site: SiteSettings) -> str:
    if effective_policy(post, site) == CommentPolicy.HOLD_ALL:
        return "Held: every comment waits for approval"
    return "Held: first comment from this person"


def _known(email: str, user) -> bool:
    """Has this commenter had a comment approved before (same account or email)?"""
    approved = Comment.objects.approved()
    if user is not None and approved.filter(user=user).exists():
        return True
    return bool(email) and approved.filter(author_email__iexact=email).exists()


def moderate(comments, action: str, *, by, site_url: str = "") -> int:
    """Apply a moderation `action` to `comments` (a queryset or a list) as `by`.

    approve: publish (teaches the classifier "not spam");
    spam: to the spam folder (teaches "spam");
    not_spam: out of the spam folder, back to the held queue (teaches "not spam");
    trash: to the trash (teaches nothing);
    delete: gone for good; replies move up to the deleted comment's parent.

    PermissionDenied unless `by` may moderate every comment's post (checked
    first, so nothing changes). Reads comment.post: pass comments with
    select_related("post"). Returns how many comments changed.
    """
    if action not in ACTIONS:
        raise ValueError(f"Unknown moderation action {action!r}")
    comments = list(comments)
    posts = {}
    for comment in comments:
        if not roles.can_moderate(by, comment.post):
            raise PermissionDenied("You may not moderate comments on this post.")
        posts[comment.post_id] = comment.post
    changed = 0
    with transaction.atomic():
        for comment in comments:
            changed += _apply(comment, action, site_url)
        for post in posts.values():
            comments_changed.send(sender=Comment, post=post)
    return changed


def _apply(comment: Comment, action: str, site_url: str) -> int:
    if action == "delete":
        # Read the parent afresh: an earlier deletion in the same batch may have
        # moved this comment up already.
        row = Comment.objects.filter(pk=comment.pk).values_list("parent_id").first()
        if row is None:
            return 0
        Comment.objects.filter(parent_id=comment.pk).update(parent_id=row[0])
        Comment.objects.filter(pk=comment.pk).delete()
        return 1
    new_status, label = {
        "approve": (Comment.Status.APPROVED, Comment.Label.HAM),
        "spam": (Comment.Status.SPAM, Comment.Label.SPAM),
        "not_spam": (Comment.Status.HELD, Comment.Label.HAM),
        "trash": (Comment.Status.TRASH, None),
    }[action]
    if action == "not_spam" and comment.status != Comment.Status.SPAM:
        new_status = comment.status  # "not spam" only moves comments out of spam
    taught = label is not None and spam.teach(comment, label)
    if new_status == comment.status:
        return int(taught)
    comment.status = new_status
    comment.save(update_fields=["status"])
    _after_commit(comment, new=False, site_url=site_url)
    return 1


def _after_commit(comment: Comment, *, new: bool, site_url: str) -> None:
    """Queue the mails this comment's new state calls for, sent after commit."""
    if new and comment.status in (Comment.Status.APPROVED, Comment.Status.HELD):
        transaction.on_commit(lambda: notify.new_comment(comment.pk, site_url))
    if (
        comment.status == Comment.Status.APPROVED
        and comment.parent_id
        and comment.reply_notified_at is None
    ):
        comment.reply_notified_at = timezone.now()
        comment.save(update_fields=["reply_notified_at"])
        transaction.on_commit(lambda: notify.reply(comment.pk, site_url))
