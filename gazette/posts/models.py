import zoneinfo

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from gazette.lib.dates import babel_locale, validate_publish_time
from gazette.lib.pagecache import bump_on_commit


def _validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone.")


def _validate_language(value: str) -> None:
    from babel.core import Locale, UnknownLocaleError

    try:
        Locale.parse(value.replace("-", "_"))
    except (ValueError, UnknownLocaleError) as error:
        raise ValidationError(f"{value!r} is not a known language code.") from error


class CommentPolicy(models.TextChoices):
    """Who may comment and whether comments wait for the author's approval."""

    OPEN = "open", "Anyone may comment; comments appear at once"
    HOLD_FIRST = "hold_first", "Hold a commenter's first comment for approval"
    HOLD_ALL = "hold_all", "Hold every comment for approval"
    CLOSED = "closed", "Comments are closed"


class SiteSettings(models.Model):
    """The blog's own settings: one row, read through `SiteSettings.load()`."""

    title = models.CharField(max_length=200, default="Gazette")
    description = models.CharField(max_length=500, blank=True)
    language = models.CharField(
        max_length=20, default="en", validators=[_validate_language]
    )
    time_zone = models.CharField(
        max_length=64, default="UTC", validators=[_validate_time_zone]
    )
    posts_per_page = models.PositiveSmallIntegerField(default=10)
    comment_policy = models.CharField(
        max_length=12, choices=CommentPolicy, default=CommentPolicy.HOLD_FIRST
    )
    close_comments_after_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(36500)],
        help_text="Empty: comments stay open.",
    )
    # The spam classifier's score (0 to 1) at or above which a comment is held,
    # and at or above which it goes straight to the spam folder.
    spam_hold_threshold = models.FloatField(default=0.5)
    spam_reject_threshold = models.FloatField(default=0.9)
    feed_full_content = models.BooleanField(
        default=True, help_text="Feeds carry whole posts; off: only excerpts."
    )

    CACHE_KEY = "gazette:site-settings"

    class Meta:
        verbose_name = "site settings"
        verbose_name_plural = "site settings"

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)
        cache.delete(self.CACHE_KEY)
        bump_on_commit("content")

    @classmethod
    def load(cls) -> "SiteSettings":
        """The settings row, from the cache when it is there (one query otherwise)."""
        site = cache.get(cls.CACHE_KEY)
        if site is None:
            site, _ = cls.objects.get_or_create(pk=1)
            cache.set(cls.CACHE_KEY, site, 300)
        return site

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    @property
    def html_lang(self) -> str:
        return str(babel_locale(self.language)).replace("_", "-")


class HashtagQuerySet(models.QuerySet):
    def with_visible_counts(self):
        """Hashtags used by at least one visible post, with `post_count`."""
        visible = Q(posts__in=Post.objects.visible())
        return (
            self.annotate(post_count=Count("posts", filter=visible, distinct=True))
            .filter(post_count__gt=0)
            .order_by("name")
        )


