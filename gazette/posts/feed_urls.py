"""Feed addresses, and Blogger's, which lead to them for blogs that moved here."""

import re

from django.http import Http404, HttpRequest, HttpResponsePermanentRedirect
from django.urls import path, re_path, reverse

from gazette.posts import feeds
from gazette.posts.models import Hashtag


def _format(request: HttpRequest) -> str:
    """Blogger serves Atom unless asked for RSS with ?alt=rss."""
    return "rss" if request.GET.get("alt", "").lower() == "rss" else "atom"


def blogger_posts(request: HttpRequest) -> HttpResponsePermanentRedirect:
    return HttpResponsePermanentRedirect(reverse(f"feeds:posts_{_format(request)}"))


def blogger_rss(request: HttpRequest) -> HttpResponsePermanentRedirect:
    return HttpResponsePermanentRedirect(reverse("feeds:posts_rss"))


def blogger_comments(request: HttpRequest) -> HttpResponsePermanentRedirect:
    return HttpResponsePermanentRedirect(reverse(f"feeds:comments_{_format(request)}"))


def blogger_label(request: HttpRequest, label: str) -> HttpResponsePermanentRedirect:
    """A Blogger label feed leads to the feed of the hashtag of the same name.

    Labels may hold spaces and punctuation ("Night sky"), hashtags cannot, so the
    label is tried as it is and then with only its letters and digits.
    """
    tries = [Hashtag.clean_name(label), re.sub(r"[\W_]+", "", label)]
    keys = [Hashtag.make_key(t) for t in tries]
    hashtag = Hashtag.objects.filter(key__in=[k for k in keys if k]).first()
    if hashtag is None:
        raise Http404("No such label.")
    url = reverse(f"feeds:hashtag_{_format(request)}", args=[hashtag.name])
    return HttpResponsePermanentRedirect(url)


# In the "feeds" namespace with the comments' feeds (see gazette/urls.py).
urlpatterns = [
    path("feeds/posts.atom", feeds.PostsAtomFeed(), name="posts_atom"),
    path("feeds/posts.rss", feeds.PostsRssFeed(), name="posts_rss"),
    path(
        "feeds/hashtag/<str:name>.atom",
        feeds.HashtagAtomFeed(),
        name="hashtag_atom",
    ),
    path("feeds/hashtag/<str:name>.rss", feeds.HashtagRssFeed(), name="hashtag_rss"),
    # Blogger's addresses: /feeds/posts/default[?alt=rss], a label's feed,
    # /feeds/comments/default, and the /atom.xml and /rss.xml shortcuts.
    re_path(r"^feeds/posts/(?:default|summary)/?$", blogger_posts),
    re_path(r"^feeds/posts/(?:default|summary)/-/(?P<label>[^/]+)/?$", blogger_label),
    re_path(r"^feeds/comments/(?:default|summary)/?$", blogger_comments),
    path("atom.xml", blogger_posts),
    path("rss.xml", blogger_rss),
]
