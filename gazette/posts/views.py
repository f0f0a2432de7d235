"""The reading side: home, posts, hashtags, archives and pages."""

from datetime import datetime, timedelta
from itertools import groupby
from urllib.parse import unquote

from django.core.cache import cache
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from gazette.lib import dates, pagecache
from gazette.lib.pagecache import LISTINGS, cache_page_for_readers
from gazette.posts.models import Hashtag, Page, Post, next_scheduled_at
from gazette.site.middleware import site_of
from gazette.site.models import ListingStyle


class _Paginator(Paginator):
    """A paginator told the number of rows instead of counting them."""

    def __init__(self, object_list, per_page: int, count: int):
        super().__init__(object_list, per_page, allow_empty_first_page=True)
        self.known_count = count

    @property
    def count(self) -> int:
        return self.known_count


def _count(request: HttpRequest, queryset) -> int:
    """How many posts a listing has. Counting is the one cost of a listing that
    grows with the blog, so the count is kept under the site and listings
    versions (a publish, unpublish or move bumps one of them: a bump of the site
    stands for all), until the next scheduled post."""
    versions = pagecache.current_versions([pagecache.SITE, LISTINGS])
    site, listings = versions[pagecache.SITE.name], versions[LISTINGS.name]
    key = f"gazette:listing-count:{site}:{listings}:{request.path}"
    found = cache.get(key)
    if found is not None and (found[1] is None or found[1] > timezone.now()):
        return found[0]
    until = next_scheduled_at()
    count = queryset.count()
    cache.set(key, (count, until), pagecache.seconds_to_live(until))
    return count


def _page_of(request: HttpRequest, queryset, per_page: int):
    """The requested page of `queryset`; a bad or missing page number is a 404."""
    paginator = _Paginator(queryset, per_page, _count(request, queryset))
    number = request.GET.get("page", "1")
    try:
        return paginator.page(number)
    except (InvalidPage, ValueError) as error:
        raise Http404("No such page.") from error


def _local_day(when: datetime):
    return timezone.localtime(when).date()


def _by_day(rows: list[tuple[int, datetime]], summaries: dict[int, str]) -> list:
    """Each listed post's summary under its local publishing day, newest first;
    `rows` are (pk, published_at) in the listing's order."""
    return [
        (day, [summaries[pk] for pk, _ in group])
        for day, group in groupby(rows, key=lambda row: _local_day(row[1]))
    ]


def _summaries(pks: list[int], *, whole: bool) -> dict[int, str]:
    """Each post's summary in a listing, rendered, by pk: its excerpt, or the
    whole post if `whole` (the site's listing style, so the site's version is
    in the key).

    A summary shows only its own post (title, excerpt, hashtags, author, time,
    comment count), so it is kept in the cache under that post's version, which
    every change to those bumps, and the site's; the author's name, which no
    version follows, is at most `pagecache.SECONDS` old, as in a cached page.
    Only the posts missing from the cache are read: three queries at most.
    """
    versions = pagecache.current_versions(
        [pagecache.SITE, *(pagecache.post_version(pk) for pk in pks)]
    )
    where = f"{translation.get_language()}:{timezone.get_current_timezone_name()}"
    site = versions[pagecache.SITE.name]
    keys = {
        pk: f"gazette:summary:{pk}:{versions[f'post:{pk}']}:{site}:{where}"
        for pk in pks
    }
    found = cache.get_many(list(keys.values()))
    summaries = {pk: mark_safe(found[key]) for pk, key in keys.items() if key in found}
    missing = [pk for pk in pks if pk not in summaries]
    if missing:
        made = {
            post.pk: render_to_string(
                "posts/_post_summary.html", {"post": post, "whole": whole}
            )
            for post in Post.objects.for_listing().filter(pk__in=missing)
        }
        cache.set_many({keys[pk]: html for pk, html in made.items()}, pagecache.SECONDS)
        summaries |= made
    return summaries


