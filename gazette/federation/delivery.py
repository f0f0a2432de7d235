"""Sending the blog's activities to other servers, in the worker.

A post that is published, edited (in what followers see) or taken down is sent
as Create, Update or Delete of its Article to every follower's shared inbox,
each server once. Each activity and inbox gets one `Delivery` row, made before
anything is sent: a row that exists is never made again, so an activity is
never delivered twice to one inbox, whatever runs twice. A failed attempt is
tried again later, waiting longer each time, up to MAX_ATTEMPTS.

With "an account per author" on, a post whose author has an actor comes from
that actor, to the author's followers and the blog's; the blog's actor then
announces it (a boost) to its followers, since a server drops a Create from an
account nobody there follows, and fetches what is announced.
"""

import json
from collections.abc import Callable
from datetime import timedelta
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from gazette.federation import documents, signatures, tasks
from gazette.federation.models import (
    Actor,
    Delivery,
    Follower,
    Published,
    PublishedComment,
)
from gazette.lib import fetch
from gazette.posts.models import Post

MAX_ATTEMPTS = 5
FIRST_RETRY = timedelta(minutes=1)


def send(activity: dict, inboxes: list[str]) -> list[Delivery]:
    """Queue `activity` for each inbox it was not queued for before."""
    made = []
    for inbox in dict.fromkeys(inboxes):  # each once, in order
        try:
            with transaction.atomic():
                made.append(
                    Delivery.objects.create(
                        activity_id=activity["id"], inbox=inbox, document=activity
                    )
                )
        except IntegrityError:
            continue  # queued before: never twice
    for row in made:
        transaction.on_commit(partial(tasks.deliver.enqueue, row.pk))
    return made


def follower_inboxes(author: Actor | None = None) -> list[str]:
    """One inbox per server: its shared inbox, else each follower's own; of
    the blog's followers, and of `author`'s (an author's own actor) if given."""
    following = Q(follows_blog=True)
    if author is not None:
        following |= Q(authors=author)
    inboxes = Follower.objects.filter(following).distinct().order_by("pk")
    return list(dict.fromkeys(f.delivery_inbox for f in inboxes))


def attempt(delivery: Delivery) -> None:
    """Sign and post one delivery; on failure, try again later or give up."""
    if delivery.status != Delivery.Status.PENDING:
        return
    # Signed by the actor it comes from: the blog, or an author's own actor.
    sender = delivery.document.get("actor")
    named = documents.actor_named(sender) if isinstance(sender, str) else None
    actor = named or documents.load_actor()
    if actor is None:
        return
    body = json.dumps(delivery.document).encode()
    headers = signatures.sign(
        "POST",
        delivery.inbox,
        key_id=documents.key_id(actor),
        private_key_pem=actor.private_key_pem,
        body=body,
    )
    headers["Content-Type"] = signatures.ACTIVITY_JSON
    delivery.attempts += 1
    refused = False
    try:
        answer = fetch.post_bytes(delivery.inbox, body, headers)
        error = "" if 200 <= answer.status < 300 else f"answered {answer.status}"
    except fetch.FetchError as failure:
        error = str(failure)
        # A private address stays private: trying again would not help.
        refused = isinstance(failure, fetch.Refused)
    if not error:
        delivery.status, delivery.sent_at = Delivery.Status.SENT, timezone.now()
        delivery.last_error = ""
    else:
        delivery.last_error = error[:300]
        if delivery.attempts >= MAX_ATTEMPTS or refused:
            delivery.status = Delivery.Status.FAILED
    delivery.save(update_fields=["status", "sent_at", "last_error", "attempts"])
    if delivery.status == Delivery.Status.PENDING:
        wait = FIRST_RETRY * 4 ** (delivery.attempts - 1)  # 1, 4, 16, 64 minutes
        tasks.retry_later(delivery.pk, timezone.now() + wait)


def news_of(
    sent: Published | PublishedComment | None,
    document: dict,
    first: Callable[[], Published | PublishedComment],
) -> tuple[str, str] | None:
    """What followers must be told of `document` (an Article or a Note), given
    what they were `sent` last: ("Create", id) the first time or once it is
    back after a Delete, ("Update", id) when what they see changed, None when
    nothing did. Records it, making the row with `first` the first time."""
    digest = documents.content_hash(document)
    if sent is None:
        row = first()
        row.content_hash = digest
        row.save()
        return "Create", document["id"] + "#create"
    if sent.content_hash == digest and not sent.is_deleted:
        return None
    # Back from the trash, a draft or the spam folder: followers deleted it,
    # so it is created anew.
    kind = "Create" if sent.is_deleted else "Update"
    sent.updates += 1
    sent.content_hash, sent.is_deleted = digest, False
    sent.save(update_fields=["updates", "content_hash", "is_deleted"])
    return kind, f"{document['id']}#{kind.lower()}-{sent.updates}"


def retraction(sent: Published | PublishedComment | None, object_id: str) -> str:
    """The id of the Delete that takes `object_id` away from followers, once:
    "" when they were never sent it or were told already."""
    if sent is None or sent.is_deleted:
        return ""
    sent.is_deleted = True
    sent.save(update_fields=["is_deleted"])
    return f"{object_id}#delete-{sent.updates}"


def federate_post(post_id: int) -> None:
    """Tell followers what changed about a post since they were last told."""
    actor = documents.load_actor()
    if actor is None:
        return  # nobody has ever asked for the actor: nobody follows it
    post = Post.objects.filter(pk=post_id).prefetch_related("hashtags").first()
    published = Published.objects.filter(post_id=post_id).first()
    author = documents.speaker(post) if post is not None else None
    sender = author or actor
    inboxes = follower_inboxes(author)
    if post is not None and post.is_public and not post.is_visible:
        tasks.federate_later(post.pk, post.published_at)
        return
    if post is None or not post.is_visible:
        object_id = documents.url(actor, "post", post_id)
        delete_id = retraction(published, object_id)
        if delete_id:
            tombstone = {"id": object_id, "type": "Tombstone"}
            send(documents.activity(sender, "Delete", tombstone, delete_id), inboxes)
        return
    article = documents.article(actor, post, author)
    news = news_of(published, article, lambda: Published(post=post))
    if news is None:
        return
    kind, activity_id = news
    send(documents.activity(sender, kind, article, activity_id), inboxes)
    if author is not None and kind == "Create":
        boost_id = activity_id.replace("#create", "#announce")
        boost = documents.activity(actor, "Announce", article["id"], boost_id)
        send(boost, follower_inboxes())
