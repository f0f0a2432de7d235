from django.conf import settings
from django.db import models
from django.utils import timezone


class CommentQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Comment.Status.APPROVED)


class Comment(models.Model):
    """A reader's comment on a post, possibly a reply to another comment."""

    class Status(models.TextChoices):
        HELD = "held", "Awaiting moderation"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"
        TRASH = "trash", "Trash"

    post = models.ForeignKey(
        "posts.Post", on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    author_name = models.CharField(max_length=100)
    author_email = models.EmailField(blank=True)  # never shown to readers
    author_url = models.URLField(blank=True)
    body = models.TextField(max_length=5000)
    body_html = models.TextField(editable=False, blank=True)  # sanitised, on save
    status = models.CharField(max_length=10, choices=Status, default=Status.HELD)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    wants_reply_notifications = models.BooleanField(default=False)
    spam_score = models.FloatField(null=True, blank=True)
    spam_reasons = models.JSONField(default=list, blank=True)
    import_ref = models.CharField(max_length=200, null=True, blank=True, unique=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["post", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.author_name} on {self.post_id}"

    def get_absolute_url(self) -> str:
        return f"{self.post.get_absolute_url()}#comment-{self.pk}"
