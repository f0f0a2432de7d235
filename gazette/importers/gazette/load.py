"""Writing a Gazette export (read by `parse`) into the blog: all of it in one
transaction or none of it, through the same write functions as the desk.

The shared loader (`importers.load`) writes what other blogs' backups hold;
this export holds more than its records carry (exact states and times, the
trash, revisions, images with their files, roles, ids that rows refer to), so
it has this loader of its own:

* posts and pages go through `posts.writing.write_entry` in bulk mode, with
  their own times; their revisions follow as the rows they were;
* comments go through the comment intake as imported ones (their state and
  date kept, nobody emailed), then get back what the intake does not take (the
  spam score and reasons, when a reply was notified); a comment that taught the
  spam classifier teaches it again here;
* image originals are stored under the names they had, checked against their
  checksums, and their renditions made again;
* accounts are found by username; a new one gets its role and no password.

A row is found again by its `import_ref` ("gazette:post-<old id>" for one that
had none) or, when it never had one, as the very row it was (same id and
creation time: the export is being read back into the blog that wrote it), so
importing the same export twice changes nothing.
"""

import hashlib
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DatabaseError, transaction
from django.utils import timezone
from PIL import Image as PILImage
from PIL import UnidentifiedImageError

from gazette.comments import spam
from gazette.comments.intake import CommentDraft, Source, receive_comment
from gazette.comments.models import Comment
from gazette.images.models import Image
from gazette.images.renditions import make_renditions
from gazette.images.uploads import ALLOWED_FORMATS, MAX_PIXELS
from gazette.importers.gazette.parse import Export, Row
from gazette.importers.load import ProgressCallback, Report
from gazette.importers.records import ImportFailed
from gazette.lib.text import unique_slug
from gazette.posts.models import Entry, Hashtag, OldAddress, Page, Post, Revision
from gazette.posts.writing import bulk_writes, write_entry
from gazette.site import roles
from gazette.site.models import CommentPolicy, SiteSettings
from gazette.site.writing import write_site_settings

ROLE_GROUPS = {
    "admin": roles.ADMINS,
    "author": roles.AUTHORS,
    "contributor": roles.CONTRIBUTORS,
}
_COMMENT_FRAGMENT = re.compile(r"comment-(\d+)")


@dataclass
class GazetteReport(Report):
    """The shared report, with the rows only this format brings."""

    settings: str = ""

    def lines(self) -> list[str]:
        verb = "Would import" if self.dry_run else "Imported"
        kinds = ["posts", "pages", "revisions", "comments", "hashtags", "authors"]
        kinds += ["images", "old addresses"]
        made = ", ".join(f"{self.created[k]} {k}" for k in kinds)
        lines = [f"{verb} from {self.source}: {made}."]
        if self.settings:
            lines.append(self.settings)
        if self.already_there:
            there = ", ".join(f"{n} {k}" for k, n in self.already_there.items())
            lines.append(f"Already here from an earlier import: {there}.")
        lines += [f"Repaired: {r}" for r in self.repaired]
        lines += [f"Skipped: {s}" for s in self.skipped]
        return lines


def load(
    export: Export, *, dry_run: bool = False, progress: ProgressCallback | None = None
) -> GazetteReport:
    """Write `export` into the blog; with `dry_run`, roll it all back after
    counting (and store no file). Any error leaves the database, and the media
    storage, as they were."""
    report = GazetteReport(source="gazette", dry_run=dry_run)
    report.skipped += [
        f"{kind}: a file this Gazette does not know (a newer one wrote it)"
        for kind in export.unknown
    ]
    loader = _Loader(export, report, dry_run, progress)
    try:
        with transaction.atomic():
            hashtags_before = Hashtag.objects.count()
            with bulk_writes():
                loader.run()
            report.created["hashtags"] = Hashtag.objects.count() - hashtags_before
            if dry_run:
                transaction.set_rollback(True)
    except BaseException:
        loader.remove_stored_files()
        raise
    return report


@contextmanager
def _about(row: Row) -> Iterator[None]:
    """Errors while writing `row` become a refusal that names it."""
    try:
        yield
    except ImportFailed:
        raise
    except ValidationError as error:
        row.fail("; ".join(error.messages))
    except (DatabaseError, spam.Refused, ValueError, TypeError) as error:
        row.fail(str(error) or type(error).__name__)


