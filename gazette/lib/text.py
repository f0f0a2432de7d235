"""Small text helpers: slugs and excerpts."""

import re
from html import unescape

from django.utils.html import strip_tags
from django.utils.text import Truncator, slugify


def unique_slug(title: str, taken, max_length: int = 100) -> str:
    """A slug from `title` that `taken(slug)` says is free: "my-post", "my-post-2"..."""
    base = slugify(title, allow_unicode=True)[:max_length].strip("-") or "post"
    slug, n = base, 1
    while taken(slug):
        n += 1
        suffix = f"-{n}"
        slug = base[: max_length - len(suffix)] + suffix
    return slug


def excerpt_from_html(html: str, words: int = 40) -> str:
    """Plain-text opening of rendered HTML, for listings and descriptions.

    Figures are left out: a caption read out of context makes no sense.
    """
    html = re.sub(r"<figure\b.*?</figure>", " ", html, flags=re.DOTALL)
    html = re.sub(r"</(p|li|h[1-6]|blockquote|pre|td|th)>", r"</\1> ", html)
    text = re.sub(r"\s+", " ", unescape(strip_tags(html))).strip()
    return Truncator(text).words(words, truncate="…")
