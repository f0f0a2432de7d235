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
