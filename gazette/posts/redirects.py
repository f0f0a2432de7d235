"""The one fallback for old addresses: look a 404's path up in OldAddress, and
answer the address shapes every Blogger blog had (label searches, day
archives, per-post comment feeds) from what they name.

An import records each post's and comment's exact old address in OldAddress;
Blogger's mobile switch (`?m=1`) is ignored wherever it appears.
"""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, unquote, urlencode

from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.urls import reverse

from gazette.posts.models import Hashtag, OldAddress, Post

# A label may hold a slash ("Travel/Europe"), which arrives decoded from "%2F".
_LABEL_RE = re.compile(r"^/search/label/(?P<label>.+?)/?$")
_DAY_ARCHIVE_RE = re.compile(r"^/(?P<y>\d{4})_(?P<m>\d{2})_(?P<d>\d{2})_archive\.html$")
_POST_FEED_RE = re.compile(r"^/feeds/(?P<id>\d{1,19})/comments/(?:default|summary)/?$")


def old_address_redirect(request: HttpRequest) -> HttpResponsePermanentRedirect | None:
    """A permanent redirect for an address that used to show something, or None.

    The full address is tried first, so that "/?p=12" (WordPress) and "/" differ;
    then the path alone, with and without its trailing slash.
    """
    # Paths are compared decoded, as OldAddress keeps them.
    full = unquote(request.get_full_path())
    path = request.path
    candidates = [full, _without_mobile_switch(request), path]
    candidates += [path.rstrip("/") if path != "/" else path, path + "/"]
    candidates = [c[:500] for c in dict.fromkeys(candidates)]
    found = {
        a.path: a
        for a in OldAddress.objects.filter(path__in=candidates).select_related(
            "post", "page"
        )
    }
    for candidate in candidates:
        if candidate in found and (destination := found[candidate].destination()):
            if "#" not in destination:
                destination += _comment_anchor(request, found[candidate])
            if unquote(destination) != full:
                return HttpResponsePermanentRedirect(destination)
    if destination := _blogger_shape(path):
        return HttpResponsePermanentRedirect(destination)
    return None


def _comment_anchor(request: HttpRequest, address: OldAddress) -> str:
    """Blogger linked to a comment as "?showComment=<its time in ms>"; that
    time names the comment, so the old post's address leads to its anchor."""
    value = request.GET.get("showComment", "")
    if not (
        address.post_id and value.isascii() and value.isdigit() and len(value) < 16
    ):
        return ""
    ms = int(value)
    try:
        when = datetime.fromtimestamp(ms // 1000, UTC) + timedelta(
            milliseconds=ms % 1000
        )
    except (OverflowError, ValueError, OSError):
        return ""
    # Through the post's relation: this layer does not import comments.
    shown = Post.objects.filter(
        pk=address.post_id,
        comments__created_at=when,
        comments__status="approved",
    )
    comment_id = shown.values_list("comments__pk", flat=True).first()
    return f"#comment-{comment_id}" if comment_id else ""


def _without_mobile_switch(request: HttpRequest) -> str:
    """The address without Blogger's `m=1`: "/2019/03/walk.html?m=1" -> the page."""
    query = [
        (k, v) for k, v in parse_qsl(request.META.get("QUERY_STRING", "")) if k != "m"
    ]
    return request.path + (f"?{urlencode(query)}" if query else "")


def _blogger_shape(path: str) -> str | None:
    """Where an address of a shape every Blogger blog had leads now, if anywhere."""
    if match := _LABEL_RE.match(path):
        hashtag = _hashtag_for_label(match["label"])
        return hashtag.get_absolute_url() if hashtag else None
    if match := _DAY_ARCHIVE_RE.match(path):
        return reverse("posts:month", args=[match["y"], match["m"]])
    if match := _POST_FEED_RE.match(path):
        post = Post.objects.visible().filter(import_ref=f"blogger:post-{match['id']}")
        if found := post.first():
            return reverse("feeds:post_comments_atom", args=[found.pk])
    return None


def _hashtag_for_label(label: str) -> Hashtag | None:
    """A Blogger label's hashtag: as written, with "+" as a space (Blogger's way
    of writing one), or with its letters and digits alone."""
    label = unquote(label)
    tries = [
        Hashtag.clean_name(label),
        Hashtag.clean_name(label.replace("+", " ")),
        re.sub(r"[\W_]+", "", label),
    ]
    keys = [Hashtag.make_key(t) for t in tries if t]
    found = {h.key: h for h in Hashtag.objects.filter(key__in=keys)}
    return next((found[k] for k in keys if k in found), None)


def _exact_redirect(request: HttpRequest) -> HttpResponsePermanentRedirect | None:
    address = (
        OldAddress.objects.filter(path=unquote(request.get_full_path())[:500])
        .select_related("post", "page")
        .first()
    )
    if address and (destination := address.destination()):
        return HttpResponsePermanentRedirect(destination)
    return None


class OldAddressMiddleware:
    """Before answering 404 to a GET, see whether the address has moved.

    Addresses with a query string ("/?p=12") are looked up first, since the page
    without it exists and would never be a 404.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.META.get("QUERY_STRING") and request.method in ("GET", "HEAD"):
            if redirect := _exact_redirect(request):
                return redirect
        response = self.get_response(request)
        if response.status_code == 404 and request.method in ("GET", "HEAD"):
            return old_address_redirect(request) or response
        return response
