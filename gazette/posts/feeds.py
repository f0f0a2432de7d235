"""Atom 1.0 and RSS 2.0 feeds of posts (all of them, a hashtag's), through
Django's syndication framework; `GazetteFeed` is also the base of the comment
feeds in `gazette.comments.feeds`.

Every address in a feed is absolute, entry ids are tag: URIs that never change
once a post is out, and every feed answers conditional GETs (ETag and
Last-Modified) with 304 when nothing in it changed.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.html import escape
from django.utils.http import http_date, quote_etag

from gazette.lib import pagecache
from gazette.lib.links import absolute_urls
from gazette.posts.models import Hashtag, Post, next_scheduled_at
from gazette.site.models import SiteSettings

POSTS_PER_FEED = 25
COMMENTS_PER_FEED = 50
# Characters XML 1.0 cannot carry; a comment could hold them, a feed must not.
_NOT_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value: str) -> str:
    return _NOT_XML_RE.sub("", value or "")


class AtomWithContent(Atom1Feed):
    """Atom that carries the whole post in <content type="html"> when given."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})


class RssFeed(Rss201rev2Feed):
    """RSS whose text is escaped the way readers expect: they take the
    channel's title and description and each item's title as HTML, so plain
    text is escaped once here before the XML escapes it again (an item's
    description is HTML already). The one place for every RSS feed; Atom's
    text constructs are plain text and are left alone."""

    def __init__(
        self, title: str, link: str, description: str | None, **kwargs: Any
    ) -> None:
        if description is not None:
            description = as_html(description)
        super().__init__(as_html(title), link, description, **kwargs)

    def add_item_elements(self, handler, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item | {"title": as_html(item["title"])})


def as_html(text: str) -> str:
    """Plain text as HTML that shows it as it is."""
    return escape(text)


@dataclass(frozen=True)
class Subject:
    """What a feed is about, with the request it answers (for absolute URLs)."""

    request: HttpRequest
    site: SiteSettings
    hashtag: Hashtag | None = None
    post: Post | None = None

    @property
    def origin(self) -> str:
        return f"{self.request.scheme}://{self.request.get_host()}"

    @property
    def host(self) -> str:
        domain, _port = split_domain_port(self.request.get_host())
        return domain or "localhost"


@dataclass(frozen=True)
class Entry:
    """One item of a feed with the feed's subject: the framework hands item
    methods the item alone, and they need the site and the request's origin."""

    subject: Subject
    item: Any  # a Post here, a Comment in the comment feeds


def tag_uri(host: str, when: datetime, what: str) -> str:
    """A permanent id such as "tag:blog.example.org,2019-03-24:post/12" (RFC 4151)."""
    return f"tag:{host},{when:%Y-%m-%d}:{what}"


class GazetteFeed(Feed):
    """What every Gazette feed shares: the site's language, a stable feed id and
    conditional GET. Subclasses name `fmt` ("atom" or "rss") and `url_name`."""

    fmt = "rss"
    feed_type: type[SyndicationFeed] = RssFeed  # Atom feeds name theirs
    url_name = ""

    # Whether the page cache may keep this feed: only when every change to it
    # bumps a version it names (see `cache_versions`).
    page_cache = False

    def __call__(self, request, *args, **kwargs):
        if self.page_cache and pagecache.is_cacheable_request(request):
            # Before reading anything: which posts a feed lists is LISTINGS.
            pagecache.cache_page_for_readers(
                request, pagecache.LISTINGS, expires_by=next_scheduled_at()
            )
        try:
            subject = self.get_object(request, *args, **kwargs)
        except ObjectDoesNotExist as error:
            raise Http404("No such feed.") from error
        assert subject is not None  # every feed's get_object returns a Subject
        rows = self.version_rows(subject)
        if self.page_cache:
            pagecache.depends_on(request, *self.cache_versions(rows))
        etag, last_modified = self.validators(subject, rows)
        headers = HttpResponse()
        headers["ETag"] = etag
        if last_modified:
            headers["Last-Modified"] = http_date(last_modified)
        answer = get_conditional_response(
            request, etag=etag, last_modified=last_modified, response=headers
        )
        if answer is not headers:
            return answer
        response = super().__call__(request, *args, **kwargs)
        response["ETag"] = etag
        if last_modified:
            response["Last-Modified"] = http_date(last_modified)
        return response

    def cache_versions(self, rows: list[tuple]) -> list[pagecache.Version]:
        """The versions of what the feed's `rows` show, besides LISTINGS."""
        return []

    def validators(self, subject: Subject, rows: list[tuple]) -> tuple[str, int | None]:
        """An ETag for everything the feed shows (`rows`), and its newest time."""
        site = subject.site
        state = (
            type(self).__name__,
            subject.origin,
            site.title,
            site.description,
            site.language,
            site.feed_full_content,
            rows,
        )
        etag = quote_etag(hashlib.sha256(repr(state).encode()).hexdigest()[:32])
        times = [value for row in rows for value in row if isinstance(value, datetime)]
        return etag, int(max(times).timestamp()) if times else None

    def version_rows(self, subject: Subject) -> list[tuple]:
        raise NotImplementedError

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        feed.feed["language"] = obj.site.html_lang
        return feed

    def feed_url(self, obj: Subject) -> str:
        return reverse(f"feeds:{self.url_name}_{self.fmt}", args=self.url_args(obj))

    def url_args(self, obj: Subject) -> list:
        return []

    def feed_guid(self, obj: Subject) -> str:
        return obj.origin + self.feed_url(obj)

    def item_guid_is_permalink(self, item) -> bool:
        return False


