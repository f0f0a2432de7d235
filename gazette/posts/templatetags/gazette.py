import re
from datetime import date, datetime
from urllib.parse import quote, urlencode

from django import template
from django.core.cache import cache
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.template.loader import render_to_string
from django.utils import timezone, translation

from gazette.lib import dates, pagecache
from gazette.lib.links import first_image
from gazette.posts.models import Hashtag, Page, Post, next_scheduled_at

register = template.Library()


@register.filter
def date_header(value: datetime | date) -> str:
    """ "Sunday, March 24, 2019", in the active language and time zone."""
    return dates.date_header(value, translation.get_language() or "en")


@register.filter
def machine_time(value: datetime | None) -> str:
    """The value for a <time datetime> attribute: ISO 8601 in the blog's time
    zone, to the second. Django's `date:'c'` keeps microseconds, which HTML's
    datetime syntax does not allow."""
    if value is None:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


@register.filter
def first_picture(post) -> dict[str, str] | None:
    """The post's first picture ({"src", "srcset", "alt", "width", "height"})
    for its summary in a listing, or None; from the stored, sanitised body."""
    picture = first_image(post.body_html)
    if picture is None:
        return None
    for size in ("width", "height"):
        if not picture[size].isdigit():
            picture[size] = ""
    return picture


@register.filter
def month_name(value: date) -> str:
    return dates.month_name(value, translation.get_language() or "en")


@register.filter
def comment_count_label(count: int | None) -> str:
    count = count or 0
    if count == 0:
        return "No comments"
    return "1 comment" if count == 1 else f"{count} comments"


# Words a minute of an unhurried reader of screen text.
WORDS_A_MINUTE = 220
_TAG = re.compile(r"<[^>]*>")
_WORD = re.compile(r"\S+")


@register.filter
def reading_time(body_html: str) -> str:
    """ "4 min read", from the words of a post's stored HTML; at least 1.

    Counting words in the text between tags is enough for an estimate, and
    cheap at render time (the page is then kept in the page cache); figure
    captions and code count as words too, which they take time to read.
    """
    text = _TAG.sub(" ", body_html or "")
    words = sum(1 for _ in _WORD.finditer(text))
    minutes = max(1, round(words / WORDS_A_MINUTE))
    return f"{minutes} min read"


@register.simple_tag(takes_context=True)
def share_links(context, post) -> list[dict[str, str]]:
    """Plain links that share `post` by email, on Mastodon and on the big
    networks: no script, picture or frame from their sites loads with the page,
    so nothing follows readers who do not click.

    Mastodon has no single site to share on: each reader has a server of their
    own. Share₂Fedi asks which one, remembers it, and works without script, for
    Mastodon and the other fediverse servers alike; it is free software that a
    blog may also host itself.

    None on a page whose address is a secret (a shared preview).
    """
    request = context.get("request")
    if request is None or context.get("secret_address"):
        return []
    url = request.build_absolute_uri(post.get_absolute_url())
    title = post.title
    text = f"{title} {url}"

    def query(**params: str) -> str:
        # %20 for spaces, not "+": mailto: (RFC 6068) reads "+" as a plus sign.
        return urlencode(params, quote_via=quote)

    return [
        {"name": "Email", "href": f"mailto:?{query(subject=title, body=url)}"},
        {"name": "Mastodon", "href": f"https://s2f.kytta.dev/?{query(text=text)}"},
        {
            "name": "Bluesky",
            "href": f"https://bsky.app/intent/compose?{query(text=text)}",
        },
        {
            "name": "LinkedIn",
            "href": "https://www.linkedin.com/sharing/share-offsite/?" + query(url=url),
        },
        {
            "name": "Facebook",
            "href": f"https://www.facebook.com/sharer/sharer.php?{query(u=url)}",
        },
        {
            "name": "X",
            "href": f"https://x.com/intent/post?{query(url=url, text=title)}",
        },
    ]


@register.simple_tag
def sidebar() -> str:
    """The blog archive, the hashtags and the pages: the same on every page.

    Counting a large blog's archive takes a while, so the rendered sidebar is
    kept under the site version, which publishing, unpublishing and moving a
    post bumps, and never past the next scheduled post's time. It is kept
    whether or not whole pages are cached: a render with the page cache off
    still reuses it, which is what makes such a render cheap.
    """
    key = sidebar_key()
    found = cache.get(key)
    if found is not None and (found[1] is None or found[1] > timezone.now()):
        return found[0]
    until = next_scheduled_at()
    html = _render_sidebar()
    cache.set(key, (html, until), pagecache.seconds_to_live(until))
    return html


def sidebar_key() -> str:
    """The sidebar's cache key: the site version, and the language and time zone
    its month names and month boundaries are in."""
    version = pagecache.current_versions([pagecache.SITE])[pagecache.SITE.name]
    language = translation.get_language()
    zone = timezone.get_current_timezone_name()
    return f"gazette:sidebar:{version}:{language}:{zone}"


def _render_sidebar() -> str:
    """Three queries."""
    tz = timezone.get_current_timezone()
    months = (
        Post.objects.visible()
        .annotate(month=TruncMonth("published_at", tzinfo=tz))
        .values("month")
        .annotate(count=Count("id"))
        .order_by("-month")
    )
    years: dict[int, dict] = {}
    for row in months:
        month = row["month"]
        year = years.setdefault(
            month.year, {"year": month.year, "count": 0, "months": []}
        )
        year["count"] += row["count"]
        year["months"].append({"date": month.date(), "count": row["count"]})
    context = {
        "archive_years": list(years.values()),
        "hashtags": Hashtag.objects.with_visible_counts(),
        "pages": Page.objects.visible().only("title", "slug"),
    }
    return render_to_string("posts/_sidebar.html", context)
