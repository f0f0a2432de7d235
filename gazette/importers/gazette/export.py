"""Writing the whole blog in Gazette's own export format (docs/export-format.md):
a folder of JSON Lines files, one per kind of row, the image originals under
`media/`, and `manifest.json`, written last, so that a folder without one is an
export that did not finish and no reader takes it.

Rows are streamed (`iterator()`), so a big blog needs no more memory than a
small one. Only the ids of what was written are kept, so that every row refers
to rows that are in the export even if the blog changes while it runs; on
PostgreSQL the whole export also reads one snapshot.
"""

import copy
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from gazette.comments.models import Comment
from gazette.images.models import Image
from gazette.importers.gazette.format import (
    FILES,
    FORMAT,
    MANIFEST,
    MEDIA,
    VERSION,
    iso,
)
from gazette.posts.models import Entry, Hashtag, OldAddress, Page, Post, Revision
from gazette.site import roles
from gazette.site.models import SiteSettings

CHUNK = 500  # rows fetched at a time


class ExportFailed(Exception):
    """The export cannot be written; the reason says why."""


@dataclass
class Exported:
    """What an export wrote: rows per file, and what it left out, with why."""

    counts: dict[str, int]
    skipped: list[str] = field(default_factory=list)


@dataclass
class _Written:
    """The ids of the rows written so far, which later files may refer to."""

    posts: set[int] = field(default_factory=set)
    pages: set[int] = field(default_factory=set)
    users: set[int] = field(default_factory=set)
    skipped: list[str] = field(default_factory=list)


def export(out_dir: Path) -> Exported:
    """Write the blog into `out_dir`, a new or empty folder."""
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise ExportFailed(f"{out_dir} is not an empty folder; choose a new one.")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = _Written()
    counts: dict[str, int] = {}
    with _one_snapshot():
        # Authors and hashtags come last: the rows before them say which are needed.
        counts["settings"] = _write(out_dir, "settings", [_settings()])
        counts["images"] = _write(out_dir, "images", _images(out_dir, written))
        counts["pages"] = _write(out_dir, "pages", _pages(written))
        counts["posts"] = _write(out_dir, "posts", _posts(written))
        counts["revisions"] = _write(out_dir, "revisions", _revisions(written))
        counts["comments"] = _write(out_dir, "comments", _comments(written))
        counts["old_addresses"] = _write(
            out_dir, "old_addresses", _old_addresses(written)
        )
        counts["hashtags"] = _write(out_dir, "hashtags", _hashtags())
        counts["authors"] = _write(out_dir, "authors", _authors(written))
    counts = {kind: counts[kind] for kind in FILES}
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": iso(timezone.now()),
        "generator": f"Gazette {_gazette_version()}",
        "counts": counts,
    }
    partial = out_dir / f"{MANIFEST}.partial"
    partial.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    os.replace(partial, out_dir / MANIFEST)
    return Exported(counts=counts, skipped=written.skipped)


