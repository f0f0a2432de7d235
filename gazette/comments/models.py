from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class CommentQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Comment.Status.APPROVED)

    def moderated_by(self, user):
        """Comments on the posts `user` may moderate: all for admins, their own
        posts' for authors, none for anyone else. Reads user.groups."""
        from gazette.site import roles

        role = roles.role_of(user)
        if role == "admin":
            return self
        if role == "author":
            return self.filter(post__author=user)
        return self.none()


class Comment(models.Model):
    """A reader's comment on a post, possibly a reply to another comment."""

    class Source(models.TextChoices):
        """Where a comment came in (gazette.comments.intake)."""

        FORM = "form", "Comment form"
        DESK = "desk", "The blog's own people"
        IMPORT = "import", "Import"
        FEDERATION = "federation", "Fediverse"
        WEBMENTION = "webmention", "Webmention"

    class Status(models.TextChoices):
        HELD = "held", "Awaiting moderation"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"
        TRASH = "trash", "Trash"

    class Label(models.TextChoices):
        """What the spam classifier was taught this comment is, if anything."""

        NONE = "", "Not taught"
        HAM = "ham", "Not spam"
        SPAM = "spam", "Spam"

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
    user_agent = models.CharField(max_length=300, blank=True)
    wants_reply_notifications = models.BooleanField(default=False)
    spam_score = models.FloatField(null=True, blank=True)
    spam_reasons = models.JSONField(default=list, blank=True)
    # A hash of the normalised text, to find the same comment posted again.
    fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    trained_as = models.CharField(
        max_length=4, choices=Label, blank=True, default=Label.NONE
    )
    # The random id in the signed cookie of the browser that sent the comment:
    # once one of its comments is approved, the guest is known (intake._known).
    commenter_id = models.CharField(
        max_length=32, blank=True, db_index=True, editable=False
    )
    # Set once the commenter replied to has been told of this reply.
    reply_notified_at = models.DateTimeField(null=True, blank=True)
    import_ref = models.CharField(max_length=200, null=True, blank=True, unique=True)
    # Where a comment that came from elsewhere (a webmention, the fediverse)
    # was written.
    source_url = models.URLField(max_length=500, blank=True, default="", db_default="")
    # Empty on comments stored before sources were recorded.
    source = models.CharField(
        max_length=12, choices=Source, blank=True, default="", db_default=""
    )
    # A remote commenter's picture (a fediverse icon, an h-card photo): its
    # address as given, and the name of the local copy under MEDIA_ROOT that
    # pages show instead (gazette.comments.avatars), empty until it is made.
    avatar_url = models.URLField(max_length=500, blank=True, default="", db_default="")
    avatar = models.CharField(max_length=100, blank=True, default="", db_default="")

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["post", "status", "created_at"]),
            # Whether a guest is known, by email in any case, without reading
            # every comment (intake._known).
            models.Index(Lower("author_email"), name="comment_email_lower"),
        ]

    def __str__(self) -> str:
        return f"{self.author_name} on {self.post_id}"

    def get_absolute_url(self) -> str:
        return f"{self.post.get_absolute_url()}#comment-{self.pk}"


class BlockRule(models.Model):
    """A word, address or domain whose comments go straight to the spam folder.

    Rules without an owner apply to the whole blog (admins keep them); an author's
    own rules apply to comments on that author's posts.
    """

    class Kind(models.TextChoices):
        WORD = "word", "Word or phrase"
        IP = "ip", "IP address or network"
        EMAIL = "email", "Email address"
        DOMAIN = "domain", "Domain (links, website, email)"

    kind = models.CharField(max_length=6, choices=Kind)
    value = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="comment_block_rules",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "value", "owner"], name="block_rule_once_per_owner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class SpamToken(models.Model):
    """How many comments taught as spam and as not spam held a token.

    These are what moderation taught on this blog; the built-in model from the
    shipped corpus is added to them when scoring. The row named `MESSAGES` counts
    the comments themselves.
    """

    MESSAGES = " messages"  # tokens never contain spaces, so this cannot clash

    token = models.CharField(max_length=100, unique=True)
    spam_count = models.PositiveIntegerField(default=0)
    ham_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.token} (spam {self.spam_count}, ham {self.ham_count})"


class NotificationOptOut(models.Model):
    """An email address that asked, through an unsubscribe link, for no more mail."""

    email = models.EmailField(unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.email


class Reaction(models.Model):
    """A like or a repost of a post, from elsewhere: a webmention's h-entry or
    a fediverse Like or Announce. Counted under the post beside its comments;
    written only through gazette.comments.reactions."""

    class Kind(models.TextChoices):
        LIKE = "like", "Like"
        REPOST = "repost", "Repost"

    post = models.ForeignKey(
        "posts.Post", on_delete=models.CASCADE, related_name="reactions"
    )
    kind = models.CharField(max_length=8, choices=Kind)
    # Where it came from ("webmention", "federation") and its address there (the
    # source page, or the actor and the liked object): one reaction per key.
    source = models.CharField(max_length=20)
    key = models.CharField(max_length=500, unique=True)
    author_name = models.CharField(max_length=100, blank=True)
    author_url = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["post", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of post {self.post_id} ({self.source})"
