"""Comments and the fediverse's replies, both ways.

Out: with the "approved comments go out as replies" setting, a comment written
here (the form or the desk) is sent to followers once approved, as a Note from
the blog's actor answering the post's Article, or the comment it replies to,
so that the thread reads the same on the fediverse as on the page. The author
of a fediverse comment replied to is sent it too, and mentioned.
`PublishedComment` remembers what was sent, as `Published` does for posts: an
edit that changes what followers see sends Update, and a comment that goes
(trash, spam, deleted for good) is deleted there once. Comments that came
from elsewhere (the fediverse itself, a webmention, an import) are never sent
out: they were published where they were written.
"""

from datetime import UTC
from functools import partial

from django.db import transaction
from django.utils.html import format_html

from gazette.comments.models import Comment
from gazette.federation import delivery, documents, fields, signatures, tasks
from gazette.federation.models import Actor, PublishedComment, Reply
from gazette.lib.links import absolute_urls
from gazette.site.models import SiteSettings


def written_here(comment: Comment) -> bool:
    """Whether `comment` came from the blog's own form or desk (what came from
    elsewhere is never sent back out as the blog's)."""
    return comment.source in (Comment.Source.FORM, Comment.Source.DESK)


def note_id(actor: Actor, comment_pk: int) -> str:
    return documents.url(actor, "comment", comment_pk)


def note(actor: Actor, comment: Comment) -> dict:
    """`comment` as a Note from the blog's actor, naming its commenter. Reads
    comment.post, comment.parent and the parent's Reply."""
    in_reply_to = documents.url(actor, "post", comment.post_id)
    cc = [documents.url(actor, "followers")]
    tags = []
    parent = comment.parent
    if parent is not None:
        remote = Reply.objects.filter(comment_id=parent.pk).first()
        if remote is not None:
            in_reply_to = remote.note_id
            cc.append(remote.actor)
            tags.append(
                {"type": "Mention", "href": remote.actor, "name": parent.author_name}
            )
        elif written_here(parent) and parent.status == Comment.Status.APPROVED:
            in_reply_to = note_id(actor, parent.pk)
        # Otherwise (a webmention's comment, an imported one) the parent has no
        # Note to answer: the reply answers the post.
    heading = format_html("<p><strong>{}</strong> commented:</p>", comment.author_name)
    text = absolute_urls(comment.body_html, actor.origin).strip()
    return {
        "id": note_id(actor, comment.pk),
        "type": "Note",
        "attributedTo": documents.actor_id(actor),
        "inReplyTo": in_reply_to,
        "content": heading + text,
        "mediaType": "text/html",
        "url": actor.origin + comment.get_absolute_url(),
        "published": comment.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "to": [documents.PUBLIC],
        "cc": cc,
        "tag": tags,
    }


def is_shown(comment: Comment) -> bool:
    """Whether the comment's Note may be shown to anyone: approved, written
    here, on a visible post. Reads comment.post."""
    return (
        comment.status == Comment.Status.APPROVED
        and written_here(comment)
        and comment.post.is_visible
    )


def federate_comment(comment_id: int) -> None:
    """Tell followers what changed about a comment since they were last told:
    Create, Update, Delete or nothing. In the worker."""
    actor = documents.load_actor()
    if actor is None:
        return  # nobody has ever asked for the actor: nobody follows it
    comment = (
        Comment.objects.select_related("post", "parent").filter(pk=comment_id).first()
    )
    if comment is None:
        return  # deleted for good: `comment_deleted` saw to it
    sent = PublishedComment.objects.filter(comment=comment).first()
    if not is_shown(comment):
        # Taking a comment away is told whatever the setting says now: the
        # followers who were sent it should not keep it.
        delete_id = delivery.retraction(sent, note_id(actor, comment.pk))
        if delete_id:
            _send_delete(actor, comment.pk, delete_id, _replied_to_actors(comment))
        return
    if not SiteSettings.load().comments_as_replies:
        return
    document = note(actor, comment)
    news = delivery.news_of(sent, document, lambda: PublishedComment(comment=comment))
    if news is None:
        return
    kind, activity_id = news
    activity = documents.activity(actor, kind, document, activity_id)
    activity["cc"] = document["cc"]
    delivery.send(activity, _inboxes(document["cc"][1:]))


def follow_post(post_id: int) -> None:
    """The post changed: its comments that were sent as notes follow it, deleted
    there when it is taken down, sent anew when it is back. In the worker."""
    sent = PublishedComment.objects.filter(comment__post_id=post_id)
    for comment_id in sent.values_list("comment_id", flat=True):
        federate_comment(comment_id)


def comment_deleted(sent: PublishedComment) -> None:
    """The comment of `sent` is being deleted for good, inside the deleting
    transaction: queue its Delete for after the commit. The row that says it
    was sent goes with the comment, so this is the last moment to know."""
    if sent.is_deleted:
        return
    replied_to = Reply.objects.filter(comment__replies__pk=sent.comment_id)
    actors = list(replied_to.values_list("actor", flat=True))
    transaction.on_commit(
        partial(tasks.retract_comment.enqueue, sent.comment_id, sent.updates, actors)
    )


def retract_comment(comment_id: int, updates: int, actors: list[str]) -> None:
    """Send the Delete of a comment deleted for good. In the worker."""
    actor = documents.load_actor()
    if actor is not None:
        delete_id = f"{note_id(actor, comment_id)}#delete-{updates}"
        _send_delete(actor, comment_id, delete_id, actors)


def _replied_to_actors(comment: Comment) -> list[str]:
    if comment.parent_id is None:
        return []
    return list(
        Reply.objects.filter(comment_id=comment.parent_id).values_list(
            "actor", flat=True
        )
    )


def _send_delete(actor: Actor, comment_pk: int, activity_id: str, actors: list[str]):
    tombstone = {"id": note_id(actor, comment_pk), "type": "Tombstone"}
    activity = documents.activity(actor, "Delete", tombstone, activity_id)
    activity["cc"] = [documents.url(actor, "followers"), *actors]
    delivery.send(activity, _inboxes(actors))


def _inboxes(actors: list[str]) -> list[str]:
    """The followers' inboxes, and those of the fediverse authors replied to."""
    inboxes = delivery.follower_inboxes()
    for actor_id in actors:
        inbox = _inbox_of(actor_id)
        if inbox:
            inboxes.append(inbox)
    return inboxes


def _inbox_of(actor_id: str) -> str:
    """Where to deliver to `actor_id`: its server's shared inbox, else its own;
    "" when its document cannot be had (the followers are told all the same)."""
    try:
        document = signatures.fetch_document(actor_id)
    except signatures.Invalid:
        return ""
    if document.get("id") != actor_id:
        return ""
    inbox, shared = fields.inboxes(document)
    return shared or inbox
