"""Keeping a writer's text: autosave from the editor, and text sent after the
session expired, held in the (new, anonymous) session until they sign in again."""

import secrets

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.utils import timezone

from gazette.desk.access import signed_out
from gazette.desk.forms import PUBLISH_TIME_WIDGET, split_hashtags
from gazette.lib.dates import validate_publish_time
from gazette.lib.text import unique_slug
from gazette.posts.models import Page, Post
from gazette.posts.writing import autosave
from gazette.site.models import CommentPolicy

STASH_KEY = "desk:unsaved"
NEW_DRAFTS_KEY = "desk:new-drafts"
FIELDS: tuple[str, ...] = (
    "title",
    "slug",
    "body",
    "body_format",
    "excerpt",
    "hashtags",
    "published_at",
)
FIELDS += ("comment_policy", "position", "draft_key")


def _text(data, name: str, limit: int | None = None) -> str:
    # PostgreSQL refuses NUL characters in text; nobody means to type one.
    value = str(data.get(name) or "").replace("\x00", "")
    return value[:limit] if limit else value


def apply_leniently(item: Post | Page, data) -> list[str]:
    """Put the typed fields on `item`, skipping any that would not validate: an
    autosave keeps what it can and leaves the reasons to the next real save.
    Returns the post's hashtags."""
    item.title = _text(data, "title", 200).strip()
    item.body = _text(data, "body")
    if data.get("body_format") in item.BodyFormat.values:
        item.body_format = data.get("body_format")
    if item.pk is None:
        taken = type(item).objects.filter
        wanted = _text(data, "slug", 100) or item.title or "untitled"
        item.slug = unique_slug(wanted, lambda slug: taken(slug=slug).exists())
    if isinstance(item, Page):
        return []
    item.excerpt = _text(data, "excerpt")
    if data.get("comment_policy", "") in CommentPolicy.values + [""]:
        item.comment_policy = data.get("comment_policy", "")
    try:
        field = forms.DateTimeField(
            required=False,
            widget=PUBLISH_TIME_WIDGET,
            validators=[validate_publish_time],
        )
        item.published_at = field.clean(_text(data, "published_at")) or (
            None if item.is_draft else item.published_at
        )
    except forms.ValidationError:
        pass
    names, _ = split_hashtags(_text(data, "hashtags", 1000))
    return names


def autosave_from(request: HttpRequest, item: Post | Page, data):
    """Autosave `data` (a POST or a stash) into `item` for the signed-in writer.

    A new editor with nothing typed in it yet makes no draft: empty "untitled"
    drafts would pile up from every editor opened and left."""
    hashtags = apply_leniently(item, data)
    if item.pk is None and not _text(data, "title").strip() and not item.body.strip():
        return item
    autosave(item, hashtags=hashtags, author=request.user)
    if key := _text(data, "draft_key", 64):
        remember_new_draft(request, key, item)
    return item


def new_draft_key() -> str:
    return secrets.token_urlsafe(12)


def remember_new_draft(request: HttpRequest, key: str, item: Post | Page) -> None:
    """Tie a new editor's key to the item its first autosave made, so that later
    autosaves and the final save of that editor change it rather than add more."""
    drafts = request.session.get(NEW_DRAFTS_KEY, {})
    drafts[key] = item.pk
    request.session[NEW_DRAFTS_KEY] = dict(list(drafts.items())[-20:])


def new_draft_for(request: HttpRequest, key: str) -> int | None:
    return request.session.get(NEW_DRAFTS_KEY, {}).get(key) if key else None


def stash(request: HttpRequest, kind: str, pk: int | None) -> None:
    """Hold a signed-out writer's POSTed text in their session."""
    request.session[STASH_KEY] = {
        "kind": kind,
        "pk": pk,
        "data": {name: _text(request.POST, name) for name in FIELDS},
        "at": timezone.now().isoformat(),
    }


def keep_and_sign_in(request: HttpRequest, kind: str, pk: int | None, next_url: str):
    """The session ended while writing: hold the text, then ask to sign in."""
    if request.method == "POST" and not request.user.is_authenticated:
        stash(request, kind, pk)
        messages.info(request, "You were signed out. Sign in again to keep your text.")
    return signed_out(request, next_url)


def take_stash(request: HttpRequest, kind: str, pk: int | None) -> dict | None:
    """The text held for this editor, removed from the session; None when none."""
    held = request.session.get(STASH_KEY)
    if not held or held["kind"] != kind or held["pk"] != pk:
        return None
    del request.session[STASH_KEY]
    return held["data"]
