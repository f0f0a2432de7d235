import hashlib

from django import template
from django.utils.html import format_html

from gazette.comments.section import comment_context

register = template.Library()


@register.inclusion_tag("comments/_section.html", takes_context=True)
def comment_section(context, post) -> dict:
    """The comments under a post: the threads, and the "Post a Comment" form.

    A page that re-shows a refused form puts it in the context as
    `comment_form`, with the reason as `comment_error`. One query for the
    threads.
    """
    request = context["request"]
    form = context.get("comment_form")
    shown = comment_context(request, post, form, context.get("comment_error", ""))
    passed = {name: context.get(name) for name in ("site", "user", "csrf_token")}
    return {"post": post, "request": request} | passed | shown


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
