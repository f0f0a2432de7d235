"""Receiving webmentions (the W3C Recommendation, section 3.2).

The endpoint only checks the request's shape and that the target is one of the
blog's visible posts, remembers it and answers 202 Accepted; the task
`verify_webmention` then fetches the source (`gazette.lib.fetch`, which refuses
private addresses, big pages and slow servers), checks that it links to the
post, and reads its microformats2:

* a reply goes into the one comment intake (`receive_comment`, source
  "webmention"): the same limits, spam layers and moderation as the form;
* a like, a repost or a mention is kept and counted under the post;
* a source sent again is checked again: an edited reply is updated (and waits
  for moderation again), and a source that is gone (404, 410) or no longer
  links has its comment removed.
"""

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.db import transaction
from django.urls import Resolver404, resolve
from django.utils import timezone

from gazette.comments import moderation, reactions
from gazette.comments.intake import CommentDraft, Source, receive_comment
from gazette.comments.spam import Refused
from gazette.lib import fetch, pagecache
from gazette.lib.links import web_address
from gazette.posts.models import Post
from gazette.webmentions import pages
from gazette.webmentions.models import Received

MAX_URL = 500
BODY_LIMIT = 5000  # Comment.body's


class Invalid(ValueError):
    """The request is not a webmention this blog accepts; the message says why."""


@dataclass
class Request:
    source: str
    target: str
    host: str  # the blog's, as this request named it
    sender_ip: str | None


def accept(request: Request) -> Received:
    """Check the webmention's shape and remember it, pending its check. Raises
    Invalid. The caller queues `tasks.verify_webmention` for the row."""
    source, target = request.source.strip(), request.target.strip()
    for name, url in (("source", source), ("target", target)):
        if len(url) > MAX_URL:
            raise Invalid(f"The {name} address is too long.")
        if not web_address(url):
            raise Invalid(f"The {name} must be an http or https address.")
    if pages.same_address(source, target):
        raise Invalid("The source and the target must differ.")
    post = _post_at(target, request.host)
    if post is None:
        raise Invalid("The target is not a post of this blog.")
    received, created = Received.objects.get_or_create(
        source=source,
        post=post,
        defaults={"target": target, "sender_ip": request.sender_ip},
    )
    if not created:
        received.target, received.sender_ip = target, request.sender_ip
        received.save(update_fields=["target", "sender_ip"])
    return received


def _post_at(target: str, host: str) -> Post | None:
    """The visible post whose address `target` is, on this blog's host."""
    parts = urlsplit(target)
    if parts.netloc.lower() != host.lower():
        return None
    path = unquote(parts.path)
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.view_name != "posts:detail":
        return None
    post = Post.objects.visible().filter(slug=match.kwargs["slug"]).first()
    if post is None or unquote(post.get_absolute_url()) != path:
        return None
    return post


# The webmentions counted under the post as likes and reposts.
REACTIONS: dict[str, str] = {
    Received.Kind.LIKE: "like",
    Received.Kind.REPOST: "repost",
}


def reaction_key(received: Received) -> str:
    return f"webmention:{received.post_id}:{received.source}"


def verify(received: Received, site_url: str = "") -> None:
    """Fetch the source and act on what it says now (see the module's
    docstring). Reads received.post and received.comment."""
    received.checked_at = timezone.now()
    try:
        page = fetch.get(received.source)
    except fetch.FetchError as error:
        # A fetch that fails says nothing about the source: what was verified
        # stays, what was not is refused.
        _refuse(received, str(error))
        return
    if page.status in (404, 410):
        _gone(received, f"The source answered {page.status}.")
        return
    if page.status != 200:
        _refuse(received, f"The source answered {page.status}.")
        return
    if not pages.links_to(page, received.target):
        _gone(received, "The source does not link to the post.")
        return
    found = pages.interpret(page.text(), page.url, received.target)
    with transaction.atomic():
        if found.kind != Received.Kind.REPLY and received.comment is not None:
            moderation.erase([received.comment])  # no longer a reply
            received.comment = None
        was_shown = received.status == Received.Status.VERIFIED
        received.kind = found.kind
        received.author_name = found.author_name[:100]
        received.author_url = (
            found.author_url if len(found.author_url) <= MAX_URL else ""
        )
        received.reason = ""
        if found.kind == Received.Kind.REPLY:
            if not _reply(received, found, site_url):
                return
        received.status = Received.Status.VERIFIED
        received.save()
        if found.kind in REACTIONS:
            reactions.record(
                received.post_id,
                REACTIONS[found.kind],
                reaction_key(received),
                source="webmention",
                name=received.author_name,
                url=received.author_url,
            )
        else:  # a like edited into a reply or a mention counts no longer
            reactions.withdraw(reaction_key(received))
        if found.kind != Received.Kind.REPLY or was_shown:
            # Likes, reposts and mentions show under the post.
            pagecache.bump_on_commit(pagecache.post_version(received.post_id))


def _reply(received: Received, found: pages.Found, site_url: str) -> bool:
    """Store or update the comment a reply makes; False when it was refused."""
    host = urlsplit(received.source).hostname or ""
    name = found.author_name or host
    body = (found.text or f"A reply on {host}.")[:BODY_LIMIT]
    comment = received.comment
    if comment is None:
        draft = CommentDraft(
            name=name,
            body=body,
            url=received.author_url,
            ip=received.sender_ip,
            user_agent="Webmention",
            created_at=found.published,
            source_url=received.source,
            avatar_url=found.author_photo,
        )
        try:
            received.comment = receive_comment(
                received.post, draft, Source.WEBMENTION, site_url=site_url
            )
        except Refused as refusal:
            _refuse(received, str(refusal))
            return False
        return True
    # Edited at the source: the comment follows, its new text checked again.
    moderation.revise_remote(
        comment,
        name=name,
        body=body,
        url=received.author_url,
        avatar_url=found.author_photo,
        site_url=site_url,
    )
    return True


def _refuse(received: Received, reason: str) -> None:
    received.reason = reason[:300]
    if received.status == Received.Status.PENDING:
        received.status = Received.Status.REJECTED
    received.save(update_fields=["reason", "status", "checked_at"])


def _gone(received: Received, reason: str) -> None:
    """The source was deleted or no longer links: undo what it made."""
    with transaction.atomic():
        if received.comment is not None:
            moderation.erase([received.comment])
            received.comment = None
        reactions.withdraw(reaction_key(received))
        if received.status == Received.Status.VERIFIED:
            received.status = Received.Status.DELETED
            pagecache.bump_on_commit(pagecache.post_version(received.post_id))
        elif received.status == Received.Status.PENDING:
            received.status = Received.Status.REJECTED
        received.reason = reason
        received.save()
