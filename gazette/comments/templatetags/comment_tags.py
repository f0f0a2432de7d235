import hashlib

from django import template
from django.utils.html import format_html

register = template.Library()
AVATAR_COLOURS = 8  # .avatar-0 to .avatar-7 in comments.css


@register.simple_tag
def avatar(comment) -> str:
    """An initials badge coloured from the name: drawn here, fetched from nowhere."""
    name = (comment.author_name or "").strip()
    words = [w for w in name.split() if w[:1].isalnum()]
    initials = "".join(w[0] for w in words[:2]).upper() or "?"
    digest = hashlib.sha256(name.casefold().encode()).digest()
    return format_html(
        '<span class="avatar avatar-{}" aria-hidden="true">{}</span>',
        digest[0] % AVATAR_COLOURS,
        initials,
    )
