"""Atom 1.0 and RSS 2.0 feeds of comments: all of them, and one post's; built on
the posts' `GazetteFeed`, with the same stable ids and conditional GETs."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.feedgenerator import Atom1Feed

from gazette.comments.models import Comment
from gazette.lib.links import absolute_urls
from gazette.posts.feeds import (
    COMMENTS_PER_FEED,
    Entry,
    GazetteFeed,
    Subject,
    tag_uri,
    xml_text,
)
from gazette.posts.models import Post


class CommentsFeed(GazetteFeed):
    url_name = "comments"

    def get_object(self, request, *args, **kwargs) -> Subject:
        return Subject(request, request.site)

    def comments(self, obj: Subject):
        return (
            Comment.objects.approved()
            .filter(post__in=Post.objects.visible())
            .order_by("-created_at", "-id")
        )

    def version_rows(self, obj: Subject) -> list[tuple]:
        comments = self.comments(obj)[:COMMENTS_PER_FEED]
        return list(comments.values_list("pk", "created_at", "post__updated_at"))

    def items(self, obj: Subject) -> list[Entry]:
        comments = self.comments(obj).select_related("post")[:COMMENTS_PER_FEED]
        return [Entry(obj, comment) for comment in comments]

    def title(self, obj: Subject) -> str:
        return xml_text(f"Comments · {obj.site.title}")

    def subtitle(self, obj: Subject) -> str:
        return xml_text(f"The latest comments on {obj.site.title}")

    description = subtitle

    def link(self, obj: Subject) -> str:
        return reverse("posts:home")

    def item_title(self, entry: Entry) -> str:
        comment = entry.item
        # Escaped for RSS, with every RSS text, by `RssFeed`.
        return xml_text(f"{comment.author_name} on “{comment.post.title}”")

    def item_description(self, entry: Entry) -> str:
        return xml_text(absolute_urls(entry.item.body_html, entry.subject.origin))

    def item_link(self, entry: Entry) -> str:
        comment = entry.item
        return f"{comment.post.get_absolute_url()}#comment-{comment.pk}"

    def item_guid(self, entry: Entry) -> str:
        comment = entry.item
        return tag_uri(entry.subject.host, comment.created_at, f"comment/{comment.pk}")

    def item_pubdate(self, entry: Entry) -> datetime:
        return entry.item.created_at

    def item_updateddate(self, entry: Entry) -> datetime:
        return entry.item.created_at

    def item_author_name(self, entry: Entry) -> str:
        return xml_text(entry.item.author_name) or "Anonymous"

    def item_author_link(self, entry: Entry) -> str | None:
        # Only web addresses: a stored "javascript:" must not become a link.
        url = xml_text(entry.item.author_url).strip()
        return url if url.lower().startswith(("http://", "https://")) else None


class CommentsAtomFeed(CommentsFeed):
    feed_type = Atom1Feed
    fmt = "atom"


class CommentsRssFeed(CommentsFeed):
    pass


class PostCommentsFeed(CommentsFeed):
    url_name = "post_comments"

    def get_object(self, request, pk: int) -> Subject:
        post = get_object_or_404(Post.objects.visible(), pk=pk)
        return Subject(request, request.site, post=post)

    @staticmethod
    def _post(obj: Subject) -> Post:
        assert obj.post is not None  # get_object gives every Subject one
        return obj.post

    def url_args(self, obj: Subject) -> list:
        return [self._post(obj).pk]

    def comments(self, obj: Subject):
        return super().comments(obj).filter(post=obj.post)

    def version_rows(self, obj: Subject) -> list[tuple]:
        return [(self._post(obj).updated_at,), *super().version_rows(obj)]

    def title(self, obj: Subject) -> str:
        return xml_text(f"Comments on “{self._post(obj).title}” · {obj.site.title}")

    def subtitle(self, obj: Subject) -> str:
        return xml_text(f"Comments on “{self._post(obj).title}”")

    description = subtitle

    def link(self, obj: Subject) -> str:
        return self._post(obj).get_absolute_url() + "#comments"


class PostCommentsAtomFeed(PostCommentsFeed):
    feed_type = Atom1Feed
    fmt = "atom"


class PostCommentsRssFeed(PostCommentsFeed):
    pass


# In the "feeds" namespace with the posts' feeds (see gazette/urls.py).
urlpatterns = [
    path("feeds/comments.atom", CommentsAtomFeed(), name="comments_atom"),
    path("feeds/comments.rss", CommentsRssFeed(), name="comments_rss"),
    path(
        "feeds/posts/<int:pk>/comments.atom",
        PostCommentsAtomFeed(),
        name="post_comments_atom",
    ),
    path(
        "feeds/posts/<int:pk>/comments.rss",
        PostCommentsRssFeed(),
        name="post_comments_rss",
    ),
]
