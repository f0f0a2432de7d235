"""Receiving a comment, wherever it comes from: the one way a comment is stored.

Each source runs its own checks first and then calls `receive_comment`:

* the form (`comments.views`): the signed one-use token, the honeypot and the
  time the form stayed open, passed on as `spam_signs` and `hold_signs`;
* the desk: someone of the blog's own, signed in, comments through the same
  form and is not held;
* an import: the old blog already moderated it; its state and date are kept;
* federation and webmentions: their signature or source check, then the same
  limits and spam layers as the form.

Then: whether comments are open, the reply's parent, rate limits, the spam
layers and the blog's policy decide a state (held, approved, spam), and
`effects.comment_stored` does what follows (cache, notifications).
"""

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Lower

from gazette.comments import effects, spam
from gazette.comments.models import Comment
from gazette.comments.spam import Refused
from gazette.lib.links import web_address
from gazette.lib.markup import render_comment
from gazette.posts.models import Post
from gazette.site import roles
from gazette.site.models import CommentPolicy, SiteSettings
from gazette.site.policy import comments_open, effective_policy

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


# Where a comment comes from; stored on it, and shown on the desk.
Source = Comment.Source


@dataclass
class CommentDraft:
    """A comment as its source received it, not yet stored."""

    name: str
    body: str
    email: str = ""
    url: str = ""
    parent_id: int | None = None
    # A signed-in account comments as itself.
    user: "User | AnonymousUser | None" = None
    ip: str | None = None
    user_agent: str = ""
    wants_replies: bool = False
    # The random id of the guest's browser (the form's signed cookie), which
    # makes a guest known once one of their comments is approved.
    commenter_id: str = ""
    # What the source's own checks found: signs of certain spam (a filled
    # honeypot) and signs that call for a human look (a form sent too fast).
    spam_signs: list[str] = field(default_factory=list)
    hold_signs: list[str] = field(default_factory=list)
    # Called once every check has passed, just before the comment is stored; it
    # may raise Refused (the form's one-use token, already used).
    claim: Callable[[], None] | None = None
    # Imports only: the state and time the comment had where it came from, and
    # the account it was written under, if it is one of this blog's.
    status: str | None = None
    created_at: datetime | None = None
    import_ref: str | None = None
    # A webmention's: the remote page the reply was written on.
    source_url: str = ""
    # The remote author's picture (a fediverse icon, an h-card photo); pages
    # show a local copy of it, never the address (`avatars`).
    avatar_url: str = ""


def replyable(post: Post, own_ids=()):
    """Comments on `post` a reader may reply to: the approved ones, and their own
    comments still awaiting moderation (`own_ids`)."""
    approved = post.comments.filter(status=Comment.Status.APPROVED)
    own = post.comments.filter(pk__in=list(own_ids), status=Comment.Status.HELD)
    return approved | own


def receive_comment(
    post: Post,
    draft: CommentDraft,
    source: Source,
    *,
    site: SiteSettings | None = None,
    own_ids=(),
    site_url: str = "",
) -> Comment:
    """Check and store `draft` as a comment on `post` (a visible post).

    Returns the stored comment: approved, held or spam. Raises `Refused` with a
    message for the person when nothing was stored: comments closed, too many
    comments at once, a reply that cannot be matched, the same comment twice.
    `own_ids` are the reader's comments still awaiting moderation, which they
    may reply to.
    """
    site = site or SiteSettings.load()
    if source == Source.IMPORT:
        comment = _comment(post, draft, source, status=draft.status)
        return _store(comment, site_url=site_url, imported=True)
    if not comments_open(post, site):
        raise Refused("Comments on this post are closed.")
    if draft.parent_id is not None and not (
        replyable(post, own_ids).filter(pk=draft.parent_id).exists()
    ):
        raise Refused(
            "The comment you replied to is not on this page any more. You can "
            "post your text as a new comment instead."
        )
    comment = _comment(post, draft, source)
    if (
        source == Source.DESK
        and draft.user is not None
        and roles.can_use_desk(draft.user)
    ):
        # The blog's own people are known; their comments appear at once.
        comment.status = Comment.Status.APPROVED
    else:
        busy = spam.check_rate(comment.ip_address, post.pk)
        found = spam.assess(
            post,
            site,
            name=draft.name,
            email=draft.email,
            url=draft.url,
            body=draft.body,
            ip=comment.ip_address,
            user_agent=draft.user_agent,
            site_url=site_url,
            spam_signs=draft.spam_signs,
            hold_signs=[*draft.hold_signs, *busy],
            commenter_id=draft.commenter_id,
        )
        comment.spam_score, comment.spam_reasons = found.score, found.reasons
        comment.status = _status_for(found, post, site, comment)
        if comment.status == Comment.Status.HELD and found.verdict == spam.PASS:
            comment.spam_reasons.insert(0, _policy_reason(post, site))
    if draft.claim is not None:
        draft.claim()
    return _store(comment, site_url=site_url)