class _Loader:
    def __init__(
        self,
        export: Export,
        report: GazetteReport,
        dry_run: bool,
        progress: ProgressCallback | None,
    ):
        self.export = export
        self.report = report
        self.dry_run = dry_run
        self.progress = progress
        self.done = 0
        self.users: dict[str, Any] = {}  # username -> account
        # Old id -> id here, for every row of the export found or written.
        self.ids: dict[str, dict[int, int]] = {"posts": {}, "pages": {}}
        self.comments: dict[int, int] = {}
        # Posts and pages written by this import: their revisions come with them.
        self.new: dict[str, set[int]] = {"posts": set(), "pages": set()}
        # An image's address in the export -> its address here, where they differ.
        self.moved: dict[str, str] = {}
        # Files written to the media storage, removed if the import does not end.
        self.stored: list[str] = []
        self._posts: dict[int, Post] = {}

    def run(self) -> None:
        self._settings()
        self._authors()
        self._hashtags()
        self._images()
        self._entries("pages", Page)
        self._entries("posts", Post)
        self._revisions()
        self._comments()
        self._old_addresses()

    def rows(self, kind: str) -> Iterator[Row]:
        for row in self.export.rows(kind):
            yield row
            self.done += 1
            total = self.export.total
            if self.progress and (self.done % 50 == 0 or self.done == total):
                self.progress(self.done, total)

    def remove_stored_files(self) -> None:
        for name in self.stored:
            default_storage.delete(name)
        self.stored.clear()

    # Settings, accounts, hashtags

    def _settings(self) -> None:
        rows = list(self.rows("settings"))
        if len(rows) != 1:
            raise ImportFailed(f"holds {len(rows)} rows, not one", "settings.jsonl")
        row = rows[0]
        site = SiteSettings.objects.filter(pk=1).first() or SiteSettings()
        names = [
            f.name for f in SiteSettings._meta.concrete_fields if not f.primary_key
        ]
        before = {name: getattr(site, name) for name in names}
        with _about(row):
            for name in names:
                if name in row.data:
                    setattr(site, name, row.data[name])
            site.full_clean()
            if {name: getattr(site, name) for name in names} == before:
                self.report.settings = "The blog's settings were already the export's."
                return
            write_site_settings(site)
        self.report.settings = (
            "The blog's settings would become the export's."
            if self.dry_run
            else "The blog's settings are now the export's."
        )

    def _authors(self) -> None:
        User = get_user_model()
        groups = {g.name: g for g in Group.objects.filter(name__in=roles.ROLE_GROUPS)}
        for row in self.rows("authors"):
            with _about(row):
                username = row.text("username")
                user = User.objects.filter(username=username).first()
                if user is not None:
                    # An account of this blog's keeps its password and role.
                    self.report.already_there["authors"] += 1
                    self.users[username] = user
                    continue
                user = User(
                    username=username,
                    first_name=row.text("first_name", ""),
                    last_name=row.text("last_name", ""),
                    email=row.text("email", ""),
                    is_active=row.flag("is_active", True),
                    date_joined=row.optional_time("date_joined") or timezone.now(),
                )
                user.set_unusable_password()
                user.clean_fields(exclude=["password"])
                user.save()
                role = row.data.get("role")
                if role is not None:
                    user.groups.add(
                        groups[ROLE_GROUPS[row.choice("role", ROLE_GROUPS)]]
                    )
                self.users[username] = user
                self.report.created["authors"] += 1

    def _user(self, row: Row, key: str):
        """The account a row names (None for none); it must be in authors.jsonl."""
        username = row.optional_text(key)
        if username is None:
            return None
        if username not in self.users:
            row.fail(f'"{key}" names {username!r}, who is not in authors.jsonl')
        return self.users[username]

    def _hashtags(self) -> None:
        for row in self.rows("hashtags"):
            with _about(row):
                name = Hashtag.clean_name(row.text("name"))
                key = Hashtag.make_key(name)
                if not key:
                    row.fail('"name" names nothing (no letter or digit)')
                if Hashtag.objects.filter(key=key).exists():
                    continue  # counted by load(), as the difference
                hashtag = Hashtag(name=name)
                hashtag.created_at = row.optional_time("created_at") or timezone.now()
                hashtag.clean_fields(exclude=["key"])
                hashtag.save()

    # Images

    def _images(self) -> None:
        for row in self.rows("images"):
            with _about(row):
                self._image(row)

    def _image(self, row: Row) -> None:
        old_id = row.integer("id")
        name = row.text("file")
        ref = row.optional_text("import_ref") or f"gazette:image-{old_id}"
        old_url = row.text("url", settings.MEDIA_URL + name)
        existing = Image.objects.filter(import_ref=ref).first()
        if existing is None and row.optional_text("import_ref") is None:
            existing = Image.objects.filter(
                pk=old_id, import_ref__isnull=True, file=name
            ).first()
        if existing is not None:
            self.report.already_there["images"] += 1
            self._moved(old_url, existing.file.url)
            return
        source = self.export.media_file(row)
        digest = _sha256(source)
        if row.data.get("sha256") not in (None, digest):
            row.fail(f"{row.text('path')} does not match its SHA-256 checksum")
        width, height = _check_picture(source, row)
        stored = self._store(name, source, digest, row)
        image = Image(
            file=stored,
            width=row.integer("width", width),
            height=row.integer("height", height),
            alt_text=row.text("alt_text", ""),
            caption=row.text("caption", ""),
            credit=row.text("credit", ""),
            uploaded_at=row.optional_time("uploaded_at") or timezone.now(),
            uploaded_by=self._user(row, "uploaded_by"),
            import_ref=ref,
        )
        image.clean_fields(exclude=["file", "renditions", "uploaded_by"])
        image.save()
        if not self.dry_run:
            image.renditions = make_renditions(image)
            self.stored += [r["name"] for r in image.renditions]
            image.save(update_fields=["renditions"])
        self.report.created["images"] += 1
        self._moved(old_url, image.file.url)

    def _store(self, name: str, source: Path, digest: str, row: Row) -> str:
        """Store an original under its old name, or find it there already; a name
        taken by another file gets a new one (the bodies follow it)."""
        parts = PurePosixPath(name).parts
        if not parts or PurePosixPath(name).is_absolute() or ".." in parts:
            row.fail(f'"file" must be a relative name: {name!r}')
        if default_storage.exists(name):
            with default_storage.open(name, "rb") as stored:
                if _sha256(stored) == digest:
                    return name
            if self.dry_run:
                self.report.repaired.append(
                    f"{name}: the name is taken here; the picture would take another"
                )
                return name
        if self.dry_run:
            return name
        with source.open("rb") as stream:
            stored_name = default_storage.save(name, File(stream, name=parts[-1]))
        self.stored.append(stored_name)
        if stored_name != name:
            self.report.repaired.append(
                f"{name}: the name is taken here; stored as {stored_name}, and the "
                "posts and pages that show it point there"
            )
        return stored_name

    def _moved(self, old_url: str, new_url: str) -> None:
        if old_url != new_url:
            self.moved[old_url] = new_url

    def _with_moved_pictures(self, body: str) -> str:
        for old, new in self.moved.items():
            body = body.replace(old, new)
        return body

    # Posts and pages, and their revisions

    def _entries(self, kind: str, model: type[Post] | type[Page]) -> None:
        for row in self.rows(kind):
            with _about(row):
                self._entry(kind, model, row)

    def _entry(self, kind: str, model: type[Post] | type[Page], row: Row) -> None:
        old_id = row.integer("id")
        created_at = row.time("created_at")
        ref = row.optional_text("import_ref") or f"gazette:{kind[:-1]}-{old_id}"
        found = model.objects.filter(import_ref=ref).values_list("pk", flat=True)
        if not found and row.optional_text("import_ref") is None:
            found = model.objects.filter(
                pk=old_id, import_ref__isnull=True, created_at=created_at
            ).values_list("pk", flat=True)
        if found:
            self.ids[kind][old_id] = found[0]
            self.report.already_there[kind] += 1
            return
        entry = model(
            title=row.text("title"),
            body=self._with_moved_pictures(row.text("body", "")),
            body_format=row.choice(
                "body_format", Entry.BodyFormat.values, Entry.BodyFormat.MARKDOWN
            ),
            status=row.choice("status", Entry.Status.values),
            published_at=row.optional_time("published_at"),
            created_at=created_at,
            trashed_at=row.optional_time("trashed_at"),
            import_ref=ref,
        )
        slug = row.text("slug")
        if model.objects.slug_taken(slug):
            entry.slug = unique_slug(slug, model.objects.slug_taken)
            self.report.repaired.append(
                f"{row.where}: the address {slug!r} is taken here; the {kind[:-1]} "
                f"is at {entry.slug!r}"
            )
        else:
            entry.slug = slug
        hashtags: list[str] | None = None
        if isinstance(entry, Post):
            entry.author = self._user(row, "author")
            if entry.author is None:
                row.fail('"author" is missing')
            entry.excerpt = row.text("excerpt", "")
            entry.comment_policy = row.choice(
                "comment_policy", ["", *CommentPolicy.values], ""
            )
            hashtags = row.texts("hashtags")
        else:
            entry.position = row.integer("position", 0)
        entry.clean_fields(exclude=["body_html", "author", "updated_at"])
        updated_at = row.optional_time("updated_at") or created_at
        # A scheduled time that has passed publishes, as it would have there.
        write_entry(entry, hashtags, keep_revision=False, updated_at=updated_at)
        self.ids[kind][old_id] = entry.pk
        self.new[kind].add(old_id)
        self.report.created[kind] += 1

    def _revisions(self) -> None:
        for row in self.rows("revisions"):
            with _about(row):
                self._revision(row)

    def _revision(self, row: Row) -> None:
        post, page = row.optional_integer("post"), row.optional_integer("page")
        if (post is None) == (page is None):
            row.fail('a revision names either a "post" or a "page"')
        kind, old_id = ("posts", post) if post is not None else ("pages", page)
        assert old_id is not None
        owner = self._id(row, kind, old_id)
        if old_id not in self.new[kind]:
            self.report.already_there["revisions"] += 1
            return
        revision = Revision(
            title=row.text("title"),
            slug=row.text("slug"),
            body=self._with_moved_pictures(row.text("body", "")),
            excerpt=row.text("excerpt", ""),
            hashtags=row.text("hashtags", ""),
            created_at=row.time("created_at"),
            author=self._user(row, "author"),
        )
        if kind == "posts":
            revision.post_id = owner
        else:
            revision.page_id = owner
        revision.clean_fields(exclude=["post", "page", "author"])
        revision.save()
        self.report.created["revisions"] += 1

    def _id(self, row: Row, kind: str, old_id: int) -> int:
        if old_id not in self.ids[kind]:
            row.fail(f"{kind[:-1]} {old_id} is not in {kind}.jsonl")
        return self.ids[kind][old_id]

    # Comments and old addresses

    def _comments(self) -> None:
        waiting: dict[int, list[Row]] = {}  # replies to comments not read yet
        for row in self.rows("comments"):
            with _about(row):
                parent = row.optional_integer("parent")
                if parent is not None and parent not in self.comments:
                    waiting.setdefault(parent, []).append(row)
                    continue
                ready = [row]
                while ready:
                    ready_row = ready.pop()
                    with _about(ready_row):
                        old_id = self._comment(ready_row)
                    ready += waiting.pop(old_id, [])
        for parent, replies in waiting.items():
            replies[0].fail(f"replies to comment {parent}, which is not in the export")

    def _comment(self, row: Row) -> int:
        old_id = row.integer("id")
        created_at = row.time("created_at")
        own_ref = row.optional_text("import_ref")
        ref = own_ref or f"gazette:comment-{old_id}"
        found = Comment.objects.filter(import_ref=ref).values_list("pk", flat=True)
        if not found and own_ref is None:
            found = Comment.objects.filter(
                pk=old_id, import_ref__isnull=True, created_at=created_at
            ).values_list("pk", flat=True)
        if found:
            self.comments[old_id] = found[0]
            self.report.already_there["comments"] += 1
            return old_id
        parent = row.optional_integer("parent")
        draft = CommentDraft(
            name=row.text("author_name"),
            body=row.text("body"),
            email=row.text("author_email", ""),
            url=row.text("author_url", ""),
            parent_id=self.comments[parent] if parent is not None else None,
            user=self._user(row, "user"),
            ip=row.optional_text("ip_address"),
            user_agent=row.text("user_agent", ""),
            wants_replies=row.flag("wants_reply_notifications", False),
            status=row.choice("status", Comment.Status.values),
            created_at=created_at,
            import_ref=ref,
            source_url=row.text("source_url", ""),
            avatar_url=row.text("avatar_url", ""),
        )
        comment = receive_comment(self._post(row), draft, Source.IMPORT)
        # Where it first came in (the fediverse, a webmention...) says more
        # than "import" when a Gazette blog moves.
        known = [*Comment.Source.values, ""]
        comment.source = row.choice("source", known, Source.IMPORT)
        # What the intake does not take from an import.
        comment.wants_reply_notifications = draft.wants_replies
        comment.spam_score = row.optional_number("spam_score")
        comment.spam_reasons = row.data.get("spam_reasons") or []
        if not isinstance(comment.spam_reasons, list):
            row.fail('"spam_reasons" must be a list')
        comment.reply_notified_at = row.optional_time("reply_notified_at")
        comment.save(
            update_fields=[
                "wants_reply_notifications",
                "spam_score",
                "spam_reasons",
                "reply_notified_at",
                "source",
            ]
        )
        label = row.choice("trained_as", Comment.Label.values, "")
        if label:
            # The classifier's memory stays with the old blog; teaching it what
            # that comment taught there rebuilds it here.
            spam.teach(comment, label)
        self.comments[old_id] = comment.pk
        self.report.created["comments"] += 1
        return old_id

    def _post(self, row: Row) -> Post:
        pk = self._id(row, "posts", row.integer("post"))
        if pk not in self._posts:
            self._posts[pk] = Post.objects.only("pk", "author_id").get(pk=pk)
        return self._posts[pk]

    def _old_addresses(self) -> None:
        for row in self.rows("old_addresses"):
            with _about(row):
                self._old_address(row)

    def _old_address(self, row: Row) -> None:
        path = row.text("path")
        if OldAddress.objects.filter(path=path).exists():
            self.report.already_there["old addresses"] += 1
            return
        post, page = row.optional_integer("post"), row.optional_integer("page")
        fragment = row.text("fragment", "")
        match = _COMMENT_FRAGMENT.fullmatch(fragment)
        if match and int(match[1]) in self.comments:
            fragment = f"comment-{self.comments[int(match[1])]}"
        address = OldAddress(
            path=path,
            target=row.text("target", ""),
            fragment=fragment,
            created_at=row.optional_time("created_at") or timezone.now(),
        )
        if post is not None:
            address.post_id = self._id(row, "posts", post)
        elif page is not None:
            address.page_id = self._id(row, "pages", page)
        elif not address.target:
            row.fail('an old address leads to a "post", a "page" or a "target"')
        # As it was stored (already decoded): remember_old_address would decode
        # it again.
        address.clean_fields(exclude=["post", "page"])
        address.save()
        self.report.created["old addresses"] += 1


def _sha256(source: Any) -> str:
    """The SHA-256 of a path or an open binary file."""
    digest = hashlib.sha256()
    if isinstance(source, Path):
        with source.open("rb") as stream:
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                digest.update(chunk)
    else:
        for chunk in iter(lambda: source.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_picture(path: Path, row: Row) -> tuple[int, int]:
    """The picture's size, once it is one of a kind and size the library takes.
    Not re-encoded: it was cleaned when it was first uploaded."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(path, formats=list(ALLOWED_FORMATS)) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    row.fail(f"{path.name} has more pixels than the library takes")
                probe.verify()
                return probe.size
    except ImportFailed:
        raise
    except (
        UnidentifiedImageError,
        PILImage.DecompressionBombError,
        PILImage.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
        IndexError,
        TypeError,
    ):
        row.fail(f"{path.name} is not a JPEG, PNG, WebP or GIF picture")
