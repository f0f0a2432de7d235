"""Mail about comments: a new comment to the post's author, a reply to the
commenter who asked for replies. Each mail carries a signed one-click link that
stops all such mail to its address, without signing in; mail to a commenter
also carries a signed link to erase (or download) every comment written with
that address, and a commenter may ask for that link alone (`erase_link`).

Sending happens after the transaction commits; a mail server that fails is
logged and never turns a reader's comment into an error page.
"""

import logging
from datetime import timedelta

from django.core import signing
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from gazette.comments.models import Comment, NotificationOptOut
from gazette.site.models import SiteSettings

logger = logging.getLogger(__name__)
UNSUBSCRIBE_SALT = "gazette.comments.unsubscribe"
ERASE_SALT = "gazette.comments.erase"
# An erase link is a key to someone's comments: it stops working after this.
ERASE_LINK_AGE = timedelta(days=30)


class LinkRefused(Exception):
    """An erase link that is not genuine, or too old (`expired`)."""

    def __init__(self, *, expired: bool = False):
        super().__init__("expired" if expired else "not genuine")
        self.expired = expired


def unsubscribe_token(email: str) -> str:
    return signing.dumps(email.lower(), salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> str | None:
    """The address a token was made for, or None when it is not genuine."""
    try:
        email = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return email if isinstance(email, str) and "@" in email else None


def erase_token(email: str) -> str:
    return signing.dumps(email.lower(), salt=ERASE_SALT, compress=True)


def read_erase_token(token: str) -> str:
    """The address an erase token was made for; LinkRefused when it is forged,
    cut short or older than ERASE_LINK_AGE."""
    try:
        email = signing.loads(token, salt=ERASE_SALT, max_age=ERASE_LINK_AGE)
    except signing.SignatureExpired:
        raise LinkRefused(expired=True) from None
    except signing.BadSignature:
        raise LinkRefused() from None
    if not (isinstance(email, str) and "@" in email):
        raise LinkRefused()
    return email


def erase_url(email: str, site_url: str) -> str:
    return site_url + reverse("comments:erase", args=[erase_token(email)])


def opted_out(email: str) -> bool:
    return NotificationOptOut.objects.filter(email=email.lower()).exists()


def new_comment(comment_id: int, site_url: str) -> None:
    """Tell the post's author of a new comment (not of their own)."""
    comment = (
        Comment.objects.select_related("post__author").filter(pk=comment_id).first()
    )
    if comment is None:
        return
    author = comment.post.author
    if not author.email or comment.user_id == author.pk:
        return
    held = comment.status == Comment.Status.HELD
    subject = f"New comment on “{comment.post.title}”"
    if held:
        subject += " awaiting moderation"
    _send(
        "comments/email/new_comment.txt",
        subject,
        author.email,
        site_url,
        {"comment": comment, "held": held, "queue_url": reverse("desk:comments")},
    )


def reply(comment_id: int, site_url: str) -> None:
    """Tell the commenter replied to, when they asked and are someone else."""
    comment = (
        Comment.objects.select_related("post", "parent").filter(pk=comment_id).first()
    )
    if comment is None or comment.parent is None:
        return
    parent = comment.parent
    email = parent.author_email
    if not (parent.wants_reply_notifications and email):
        return
    if email.lower() == comment.author_email.lower():
        return
    subject = f"{comment.author_name} replied to your comment on “{comment.post.title}”"
    _send(
        "comments/email/reply.txt",
        subject,
        email,
        site_url,
        {"comment": comment, "parent": parent},
        to_commenter=True,
    )


def erase_link(email: str, site_url: str) -> None:
    """Send the erase link a commenter asked for on the blog's request page.

    It goes even to an address that opted out of notifications, as the person
    asked for it just now; the request page throttles how often.
    """
    site = SiteSettings.load()
    context = {"site": site, "erase_url": erase_url(email, site_url)}
    context["link_days"] = ERASE_LINK_AGE.days
    subject = f"Your comments on {site.title}"
    message = EmailMessage(
        subject=" ".join(subject.split())[:250],
        body=render_to_string("comments/email/erase_link.txt", context),
        to=[email],
    )
    try:
        message.send()
    except Exception:
        logger.exception("Could not send the erase link to %s", email)


def _send(
    template: str,
    subject: str,
    to: str,
    site_url: str,
    context: dict,
    *,
    to_commenter: bool = False,
):
    if opted_out(to):
        return
    site = SiteSettings.load()
    unsubscribe = site_url + reverse(
        "comments:unsubscribe", args=[unsubscribe_token(to)]
    )
    context |= {"site": site, "site_url": site_url, "unsubscribe_url": unsubscribe}
    if to_commenter:
        context["erase_url"] = erase_url(to, site_url)
    message = EmailMessage(
        subject=" ".join(f"{subject} · {site.title}".split())[:250],
        body=render_to_string(template, context),
        to=[to],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    try:
        message.send()
    except Exception:
        logger.exception("Could not send %r to %s", subject, to)
