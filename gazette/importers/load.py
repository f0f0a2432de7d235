"""Writing a parsed backup into the blog, whatever its source: all of it in one
transaction or none of it, through the same write functions as the desk.

Posts and pages go through `posts.writing` in bulk mode (the search index and
the page cache are updated once, at the end); comments through the comment
intake as imported ones (their old state and date kept, nobody emailed, no
limits); every old address into the one table of old addresses. Rows are
found again by their `import_ref`, so importing the same file twice changes
nothing, and a newer backup adds only what is new. Asked to, it then teaches
the spam filter the old blog's moderation (its approved and spam comments),
once the import is committed.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from gazette.comments.intake import CommentDraft, receive_imported_comments
from gazette.comments.models import Comment
from gazette.comments.spam.bulk_teaching import teach_moderated
from gazette.images.models import Image
from gazette.images.storing import add_image
from gazette.images.uploads import clean_upload
from gazette.importers import records
from gazette.importers.fetch import Fetched
from gazette.importers.models import ImportedAuthor
from gazette.lib.text import unique_slug
from gazette.posts.models import Entry, Hashtag, Page, Post
from gazette.posts.writing import (
    bulk_writes,
    remember_old_addresses,
    remember_old_redirect,
    write_new_entries,
)
from gazette.site.models import CommentPolicy, SiteSettings
from gazette.site.writing import write_site_settings

COMMENT_STATES = {
    "approved": Comment.Status.APPROVED,
    "held": Comment.Status.HELD,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.TRASH,
}


@dataclass
class Report:
    """What an import did (or, in a dry run, would do)."""

    source: str
    dry_run: bool = False
    created: Counter = field(default_factory=Counter)
    already_there: Counter = field(default_factory=Counter)
    repaired: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    taught: Counter = field(default_factory=Counter)

    def lines(self) -> list[str]:
        verb = "Would import" if self.dry_run else "Imported"
        kinds = ["posts", "pages", "comments", "hashtags", "authors", "images"]
        kinds.append("old addresses")
        made = ", ".join(f"{self.created[k]} {k}" for k in kinds)
        lines = [f"{verb} from {self.source}: {made}."]
        if self.already_there:
            there = ", ".join(f"{n} {k}" for k, n in self.already_there.items())
            lines.append(f"Already here from an earlier import: {there}.")
        if self.taught:
            lines.append(
                f"Taught the spam filter {self.taught['ham']} approved and "
                f"{self.taught['spam']} spam comments."
            )
        lines += [f"Repaired: {r}" for r in self.repaired]
        lines += [f"Skipped: {s}" for s in self.skipped]
        return lines


ProgressCallback = Callable[[int, int], None]


def load(
    backup: records.Backup,
    *,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
    fetched: Fetched | None = None,
    teach_spam_filter: bool = False,
) -> Report:
    """Write `backup` into the blog; with `dry_run`, roll it all back after
    counting. Any error leaves the database as it was. `fetched` holds the
    pictures downloaded beforehand (`fetch.fetch_all`), which join the library
    and replace their old addresses in the bodies. With `teach_spam_filter`,
    the backup's approved and spam comments teach the classifier afterwards."""
    report = Report(source=backup.source, dry_run=dry_run)
    report.repaired += backup.repaired
    report.skipped += backup.skipped
    total = len(backup.entries) + len(backup.comments)
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress and (done % 50 == 0 or done == total):
            progress(done, total)

    try:
        comment_ids = _load(backup, report, fetched, step)
    finally:
        # The settings row may have been read into the cache inside a
        # transaction that is now rolled back (a dry run, a refusal).
        cache.delete(SiteSettings.CACHE_KEY)
    if teach_spam_filter and not dry_run:
        # After the import's transaction: the lessons are many small writes,
        # and a lesson interrupted leaves the import itself whole.
        report.taught = teach_moderated(comment_ids)
    return report