def _listing(request: HttpRequest, queryset, template: str, context: dict):
    cache_page_for_readers(request, LISTINGS, expires_by=next_scheduled_at())
    # Counting and slicing the bare rows stays cheap on a large blog; what each
    # listed post shows is then fetched, or taken from the cache, for the
    # page's posts alone.
    newest_first = queryset.order_by("-published_at", "-id").values_list(
        "pk", "published_at"
    )
    page = _page_of(request, newest_first, site_of(request).posts_per_page)
    rows = list(page.object_list)
    shown = [pk for pk, _ in rows]
    # Each post's title, excerpt and comment count come with its own version.
    pagecache.depends_on(request, *(pagecache.post_version(pk) for pk in shown))
    whole = site_of(request).listing_style == ListingStyle.WHOLE
    summaries = _summaries(shown, whole=whole)
    context |= {"page_obj": page, "days": _by_day(rows, summaries)}
    return render(request, template, context)


def home(request: HttpRequest) -> HttpResponse:
    return _listing(request, Post.objects.visible(), "posts/home.html", {})


def post_detail(request: HttpRequest, year: str, month: str, slug: str) -> HttpResponse:
    post = get_object_or_404(Post.objects.visible(), slug=slug)
    # reverse() percent-encodes a Unicode slug; request.path is decoded.
    if unquote(post.get_absolute_url()) != request.path:
        return redirect(post, permanent=True)
    # LISTINGS: which posts are its newer and older neighbours.
    cache_page_for_readers(
        request,
        pagecache.post_version(post.pk),
        LISTINGS,
        expires_by=next_scheduled_at(),
    )
    # Read after the versions, so that a comment arriving meanwhile marks the
    # cached copy stale rather than hiding in it.
    post = Post.objects.for_listing().get(pk=post.pk)
    context = {"post": post} | _linked_posts(request, post)
    response = render(request, "posts/post_detail.html", context)
    # Where other sites send webmentions about this post; kept with the page in
    # the page cache, as every header is.
    endpoint = request.build_absolute_uri(reverse("webmentions:endpoint"))
    response["Link"] = f'<{endpoint}>; rel="webmention"'
    return response


RELATED_POSTS = 3


def _linked_posts(request: HttpRequest, post: Post) -> dict:
    """The posts a post's page links to: its newer and older neighbours and up
    to RELATED_POSTS related ones (those sharing the most hashtags with it).

    Their ids first, then their titles in one query for all of them. What this
    shows of them (which posts, their titles and addresses) is LISTINGS, which
    publishing, unpublishing, moving, retagging and renaming a post bump; a
    comment on one of them does not touch this page.
    """
    newer_id, older_id = _neighbour_ids(post)
    related_ids = _related_ids(post)
    ids = {pk for pk in (newer_id, older_id, *related_ids) if pk is not None}
    found: dict[int, Post] = {}
    if ids:
        found = Post.objects.only("title", "slug", "published_at").in_bulk(ids)
    return {
        "newer_post": found.get(newer_id) if newer_id else None,
        "older_post": found.get(older_id) if older_id else None,
        "related_posts": [found[pk] for pk in related_ids if pk in found],
    }