class PostsFeed(GazetteFeed):
    url_name = "posts"

    def get_object(self, request, *args, **kwargs) -> Subject:
        return Subject(request, request.site)

    def posts(self, obj: Subject):
        return Post.objects.visible().order_by("-published_at", "-id")

    # A post's entry changes only with the post (its version); which posts are
    # in the feed changes only with LISTINGS. Comment feeds are not kept: a
    # comment on a post they do not show yet bumps nothing they name.
    page_cache = True

    def version_rows(self, obj: Subject) -> list[tuple]:
        posts = self.posts(obj)[:POSTS_PER_FEED]
        return list(posts.values_list("pk", "published_at", "updated_at"))

    def cache_versions(self, rows: list[tuple]) -> list[pagecache.Version]:
        return [pagecache.post_version(pk) for pk, *_ in rows]

    def items(self, obj: Subject) -> list[Entry]:
        posts = self.posts(obj).select_related("author").prefetch_related("hashtags")
        return [Entry(obj, post) for post in posts[:POSTS_PER_FEED]]

    def title(self, obj: Subject) -> str:
        return xml_text(obj.site.title)

    def subtitle(self, obj: Subject) -> str | None:
        return xml_text(obj.site.description) or None

    def description(self, obj: Subject) -> str:
        return xml_text(obj.site.description) or f"Posts from {obj.site.title}"

    def link(self, obj: Subject) -> str:
        return reverse("posts:home")

    def item_title(self, entry: Entry) -> str:
        return xml_text(entry.item.title)  # escaped for RSS by RssFeed

    def item_link(self, entry: Entry) -> str:
        return entry.item.get_absolute_url()

    def _content(self, entry: Entry) -> str:
        return xml_text(absolute_urls(entry.item.body_html, entry.subject.origin))

    def item_description(self, entry: Entry) -> str:
        if self.fmt == "rss" and entry.subject.site.feed_full_content:
            return self._content(entry)
        return escape(xml_text(entry.item.summary))

    def item_extra_kwargs(self, entry: Entry) -> dict:
        if self.fmt == "atom" and entry.subject.site.feed_full_content:
            return {"content_html": self._content(entry)}
        return {}

    def item_guid(self, entry: Entry) -> str:
        # The creation date and the pk: neither changes when the post is renamed,
        # moved to another date or edited, so readers never see it twice.
        post = entry.item
        return tag_uri(entry.subject.host, post.created_at, f"post/{post.pk}")

    def item_pubdate(self, entry: Entry) -> datetime:
        return entry.item.published_at

    def item_updateddate(self, entry: Entry) -> datetime:
        return max(entry.item.updated_at, entry.item.published_at)

    def item_author_name(self, entry: Entry) -> str:
        author = entry.item.author
        return xml_text(author.get_full_name() or author.get_username())

    def item_categories(self, entry: Entry) -> list[str]:
        return [xml_text(h.name) for h in entry.item.hashtags.all()]


class PostsAtomFeed(PostsFeed):
    feed_type = AtomWithContent
    fmt = "atom"


class PostsRssFeed(PostsFeed):
    pass


class HashtagFeed(PostsFeed):
    url_name = "hashtag"

    def get_object(self, request, name: str) -> Subject:
        hashtag = Hashtag.objects.get(key=Hashtag.make_key(name))
        return Subject(request, request.site, hashtag=hashtag)

    @staticmethod
    def _hashtag(obj: Subject) -> Hashtag:
        assert obj.hashtag is not None  # get_object gives every Subject one
        return obj.hashtag

    def url_args(self, obj: Subject) -> list:
        return [self._hashtag(obj).name]

    def posts(self, obj: Subject):
        return super().posts(obj).filter(hashtags=obj.hashtag)

    def title(self, obj: Subject) -> str:
        return xml_text(f"#{self._hashtag(obj).name} · {obj.site.title}")

    def subtitle(self, obj: Subject) -> str:
        return xml_text(f"Posts tagged #{self._hashtag(obj).name}")

    description = subtitle

    def link(self, obj: Subject) -> str:
        return self._hashtag(obj).get_absolute_url()


class HashtagAtomFeed(HashtagFeed):
    feed_type = AtomWithContent
    fmt = "atom"


class HashtagRssFeed(HashtagFeed):
    pass
