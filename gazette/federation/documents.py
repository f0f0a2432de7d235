"""The blog's ActivityPub documents: its actor, its posts as `Article`
objects, and the activities that carry them.

Every id is built on the actor's `origin` (see `Actor`), so that the documents
name the blog the same way whichever request or task builds them.
"""

import hashlib
import json
import mimetypes
from datetime import UTC
from urllib.parse import urljoin

from django.db import transaction
from django.urls import reverse

from gazette.federation import signatures
from gazette.federation.models import Actor
from gazette.lib.links import absolute_urls, first_image
from gazette.posts.models import Post
from gazette.site.models import SiteSettings

CONTEXT = ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"]
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
USERNAME = "blog"


def load_actor(origin: str = "") -> Actor | None:
    """The blog's actor, made with a new key pair on `origin` the first time
    (an empty `origin` makes nothing: a task has no request to learn it from)."""
    blog = Actor.objects.filter(user__isnull=True).order_by("pk")
    actor = blog.first()
    if actor is not None or not origin:
        return actor
    private, public = signatures.new_private_key_pem()
    with transaction.atomic():
        # Two first requests at once: the first row made wins.
        Actor.objects.create(
            origin=origin, private_key_pem=private, public_key_pem=public
        )
        return blog.first()


def url(actor: Actor, name: str, *args) -> str:
    return actor.origin + reverse(f"federation:{name}", args=args)


def actor_id(actor: Actor) -> str:
    return url(actor, "actor")


def key_id(actor: Actor) -> str:
    return actor_id(actor) + "#main-key"


def actor_document(actor: Actor) -> dict:
    site = SiteSettings.load()
    document = {
        "@context": CONTEXT,
        "id": actor_id(actor),
        "type": "Service",
        "preferredUsername": USERNAME,
        "name": site.title,
        "summary": site.description,
        "url": actor.origin + "/",
        "inbox": url(actor, "inbox"),
        "outbox": url(actor, "outbox"),
        "followers": url(actor, "followers"),
        "following": url(actor, "following"),
        "endpoints": {"sharedInbox": url(actor, "inbox")},
        "manuallyApprovesFollowers": False,
        "discoverable": True,
        "publicKey": {
            "id": key_id(actor),
            "owner": actor_id(actor),
            "publicKeyPem": actor.public_key_pem,
        },
    }
    if site.icon is not None:
        document["icon"] = {
            "type": "Image",
            "url": urljoin(actor.origin, site.icon.file.url),
        }
    return document


def article(actor: Actor, post: Post) -> dict:
    """`post` as an Article. Reads post.hashtags."""
    canonical = actor.origin + post.get_absolute_url()
    document: dict = {
        "id": url(actor, "post", post.pk),
        "type": "Article",
        "attributedTo": actor_id(actor),
        "name": post.title,
        "summary": post.summary,
        "content": absolute_urls(post.body_html, actor.origin),
        "mediaType": "text/html",
        "url": canonical,
        "published": _iso(post.published_at),
        "updated": _iso(post.updated_at),
        "to": [PUBLIC],
        "cc": [url(actor, "followers")],
        "tag": [
            {
                "type": "Hashtag",
                "href": actor.origin + hashtag.get_absolute_url(),
                "name": f"#{hashtag.name}",
            }
            for hashtag in post.hashtags.all()
        ],
    }
    picture = first_image(post.body_html)
    if picture is not None:
        src = urljoin(canonical, picture["src"])
        attachment = {"type": "Image", "url": src, "name": picture["alt"]}
        media_type = mimetypes.guess_type(src)[0]
        if media_type:
            attachment["mediaType"] = media_type
        document["attachment"] = [attachment]
    return document


def content_hash(document: dict) -> str:
    """What followers see of an Article, as one hash: equal hashes, no Update."""
    seen = {key: value for key, value in document.items() if key != "updated"}
    return hashlib.sha256(json.dumps(seen, sort_keys=True).encode()).hexdigest()


def activity(actor: Actor, kind: str, object_: dict | str, activity_id: str) -> dict:
    return {
        "@context": CONTEXT,
        "id": activity_id,
        "type": kind,
        "actor": actor_id(actor),
        "to": [PUBLIC],
        "cc": [url(actor, "followers")],
        "object": object_,
    }


def _iso(when) -> str | None:
    if when is None:
        return None
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
