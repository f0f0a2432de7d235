from datetime import datetime

from django import template
from django.utils import dateformat, timezone

from gazette.posts.models import Entry
from gazette.site import roles

register = template.Library()


@register.filter
def can_use_desk(user) -> bool:
    return roles.can_use_desk(user)


@register.filter
def is_desk_admin(user) -> bool:
    return roles.is_admin(user)


@register.filter
def can_moderate_comments(user) -> bool:
    """Admins moderate every post's comments, authors their own posts'."""
    return roles.can_publish(user)


@register.filter
def entry_state(entry: Entry) -> str:
    """ "draft", "scheduled" or "published", as the desk shows a post or page."""
    if entry.is_draft:
        return "draft"
    if entry.published_at and entry.published_at > timezone.now():
        return "scheduled"
    return "published"


@register.filter
def when(value: datetime | None) -> str:
    """A time in the blog's zone, with the zone: "24 March 2026, 09:00 CET"."""
    if value is None:
        return ""
    return dateformat.format(timezone.localtime(value), "j F Y, H:i T")
