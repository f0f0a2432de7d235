"""Writing posts and pages: the one way in for the desk, the admin, the demo,
commands and importers.

Each function saves in one transaction, renders and sanitises the body once, and
then hands over to `effects.entry_written`, which says what follows (cache
versions, the search index). `effects.bulk_writes()` lets an import write many
entries with those effects done once at the end.
"""

import re
import secrets
from collections.abc import Iterator
from datetime import datetime, timedelta
from urllib.parse import unquote

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from gazette.images.models import Image
from gazette.images.tasks import queue_renditions
from gazette.lib.dates import validate_publish_time
from gazette.lib.htmlbodies import sanitise_html_body
from gazette.lib.markup import IMAGE_RE, Rendered, render_markdown
from gazette.lib.text import unique_slug
from gazette.posts.effects import bulk_writes, entry_written, seen
from gazette.posts.models import Entry, Hashtag, OldAddress, Page, Post, Revision

__all__ = [
    "autosave",
    "bulk_writes",
    "make_preview_token",
    "publish",
    "purge_trash",
    "remember_old_address",
    "render_body",
    "restore",
    "restore_revision",
    "revoke_preview_token",
    "show_renditions",
    "trash",
    "unpublish",
    "write_entry",
    "write_new_entries",
    "write_image",
]

TRASH_DAYS = 30
# Autosave keeps a new revision at most this often; between them it saves the draft
# (or, for a published entry, updates its newest unsaved revision) in place.
AUTOSAVE_REVISION_SECONDS = 60


def render_body(source: str, body_format: str = Entry.BodyFormat.MARKDOWN) -> Rendered:
    """Render a body to safe HTML: Markdown with links for hashtags and sizes for
    uploaded images, or an HTML body (imported) through the same allow-list."""
    if body_format == Entry.BodyFormat.HTML:
        return Rendered(html=sanitise_html_body(source))
    known = Image.objects.info_by_url(IMAGE_RE.findall(source))
    return render_markdown(
        source,
        hashtag_url=lambda name: reverse("posts:hashtag", args=[name]),
        image_info=known.get,
    )


def _stored(entry: Entry) -> Entry | None:
    """The entry as the database has it, before this write."""
    if entry.pk is None:
        return None
    return type(entry).objects.filter(pk=entry.pk).first()


@transaction.atomic
def write_entry[E: Entry](
    entry: E,
    hashtags: list[str] | None = None,
    *,
    author=None,
    keep_revision: bool = True,
    updated_at: datetime | None = None,
) -> E:
    """Save a post or page as it is set on `entry`, rendered, with a revision.

    A post's hashtags become `hashtags` plus the inline ones in its body;
    `hashtags=None` keeps the ones it has. A publish time in the future
    schedules it. When a public entry's address changes (slug or date), the old
    one keeps leading to it. `author` is who wrote this revision; `updated_at`
    when the change was made (now, unless an import brings the old blog's time).
    """
    before = _stored(entry)
    # Read now: the hashtags are the stored row's and change with the save.
    was_seen = seen(before) if before is not None else None
    if before is not None and before.is_visible:
        old_url = before.get_absolute_url()
        if old_url != entry.get_absolute_url():
            remember_old_address(old_url, entry)
    rendered = _prepare(entry, updated_at)
    _save_taking_slug(entry)
    if isinstance(entry, Post):
        if hashtags is None:
            hashtags = [h.name for h in entry.hashtags.all()]
        entry.hashtags.set(Hashtag.for_names(list(hashtags) + rendered.hashtags))
    if keep_revision:
        _keep_revision(entry, author=author)
    entry_written(entry, was_seen)
    return entry


def _save_taking_slug(entry: Entry, tries: int = 5) -> None:
    """Save `entry`; when another save took its slug a moment ago (two new
    drafts both found "untitled-3" free), take the next free one instead.

    The database's unique index is what decides; checking first only makes
    a clash rare, never impossible, with several workers."""
    model = type(entry)
    for attempt in range(tries):
        try:
            with transaction.atomic():
                entry.save()
            return
        except IntegrityError:
            taken = model.objects.filter(slug=entry.slug).exclude(pk=entry.pk)
            if attempt == tries - 1 or not taken.exists():
                raise
            entry.slug = unique_slug(entry.slug, model.objects.slug_taken)


def _prepare(entry: Entry, updated_at: datetime | None) -> Rendered:
    """Render the body and settle the publishing state, before a save."""
    validate_publish_time(entry.published_at)
    rendered = render_body(entry.body, entry.body_format)
    entry.body_html = rendered.html
    entry.updated_at = updated_at or timezone.now()
    if entry.status != Entry.Status.DRAFT and entry.published_at is None:
        entry.published_at = entry.updated_at
    # Not a draft, so published_at is set by now.
    when = entry.published_at
    if entry.status == Entry.Status.SCHEDULED and when and when <= timezone.now():
        entry.status = Entry.Status.PUBLISHED
    if entry.status == Entry.Status.PUBLISHED and when and when > timezone.now():
        entry.status = Entry.Status.SCHEDULED
    return rendered


