import hashlib

from django import template
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from gazette.comments.section import comment_context, own_comment_ids
from gazette.lib import pagecache
from gazette.site.middleware import site_of
from gazette.site.policy import comments_open

register = template.Library()


@register.simple_tag(takes_context=True)
def comment_section(context, post) -> str:
    """The comments under a post: the threads, and the "Post a Comment" form.

    A page that re-shows a refused form puts it in the context as
    `comment_form`, with the reason as `comment_error`. One query for the
    threads. What every reader without a state of their own sees is the same
    for everyone, so it is kept in the cache under the post's and the site's
    versions and rendered again only when one of them moves on.
    """
    request = context["request"]
    form = context.get("comment_form")
    key = shared_section_key(request, post) if form is None else None
    if key is not None and (html := cache.get(key)) is not None:
        return mark_safe(html)  # noqa: S308 - rendered by the template below
    shown = comment_context(request, post, form, context.get("comment_error", ""))
    passed = {name: context.get(name) for name in ("site", "user", "csrf_token")}
    html = render_to_string(
        "comments/_section.html", {"post": post, "request": request} | passed | shown
    )
    if key is not None:
        cache.set(key, html, pagecache.SECONDS)
    return mark_safe(html)  # noqa: S308 - the template escaped what it shows


def shared_section_key(request, post) -> str | None:
    """The cache key of the comment section a reader without a state of their
    own sees (None for anyone else: signed in, with comments of their own
    awaiting moderation, or replying)."""
    if request.user.is_authenticated or own_comment_ids(request):
        return None
    if "replyto" in request.GET:
        return None
    versions = pagecache.current_versions(
        [pagecache.SITE, pagecache.post_version(post.pk)]
    )
    # Comments may close with time (a blog's "close after N days"), with no
    # write to bump a version.
    is_open = comments_open(post, site_of(request))
    parts = [
        str(post.pk),
        *sorted(versions.values()),
        get_language() or "",
        timezone.get_current_timezone_name(),
        "open" if is_open else "closed",
    ]
    return "gazette:comment-section:" + ":".join(parts)


AVATAR_COLOURS = 8  # .avatar-0 to .avatar-7 in comments.css
AVATAR_PIXELS = 32  # .avatar's 2rem in comments.css


@register.simple_tag
def avatar(comment) -> str:
    """The commenter's picture when the blog keeps a copy of it (a remote
    commenter's, see gazette.comments.avatars; never the remote address), else
    an initials badge coloured from the name: drawn here, fetched from nowhere."""
    if comment.avatar:
        return format_html(
            '<img class="avatar" src="{}" alt="" width="{}" height="{}" '
            'loading="lazy">',
            default_storage.url(comment.avatar),
            AVATAR_PIXELS,
            AVATAR_PIXELS,
        )
    name = (comment.author_name or "").strip()
    words = [w for w in name.split() if w[:1].isalnum()]
    initials = "".join(w[0] for w in words[:2]).upper() or "?"
    digest = hashlib.sha256(name.casefold().encode()).digest()
    return format_html(
        '<span class="avatar avatar-{}" aria-hidden="true">{}</span>',
        digest[0] % AVATAR_COLOURS,
        initials,
    )
