"""What search engines and link previews read about a page: its canonical
address, a post's picture, and the post as schema.org BlogPosting (JSON-LD)."""

import json

from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from gazette.lib.links import first_image
from gazette.posts.models import Post
from gazette.site.models import SiteSettings

# As Django's json_script does: inside <script>, "<", ">" and "&" could end the
# element or start a comment, so they are written as JSON escapes.
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def canonical_url(request: HttpRequest) -> str:
    """This page's one address: no query string except a page number past 1."""
    if getattr(request, "resolver_match", None) is None:
        return ""
    url = request.build_absolute_uri(request.path)
    page = request.GET.get("page", "")
    if page.isascii() and page.isdigit() and int(page) > 1:
        url += f"?page={int(page)}"
    return url


def post_image(post: Post, request: HttpRequest) -> dict[str, str] | None:
    """The post's first picture, with an absolute address, or None."""
    image = first_image(post.body_html)
    if image is None:
        return None
    image["src"] = request.build_absolute_uri(image["src"])
    return image


def blog_posting(post: Post, request: HttpRequest) -> dict:
    """The post as schema.org BlogPosting. Reads post.author and post.hashtags."""
    site: SiteSettings = getattr(request, "site", None) or SiteSettings.load()
    url = request.build_absolute_uri(post.get_absolute_url())
    home = request.build_absolute_uri(reverse("posts:home"))
    author = post.author.get_full_name() or post.author.get_username()
    assert post.published_at is not None  # only visible posts are shown
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": post.title[:110],
        "description": post.summary,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": post.published_at.isoformat(),
        "dateModified": max(post.updated_at, post.published_at).isoformat(),
        "author": {"@type": "Person", "name": author, "url": home},
        "publisher": {"@type": "Organization", "name": site.title, "url": home},
        "inLanguage": site.html_lang,
        "keywords": [h.name for h in post.hashtags.all()],
    }
    if image := post_image(post, request):
        data["image"] = [image["src"]]
    return data


def json_ld(data: dict) -> SafeString:
    """`data` in a <script type="application/ld+json"> data block, safely escaped."""
    text = json.dumps(data, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES)
    return format_html(
        '<script type="application/ld+json">{}</script>', mark_safe(text)
    )
