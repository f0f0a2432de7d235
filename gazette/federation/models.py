from django.conf import settings
from django.db import models
from django.db.models import Value
from django.utils import timezone


class Actor(models.Model):
    """One of the blog's ActivityPub actors, with its key pair.

    The row without a `user` is the blog itself, made the first time anyone
    asks for it (`gazette.federation.documents.load_actor`). With the
    "account per author" setting, each author has a row of their own too.

    `origin` is the blog's address as that first request named it
    (https://blog.example): the actor's id is built on it and must never
    change, since followers know the blog by it.

    When the blog moves to a new address, the new blog's actor names the old
    one in `also_known_as` and the old one names the new one in `moved_to`
    (the `fediverse_move` command): followers' servers then move their
    follows over, as they do for a Mastodon account that moves.
    """

    origin = models.CharField(max_length=200)
    private_key_pem = models.TextField()
    public_key_pem = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="fediverse_actor",
    )
    # Ids of the actors this one was before a move ("alsoKnownAs"): a server
    # accepts a Move only to an actor that names the old one here.
    also_known_as = models.JSONField(
        default=list, db_default=Value([], models.JSONField()), blank=True
    )
    # The actor this one moved to ("movedTo"), or "" while it has not moved.
    moved_to = models.URLField(max_length=500, blank=True, default="", db_default="")

    def __str__(self) -> str:
        name = self.user.get_username() if self.user is not None else "blog"
        return f"{name}@{self.origin}"


class Follower(models.Model):
    """A remote actor following the blog, and where to deliver to it."""

    actor_id = models.URLField(max_length=500, unique=True)
    inbox = models.URLField(max_length=500)
    shared_inbox = models.URLField(max_length=500, blank=True)
    followed_at = models.DateTimeField(default=timezone.now)
    # Whom it follows: the blog, and any of the authors' own actors. A row
    # following nobody any more is deleted.
    follows_blog = models.BooleanField(default=True, db_default=True)
    authors = models.ManyToManyField(Actor, blank=True, related_name="author_followers")

    def __str__(self) -> str:
        return self.actor_id

    @property
    def delivery_inbox(self) -> str:
        return self.shared_inbox or self.inbox


class FollowRequest(models.Model):
    """A Follow waiting for the admin, when followers need approval: accepting
    it makes the follower and sends Accept, declining sends Reject."""

    actor_id = models.URLField(max_length=500)
    followed = models.ForeignKey(
        Actor, on_delete=models.CASCADE, related_name="follow_requests"
    )
    # The Follow as sent: Accept and Reject carry it back.
    activity = models.JSONField()
    name = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["actor_id", "followed"], name="federation_follow_request_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} asks to follow {self.followed}"


class BlockedActor(models.Model):
    """One remote account whose activities are refused."""

    actor_id = models.URLField(max_length=500, unique=True)
    blocked_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.actor_id


class BlockedDomain(models.Model):
    """An instance whose activities are refused (and its subdomains')."""

    domain = models.CharField(max_length=253, unique=True)
    blocked_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.domain


class Incoming(models.Model):
    """A signed activity the inbox accepted, kept until the worker handled it,
    and by its id, so that one sent twice is handled once."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        DONE = "done", "Handled"
        IGNORED = "ignored", "Ignored"  # understood, nothing to do, or refused

    activity_id = models.URLField(max_length=500, unique=True)
    actor = models.URLField(max_length=500)
    kind = models.CharField(max_length=40)
    document = models.JSONField()
    status = models.CharField(max_length=8, choices=Status, default=Status.PENDING)
    reason = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.kind} {self.activity_id}"


class Published(models.Model):
    """What followers were last sent about a post, so that a save that changes
    nothing they see sends nothing, and a post that goes is deleted once."""

    post = models.OneToOneField(
        "posts.Post", on_delete=models.CASCADE, related_name="federated"
    )
    content_hash = models.CharField(max_length=64)
    updates = models.PositiveIntegerField(default=0)
    is_deleted = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"post {self.post_id}"


class Delivery(models.Model):
    """One activity sent to one inbox: one row each, so that nothing is
    delivered twice, and the attempts made with their back-off."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENT = "sent", "Sent"
        FAILED = "failed", "Given up"

    activity_id = models.URLField(max_length=500)
    inbox = models.URLField(max_length=500)
    document = models.JSONField()
    status = models.CharField(max_length=8, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["activity_id", "inbox"], name="federation_delivery_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} to {self.inbox}"


class Reply(models.Model):
    """A fediverse Note that became a comment, so that its Delete finds it."""

    note_id = models.URLField(max_length=500, unique=True)
    actor = models.URLField(max_length=500)
    comment = models.OneToOneField(
        "comments.Comment", on_delete=models.CASCADE, related_name="federated"
    )

    def __str__(self) -> str:
        return self.note_id


class PublishedComment(models.Model):
    """A comment from the blog's own form, sent to followers as a Note from the
    blog's actor (the "approved comments go out as replies" setting): what was
    sent, so an edit sends Update and a removal sends Delete, each once."""

    comment = models.OneToOneField(
        "comments.Comment", on_delete=models.CASCADE, related_name="sent_note"
    )
    content_hash = models.CharField(max_length=64)
    updates = models.PositiveIntegerField(default=0)
    is_deleted = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"comment {self.comment_id}"
