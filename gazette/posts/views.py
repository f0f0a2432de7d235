"""The reading side: home, posts, hashtags, archives and pages."""

from datetime import datetime, timedelta
from itertools import groupby
from urllib.parse import unquote

from django.core.paginator import InvalidPage, Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from gazette.lib import dates, pagecache
from gazette.lib.pagecache import LISTINGS, cache_page_for_readers
from gazette.posts.models import Hashtag, Page, Post, next_scheduled_at
from gazette.site.middleware import site_of


def _page_of(request: HttpRequest, queryset, per_page: int):
    """The requested page of `queryset`; a bad or missing page number is a 404."""
    paginator = Paginator(queryset, per_page, allow_empty_first_page=True)
    number = request.GET.get("page", "1")
    try:
        return paginator.page(number)
    except (InvalidPage, ValueError) as error:
        raise Http404("No such page.") from error


def _local_day(post: Post):
    return timezone.localtime(post.published_at).date()


def _by_day(posts) -> list[tuple]:
    """Posts grouped under their local publishing day, newest first."""
    return [(day, list(group)) for day, group in groupby(posts, key=_local_day)]


def _listing(request: HttpRequest, queryset, template: str, context: dict):
    cache_page_for_readers(request, LISTINGS, expires_by=next_scheduled_at())
    # Counting and slicing the bare posts stays cheap on a large blog; the comment
    # counts and hashtags are then fetched for the page's posts alone.
    newest_first = queryset.order_by("-published_at", "-id").values_list(
        "pk", flat=True
    )
    page = _page_of(request, newest_first, site_of(request).posts_per_page)
    shown = list(page.object_list)
    # Each post's title, excerpt and comment count come with its own version.
    pagecache.depends_on(request, *(pagecache.post_version(pk) for pk in shown))
    posts = queryset.for_listing().filter(pk__in=shown)
    context |= {"page_obj": page, "days": _by_day(posts)}
    return render(request, template, context)


def home(request: HttpRequest) -> HttpResponse:
    return _listing(request, Post.objects.visible(), "posts/home.html", {})


def post_detail(request: HttpRequest, year: str, month: str, slug: str) -> HttpResponse:
    post = get_object_or_404(Post.objects.visible(), slug=slug)
    # reverse() percent-encodes a Unicode slug; request.path is decoded.
    if unquote(post.get_absolute_url()) != request.path:
        return redirect(post, permanent=True)
    cache_page_for_readers(
        request, pagecache.post_version(post.pk), expires_by=next_scheduled_at()
    )
    # Read after the versions, so that a comment arriving meanwhile marks the
    # cached copy stale rather than hiding in it.
    post = Post.objects.for_listing().get(pk=post.pk)
    return render(request, "posts/post_detail.html", {"post": post})


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
