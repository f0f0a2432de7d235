"""Posts, pages and hashtags, and the two tables that follow them: revisions and
old addresses.

Post and Page share one abstract base, `Entry`, which holds the one visibility
rule: what readers may see is published, its time reached, and not in the trash.
Everything is written through `gazette.posts.writing`, never saved directly.
"""

import re
from datetime import datetime
from typing import ClassVar

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from gazette.lib import pagecache
from gazette.lib.dates import validate_publish_time
from gazette.site.models import CommentPolicy

# Named by migration 0001, from when the site settings lived in this app.
from gazette.site.models import validate_language as _validate_language  # noqa: F401
from gazette.site.models import validate_time_zone as _validate_time_zone  # noqa: F401


class EntryQuerySet(models.QuerySet):
    def public(self):
        """Published now or scheduled for later, and not in the trash."""
        return self.filter(
            status__in=(Entry.Status.PUBLISHED, Entry.Status.SCHEDULED),
            published_at__isnull=False,
            trashed_at__isnull=True,
        )

    def visible(self):
        """What readers may see: public and its time reached.

        The one visibility rule: pages, feeds, sitemaps, search and old
        addresses all use it (`Entry.is_visible` says the same of one row).
        """
        return self.public().filter(published_at__lte=timezone.now())

    def scheduled(self):
        """Public, but not yet: readers see these from their time on."""
        return self.public().filter(published_at__gt=timezone.now())

    def scheduled_times(self):
        """The times at which scheduled entries go out."""
        return self.scheduled().order_by().values_list("published_at", flat=True)

    def next_scheduled_at(self) -> datetime | None:
        """When the next scheduled entry goes out, or None."""
        return self.scheduled_times().order_by("published_at").first()

    def slug_taken(self, slug: str) -> bool:
        return self.filter(slug=slug).exists()


class Entry(models.Model):
    """What a post and a page share: Markdown rendered once, a publishing state,
    the trash, and where an import brought it from."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"

    class BodyFormat(models.TextChoices):
        MARKDOWN = "markdown", "Markdown"
        # Bodies brought from Blogger or WordPress stay as their authors wrote them.
        HTML = "html", "HTML"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True, allow_unicode=True)
    body = models.TextField(blank=True, help_text="Markdown; #hashtags become links.")
    body_format = models.CharField(
        max_length=8,
        choices=BodyFormat,
        default=BodyFormat.MARKDOWN,
        help_text="How the body is written. Changing it converts nothing.",
    )
    body_html = models.TextField(editable=False, blank=True)  # sanitised, on save
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True, blank=True, db_index=True, validators=[validate_publish_time]
    )
    updated_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    trashed_at = models.DateTimeField(null=True, blank=True)
    import_ref = models.CharField(max_length=200, null=True, blank=True, unique=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        raise NotImplementedError  # Post and Page each have their address

    @property
    def is_public(self) -> bool:
        """Published now or scheduled for later, and not in the trash."""
        return (
            self.status != self.Status.DRAFT
            and self.published_at is not None
            and self.trashed_at is None
        )

    @property
    def is_visible(self) -> bool:
        """EntryQuerySet.visible() for this one row."""
        return (
            self.is_public
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


def next_scheduled_at() -> datetime | None:
    """When readers' pages next change by themselves: the next scheduled post or
    page goes out. Cached pages live no longer than that.

    Kept in the cache under the site version, which every change to what is
    scheduled bumps, so most requests ask the database nothing.
    """
    version = pagecache.current_versions([pagecache.SITE])[pagecache.SITE.name]
    key = f"gazette:next-scheduled:{version}"
    found = cache.get(key)
    if found is not None and (found == "" or found > timezone.now()):
        return found or None
    when = Post.objects.scheduled_times().union(Page.objects.scheduled_times())
    when = when.order_by("published_at").first()
    cache.set(key, when or "", pagecache.SECONDS)
    return when


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

    @staticmethod
    def clean_name(name: str) -> str:
        """A name any hashtag may carry, from a label an import brings ("Travel/
        Europe" gives "Travel-Europe"): each hashtag is one segment of its page's
        address, so no slash; 64 characters at most; "" when nothing is left that
        names anything (no letter or digit)."""
        name = re.sub(r"[/\\]+", "-", name.lstrip("#").strip())[:64].strip()
        return name if any(c.isalnum() for c in name) else ""

    @classmethod
    def for_names(cls, names: list[str]) -> list["Hashtag"]:
        """The hashtags named, created where missing; the first spelling stays."""
        cleaned = [cls.clean_name(n) for n in names]
        wanted = {cls.make_key(n): n for n in cleaned if n}
        found = {h.key: h for h in cls.objects.filter(key__in=wanted)}
        for key, name in wanted.items():
            if key not in found:
                found[key], _ = cls.objects.get_or_create(
                    key=key, defaults={"name": name}
                )
        return [found[key] for key in wanted]


class PostQuerySet(EntryQuerySet):
    def for_listing(self):
        """Everything a post listing shows, in a fixed number of queries."""
        approved = Q(comments__status="approved")
        return (
            self.select_related("author")
            .prefetch_related("hashtags")
            .annotate(comment_count=Count("comments", filter=approved))
            .order_by("-published_at", "-id")
        )


class Post(Entry):
    excerpt = models.TextField(
        blank=True, help_text="Plain text for listings; empty means the opening words."
    )
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

    objects: ClassVar = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "published_at"])]

    def get_absolute_url(self) -> str:
        when = timezone.localtime(self.published_at or self.created_at)
        return reverse(
            "posts:detail", args=[f"{when.year:04d}", f"{when.month:02d}", self.slug]
        )

    @property
    def summary(self) -> str:
        from gazette.lib.text import excerpt_from_html

        return self.excerpt or excerpt_from_html(self.body_html)


class Page(Entry):
    """A standalone page such as About, listed in the sidebar."""

    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "title"]

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
    # A place within the post: "comment-12" for an old comment's address.
    fragment = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "old addresses"

    def __str__(self) -> str:
        return self.path

    def destination(self) -> str | None:
        """Where this address leads now, or None when that is not public."""
        item = self.post if self.post_id else self.page if self.page_id else None
        if item is None:
            return self.target or None
        if not item.is_visible:
            return None
        url = item.get_absolute_url()
        return f"{url}#{self.fragment}" if self.fragment else url
