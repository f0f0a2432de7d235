"""Who follows the blog and its authors, in the worker and from the desk.

* A Follow of the blog's actor, or of an author's own actor, makes or extends
  a `Follower` and is answered with Accept; with "approve each follower" on, it
  waits as a `FollowRequest` instead, until the admin accepts it (the follower
  is made, Accept is sent) or declines it (Reject is sent).
* An Undo of a Follow ends that follow, waiting or not; a `Follower` following
  nobody any more is deleted.
* A blocked account (`BlockedActor`) loses its follow and its requests, and
  the inbox refuses it from then on (`inbox.is_blocked`).

Answering a request needs the follower's inbox, read from its actor document:
a fetch, so the desk leaves it to the worker (`tasks.answer_follow`).
"""

import hashlib
import logging

from django.db import transaction
from django.utils import timezone

from gazette.federation import delivery, documents, fields, signatures, tasks
from gazette.federation.models import (
    Actor,
    BlockedActor,
    Follower,
    FollowRequest,
)
from gazette.site.models import SiteSettings

logger = logging.getLogger(__name__)


def followable(address: str) -> Actor | None:
    """The actor `address` names, if it may be followed now: the blog's, or
    an author's while the author has an account (`documents.has_account`)."""
    found = documents.actor_named(address)
    if found is not None and found.user is not None:
        if not documents.has_account(found.user):
            return None
    return found


def receive(activity: dict) -> str:
    """Act on a Follow the inbox accepted; the reason when nothing was done."""
    followed = followable(fields.id_of(activity.get("object")))
    if followed is None:
        return "A follow of someone else."
    remote = signatures.fetch_document(activity["actor"])
    if remote.get("id") != activity["actor"]:
        return "The actor document is not the actor's."
    inbox, shared = fields.inboxes(remote)
    if not inbox:
        return "The actor has no inbox to deliver to."
    waits = SiteSettings.load().approve_followers
    if waits and not is_following(activity["actor"], followed):
        FollowRequest.objects.update_or_create(
            actor_id=activity["actor"],
            followed=followed,
            defaults={
                "activity": activity,
                "name": fields.display_name(remote, activity["actor"]),
                "received_at": timezone.now(),
            },
        )
        return ""
    add(followed, activity["actor"], inbox, shared)
    _answer(followed, activity, "Accept", inbox)
    return ""


def undo(blog: Actor, activity: dict, follow: dict) -> str:
    """Act on the Undo of `follow`, a Follow `activity`'s actor sent."""
    address = fields.id_of(follow.get("object"))
    # A Follow undone without saying of whom was one of the blog.
    followed = documents.actor_named(address) if address else blog
    if followed is None:
        return "An undo of a follow of someone else."
    FollowRequest.objects.filter(actor_id=activity["actor"], followed=followed).delete()
    remove(activity["actor"], followed)
    return ""


def is_following(address: str, followed: Actor) -> bool:
    followers = Follower.objects.filter(actor_id=address)
    if followed.user_id is None:
        return followers.filter(follows_blog=True).exists()
    return followers.filter(authors=followed).exists()


@transaction.atomic
def add(followed: Actor, address: str, inbox: str, shared: str) -> Follower:
    """`address` follows `followed` now, delivered to at these inboxes."""
    of_blog = followed.user_id is None
    follower, created = Follower.objects.get_or_create(
        actor_id=address,
        defaults={"inbox": inbox, "shared_inbox": shared, "follows_blog": of_blog},
    )
    if not created:
        follower.inbox, follower.shared_inbox = inbox, shared
        follower.follows_blog = follower.follows_blog or of_blog
        follower.save(update_fields=["inbox", "shared_inbox", "follows_blog"])
    if not of_blog:
        follower.authors.add(followed)
    return follower


@transaction.atomic
def remove(address: str, followed: Actor) -> None:
    """`address` no longer follows `followed`; a row following nobody goes."""
    follower = Follower.objects.select_for_update().filter(actor_id=address).first()
    if follower is None:
        return
    if followed.user_id is None:
        follower.follows_blog = False
        follower.save(update_fields=["follows_blog"])
    else:
        follower.authors.remove(followed)
    if not follower.follows_blog and not follower.authors.exists():
        follower.delete()


def accept(request: FollowRequest) -> None:
    """The admin accepts a waiting request: the worker makes the follower and
    sends Accept. The request leaves the list at once."""
    _decide(request, accepted=True)


def decline(request: FollowRequest) -> None:
    """The admin declines a waiting request: the worker sends Reject."""
    _decide(request, accepted=False)


def _decide(request: FollowRequest, *, accepted: bool) -> None:
    arguments = (request.followed_id, request.activity, request.name, accepted)
    request.delete()
    transaction.on_commit(lambda: tasks.answer_follow.enqueue(*arguments))


def answer(followed_id: int, follow: dict, name: str, accepted: bool) -> None:
    """Send the admin's answer to `follow` (in the worker). An accepted
    request whose follower cannot be reached comes back to the list, to be
    tried again or declined."""
    followed = Actor.objects.select_related("user").filter(pk=followed_id).first()
    address = follow.get("actor")
    if followed is None or not isinstance(address, str):
        return
    try:
        remote = signatures.fetch_document(address)
        inbox, shared = (
            fields.inboxes(remote) if remote.get("id") == address else ("", "")
        )
    except signatures.Invalid as error:
        logger.warning("Could not answer the follow of %s: %s", address, error)
        inbox, shared = "", ""
    if not inbox:
        if accepted:
            FollowRequest.objects.get_or_create(
                actor_id=address,
                followed=followed,
                defaults={"activity": follow, "name": name},
            )
        return
    if accepted:
        add(followed, address, inbox, shared)
        _answer(followed, follow, "Accept", inbox)
    else:
        _answer(followed, follow, "Reject", inbox)


@transaction.atomic
def block(address: str) -> bool:
    """Refuse `address` from now on: its follows and requests go (it is not
    told). Whether it was not blocked before."""
    _, created = BlockedActor.objects.get_or_create(actor_id=address)
    Follower.objects.filter(actor_id=address).delete()
    FollowRequest.objects.filter(actor_id=address).delete()
    return created


def _answer(followed: Actor, follow: dict, kind: str, inbox: str) -> None:
    """Send Accept or Reject of `follow`, from the actor it followed."""
    slug = hashlib.sha256(str(follow["id"]).encode()).hexdigest()[:16]
    answer_id = f"{documents.actor_id(followed)}#{kind.lower()}-{slug}"
    activity = documents.activity(followed, kind, follow, answer_id)
    activity["to"], activity["cc"] = [follow["actor"]], []
    delivery.send(activity, [inbox])