def write_new_entries(
    new: list[tuple[Entry, list[str], datetime | None]],
) -> None:
    """Write many new posts or pages at once, each as `write_entry` would (no
    revision): (entry, its hashtags, when it was last changed). Slugs are made
    unique among themselves and the blog's. For imports: a few queries for a
    thousand entries rather than a dozen for each."""
    if not new:
        return
    for model in (Post, Page):
        mine = [item for item in new if type(item[0]) is model]
        if not mine:
            continue
        _unique_slugs(model, [entry for entry, _, _ in mine])
        names: dict[int, list[str]] = {}
        for n, (entry, hashtags, updated_at) in enumerate(mine):
            rendered = _prepare(entry, updated_at)
            names[n] = list(hashtags) + rendered.hashtags
        rows: list = [entry for entry, _, _ in mine]
        model.objects.bulk_create(rows, batch_size=500)
        if model is Post:
            _add_hashtags([(entry, names[n]) for n, (entry, _, _) in enumerate(mine)])
        for entry, _, _ in mine:
            entry_written(entry, None)


def _unique_slugs(model: type[Entry], entries: list[Entry]) -> None:
    wanted = {slugify(e.slug or e.title, allow_unicode=True)[:100] for e in entries}
    taken = set(model.objects.filter(slug__in=wanted).values_list("slug", flat=True))
    for entry in entries:
        entry.slug = unique_slug(entry.slug or entry.title, taken.__contains__)
        taken.add(entry.slug)


def _add_hashtags(posts: list[tuple[Entry, list[str]]]) -> None:
    everything = Hashtag.for_names([name for _, names in posts for name in names])
    by_key = {h.key: h for h in everything}
    through = Post.hashtags.through
    rows = {
        (post.pk, by_key[Hashtag.make_key(name)].pk)
        for post, names in posts
        for name in names
        if Hashtag.make_key(name) in by_key
    }
    through.objects.bulk_create(
        [through(post_id=post, hashtag_id=tag) for post, tag in rows],
        batch_size=1000,
        ignore_conflicts=True,
    )


def publish(
    entry: Entry, *, at: datetime | None = None, hashtags=None, author=None
) -> Entry:
    """Publish `entry` at `at` (now when None); a future time schedules it."""
    entry.status = Entry.Status.PUBLISHED
    entry.published_at = at or timezone.now()
    return write_entry(entry, hashtags, author=author)


def unpublish(entry: Entry, *, hashtags=None, author=None) -> Entry:
    """Take `entry` back to a draft; its publish time stays as a suggestion."""
    entry.status = Entry.Status.DRAFT
    return write_entry(entry, hashtags, author=author)


@transaction.atomic
def trash(entry: Entry) -> Entry:
    """Move `entry` to the trash: readers no longer see it; restorable for 30 days."""
    return _set_trashed(entry, timezone.now())


@transaction.atomic
def restore(entry: Entry) -> Entry:
    """Bring `entry` back from the trash, as it was."""
    return _set_trashed(entry, None)


def _set_trashed(entry: Entry, when: datetime | None) -> Entry:
    before = seen(entry)
    entry.trashed_at = when
    entry.save(update_fields=["trashed_at"])
    entry_written(entry, before)
    return entry


@transaction.atomic
def purge_trash(now: datetime | None = None) -> tuple[int, int]:
    """Delete for good what has been in the trash longer than TRASH_DAYS.

    Returns how many posts and pages went. Called when the trash is opened and by
    the `purge_trash` command, so that no scheduled job is needed. Trashed
    entries are out of readers' sight already, so nothing else follows.
    """
    cutoff = (now or timezone.now()) - timedelta(days=TRASH_DAYS)
    counts = []
    for model in (Post, Page):
        old = model.objects.filter(trashed_at__lt=cutoff)
        counts.append(old.count())
        if counts[-1]:
            old.delete()
    return counts[0], counts[1]


def remember_old_address(path: str, entry: Entry, fragment: str = "") -> None:
    """Keep `path` leading to `entry` (at `fragment`, "comment-12", if given)."""
    remember_old_addresses([(path, entry, fragment)])


def remember_old_addresses(addresses: list[tuple[str, Entry, str]]) -> None:
    """Keep each (path, entry, fragment) leading there, replacing what a path
    led to before; in bulk, as an import brings thousands."""
    rows = {}
    for path, entry, fragment in addresses:
        # Kept decoded, as request.path is: "/2020/05/café/", not "/2020/05/caf%C3%A9/".
        row = OldAddress(path=unquote(path)[:500], fragment=fragment[:100])
        if isinstance(entry, Page):
            row.page = entry
        elif isinstance(entry, Post):
            row.post = entry
        rows[row.path] = row
    OldAddress.objects.bulk_create(
        list(rows.values()),
        batch_size=500,
        update_conflicts=True,
        unique_fields=["path"],
        update_fields=["post", "page", "target", "fragment"],
    )


