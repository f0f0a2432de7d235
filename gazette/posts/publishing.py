"""Writing posts and pages: render and sanitise once, save in one transaction.

Views and commands go through these functions rather than saving models directly,
so the stored HTML, the hashtags and the cache always agree with the source.
"""

import secrets
from datetime import timedelta
from urllib.parse import unquote

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from gazette.images.models import Image
from gazette.lib.dates import validate_publish_time
from gazette.lib.markup import Rendered, render_markdown
from gazette.posts.models import Hashtag, OldAddress, Page, Post, Revision

# Sent after a post or page was saved, trashed or restored, inside the transaction,
# with `instance`. Search indexing and cache versions listen to it, so that
# whatever changes content tells them in one way.
content_changed = Signal()


def render_body(source: str) -> Rendered:
    """Render Markdown with links for hashtags and sizes for uploaded images."""
    from django.urls import reverse

    from gazette.lib.markup import IMAGE_RE

    known = Image.objects.info_by_url(IMAGE_RE.findall(source))
    return render_markdown(
        source,
        hashtag_url=lambda name: reverse("posts:hashtag", args=[name]),
        image_info=known.get,
    )


@transaction.atomic
def save_post(post: Post, hashtags: list[str] | None = None) -> Post:
    """Save `post` with its body rendered; its hashtags are `hashtags` plus inline ones.

    `hashtags=None` keeps the post's chosen hashtags and adds inline ones. When a
    public post's address changes (slug or date), the old one keeps leading to it.
    """
    if post.pk:
        before = Post.objects.filter(pk=post.pk).first()
        if before and before.is_visible:
            old_url = before.get_absolute_url()
            if old_url != post.get_absolute_url():
                remember_old_address(old_url, post=post)
    validate_publish_time(post.published_at)
    rendered = render_body(post.body)
    post.body_html = rendered.html
    post.updated_at = timezone.now()
    if post.status != Post.Status.DRAFT and post.published_at is None:
        post.published_at = post.updated_at
    if post.status == Post.Status.PUBLISHED and post.published_at > post.updated_at:
        post.status = Post.Status.SCHEDULED
    post.save()
    if hashtags is None:
        hashtags = [h.name for h in post.hashtags.all()]
    names = list(hashtags) + rendered.hashtags
    post.hashtags.set(Hashtag.for_names(names))
    content_changed.send(sender=Post, instance=post)
    return post


@transaction.atomic
def save_page(page: Page) -> Page:
    page.body_html = render_body(page.body).html
    page.updated_at = timezone.now()
    page.save()
    content_changed.send(sender=Page, instance=page)
    return page


def remember_old_address(
    path: str, *, post: Post | None = None, page: Page | None = None
) -> None:
    """Keep `path` leading to `post` or `page` after its address changed."""
    # Kept decoded, as request.path is: "/2020/05/café/", not "/2020/05/caf%C3%A9/".
    OldAddress.objects.update_or_create(
        path=unquote(path)[:500], defaults={"post": post, "page": page, "target": ""}
    )


# The desk's writing functions. Each one saves in one transaction and tells
# `content_changed` through save_post/save_page, or sends it itself.

TRASH_DAYS = 30


def keep_revision(item: Post | Page, *, author=None) -> Revision:
    """A snapshot of `item` as it is now. Reads post.hashtags for a post."""
    revision = Revision(
        title=item.title,
        slug=item.slug,
        body=item.body,
        excerpt=getattr(item, "excerpt", ""),
        author=author if author and author.is_authenticated else None,
    )
    if isinstance(item, Post):
        revision.post = item
        revision.hashtags = " ".join(h.name for h in item.hashtags.all())[:1000]
    else:
        revision.page = item
    revision.save()
    return revision


@transaction.atomic
def write_post(post: Post, hashtags: list[str] | None = None, *, author=None) -> Post:
    """Save `post` as the desk does: rendered, its hashtags set, and a revision kept."""
    save_post(post, hashtags)
    keep_revision(post, author=author)
    return post


@transaction.atomic
def write_page(page: Page, *, author=None) -> Page:
    """Save `page` with a revision; a published page's old address keeps working."""
    if page.pk:
        before = Page.objects.filter(pk=page.pk).first()
        if before and before.is_published and before.slug != page.slug:
            remember_old_address(before.get_absolute_url(), page=page)
    save_page(page)
    keep_revision(page, author=author)
    return page


def publish_post(
    post: Post, *, at=None, hashtags: list[str] | None = None, author=None
) -> Post:
    """Publish `post` at `at` (now when None); a future time schedules it."""
    post.status = Post.Status.PUBLISHED
    post.published_at = at or timezone.now()
    return write_post(post, hashtags, author=author)