def _neighbour_ids(post: Post) -> tuple[int | None, int | None]:
    """The ids of the next newer and the next older visible post."""
    visible = Post.objects.visible()
    when = post.published_at
    newer_id = (
        visible.filter(Q(published_at__gt=when) | Q(published_at=when, pk__gt=post.pk))
        .order_by("published_at", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    older_id = (
        visible.filter(Q(published_at__lt=when) | Q(published_at=when, pk__lt=post.pk))
        .order_by("-published_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return newer_id, older_id


def _related_ids(post: Post) -> list[int]:
    """The ids of the visible posts sharing the most hashtags with `post`, the
    newest first among equals; none for a post without hashtags.

    The query counts over every post sharing a hashtag, which grows with the
    blog, so its answer is kept under the LISTINGS and SITE versions, which
    every change to which posts carry which hashtags bumps: a comment, which re-renders the
    page, does not run it again. The filter on the hashtags comes before the
    count, so the count runs over the same join and counts only the shared ones.
    """
    hashtag_ids = [hashtag.pk for hashtag in post.hashtags.all()]  # prefetched
    if not hashtag_ids:
        return []
    # SITE too: a bump of many versions at once moves SITE alone.
    versions = pagecache.current_versions([pagecache.SITE, LISTINGS])
    key = f"gazette:related:{post.pk}:{versions[LISTINGS.name]}:{versions['site']}"
    related = cache.get(key)
    if related is None:
        related = _count_related(post, hashtag_ids)
        cache.set(key, related, pagecache.SECONDS)
    return related


def _count_related(post: Post, hashtag_ids: list[int]) -> list[int]:
    # values() before annotate(): grouped by the id and date alone, not by
    # every column of the post (which SQLite would otherwise be given).
    return list(
        Post.objects.visible()
        .filter(hashtags__in=hashtag_ids)
        .exclude(pk=post.pk)
        .values("pk", "published_at")
        .annotate(shared=Count("hashtags"))
        .order_by("-shared", "-published_at", "-pk")
        .values_list("pk", flat=True)[:RELATED_POSTS]
    )


def hashtag_detail(request: HttpRequest, name: str) -> HttpResponse:
    hashtag = get_object_or_404(Hashtag, key=Hashtag.make_key(name))
    if name != hashtag.name:
        return redirect(hashtag, permanent=True)
    posts = hashtag.posts.visible()
    return _listing(request, posts, "posts/hashtag.html", {"hashtag": hashtag})


def _month_start(year: int, month: int) -> datetime:
    """Local midnight on the first of the month; years outside those a post may
    carry (see lib/dates.py) have no archive."""
    if not dates.FIRST_YEAR <= year <= dates.LAST_YEAR + 1 or not 1 <= month <= 12:
        raise Http404("No such month.")
    return datetime(year, month, 1, tzinfo=timezone.get_current_timezone())


def year_archive(request: HttpRequest, year: str) -> HttpResponse:
    start = _month_start(int(year), 1)
    end = _month_start(int(year) + 1, 1)
    posts = Post.objects.visible().filter(published_at__gte=start, published_at__lt=end)
    return _listing(
        request, posts, "posts/archive.html", {"period": start, "is_year": True}
    )


def month_archive(request: HttpRequest, year: str, month: str) -> HttpResponse:
    y, m = int(year), int(month)
    start = _month_start(y, m)
    end = _month_start(y + m // 12, m % 12 + 1)
    posts = Post.objects.visible().filter(published_at__gte=start, published_at__lt=end)
    return _listing(request, posts, "posts/archive.html", {"period": start})


def page_detail(request: HttpRequest, slug: str) -> HttpResponse:
    page = get_object_or_404(Page.objects.visible(), slug=slug)
    cache_page_for_readers(
        request, pagecache.page_version(page.pk), expires_by=next_scheduled_at()
    )
    return render(request, "posts/page.html", {"page": page})


def hashtag_index(request: HttpRequest) -> HttpResponse:
    """Every hashtag with its post count, and the ones most used of late."""
    since = timezone.now() - timedelta(days=30)
    recent_posts = Post.objects.visible().filter(published_at__gte=since)
    recent = (
        Hashtag.objects.annotate(
            recent_count=Count("posts", filter=Q(posts__in=recent_posts), distinct=True)
        )
        .filter(recent_count__gt=0)
        .order_by("-recent_count", "key")[:10]
    )
    context = {
        "hashtags": Hashtag.objects.with_visible_counts().order_by("key"),
        "recent_hashtags": recent,
    }
    return render(request, "posts/hashtags.html", context)