def remember_old_redirect(path: str, target: str) -> None:
    """Keep `path` leading to `target`, an address of this blog (a label's
    hashtag page, a feed)."""
    OldAddress.objects.update_or_create(
        path=unquote(path)[:500],
        defaults={"post": None, "page": None, "target": target, "fragment": ""},
    )


def _owner(entry: Entry) -> dict:
    return {"page": entry} if isinstance(entry, Page) else {"post": entry}


def _keep_revision(entry: Entry, *, author=None) -> Revision:
    """A snapshot of `entry` as it is now. Reads post.hashtags for a post."""
    revision = Revision(
        title=entry.title,
        slug=entry.slug,
        body=entry.body,
        excerpt=getattr(entry, "excerpt", ""),
        author=author if author and author.is_authenticated else None,
        **_owner(entry),
    )
    if isinstance(entry, Post):
        revision.hashtags = " ".join(h.name for h in entry.hashtags.all())[:1000]
    revision.save()
    return revision


@transaction.atomic
def restore_revision(revision: Revision, *, author=None) -> Entry:
    """Bring back what `revision` holds; this is a save, so it keeps a revision too.

    The revision's slug comes back only when no other post or page has taken it.
    """
    entry = revision.post or revision.page
    assert entry is not None  # a revision belongs to a post or a page
    model = type(entry)
    entry.title = revision.title
    entry.body = revision.body
    if not model.objects.filter(slug=revision.slug).exclude(pk=entry.pk).exists():
        entry.slug = revision.slug
    hashtags = None
    if isinstance(entry, Post):
        entry.excerpt = revision.excerpt
        hashtags = revision.hashtags.split()
    return write_entry(entry, hashtags, author=author)


def make_preview_token(post: Post) -> str:
    """A new secret for the post's preview link; any earlier link stops working."""
    post.preview_token = secrets.token_urlsafe(24)
    post.save(update_fields=["preview_token"])
    return post.preview_token


def revoke_preview_token(post: Post) -> None:
    post.preview_token = ""
    post.save(update_fields=["preview_token"])


@transaction.atomic
def autosave(entry: Entry, *, hashtags: list[str] | None = None, author=None):
    """Keep what the writer has typed into `entry` (already set on it, unsaved).

    A draft is saved, with a revision at most every AUTOSAVE_REVISION_SECONDS. What
    readers can see is left alone: the text goes into a revision instead, which
    the writer can restore or publish by saving. Returns the revision kept or
    updated, or None when the draft was saved within the window.
    """
    if entry.pk is None or entry.is_draft:
        write_entry(entry, hashtags, keep_revision=False)
        if _recent_revision(entry) is None:
            return _keep_revision(entry, author=author)
        return None
    live = type(entry).objects.get(pk=entry.pk)
    revision = _recent_revision(live)
    # The newest revision holds earlier unsaved typing when it differs from what
    # readers see; a revision equal to the live text is a save's, and stays.
    if revision is None or (revision.title, revision.body) == (live.title, live.body):
        revision = Revision(**_owner(entry))
    revision.title, revision.slug, revision.body = entry.title, entry.slug, entry.body
    revision.excerpt = getattr(entry, "excerpt", "")
    revision.hashtags = " ".join(hashtags or [])[:1000]
    revision.author = author if author and author.is_authenticated else None
    revision.save()
    return revision


def _recent_revision(entry: Entry) -> Revision | None:
    since = timezone.now() - timedelta(seconds=AUTOSAVE_REVISION_SECONDS)
    return (
        Revision.objects.filter(**_owner(entry), created_at__gte=since)
        .order_by("-created_at", "-id")
        .first()
    )


@transaction.atomic
def write_image(image: Image, *, author=None) -> Image:
    """Save an image's alt text, caption, credit or file and bring the change to
    the posts and pages that show it.

    Where a body still carries the image's Markdown as the library gave it (the
    old alt text and caption), that Markdown is replaced by the new one; every
    entry showing the image is rendered again (the credit comes from the image),
    each one a save with a revision, so only those entries' pages go stale. A
    new file has its renditions made by the task worker, and shows without them
    until then.
    """
    before = Image.objects.filter(pk=image.pk).first() if image.pk else None
    image.save()
    if before is None or before.file.name != image.file.name:
        queue_renditions(image)
    if before is None:
        return image
    old_markdown, new_markdown = before.markdown(), image.markdown()
    for entry in _entries_showing(image):
        entry.body = entry.body.replace(old_markdown, new_markdown)
        write_entry(entry, author=author)
    return image


@transaction.atomic
def show_renditions(image: Image) -> None:
    """Render again the posts and pages showing `image`, now that its renditions
    exist (their HTML offers them in srcset): no revision, as nobody changed the
    text, and the time they were last updated is kept."""
    for entry in _entries_showing(image):
        write_entry(entry, keep_revision=False, updated_at=entry.updated_at)


def _entries_showing(image: Image) -> Iterator[Entry]:
    url = re.escape(image.file.url)
    showing = re.compile(rf"\]\({url}[\s)]")
    for model in (Post, Page):
        for entry in model.objects.filter(body__contains=image.file.url):
            if showing.search(entry.body):
                yield entry