def _load(
    backup: records.Backup, report: Report, fetched: Fetched | None, step
) -> list[int]:
    """Everything in one transaction; returns the ids of the backup's comments,
    new or found again."""
    with transaction.atomic():
        hashtags_before = Hashtag.objects.count()
        with bulk_writes():
            _settings(backup)
            users = _authors(backup, report)
            moved = _images(backup, fetched, report)
            for record in backup.entries:
                record.body = _moved_pictures(record.body, moved)
            entries = _entries(backup, users, report, step)
            comment_ids = _comments(backup, entries, report, step)
            for old, new in backup.redirects:
                remember_old_redirect(old, new)
                report.created["old addresses"] += 1
        report.created["hashtags"] = Hashtag.objects.count() - hashtags_before
        if report.dry_run:
            transaction.set_rollback(True)
    return comment_ids


def _settings(backup: records.Backup) -> None:
    """The old blog's title and description, unless this blog has its own."""
    site = SiteSettings.load()
    if site.title == "Gazette" and not site.description and backup.title:
        site.title = backup.title[:200]
        site.description = backup.description[:500]
        write_site_settings(site)


def _authors(backup: records.Backup, report: Report) -> dict[str, Any]:
    """An account for each author, found again by its ref; new accounts have no
    password and no role, so they cannot sign in until an admin says so."""
    User = get_user_model()
    known: dict[str, Any] = {
        a.ref: a.user
        for a in ImportedAuthor.objects.filter(
            ref__in=list(backup.authors)
        ).select_related("user")
    }
    for ref, author in backup.authors.items():
        if ref in known:
            continue
        base = slugify(author.name)[:120] or "author"
        username = unique_slug(base, lambda u: User.objects.filter(username=u).exists())
        first, _, last = author.name.partition(" ")
        user = User(
            username=username, email=author.email, first_name=first[:150],
            last_name=last[:150],
        )  # fmt: skip
        user.set_unusable_password()
        user.save()
        ImportedAuthor.objects.create(ref=ref, user=user)
        known[ref] = user
        report.created["authors"] += 1
    return known


def _images(
    backup: records.Backup, fetched: Fetched | None, report: Report
) -> dict[str, str]:
    """The fetched pictures in the library; returns old address -> new one."""
    unique = {image.ref: image for image in backup.images}
    if fetched is None:
        if unique:
            report.skipped.append(
                f"{len(unique)} pictures keep their old addresses "
                "(--fetch-images brings them into the library)"
            )
        return {}
    moved = {}
    for ref, record in unique.items():
        path = fetched.files.get(ref)
        if path is None:
            continue
        image = Image.objects.filter(import_ref=ref).first()
        if image is None:
            name = PurePosixPath(urlsplit(record.url).path).name or "picture"
            try:
                with path.open("rb") as stream:
                    clean = clean_upload(File(stream, name=name))
            except ValidationError as error:
                report.skipped.append(f"{record.url}: {error.messages[0]}")
                continue
            image = add_image(
                clean,
                alt_text=record.alt_text,
                caption=record.caption,
                import_ref=ref,
            )
            report.created["images"] += 1
        else:
            report.already_there["images"] += 1
        for old in (record.url, *record.found_as):
            moved[old] = image.file.url
    report.skipped += [f"Not fetched: {failure}" for failure in fetched.failed]
    return moved


def _moved_pictures(body: str, moved: dict[str, str]) -> str:
    for old, new in moved.items():
        if old in body or escape(old) in body:
            body = body.replace(escape(old), new).replace(old, new)
    return body


def _entries(backup: records.Backup, users: dict, report: Report, step) -> dict:
    """Every post and page, new ones written in bulk; returns ref -> entry."""
    refs = [record.ref for record in backup.entries]
    entries: dict[str, Entry] = {}
    for model in (Post, Page):
        for chunk in _chunks(refs):
            found = model.objects.filter(import_ref__in=chunk)
            entries |= {e.import_ref: e for e in found if e.import_ref}
    new, addresses = [], []
    for record in backup.entries:
        step()
        if record.ref in entries:
            report.already_there[f"{record.kind}s"] += 1
            continue
        entry = _new_entry(record, users)
        entries[record.ref] = entry
        new.append((entry, record.hashtags, record.updated_at))
        addresses += [(path, entry, "") for path in record.old_paths]
        report.created[f"{record.kind}s"] += 1
    write_new_entries(new)
    remember_old_addresses(addresses)
    report.created["old addresses"] += len(addresses)
    return entries


