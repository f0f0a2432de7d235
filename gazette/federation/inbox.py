"""What the blog does with the activities its inbox accepted, in the worker.

* Follow of the blog or of an author's actor, and Undo of one: see
  `gazette.federation.follows` (stored and accepted, or waiting for approval).
* Create of a Note replying to one of the blog's posts: a comment, through the
  one comment intake (source "federation"), moderated and spam-checked like
  the form's. A Note replying to one of its comments (a fediverse reply kept
  here, or a comment of the blog's as a Note or on its page) is a reply to that
  comment. Update of that Note by its actor changes the comment
  (`moderation.revise_remote`); Delete of it removes the comment. The actor's
  icon becomes the comment's picture, copied once by `comments.avatars`.
* Anything else is kept as ignored.

The view has already checked the signature and that the signer is the
activity's actor; objects are read from the activity as sent, never fetched
from the addresses it names (no chains of fetches for a stranger to start).
"""

import html
import json
import re
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import Resolver404, resolve
from django.utils.html import strip_tags

from gazette.comments import moderation, reactions
from gazette.comments.intake import (
    CommentDraft,
    Source,
    receive_comment,
    replyable,
)
from gazette.comments.models import Comment
from gazette.comments.spam import Refused as CommentRefused
from gazette.federation import documents, fields, follows, signatures
from gazette.federation.models import (
    Actor,
    BlockedActor,
    BlockedDomain,
    Incoming,
    Reply,
)
from gazette.lib.links import web_address
from gazette.posts.models import Post

MAX_DEPTH = 16
BODY_LIMIT = 5000  # Comment.body's


class Refused(ValueError):
    """The activity is not one the inbox takes; the message says why."""


def parse(body: bytes) -> dict:
    """The activity in `body`, checked for the fields every activity has.
    Raises Refused."""
    try:
        activity = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise Refused("The body is not JSON.") from error
    if not isinstance(activity, dict):
        raise Refused("The activity is not a JSON object.")
    if _depth(activity) > MAX_DEPTH:
        raise Refused("The activity is nested too deeply.")
    for name in ("id", "type", "actor"):
        value = activity.get(name)
        if not isinstance(value, str) or not value or len(value) > fields.MAX_URL:
            raise Refused(f"The activity has no valid {name}.")
    for name in ("id", "actor"):
        if web_address(activity[name]) != activity[name]:
            raise Refused(f"The activity's {name} is not an http address.")
    return activity


def is_blocked(address: str) -> bool:
    """Whether `address` is on a blocked instance (or under one: a block of
    example.social covers eu.example.social), or is a blocked account."""
    # What is not a web address names no instance that could be trusted.
    host = (urlsplit(web_address(address)).hostname or "").lower().rstrip(".")
    if not host:
        return True
    parts = host.split(".")
    candidates = {".".join(parts[i:]) for i in range(len(parts))}
    blocked = {d.lower() for d in getattr(settings, "GAZETTE_FEDERATION_BLOCKED", ())}
    if candidates & blocked:
        return True
    if BlockedDomain.objects.filter(domain__in=candidates).exists():
        return True
    # A blocked account, named by its actor or by one of its keys (actor#key).
    return BlockedActor.objects.filter(actor_id=address.split("#", 1)[0]).exists()


def handle(received: Incoming) -> None:
    """Act on an accepted activity (see the module's docstring)."""
    actor = documents.load_actor()
    activity = received.document
    handler = {
        "Follow": _follow,
        "Undo": _undo,
        "Create": _create,
        "Update": _update,
        "Delete": _delete,
        "Like": _react,
        "Announce": _react,
    }.get(received.kind)
    reason = "Not an activity the blog acts on."
    if actor is not None and handler is not None:
        try:
            reason = handler(actor, activity)
        except (Refused, signatures.Invalid, CommentRefused) as error:
            reason = str(error)
    received.status = Incoming.Status.IGNORED if reason else Incoming.Status.DONE
    received.reason = reason[:300]
    received.save(update_fields=["status", "reason"])


def _follow(actor: Actor, activity: dict) -> str:
    return follows.receive(activity)


