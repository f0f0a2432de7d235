"""Moderating comments: the one way a stored comment changes state or text.

The desk's queue, the Django admin, and edits and deletions made where a
remote comment was written (a webmention's page, a fediverse note) all come here,
so that the classifier is taught, notifications go out once, and the cached
pages that show the comments follow (`effects.comments_changed`).
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction

from gazette.comments import effects, spam, tasks
from gazette.comments.models import Comment
from gazette.lib.links import web_address
from gazette.lib.markup import render_comment
from gazette.site import roles
from gazette.site.models import SiteSettings

ACTIONS = ("approve", "spam", "not_spam", "trash", "delete")


def moderate(
    comments: Iterable[Comment], action: str, *, by, site_url: str = ""
) -> int:
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
    _check_may_moderate(by, comments)
    with transaction.atomic():
        changed = [c for c in comments if _apply(c, action)]
        deleted = action == "delete"
        effects.comments_changed(changed, site_url=site_url, deleted=deleted)
    return len(changed)


def erase(comments: Iterable[Comment]) -> int:
    """Delete `comments` for good because the person who wrote them asked (their
    signed link, or an admin acting on their request): as the `delete` action,
    with replies moving up to the erased comment's parent, but with no
    moderator to check. Returns how many were deleted."""
    with transaction.atomic():
        changed = [c for c in comments if _apply(c, "delete")]
        effects.comments_changed(changed, deleted=True)
    return len(changed)


@transaction.atomic
def edit_comment(comment: Comment, *, by) -> Comment:
    """Save a moderator's correction to a comment's name, website or text."""
    _check_may_moderate(by, [comment])
    comment.body_html = render_comment(comment.body)
    comment.fingerprint = spam.fingerprint(comment.body)
    comment.save()
    effects.comments_changed([comment])
    return comment


def revise_remote(
    comment: Comment,
    *,
    name: str,
    body: str,
    url: str | None = None,
    avatar_url: str | None = None,
    site_url: str = "",
) -> bool:
    """The author of a comment written elsewhere (a webmention's page, a
    fediverse note) edited it there: the comment follows. Returns whether
    anything changed. A new picture address (`avatar_url`; None keeps the
    present one) drops the old copy until the new one is fetched.

    An approved comment stays approved unless its new text would have been
    held or refused on arrival. People correct what they wrote often, and
    holding each correction would take the reply off the page until someone
    looks; but approving a harmless first text must not let links or blocked
    words in later, so the spam layers judge the new text as they judged the
    first. A held comment stays held for the moderator, with its new text;
    spam stays spam.
    """
    name, url = name[:100], comment.author_url if url is None else url
    if avatar_url is None:
        avatar_url = comment.avatar_url
    else:
        avatar_url = web_address(avatar_url)
    now = (comment.author_name, comment.body, comment.author_url, comment.avatar_url)
    if now == (name, body, url, avatar_url):
        return False
    dropped = ""
    if avatar_url != comment.avatar_url:
        # The old copy goes once unused; the new one is fetched after commit.
        dropped, comment.avatar = comment.avatar, ""
        comment.avatar_url = avatar_url
    if comment.status == Comment.Status.APPROVED:
        found = spam.assess(
            comment.post,
            SiteSettings.load(),
            name=name,
            email=comment.author_email,
            url=url,
            body=body,
            ip=comment.ip_address,
            user_agent=comment.user_agent,
            site_url=site_url,
        )
        if found.verdict != spam.PASS:
            comment.spam_score, comment.spam_reasons = found.score, found.reasons
            held = found.verdict == spam.HOLD
            comment.status = Comment.Status.HELD if held else Comment.Status.SPAM
    comment.author_name, comment.body, comment.author_url = name, body, url
    comment.body_html = render_comment(body)
    comment.fingerprint = spam.fingerprint(body)
    with transaction.atomic():
        comment.save()
        effects.comments_changed([comment], site_url=site_url)
        if dropped:
            transaction.on_commit(lambda: tasks.forget_avatars.enqueue([dropped]))
    return True


def _check_may_moderate(user, comments: list[Comment]) -> None:
    for comment in comments:
        if not roles.can_moderate(user, comment.post):
            raise PermissionDenied("You may not moderate comments on this post.")


def _apply(comment: Comment, action: str) -> bool:
    """Whether the comment changed (or the classifier learned from it)."""
    if action == "delete":
        # Read the parent afresh: an earlier deletion in the same batch may have
        # moved this comment up already.
        row = Comment.objects.filter(pk=comment.pk).values_list("parent_id").first()
        if row is None:
            return False
        Comment.objects.filter(parent_id=comment.pk).update(parent_id=row[0])
        Comment.objects.filter(pk=comment.pk).delete()
        return True
    new_status: str  # a Status, or the comment's own when it stays
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
        return taught
    comment.status = new_status
    comment.save(update_fields=["status"])
    return True