def _new_entry(record: records.Entry, users: dict) -> Entry:
    model: type[Post] | type[Page] = Post if record.kind == "post" else Page
    entry = model(
        title=record.title[:200],
        slug=record.slug[:100],
        body=record.body,
        body_format=record.body_format,
        import_ref=record.ref,
        published_at=record.published_at,
        status=Entry.Status.DRAFT if record.status == "draft" else "published",
        # Trashed on the old blog: in the trash here, restorable for 30 days.
        trashed_at=timezone.now() if record.status == "trashed" else None,
    )
    if isinstance(entry, Post):
        entry.author = users.get(record.author_ref) or _fallback_author(users)
        entry.excerpt = record.excerpt
        if record.comments_closed:
            entry.comment_policy = CommentPolicy.CLOSED
    return entry


def _fallback_author(users: dict):
    """A post whose author the backup does not name belongs to the first one, or
    to an account made for the purpose."""
    if users:
        return next(iter(users.values()))
    User = get_user_model()
    user, made = User.objects.get_or_create(username="imported-author")
    if made:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    users["imported"] = user
    return user


def _comments(backup: records.Backup, entries: dict, report: Report, step) -> list[int]:
    """Through the intake in bulk, a generation at a time: those that answer the
    post first, then replies to them, and so on, so a parent is always stored
    before its replies. Returns the ids of the backup's comments, new or found
    again."""
    stored: dict[str, int] = {}
    for refs in _chunks([c.ref for c in backup.comments]):
        found = Comment.objects.filter(import_ref__in=refs)
        stored |= {ref: pk for ref, pk in found.values_list("import_ref", "pk") if ref}
    for generation in _generations(backup.comments):
        drafts = []
        for record in generation:
            step()
            if record.ref in stored:
                report.already_there["comments"] += 1
                continue
            post = entries.get(record.entry_ref)
            if not isinstance(post, Post):
                report.skipped.append(f"{record.ref}: a comment on a page")
                continue
            draft = CommentDraft(
                name=record.name,
                body=record.body or "(empty)",
                email=record.email,
                url=record.url,
                ip=record.ip,
                parent_id=stored.get(record.parent_ref),
                status=COMMENT_STATES.get(record.status, Comment.Status.HELD),
                created_at=record.created_at,
                import_ref=record.ref,
            )
            drafts.append((post, draft, record))
        comments = receive_imported_comments([(p, d) for p, d, _ in drafts])
        for (_, _, record), comment in zip(drafts, comments, strict=True):
            stored[record.ref] = comment.pk
        report.created["comments"] += len(comments)
    # A comment's old address ("...html?showComment=<ms>") needs no row of its
    # own: it names the comment by its time (see posts/redirects.py).
    return list(stored.values())


def _chunks(items: list[str], size: int = 5000) -> list[list[str]]:
    """Lookups a few thousand at a time: databases cap a query's parameters."""
    return [items[n : n + size] for n in range(0, len(items), size)]


def _generations(comments: list[records.Comment]) -> list[list[records.Comment]]:
    """The comments grouped by how deep in a thread they are, oldest first."""
    by_ref = {c.ref: c for c in comments}
    depth: dict[str, int] = {}
    for comment in comments:
        chain = []
        current: records.Comment | None = comment
        while current is not None and current.ref not in depth:
            if current in chain:  # a loop in a broken file: cut it here
                break
            chain.append(current)
            current = by_ref.get(current.parent_ref)
        known = depth.get(current.ref, -1) if current is not None else -1
        for offset, link in enumerate(reversed(chain), start=1):
            depth[link.ref] = known + offset
    levels: dict[int, list[records.Comment]] = {}
    for comment in comments:
        levels.setdefault(depth[comment.ref], []).append(comment)
    oldest = lambda c: (c.created_at is None, c.created_at)  # noqa: E731
    return [sorted(levels[n], key=oldest) for n in sorted(levels)]