def _undo(actor: Actor, activity: dict) -> str:
    undone = activity.get("object")
    if isinstance(undone, str):
        # Some servers name the undone activity by its id alone: the one this
        # inbox received from the same actor.
        earlier = Incoming.objects.filter(
            activity_id=undone, actor=activity["actor"]
        ).first()
        undone = earlier.document if earlier is not None else None
    if not isinstance(undone, dict):
        return "Not an undo the blog acts on."
    if undone.get("actor", activity["actor"]) != activity["actor"]:
        return "An undo of someone else's activity."
    kind = undone.get("type")
    if not isinstance(kind, str):  # a stranger's "type" may be anything
        return "Not an undo the blog acts on."
    if kind == "Follow":
        return follows.undo(actor, activity, undone)
    if kind in REACTIONS:
        post = _post_at(actor, fields.id_of(undone.get("object")))
        if post is None or not reactions.withdraw(
            _reaction_key(activity["actor"], kind, post.pk)
        ):
            return "Nothing of the blog's to undo."
        return ""
    return "Not an undo the blog acts on."


# A fediverse Like or Announce (a boost) of a post, counted under it.
REACTIONS = {"Like": "like", "Announce": "repost"}


def _reaction_key(actor_id: str, kind: str, post_pk: int) -> str:
    # One per person, kind and post: a second like of the same post is the same.
    return f"federation:{kind}:{post_pk}:{actor_id}"


def _react(actor: Actor, activity: dict) -> str:
    post = _post_at(actor, fields.id_of(activity.get("object")))
    if post is None:
        return "Not about one of the blog's posts."
    try:
        author = signatures.fetch_document(activity["actor"])
    except (Refused, signatures.Invalid):
        author = {}
    reactions.record(
        post.pk,
        REACTIONS[activity["type"]],
        _reaction_key(activity["actor"], activity["type"], post.pk),
        source="federation",
        name=fields.display_name(author, activity["actor"]),
        url=web_address(author.get("url")) or activity["actor"],
    )
    return ""


def _create(actor: Actor, activity: dict) -> str:
    note = activity.get("object")
    if not isinstance(note, dict) or note.get("type") != "Note":
        return "Not a note."
    note_id = web_address(note.get("id"))
    if not note_id or not fields.same_origin(note_id, activity["actor"]):
        return "The note's id is not on the actor's host."
    if not _is_by(note, activity["actor"]):
        return "The note is someone else's."
    in_reply_to = fields.id_of(note.get("inReplyTo"))
    post, parent = _replied_to(actor, in_reply_to) if in_reply_to else (None, None)
    if post is None:
        return "Not a reply to one of the blog's posts."
    if Reply.objects.filter(note_id=note_id).exists():
        return "Already a comment."
    author = signatures.fetch_document(activity["actor"])
    name = fields.display_name(author, activity["actor"])
    author_url = web_address(author.get("url")) or activity["actor"]
    source_url = web_address(note.get("url")) or note_id
    text = plain_text(_content(note))
    host = urlsplit(activity["actor"]).hostname or ""
    # The intake threads replies under approved comments only: a reply to a
    # comment readers cannot see (held, spam, trashed) is kept as a comment
    # on the same post rather than lost.
    if parent is not None and not replyable(post).filter(pk=parent.pk).exists():
        parent = None
    draft = CommentDraft(
        name=name,
        body=(text or f"A reply on {host}.")[:BODY_LIMIT],
        url=author_url,
        parent_id=parent.pk if parent is not None else None,
        user_agent="ActivityPub",
        source_url=source_url,
        avatar_url=_icon(author),
    )
    with transaction.atomic():
        comment = receive_comment(post, draft, Source.FEDERATION, site_url=actor.origin)
        Reply.objects.create(note_id=note_id, actor=activity["actor"], comment=comment)
    return ""


def _replied_to(actor: Actor, address: str) -> tuple[Post | None, Comment | None]:
    """The visible post a Note replying to `address` comments on, and the
    comment it answers, if any: a fediverse reply kept here (by its note id),
    a comment of the blog's as a Note, or a comment's place on its post's page
    (the post's address with #comment-<pk>, as the thread's links give it)."""
    post = _post_at(actor, address)
    if post is not None:
        anchor = re.fullmatch(r"comment-(\d+)", urlsplit(address).fragment)
        parent = post.comments.filter(pk=int(anchor[1])).first() if anchor else None
        return post, parent
    reply = Reply.objects.select_related("comment").filter(note_id=address).first()
    parent = reply.comment if reply is not None else _comment_note_at(actor, address)
    if parent is None:
        return None, None
    return Post.objects.visible().filter(pk=parent.post_id).first(), parent


