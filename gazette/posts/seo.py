"""What search engines and link previews read about a page: its canonical
address, a post's picture, and the post as schema.org BlogPosting (JSON-LD)."""

import json

from babel.core import Locale, UnknownLocaleError, get_global
from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from gazette.lib.dates import babel_locale
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


# The blog's own pictures (drawn by `gazette draw_icons`), with their sizes.
DEFAULT_PREVIEW = ("gazette/preview.png", 1200, 630)
LOGO = ("gazette/icon.png", 512, 512)


def post_image(post: Post, request: HttpRequest) -> dict[str, str] | None:
    """The post's first picture, with an absolute address, or None."""
    image = first_image(post.body_html)
    if image is None:
        return None
    image["src"] = request.build_absolute_uri(image["src"])
    return image


def _site(request: HttpRequest) -> SiteSettings:
    return getattr(request, "site", None) or SiteSettings.load()


def default_image(request: HttpRequest) -> dict[str, str]:
    """The blog's header image from Settings, or else its preview card, for
    link previews of a page without a picture: a preview with a picture is
    noticed far more than one without."""
    if header := _site(request).header_image:
        return {
            "src": request.build_absolute_uri(header.file.url),
            "alt": "",
            "width": str(header.width),
            "height": str(header.height),
        }
    path, width, height = DEFAULT_PREVIEW
    return {
        "src": request.build_absolute_uri(static(path)),
        "alt": "",
        "width": str(width),
        "height": str(height),
    }


def logo(request: HttpRequest) -> dict[str, str | int]:
    """The publisher's logo as schema.org ImageObject: the one from Settings,
    or else Gazette's mark."""
    if chosen := _site(request).logo:
        return {
            "@type": "ImageObject",
            "url": request.build_absolute_uri(chosen.file.url),
            "width": chosen.width,
            "height": chosen.height,
        }
    path, width, height = LOGO
    return {
        "@type": "ImageObject",
        "url": request.build_absolute_uri(static(path)),
        "width": width,
        "height": height,
    }


def og_locale(language: str) -> str:
    """Open Graph's locale ("en_GB") for the blog's language code ("en-gb").

    A language given without a country gets its most likely one, as Babel's
    CLDR data says ("de" -> "de_DE"): Open Graph wants both parts.
    """
    locale = babel_locale(language)
    if not locale.territory:
        likely = get_global("likely_subtags").get(locale.language, "")
        try:
            locale = Locale.parse(likely) if likely else locale
        except (ValueError, UnknownLocaleError):
            pass
    if locale.territory:
        return f"{locale.language}_{locale.territory}"
    return locale.language


def blog_posting(post: Post, request: HttpRequest) -> dict:
    """The post as schema.org BlogPosting. Reads post.author and post.hashtags."""
    site = _site(request)
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
        "publisher": {
            "@type": "Organization",
            "name": site.title,
            "url": home,
            "logo": logo(request),
        },
        "inLanguage": site.html_lang,
        "keywords": [h.name for h in post.hashtags.all()],
    }
    image = post_image(post, request) or default_image(request)
    data["image"] = [image["src"]]
    return data


def json_ld(data: dict) -> SafeString:
    """`data` in a <script type="application/ld+json"> data block, safely escaped."""
    text = json.dumps(data, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES)
    return format_html(
        '<script type="application/ld+json">{}</script>', mark_safe(text)
    )