def receive_imported_comments(drafts: list[tuple[Post, CommentDraft]]) -> list[Comment]:
    """Store many comments an import brings at once, each as `receive_comment`
    stores an imported one (its state and date kept, no checks, nobody told),
    in bulk inserts. A reply's parent must be stored already (`parent_id`)."""
    comments = [
        _comment(post, draft, Source.IMPORT, status=draft.status)
        for post, draft in drafts
    ]
    Comment.objects.bulk_create(comments, batch_size=500)
    effects.comments_imported(comments)
    return comments


def _comment(
    post: Post, draft: CommentDraft, source: Source, status: str | None = None
) -> Comment:
    user = (
        draft.user if draft.user is not None and draft.user.is_authenticated else None
    )
    comment = Comment(
        post=post,
        parent_id=draft.parent_id,
        user=user,
        author_name=draft.name[:100],
        author_email=draft.email,
        author_url=draft.url,
        body=draft.body,
        body_html=render_comment(draft.body),
        ip_address=_valid_ip(draft.ip),
        user_agent=draft.user_agent[:300],
        wants_reply_notifications=bool(draft.wants_replies and draft.email),
        fingerprint=spam.fingerprint(draft.body),
        commenter_id=draft.commenter_id,
        import_ref=draft.import_ref,
        source_url=draft.source_url,
        source=source,
        avatar_url=web_address(draft.avatar_url),
    )
    if status is not None:
        comment.status = status
    if draft.created_at is not None:
        comment.created_at = draft.created_at
    return comment


def _store(comment: Comment, *, site_url: str, imported: bool = False) -> Comment:
    try:
        with transaction.atomic():
            comment.save()
            effects.comment_stored(comment, site_url=site_url, imported=imported)
    except IntegrityError as error:  # the parent was deleted a moment ago
        raise Refused(
            "The comment you replied to was just removed. You can post your text "
            "as a new comment instead."
        ) from error
    return comment


def _valid_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def _status_for(found, post: Post, site: SiteSettings, comment: Comment) -> str:
    if found.verdict == spam.SPAM:
        return Comment.Status.SPAM
    if found.verdict == spam.HOLD:
        return Comment.Status.HELD
    policy = effective_policy(post, site)
    if policy == CommentPolicy.HOLD_ALL:
        return Comment.Status.HELD
    if policy == CommentPolicy.HOLD_FIRST and not _known(comment):
        return Comment.Status.HELD
    return Comment.Status.APPROVED


def _policy_reason(post: Post, site: SiteSettings) -> str:
    if effective_policy(post, site) == CommentPolicy.HOLD_ALL:
        return "Held: every comment waits for approval"
    return "Held: first comment from this person"


def _known(comment: Comment) -> bool:
    """Has this commenter had a comment approved before: under the same account,
    email address, or browser (the signed commenter id)? The id alone proves
    nothing; only a moderator's approval of a comment that carried it does."""
    approved = Comment.objects.approved()
    if comment.user is not None and approved.filter(user=comment.user).exists():
        return True
    email, commenter_id = comment.author_email, comment.commenter_id
    # Compared in lower case on both sides, as the comment_email_lower index
    # holds it: the same as __iexact, found through the index.
    by_email = approved.alias(email_lower=Lower("author_email"))
    if email and by_email.filter(email_lower=Lower(Value(email))).exists():
        return True
    return bool(commenter_id) and approved.filter(commenter_id=commenter_id).exists()