def _comment_note_at(actor: Actor, address: str) -> Comment | None:
    """The comment whose Note (`replies.note`) is at `address`."""
    if not fields.same_origin(address, actor.origin):
        return None
    try:
        match = resolve(unquote(urlsplit(address).path))
    except Resolver404:
        return None
    if match.view_name != "federation:comment":
        return None
    return Comment.objects.filter(pk=match.kwargs["pk"]).first()


def _update(actor: Actor, activity: dict) -> str:
    note = activity.get("object")
    if not isinstance(note, dict) or note.get("type") != "Note":
        return "Not a note."
    # Only the note's own actor may change it, as only it may delete it.
    reply = (
        Reply.objects.select_related("comment__post")
        .filter(note_id=fields.id_of(note), actor=activity["actor"])
        .first()
    )
    if reply is None:
        return "Nothing of the blog's to update."
    if not _is_by(note, activity["actor"]):
        return "The note is someone else's."
    comment = reply.comment
    try:
        author = signatures.fetch_document(activity["actor"])
    except signatures.Invalid:
        author = {}  # the name stays as it was
    name = fields.display_name(author, activity["actor"]) if author else ""
    text = plain_text(_content(note))
    host = urlsplit(activity["actor"]).hostname or ""
    moderation.revise_remote(
        comment,
        name=name or comment.author_name,
        body=(text or f"A reply on {host}.")[:BODY_LIMIT],
        avatar_url=_icon(author) if author else None,
        site_url=actor.origin,
    )
    return ""


def _delete(actor: Actor, activity: dict) -> str:
    note_id = fields.id_of(activity.get("object"))
    reply = (
        Reply.objects.select_related("comment")
        .filter(note_id=note_id, actor=activity["actor"])
        .first()
    )
    if reply is None:
        return "Nothing of the blog's to delete."
    moderation.erase([reply.comment])  # the Reply row goes with its comment
    return ""


def _is_by(note: dict, actor_id: str) -> bool:
    """Whether `note` is `actor_id`'s own: its `attributedTo` names that actor
    (a note that names no one is its sender's). Mastodon, Pleroma, Misskey and
    GoToSocial give an address; some servers give an object with an `id`
    instead, and PeerTube a list (the account and its channel), of which the
    sender must be one."""
    named = note.get("attributedTo", actor_id)
    entries = named if isinstance(named, list) else [named]
    return actor_id in {fields.id_of(entry) for entry in entries}


def _content(note: dict) -> str:
    """A Note's HTML: its `content`, or, from servers that send only the
    per-language `contentMap` (`{"en": "<p>...</p>"}`), its first text."""
    content = note.get("content")
    if isinstance(content, str):
        return content
    languages = note.get("contentMap")
    if isinstance(languages, dict):
        for text in languages.values():
            if isinstance(text, str):
                return text
    return ""


def plain_text(content: str) -> str:
    """A Note's HTML as the plain text a comment holds: paragraphs and line
    breaks kept as new lines, every tag dropped, entities read. The comment
    renders it escaped, as it does the form's text."""
    text = re.sub(r"(?i)<br\s*/?>", "\n", content[: BODY_LIMIT * 4])
    text = re.sub(r"(?i)</p\s*>", "\n\n", text)
    text = html.unescape(strip_tags(text))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _post_at(actor: Actor, address: str) -> Post | None:
    """The visible post whose page or Article `address` is."""
    if not fields.same_origin(address, actor.origin):
        return None
    path = unquote(urlsplit(address).path)
    try:
        match = resolve(path)
    except Resolver404:
        return None
    visible = Post.objects.visible()
    if match.view_name == "federation:post":
        return visible.filter(pk=match.kwargs["pk"]).first()
    if match.view_name != "posts:detail":
        return None
    post = visible.filter(slug=match.kwargs["slug"]).first()
    if post is None or unquote(post.get_absolute_url()) != path:
        return None
    return post


def _icon(actor_document: dict) -> str:
    """The address of an actor's picture: its `icon`, an Image object with a
    `url` (Mastodon), a list of them (the first usable one), or an address."""
    icon = actor_document.get("icon")
    for entry in icon if isinstance(icon, list) else [icon]:
        url = entry.get("url") if isinstance(entry, dict) else entry
        if isinstance(url, dict):  # a Link object
            url = url.get("href")
        if address := web_address(url):
            return address
    return ""


def _depth(value, level: int = 0) -> int:
    """How deeply `value` nests, counted no further than MAX_DEPTH + 1."""
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return max((_depth(item, level + 1) for item in value), default=level)
    return level
