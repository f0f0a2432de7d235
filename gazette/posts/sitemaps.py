"""What search engines read: the sitemaps and robots.txt."""

from datetime import datetime
from typing import TYPE_CHECKING, TypedDict

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from gazette.posts.models import Hashtag, Page, Post

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _Changes(TypedDict):
    saved: datetime
    shown: datetime


def _latest_change(posts) -> object:
    """When the newest of `posts` changed: saved, or became visible when scheduled."""
    times = posts.aggregate(saved=Max("updated_at"), shown=Max("published_at"))
    return max((t for t in times.values() if t), default=None)


class PostSitemap(Sitemap):
    limit = 10_000

    def items(self):
        return (
            Post.objects.visible()
            .only("slug", "published_at", "created_at", "updated_at")
            .order_by("-published_at", "-id")
        )

    def lastmod(self, post: Post):
        assert post.published_at is not None  # items() are visible posts
        return max(post.updated_at, post.published_at)

    def get_latest_lastmod(self):
        return _latest_change(Post.objects.visible())


class PageSitemap(Sitemap):
    def items(self):
        return Page.objects.visible().only("slug", "updated_at").order_by("pk")

    def lastmod(self, page: Page):
        return page.updated_at

    def get_latest_lastmod(self):
        return Page.objects.visible().aggregate(latest=Max("updated_at"))["latest"]


class HashtagSitemap(Sitemap):
    """Hashtag pages with at least one visible post; lastmod is its newest change."""

    def items(self):
        visible = Q(posts__in=Post.objects.visible())
        return (
            Hashtag.objects.with_visible_counts()
            .annotate(
                saved=Max("posts__updated_at", filter=visible),
                shown=Max("posts__published_at", filter=visible),
            )
            .order_by("key")
        )

    def lastmod(self, hashtag: "WithAnnotations[Hashtag, _Changes]"):
        return max(hashtag.saved, hashtag.shown)

    def get_latest_lastmod(self):
        return _latest_change(Post.objects.visible())


class ListingSitemap(Sitemap):
    """The home page and the hashtags index."""

    def items(self):
        return ["posts:home", "posts:hashtags"]

    def location(self, name: str) -> str:
        return reverse(name)

    def lastmod(self, name: str):
        return self.get_latest_lastmod()

    def get_latest_lastmod(self):
        return _latest_change(Post.objects.visible())


SITEMAPS = {
    "home": ListingSitemap,
    "posts": PostSitemap,
    "pages": PageSitemap,
    "hashtags": HashtagSitemap,
}


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /desk/",
        "Disallow: /search/",
        "",
        f"Sitemap: {sitemap}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