@contextmanager
def _one_snapshot() -> Iterator[None]:
    """On PostgreSQL, every query of the export reads the same snapshot.

    SQLite is left alone: a transaction there would hold the write lock for the
    whole export; the ids kept in `_Written` keep the export whole instead.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _write(out_dir: Path, kind: str, rows: Iterable[dict[str, Any]]) -> int:
    count = 0
    with (out_dir / FILES[kind]).open("w", encoding="utf-8", newline="\n") as stream:
        for row in rows:
            stream.write(json.dumps(row, ensure_ascii=False, allow_nan=False))
            stream.write("\n")
            count += 1
    return count


def _gazette_version() -> str:
    try:
        return metadata.version("gazette")
    except metadata.PackageNotFoundError:
        return "unknown"


def _settings() -> dict[str, Any]:
    site = SiteSettings.objects.filter(pk=1).first() or SiteSettings()
    return {
        f.name: getattr(site, f.attname)
        for f in SiteSettings._meta.concrete_fields
        if not f.primary_key
    }


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


def _images(out_dir: Path, written: _Written) -> Iterator[dict[str, Any]]:
    rows = Image.objects.select_related("uploaded_by").order_by("pk")
    for image in rows.iterator(chunk_size=CHUNK):
        name = image.file.name or ""
        parts = PurePosixPath(name).parts
        if not parts or PurePosixPath(name).is_absolute() or ".." in parts:
            written.skipped.append(f"image {image.pk}: its file name {name!r}")
            continue
        path = f"{MEDIA}/{name}"
        try:
            digest, size = _copy_file(name, out_dir / path)
        except OSError as error:
            written.skipped.append(f"image {image.pk}: {name} cannot be read ({error})")
            continue
        if image.uploaded_by_id is not None:
            written.users.add(image.uploaded_by_id)
        yield {
            "id": image.pk,
            "import_ref": image.import_ref,
            "file": name,
            "path": path,
            "url": image.file.url,
            "sha256": digest,
            "size": size,
            "width": image.width,
            "height": image.height,
            "alt_text": image.alt_text,
            "caption": image.caption,
            "credit": image.credit,
            "uploaded_at": iso(image.uploaded_at),
            "uploaded_by": _username(image.uploaded_by),
        }


def _copy_file(name: str, target: Path) -> tuple[str, int]:
    """Copy a stored file into the export; returns its SHA-256 and size."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with default_storage.open(name, "rb") as source, target.open("wb") as copied:
        for chunk in iter(lambda: source.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
            copied.write(chunk)
    return digest.hexdigest(), size


def _entry(entry: Entry) -> dict[str, Any]:
    """What posts and pages share."""
    return {
        "id": entry.pk,
        "import_ref": entry.import_ref,
        "title": entry.title,
        "slug": entry.slug,
        "body": entry.body,
        "body_format": entry.body_format,
        "body_html": entry.body_html,
        "status": entry.status,
        "published_at": iso(entry.published_at),
        "created_at": iso(entry.created_at),
        "updated_at": iso(entry.updated_at),
        "trashed_at": iso(entry.trashed_at),
    }


def _pages(written: _Written) -> Iterator[dict[str, Any]]:
    for page in Page.objects.order_by("pk").iterator(chunk_size=CHUNK):
        written.pages.add(page.pk)
        yield _entry(page) | {"position": page.position}


def _posts(written: _Written) -> Iterator[dict[str, Any]]:
    rows = (
        Post.objects.select_related("author")
        .prefetch_related("hashtags")
        .order_by("pk")
    )
    for post in rows.iterator(chunk_size=CHUNK):
        written.posts.add(post.pk)
        written.users.add(post.author_id)
        yield _entry(post) | {
            "excerpt": post.excerpt,
            "comment_policy": post.comment_policy,
            "author": post.author.get_username(),
            "hashtags": [h.name for h in post.hashtags.all()],
        }


def _revisions(written: _Written) -> Iterator[dict[str, Any]]:
    rows = Revision.objects.select_related("author").order_by("pk")
    for revision in rows.iterator(chunk_size=CHUNK):
        if revision.post_id not in written.posts and (
            revision.page_id not in written.pages
        ):
            continue  # its post or page came after the export read them
        if revision.author_id is not None:
            written.users.add(revision.author_id)
        yield {
            "id": revision.pk,
            "post": revision.post_id,
            "page": revision.page_id,
            "title": revision.title,
            "slug": revision.slug,
            "body": revision.body,
            "excerpt": revision.excerpt,
            "hashtags": revision.hashtags,
            "created_at": iso(revision.created_at),
            "author": _username(revision.author),
        }


def _comments(written: _Written) -> Iterator[dict[str, Any]]:
    # By id: a reply comes after the comment it answers.
    rows = Comment.objects.select_related("user").order_by("pk")
    for comment in rows.iterator(chunk_size=CHUNK):
        if comment.post_id not in written.posts:
            continue
        if comment.user_id is not None:
            written.users.add(comment.user_id)
        yield {
            "id": comment.pk,
            "import_ref": comment.import_ref,
            "post": comment.post_id,
            "parent": comment.parent_id,
            "user": _username(comment.user),
            "author_name": comment.author_name,
            "author_email": comment.author_email,
            "author_url": comment.author_url,
            "body": comment.body,
            "body_html": comment.body_html,
            "status": comment.status,
            "created_at": iso(comment.created_at),
            "ip_address": comment.ip_address,
            "user_agent": comment.user_agent,
            "wants_reply_notifications": comment.wants_reply_notifications,
            "spam_score": comment.spam_score,
            "spam_reasons": comment.spam_reasons,
            "trained_as": comment.trained_as,
            "reply_notified_at": iso(comment.reply_notified_at),
            "source": comment.source,
            "source_url": comment.source_url,
            "avatar_url": comment.avatar_url,
        }


def _old_addresses(written: _Written) -> Iterator[dict[str, Any]]:
    for address in OldAddress.objects.order_by("pk").iterator(chunk_size=CHUNK):
        if address.post_id is not None and address.post_id not in written.posts:
            continue
        if address.page_id is not None and address.page_id not in written.pages:
            continue
        yield {
            "path": address.path,
            "post": address.post_id,
            "page": address.page_id,
            "target": address.target,
            "fragment": address.fragment,
            "created_at": iso(address.created_at),
        }


def _hashtags() -> Iterator[dict[str, Any]]:
    for hashtag in Hashtag.objects.order_by("pk").iterator(chunk_size=CHUNK):
        yield {"name": hashtag.name, "created_at": iso(hashtag.created_at)}


def _authors(written: _Written) -> Iterator[dict[str, Any]]:
    """The accounts the rows before name: never a password or its hash."""
    User = get_user_model()
    ids = sorted(written.users)
    for start in range(0, len(ids), CHUNK):
        batch = User.objects.filter(pk__in=ids[start : start + CHUNK])
        for user in batch.prefetch_related("groups").order_by("pk"):
            yield {
                "username": user.get_username(),
                "first_name": user.first_name,
                "last_name": user.last_name,
                "email": user.email,
                "is_active": user.is_active,
                "role": _role(user),
                "date_joined": iso(user.date_joined),
            }


def _role(user) -> str | None:
    """`roles.role_of` the account; an inactive one keeps the role it would have,
    so that it comes back with it when it is let in again."""
    active = copy.copy(user)
    active.is_active = True
    roles.remember_groups(active, {group.name for group in user.groups.all()})
    return roles.role_of(active)
