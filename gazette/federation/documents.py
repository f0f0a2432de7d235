"""The blog's ActivityPub documents: its actor, its posts as `Article`
objects, and the activities that carry them.

Every id is built on the actor's `origin` (see `Actor`), so that the documents
name the blog the same way whichever request or task builds them.
"""

import hashlib
import json
import mimetypes
from datetime import UTC
from html import escape
from urllib.parse import unquote, urljoin, urlsplit

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import Resolver404, resolve, reverse

from gazette.federation import signatures
from gazette.federation.models import Actor
from gazette.lib.links import absolute_urls, first_image
from gazette.posts.models import Post
from gazette.site import roles
from gazette.site.models import SiteSettings

CONTEXT = ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"]
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
USERNAME = "blog"
MOVE_TERMS = {
    "alsoKnownAs": {"@id": "as:alsoKnownAs", "@type": "@id"},
    "movedTo": {"@id": "as:movedTo", "@type": "@id"},
}


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


def load_author_actor(user, origin: str = "") -> Actor | None:
    """`user`'s own actor, made the first time with a key pair of its own on
    the blog actor's origin (an empty `origin` makes nothing). Whether the
    user may have one is `has_account`'s to say."""
    found = Actor.objects.select_related("user").filter(user=user)
    actor = found.first()
    if actor is not None or not origin:
        return actor
    blog = load_actor(origin)
    assert blog is not None  # made on the spot when missing
    private, public = signatures.new_private_key_pem()
    try:
        with transaction.atomic():
            Actor.objects.create(
                user=user,
                origin=blog.origin,
                private_key_pem=private,
                public_key_pem=public,
            )
    except IntegrityError:
        pass  # Two first requests at once: the first row made wins.
    return found.first()


def has_account(user) -> bool:
    """Whether `user` is followable as an author: the "account per author"
    setting is on, they may publish, and readers can see a post of theirs.
    Reads the settings, the user's groups and their posts."""
    return (
        SiteSettings.load().author_accounts
        and user.is_active
        and roles.can_publish(user)
        and Post.objects.visible().filter(author=user).exists()
    )


def speaker(post: Post) -> Actor | None:
    """The author's actor a post comes from, when the setting is on, the
    author may publish and their actor exists (someone looked them up);
    otherwise None: the post comes from the blog alone."""
    if not SiteSettings.load().author_accounts:
        return None
    actor = Actor.objects.select_related("user").filter(user_id=post.author_id).first()
    if actor is None or actor.user is None or not roles.can_publish(actor.user):
        return None
    return actor


def actor_named(address: str) -> Actor | None:
    """The existing actor (the blog's or an author's) whose id is `address`."""
    blog = load_actor()
    if blog is None or not address.startswith(blog.origin + "/"):
        return None
    if address == actor_id(blog):
        return blog
    try:
        match = resolve(unquote(urlsplit(address).path))
    except Resolver404:
        return None
    if match.view_name != "federation:author":
        return None
    username_field = f"user__{get_user_model().USERNAME_FIELD}"
    found = (
        Actor.objects.select_related("user")
        .filter(**{username_field: match.kwargs["username"]})
        .first()
    )
    return found if found is not None and actor_id(found) == address else None


def actor_id(actor: Actor) -> str:
    if actor.user is not None:
        return url(actor, "author", actor.user.get_username())
    return url(actor, "actor")


def followers_url(actor: Actor) -> str:
    if actor.user is not None:
        return url(actor, "author_followers", actor.user.get_username())
    return url(actor, "followers")


def key_id(actor: Actor) -> str:
    return actor_id(actor) + "#main-key"


def actor_document(actor: Actor) -> dict:
    """The blog's actor (a Service named after the blog), or an author's (a
    Person whose inbox is the blog's shared one: the blog reads all its mail
    in one place)."""
    site = SiteSettings.load()
    if actor.user is None:
        username, name, summary = USERNAME, site.title, site.description
        kind, outbox = "Service", url(actor, "outbox")
    else:
        username = actor.user.get_username()
        name = actor.user.get_full_name() or username
        summary = f"<p>Writes on {escape(site.title)}.</p>"
        kind, outbox = "Person", url(actor, "author_outbox", username)
    document = {
        "@context": CONTEXT,
        "id": actor_id(actor),
        "type": kind,
        "preferredUsername": username,
        "name": name,
        "summary": summary,
        # Authors have no page of their own: the blog is where they write.
        "url": actor.origin + "/",
        "inbox": url(actor, "inbox"),
        "outbox": outbox,
        "followers": followers_url(actor),
        "endpoints": {"sharedInbox": url(actor, "inbox")},
        "manuallyApprovesFollowers": site.approve_followers,
        "discoverable": True,
        "publicKey": {
            "id": key_id(actor),
            "owner": actor_id(actor),
            "publicKeyPem": actor.public_key_pem,
        },
    }
    # A move between addresses (the `fediverse_move` command): the terms are
    # ActivityStreams' own, declared as Mastodon declares them.
    if actor.also_known_as:
        document["alsoKnownAs"] = list(actor.also_known_as)
    if actor.moved_to:
        document["movedTo"] = actor.moved_to
    if actor.also_known_as or actor.moved_to:
        document["@context"] = [*CONTEXT, MOVE_TERMS]
    if actor.user is None:
        document["following"] = url(actor, "following")
        if site.icon is not None:
            document["icon"] = {
                "type": "Image",
                "url": urljoin(actor.origin, site.icon.file.url),
            }
    return document


def article(actor: Actor, post: Post, author: Actor | None = None) -> dict:
    """`post` as an Article, on the blog `actor`'s addresses, attributed to
    `author` (see `speaker`) when it has an actor of its own, else to the
    blog. Reads post.hashtags."""
    by = author or actor
    canonical = actor.origin + post.get_absolute_url()
    document: dict = {
        "id": url(actor, "post", post.pk),
        "type": "Article",
        "attributedTo": actor_id(by),
        "name": post.title,
        "summary": post.summary,
        "content": absolute_urls(post.body_html, actor.origin),
        "mediaType": "text/html",
        "url": canonical,
        "published": _iso(post.published_at),
        "updated": _iso(post.updated_at),
        "to": [PUBLIC],
        "cc": [followers_url(by)],
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
        "cc": [followers_url(actor)],
        "object": object_,
    }


def _iso(when) -> str | None:
    if when is None:
        return None
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