def unpublish_post(post: Post, *, hashtags: list[str] | None = None, author=None):
    """Take `post` back to a draft; its publish time stays as a suggestion."""
    post.status = Post.Status.DRAFT
    return write_post(post, hashtags, author=author)


def _set_trashed(item: Post | Page, when) -> Post | Page:
    item.trashed_at = when
    item.save(update_fields=["trashed_at"])
    content_changed.send(sender=type(item), instance=item)
    return item


@transaction.atomic
def trash_post(post: Post) -> Post:
    """Move `post` to the trash: readers no longer see it; restorable for 30 days."""
    return _set_trashed(post, timezone.now())


@transaction.atomic
def restore_post(post: Post) -> Post:
    return _set_trashed(post, None)


@transaction.atomic
def trash_page(page: Page) -> Page:
    return _set_trashed(page, timezone.now())


@transaction.atomic
def restore_page(page: Page) -> Page:
    return _set_trashed(page, None)


@transaction.atomic
def purge_trash(now=None) -> tuple[int, int]:
    """Delete for good what has been in the trash longer than TRASH_DAYS.

    Returns how many posts and pages went. Called when the trash is opened and by
    the `purge_trash` command, so that no scheduled job is needed.
    """
    cutoff = (now or timezone.now()) - timedelta(days=TRASH_DAYS)
    posts = Post.objects.filter(trashed_at__lt=cutoff)
    pages = Page.objects.filter(trashed_at__lt=cutoff)
    post_count, page_count = posts.count(), pages.count()
    if post_count:
        posts.delete()
    if page_count:
        pages.delete()
    return post_count, page_count


@transaction.atomic
def restore_revision(revision: Revision, *, author=None) -> Post | Page:
    """Bring back what `revision` holds; this is a save, so it keeps a revision too.

    The revision's slug comes back only when no other post or page has taken it.
    """
    item = revision.post or revision.page
    model = type(item)
    item.title = revision.title
    item.body = revision.body
    if not model.objects.filter(slug=revision.slug).exclude(pk=item.pk).exists():
        item.slug = revision.slug
    if isinstance(item, Post):
        item.excerpt = revision.excerpt
        return write_post(item, revision.hashtags.split(), author=author)
    return write_page(item, author=author)


def make_preview_token(post: Post) -> str:
    """A new secret for the post's preview link; any earlier link stops working."""
    post.preview_token = secrets.token_urlsafe(24)
    post.save(update_fields=["preview_token"])
    return post.preview_token


def revoke_preview_token(post: Post) -> None:
    post.preview_token = ""
    post.save(update_fields=["preview_token"])


# Autosave keeps a new revision at most this often; between them it saves the draft
# (or, for a published post, updates its newest unsaved revision) in place.
AUTOSAVE_REVISION_SECONDS = 60


@transaction.atomic
def autosave(item: Post | Page, *, hashtags: list[str] | None = None, author=None):
    """Keep what the writer has typed into `item` (already set on it, unsaved).

    A draft is saved, with a revision at most every AUTOSAVE_REVISION_SECONDS. What
    readers can see is left alone: the text goes into a revision instead, which
    the writer can restore or publish by saving. Returns the revision kept or
    updated, or None when the draft was saved within the window.
    """
    is_draft = (
        item.status == Post.Status.DRAFT
        if isinstance(item, Post)
        else not item.is_published
    )
    if item.pk is None or is_draft:
        if isinstance(item, Post):
            save_post(item, hashtags)
        else:
            save_page(item)
        if _recent_revision(item) is None:
            return keep_revision(item, author=author)
        return None
    live = type(item).objects.get(pk=item.pk)
    revision = _recent_revision(live)
    # The newest revision holds earlier unsaved typing when it differs from what
    # readers see; a revision equal to the live text is a save's, and stays.
    if revision is None or (revision.title, revision.body) == (live.title, live.body):
        revision = Revision(**{_owner_field(item): item})
    revision.title, revision.slug, revision.body = item.title, item.slug, item.body
    revision.excerpt = getattr(item, "excerpt", "")
    revision.hashtags = " ".join(hashtags or [])[:1000]
    revision.author = author if author and author.is_authenticated else None
    revision.save()
    return revision


def _owner_field(item: Post | Page) -> str:
    return "post" if isinstance(item, Post) else "page"


def _recent_revision(item: Post | Page) -> Revision | None:
    since = timezone.now() - timedelta(seconds=AUTOSAVE_REVISION_SECONDS)
    return (
        Revision.objects.filter(**{_owner_field(item): item}, created_at__gte=since)
        .order_by("-created_at", "-id")
        .first()
    )