class Hashtag(models.Model):
    """A hashtag keeps the case it was first written in; it matches any case."""

    name = models.CharField(max_length=64)
    key = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = HashtagQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"#{self.name}"

    def save(self, *args, **kwargs):
        self.key = self.make_key(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("posts:hashtag", args=[self.name])

    @staticmethod
    def make_key(name: str) -> str:
        return name.lstrip("#").casefold()

    @classmethod
    def for_names(cls, names: list[str]) -> list["Hashtag"]:
        """The hashtags named, created where missing; the first spelling stays."""
        wanted = {cls.make_key(n): n.lstrip("#") for n in names if n.lstrip("#")}
        found = {h.key: h for h in cls.objects.filter(key__in=wanted)}
        for key, name in wanted.items():
            if key not in found:
                found[key], _ = cls.objects.get_or_create(
                    key=key, defaults={"name": name}
                )
        return [found[key] for key in wanted]


class PostQuerySet(models.QuerySet):
    def visible(self):
        """What readers may see: published, its time reached, not in the trash.

        The one visibility rule: pages, feeds, sitemaps and search all use it.
        """
        return self.filter(
            status__in=(Post.Status.PUBLISHED, Post.Status.SCHEDULED),
            published_at__lte=timezone.now(),
            trashed_at__isnull=True,
        )

    def for_listing(self):
        """Everything a post listing shows, in a fixed number of queries."""
        approved = Q(comments__status="approved")
        return (
            self.select_related("author")
            .prefetch_related("hashtags")
            .annotate(comment_count=Count("comments", filter=approved))
            .order_by("-published_at", "-id")
        )

    def slug_taken(self, slug: str) -> bool:
        return self.filter(slug=slug).exists()

    def next_scheduled_at(self):
        """When the next scheduled post goes out, or None."""
        return (
            self.filter(
                status__in=(Post.Status.PUBLISHED, Post.Status.SCHEDULED),
                published_at__gt=timezone.now(),
                trashed_at__isnull=True,
            )
            .order_by("published_at")
            .values_list("published_at", flat=True)
            .first()
        )


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True, allow_unicode=True)
    body = models.TextField(blank=True, help_text="Markdown; #hashtags become links.")
    body_html = models.TextField(editable=False, blank=True)  # sanitised, on save
    excerpt = models.TextField(
        blank=True, help_text="Plain text for listings; empty means the opening words."
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True, blank=True, db_index=True, validators=[validate_publish_time]
    )
    updated_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    trashed_at = models.DateTimeField(null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posts"
    )
    hashtags = models.ManyToManyField(Hashtag, blank=True, related_name="posts")
    comment_policy = models.CharField(
        max_length=12,
        choices=CommentPolicy,
        blank=True,
        help_text="Empty: the blog's policy.",
    )
    # A secret for the shareable preview link; emptied to revoke it.
    preview_token = models.CharField(max_length=64, blank=True, db_index=True)
    import_ref = models.CharField(max_length=200, null=True, blank=True, unique=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "published_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        when = timezone.localtime(self.published_at or self.created_at)
        return reverse(
            "posts:detail", args=[f"{when.year:04d}", f"{when.month:02d}", self.slug]
        )

    @property
    def is_visible(self) -> bool:
        return (
            self.status != self.Status.DRAFT
            and self.published_at is not None
            and self.published_at <= timezone.now()
            and self.trashed_at is None
        )

    @property
    def summary(self) -> str:
        from gazette.lib.text import excerpt_from_html

        return self.excerpt or excerpt_from_html(self.body_html)


class PageQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(is_published=True, trashed_at__isnull=True)


class Page(models.Model):
    """A standalone page such as About, listed in the sidebar."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True, allow_unicode=True)
    body = models.TextField(blank=True, help_text="Markdown.")
    body_html = models.TextField(editable=False, blank=True)  # sanitised, on save
    is_published = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)
    trashed_at = models.DateTimeField(null=True, blank=True)
    import_ref = models.CharField(max_length=200, null=True, blank=True, unique=True)

    objects = PageQuerySet.as_manager()

    class Meta:
        ordering = ["position", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("posts:page", args=[self.slug])


class Revision(models.Model):
    """A snapshot of a post or page as it was saved; every save keeps one."""

    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="revisions"
    )
    page = models.ForeignKey(
        Page, null=True, blank=True, on_delete=models.CASCADE, related_name="revisions"
    )
    title = models.CharField(max_length=200)
    slug = models.CharField(max_length=100)
    body = models.TextField(blank=True)
    excerpt = models.TextField(blank=True)
    hashtags = models.CharField(max_length=1000, blank=True)  # space-separated names
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(post__isnull=False) ^ Q(page__isnull=False),
                name="revision_of_post_or_page",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} at {self.created_at:%Y-%m-%d %H:%M}"


class OldAddress(models.Model):
    """An address that once showed a post or page: renamed slugs, moved dates,
    Blogger and WordPress links. One table for all of them; `redirects.py` looks a
    path up here before answering 404, and answers with a permanent redirect."""

    path = models.CharField(max_length=500, unique=True)
    post = models.ForeignKey(
        Post,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="old_addresses",
    )
    page = models.ForeignKey(
        Page,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="old_addresses",
    )
    # For addresses that lead somewhere other than a post or page (a feed, a label).
    target = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "old addresses"

    def __str__(self) -> str:
        return self.path

    def destination(self) -> str | None:
        """Where this address leads now, or None when that is not public."""
        if self.post_id:
            return self.post.get_absolute_url() if self.post.is_visible else None
        if self.page_id:
            page = self.page
            return (
                page.get_absolute_url()
                if page.is_published and not page.trashed_at
                else None
            )
        return self.target or None
