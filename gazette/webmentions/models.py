from django.db import models
from django.utils import timezone


class Received(models.Model):
    """A webmention some other site sent about one of the blog's posts.

    One row per source page and post: the same source sent again (it was edited
    or deleted) is checked again and updates this row, and the comment it made.
    """

    class Kind(models.TextChoices):
        REPLY = "reply", "Reply"
        LIKE = "like", "Like"
        REPOST = "repost", "Repost"
        MENTION = "mention", "Mention"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be checked"
        VERIFIED = "verified", "Verified"
        REJECTED = "rejected", "Rejected"  # never verified: no link, unreachable
        DELETED = "deleted", "Deleted at the source"

    source = models.URLField(max_length=500)
    target = models.URLField(max_length=500)
    post = models.ForeignKey(
        "posts.Post", on_delete=models.CASCADE, related_name="webmentions"
    )
    kind = models.CharField(max_length=8, choices=Kind, default=Kind.MENTION)
    status = models.CharField(max_length=8, choices=Status, default=Status.PENDING)
    reason = models.CharField(max_length=300, blank=True)  # why rejected, if it was
    author_name = models.CharField(max_length=100, blank=True)
    author_url = models.URLField(max_length=500, blank=True)
    # The comment a reply became; None for likes, reposts and mentions.
    comment = models.OneToOneField(
        "comments.Comment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="webmention",
    )
    sender_ip = models.GenericIPAddressField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "post"], name="webmention_once_per_source"
            )
        ]
        indexes = [models.Index(fields=["post", "status", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of post {self.post_id} from {self.source}"


class Sent(models.Model):
    """A webmention the blog sent, or tried to send, for a link in one of its posts.

    One row per post and target page, kept so that a save that changes nothing
    notifies nobody again (`content_hash`), and so that a target the post no
    longer links to is told once that the link went (`is_linked`).
    """

    class Status(models.TextChoices):
        SENT = "sent", "Sent"  # the endpoint answered 2xx
        NO_ENDPOINT = "no-endpoint", "No endpoint"  # the target names none
        FAILED = "failed", "Failed"  # unreachable, refused, or not 2xx

    post = models.ForeignKey(
        "posts.Post", on_delete=models.CASCADE, related_name="webmentions_sent"
    )
    target = models.URLField(max_length=500)
    endpoint = models.URLField(max_length=500, blank=True)  # empty: none found
    status = models.CharField(max_length=12, choices=Status)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)  # why it failed, if it did
    # Whether the post linked to the target when it was last notified: False
    # once it was told that the link (or the whole post) went.
    is_linked = models.BooleanField(default=True)
    # What the post was (address, title, text) when the target was last
    # notified: the same hash again means the target has nothing new to see.
    content_hash = models.CharField(max_length=64)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["post", "target"], name="webmention_sent_once_per_target"
            )
        ]

    def __str__(self) -> str:
        return f"Webmention from post {self.post_id} to {self.target}: {self.status}"
