"""The blog's own settings and its comment policy: one row every app may read."""

import zoneinfo

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models

from gazette.lib.dates import babel_locale


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone.")


def validate_language(value: str) -> None:
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


class Theme(models.TextChoices):
    """The built-in looks of the reading pages; each has a stylesheet in
    gazette/static/gazette/themes/ and a light and a dark palette."""

    CLASSIC = "classic", "Classic: a calm reading column with a sidebar"
    MAGAZINE = "magazine", "Magazine: wide, with posts as picture cards"


class ColorScheme(models.TextChoices):
    AUTO = "auto", "Follow the reader's system (light or dark)"
    LIGHT = "light", "Always light"
    DARK = "dark", "Always dark"


validate_accent_color = RegexValidator(
    r"^#[0-9a-fA-F]{6}\Z",
    "Enter a colour as # and six hexadecimal digits, like #1d5c8f.",
)
# The link colour of the classic theme's light palette.
DEFAULT_ACCENT_COLOR = "#1d5c8f"


class Font(models.TextChoices):
    """Type for the text or the headings: font stacks of fonts that ship with
    the reader's system (gazette/site/look.py), so nothing is fetched from a
    font service and nothing flashes while a font downloads."""

    THEME = "", "The theme's own"
    BOOK_SERIF = "book-serif", "Book serif (Charter, Georgia)"
    OLD_STYLE = "old-style", "Old-style serif (Palatino, Iowan)"
    SYSTEM_SANS = (
        "system-sans",
        "The system's sans-serif (San Francisco, Segoe UI, Roboto)",
    )
    HUMANIST = "humanist", "Humanist sans-serif (Seravek, Gill Sans, Calibri)"
    GEOMETRIC = "geometric", "Geometric sans-serif (Avenir, Century Gothic)"
    MONOSPACE = "monospace", "Typewriter (the system's monospace)"


class ListingStyle(models.TextChoices):
    """What the home, hashtag and archive pages show of each post."""

    EXCERPTS = "excerpts", "Excerpts, with each post's first picture"
    WHOLE = "whole", "Whole posts, one after the other"


def library_picture() -> models.ForeignKey:
    """A picture of the image library, optional; deleting it there unsets it."""
    return models.ForeignKey(
        "images.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class SiteSettings(models.Model):
    """The blog's own settings: one row, read through `SiteSettings.load()` and
    changed through `gazette.site.writing.write_site_settings`."""

    title = models.CharField(max_length=200, default="Gazette")
    description = models.CharField(max_length=500, blank=True)
    language = models.CharField(
        max_length=20, default="en", validators=[validate_language]
    )
    time_zone = models.CharField(
        max_length=64, default="UTC", validators=[validate_time_zone]
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
    # High: a real comment in the spam folder is lost (nobody reads it), while
    # one held by mistake only waits. Measured on real corpora, 0.98 loses a
    # quarter to a half of what 0.9 did, at the cost of holding a little more spam.
    spam_reject_threshold = models.FloatField(default=0.98)
    feed_full_content = models.BooleanField(
        default=True, help_text="Feeds carry whole posts; off: only excerpts."
    )
    theme = models.CharField(
        max_length=20,
        choices=Theme,
        default=Theme.CLASSIC,
        help_text="The look of the reading pages; the desk keeps its own.",
    )
    color_scheme = models.CharField(
        max_length=10,
        choices=ColorScheme,
        default=ColorScheme.AUTO,
        help_text="Light, dark, or whichever each reader's system asks for.",
    )
    accent_color = models.CharField(
        max_length=7,
        default=DEFAULT_ACCENT_COLOR,
        validators=[validate_accent_color],
        help_text=(
            "Links and buttons, as #rrggbb. In the dark scheme a lighter shade "
            "of it is used, so links stay readable."
        ),
    )

    body_font = models.CharField(
        "text font", max_length=20, choices=Font, default=Font.THEME, blank=True
    )
    heading_font = models.CharField(
        "headings font", max_length=20, choices=Font, default=Font.THEME, blank=True
    )
    listing_style = models.CharField(
        max_length=10,
        choices=ListingStyle,
        default=ListingStyle.EXCERPTS,
        help_text="What the home, hashtag and archive pages show of each post.",
    )
    # Pictures are images of the library (gazette.images), so they get its
    # checks, renditions and year-long caching; removing one from the library
    # only takes it off the blog.
    logo = library_picture()
    header_image = library_picture()
    icon = library_picture()
    custom_css = models.TextField(
        "custom CSS",
        blank=True,
        max_length=20000,
        help_text=(
            "Added after the theme's styles, on every reading page. Styles, "
            "fonts and pictures from other sites are blocked by the pages' "
            "security policy: upload pictures to the library instead."
        ),
    )

    # The fediverse (gazette.federation); nothing here matters while it is off.
    approve_followers = models.BooleanField(
        "approve each follower",
        default=False,
        db_default=False,
        help_text=(
            "Off: anyone may follow the blog. On: follow requests wait on the "
            "Fediverse screen until you accept or decline them."
        ),
    )
    author_accounts = models.BooleanField(
        "an account per author",
        default=False,
        db_default=False,
        help_text=(
            "Each author can also be followed as name@this-blog, and their "
            "posts come from them; the blog's account shares every post."
        ),
    )
    comments_as_replies = models.BooleanField(
        "approved comments go out as replies",
        default=False,
        db_default=False,
        help_text=(
            "Comments from the form, once approved, are sent to followers as "
            "replies from the blog's account, so the thread reads the same there."
        ),
    )

    CACHE_KEY = "gazette:site-settings"

    class Meta:
        verbose_name = "site settings"
        verbose_name_plural = "site settings"

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.pk = 1
        super().save(*args, **kwargs)
        # The row read by load() is this model's own copy; what readers see of
        # the change is write_site_settings' business.
        cache.delete(self.CACHE_KEY)

    @classmethod
    def load(cls) -> "SiteSettings":
        """The settings row, from the cache when it is there (one query otherwise)."""
        site = cache.get(cls.CACHE_KEY)
        if site is None:
            # Every page shows the pictures: they come in the same query and
            # are cached with the row.
            pictures = cls.objects.select_related("logo", "header_image", "icon")
            try:
                site = pictures.get(pk=1)
            except cls.DoesNotExist:
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


class WorkerHeartbeat(models.Model):
    """A running `gazette worker`, which touches its row every few seconds
    (gazette.site.workers). A task left running by a worker whose row went
    quiet was lost with it (the process was killed, the machine died) and is
    queued again."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.worker_id
