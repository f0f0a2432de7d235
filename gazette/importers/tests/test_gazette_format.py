"""Gazette's own export format: a blog written out and read back, field by field."""

import hashlib
import json
import tempfile
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import models
from django.utils import timezone

from gazette.comments import spam
from gazette.comments.models import Comment, SpamToken
from gazette.demo.pictures import hills_at_dawn
from gazette.images.models import Image
from gazette.images.storing import add_image
from gazette.importers.models import ImportedAuthor
from gazette.posts.models import Hashtag, OldAddress, Page, Post, Revision
from gazette.posts.writing import (
    remember_old_address,
    remember_old_redirect,
    trash,
    write_entry,
)
from gazette.site import roles
from gazette.site.models import CommentPolicy, SiteSettings
from gazette.site.writing import write_site_settings
from gazette.test import BaseTestCase, add_comment, committed

CAST = ("alice", "bob", "carol", "dave")


def fields(row: models.Model, *, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every stored field of `row` but its id and what `leave_out` names."""
    return {
        f.attname: getattr(row, f.attname)
        for f in row._meta.concrete_fields
        if not f.primary_key and f.attname not in leave_out
    }


def ref(row, kind: str) -> str:
    """How an import finds a row again: its import_ref, or the one it gets."""
    return row.import_ref or f"gazette:{kind}-{row.pk}"


def slug_of(slugs: dict[int, str], pk: int | None) -> str | None:
    return slugs[pk] if pk is not None else None


def username(user_id: int | None) -> str | None:
    if user_id is None:
        return None
    return get_user_model().objects.get(pk=user_id).username


def snapshot() -> dict[str, Any]:
    """The blog as the export carries it, with rows keyed by what an import finds
    them by and references by those keys instead of database ids."""
    posts = {p.pk: p.slug for p in Post.objects.all()}
    pages = {p.pk: p.slug for p in Page.objects.all()}
    comment_keys = {c.pk: ref(c, "comment") for c in Comment.objects.all()}

    def entry(row, kind: str, **more) -> dict[str, Any]:
        found = fields(row, leave_out=("preview_token", "author_id"))
        return found | {"import_ref": ref(row, kind)} | more

    def with_comment_key(fragment: str) -> str:
        if fragment.startswith("comment-"):
            return comment_keys[int(fragment.removeprefix("comment-"))]
        return fragment

    User = get_user_model()
    authors = {}
    for user in User.objects.exclude(username__in=CAST):
        authors[user.username] = fields(
            user, leave_out=("password", "last_login", "is_staff", "is_superuser")
        ) | {"groups": sorted(g.name for g in user.groups.all())}
    images = {}
    for image in Image.objects.all():
        with default_storage.open(str(image.file.name), "rb") as stored:
            digest = hashlib.sha256(stored.read()).hexdigest()
        images[ref(image, "image")] = fields(
            image, leave_out=("renditions", "uploaded_by_id", "import_ref")
        ) | {
            "file": image.file.name,
            "sha256": digest,
            "renditions": sorted((r["width"], r["format"]) for r in image.renditions),
            "uploaded_by": username(image.uploaded_by_id),
        }
    return {
        "settings": fields(SiteSettings.objects.get(pk=1)),
        "authors": authors,
        "hashtags": {h.key: fields(h) for h in Hashtag.objects.all()},
        "images": images,
        "posts": {
            p.slug: entry(
                p,
                "post",
                author=p.author.username,
                hashtags=sorted(h.name for h in p.hashtags.all()),
            )
            for p in Post.objects.all()
        },
        "pages": {p.slug: entry(p, "page") for p in Page.objects.all()},
        "revisions": sorted(
            (
                fields(r, leave_out=("post_id", "page_id", "author_id"))
                | {
                    "post": slug_of(posts, r.post_id),
                    "page": slug_of(pages, r.page_id),
                    "author": username(r.author_id),
                }
                for r in Revision.objects.all()
            ),
            key=repr,
        ),
        "comments": {
            comment_keys[c.pk]: fields(
                c, leave_out=("post_id", "parent_id", "user_id", "import_ref")
            )
            | {
                "post": posts[c.post_id],
                "parent": comment_keys.get(c.parent_id) if c.parent_id else None,
                "user": username(c.user_id),
            }
            for c in Comment.objects.all()
        },
        "old_addresses": {
            a.path: fields(a, leave_out=("post_id", "page_id", "fragment"))
            | {
                "post": slug_of(posts, a.post_id),
                "page": slug_of(pages, a.page_id),
                "fragment": with_comment_key(a.fragment),
            }
            for a in OldAddress.objects.all()
        },
        "spam_tokens": {
            token: (spam_count, ham_count)
            for token, spam_count, ham_count in SpamToken.objects.values_list(
                "token", "spam_count", "ham_count"
            )
        },
    }


def export_to(folder: Path) -> str:
    out = StringIO()
    call_command("export", str(folder), stdout=out)
    return out.getvalue()


def import_from(folder: Path, *options: str) -> str:
    out = StringIO()
    with committed():
        call_command("import_gazette", str(folder), *options, stdout=out)
    return out.getvalue()


class GazetteFormatTest(BaseTestCase):
    def setUp(self):
        super().setUp()
        temp = tempfile.TemporaryDirectory()
        self.addCleanup(temp.cleanup)
        self.folder = Path(temp.name) / "export"
        with committed():
            self.build_blog()
        self.before = snapshot()

    def build_blog(self) -> None:
        """A small blog written through the desk's own functions."""
        User = get_user_model()
        now = timezone.now()
        site = SiteSettings.load()
        site.title, site.description = "Ridge Notes", "Walks and weather."
        site.time_zone, site.language = "Europe/Lisbon", "pt"
        site.comment_policy = CommentPolicy.HOLD_ALL
        site.close_comments_after_days, site.spam_hold_threshold = 90, 0.4
        site.feed_full_content = False
        write_site_settings(site)

        erin = User.objects.create_user(
            "erin", "erin@example.org", "secret-erin", first_name="Erin", last_name="Ek"
        )
        erin.groups.add(Group.objects.get(name=roles.AUTHORS))
        frank = User.objects.create_user("frank", "frank@example.org", "secret-frank")
        frank.groups.add(Group.objects.get(name=roles.CONTRIBUTORS))
        frank.is_active = False
        frank.save()

        image = add_image(
            ContentFile(hills_at_dawn(600, 360), name="ridge.jpg"),
            alt_text="Hills at dawn",
            caption="First light on the ridge",
            credit="Alice Ames",
            uploaded_by=self.alice,
        )
        walk = Post(
            title="Up the ridge",
            slug="up-the-ridge",
            body=f"Cold start. #NightSky\n\n{image.markdown()}\n",
            status=Post.Status.PUBLISHED,
            published_at=now - timedelta(days=3),
            author=self.alice,
            excerpt="A cold walk.",
        )
        write_entry(walk, ["Walks"], author=self.alice)
        walk.body += "\nAnd a warm descent."
        write_entry(walk, author=self.bob)
        walk.slug = "up-the-ridge-at-dawn"  # renamed: the old address stays
        write_entry(walk, author=self.alice)
        self.walk = walk

        pier = Post(
            title="The old pier",
            slug="old-pier",
            body="<p>Spring <b>tide</b>.</p>",
            body_format=Post.BodyFormat.HTML,
            status=Post.Status.PUBLISHED,
            published_at=now - timedelta(days=400),
            author=self.alice,
            import_ref="blogger:post-101",
            comment_policy=CommentPolicy.CLOSED,
        )
        write_entry(pier, ["Harbour Life"], keep_revision=False)
        draft = Post(title="Half written", slug="half", body="Not yet.", author=erin)
        write_entry(draft, author=erin)
        later = Post(
            title="Tomorrow's walk",
            slug="tomorrow",
            body="Soon.",
            status=Post.Status.PUBLISHED,
            published_at=now + timedelta(days=2),
            author=erin,
        )
        write_entry(later, ["Walks"], author=erin)
        gone = Post(
            title="Regretted",
            slug="regretted",
            body="Oops.",
            status=Post.Status.PUBLISHED,
            published_at=now - timedelta(days=10),
            author=self.alice,
        )
        write_entry(gone)
        trash(gone)

        about = Page(
            title="About",
            slug="about",
            body="Who writes here.",
            status=Page.Status.PUBLISHED,
            position=1,
        )
        write_entry(about, author=self.alice)
        colophon = Page(title="Colophon", slug="colophon", body="Tools.", position=2)
        write_entry(colophon, author=frank)

        first = add_comment(
            walk,
            "Dana",
            "Lovely **light**.",
            author_email="dana@example.net",
            author_url="https://dana.example.net/",
            ip_address="203.0.113.9",
            wants_reply_notifications=True,
            created_at=now - timedelta(days=2),
        )
        reply = add_comment(
            walk,
            "Carol",
            "Agreed.",
            parent=first,
            user=self.carol,
            created_at=now - timedelta(days=2, hours=-1),
            reply_notified_at=now - timedelta(days=1),
            user_agent="Pocket browser 1.0",
        )
        add_comment(walk, "Dana", "Thanks!", parent=reply, status="held")
        junk = add_comment(
            walk,
            "Buy watches",
            "Cheap watches here.",
            status="spam",
            spam_score=0.97,
            spam_reasons=["Links to a blocked domain", "Classifier: 0.97"],
        )
        spam.teach(junk, Comment.Label.SPAM)
        spam.teach(first, Comment.Label.HAM)
        add_comment(walk, "Eve", "Off topic.", status="trash")
        add_comment(pier, "Jory", "Same lamp posts.", author_email="j@example.net")
        add_comment(
            pier,
            "Kit",
            "Seen from the ferry.",
            source="federation",
            source_url="https://ferry.example/@kit/1",
            # Private: the importing blog's fetch of it is refused at once.
            avatar_url="http://10.0.0.7/kit.png",
        )
        self.first = first

        remember_old_address("/2019/03/up-the-ridge.html", walk)
        remember_old_address(
            "/2019/03/up-the-ridge.html?showComment=155", walk, f"comment-{first.pk}"
        )
        remember_old_address("/p/about.html", about)
        remember_old_redirect("/search/label/Walks", "/hashtag/Walks/")

    def wipe(self) -> None:
        """Back to an empty blog (the cast's accounts stay), files included."""
        for image in Image.objects.all():
            default_storage.delete(str(image.file.name))
            for rendition in image.renditions:
                default_storage.delete(rendition["name"])
        for model in (Comment, Revision, OldAddress, Post, Page, Hashtag, Image):
            model.objects.all().delete()
        SpamToken.objects.all().delete()
        ImportedAuthor.objects.all().delete()
        get_user_model().objects.exclude(username__in=CAST).delete()
        with committed():
            write_site_settings(SiteSettings(pk=1))
        self.assertNotEqual(snapshot()["posts"], self.before["posts"])

    def files_text(self) -> str:
        return "\n".join(
            path.read_text(encoding="utf-8")
            for path in sorted(self.folder.iterdir())
            if path.is_file()
        )

    def test_the_export_holds_every_file_and_the_manifest_counts_them(self):
        report = export_to(self.folder)
        self.assertIn("5 posts, ", report)
        manifest = json.loads((self.folder / "manifest.json").read_text())
        self.assertEqual(manifest["format"], "gazette-export")
        self.assertEqual(manifest["version"], 1)
        self.assertTrue(manifest["exported_at"].endswith("Z"))
        self.assertEqual(
            manifest["counts"],
            {
                "settings": 1,
                "authors": 5,  # alice, bob, carol, erin, frank; not dave
                "hashtags": 3,
                "images": 1,
                "pages": 2,
                "posts": 5,
                "revisions": 8,
                "comments": 7,
                "old_addresses": 5,
            },
        )
        for name, count in manifest["counts"].items():
            lines = (self.folder / f"{name}.jsonl").read_text().splitlines()
            self.assertEqual(len(lines), count, name)
        image = json.loads((self.folder / "images.jsonl").read_text())
        original = self.folder / image["path"]
        self.assertEqual(
            hashlib.sha256(original.read_bytes()).hexdigest(), image["sha256"]
        )
        self.assertFalse((self.folder / "media/images/renditions").exists())
        frank = next(
            json.loads(line)
            for line in (self.folder / "authors.jsonl").read_text().splitlines()
            if '"frank"' in line
        )
        self.assertEqual((frank["is_active"], frank["role"]), (False, "contributor"))
        posts = [
            json.loads(line)
            for line in (self.folder / "posts.jsonl").read_text().splitlines()
        ]
        walk = next(p for p in posts if p["slug"] == "up-the-ridge-at-dawn")
        self.assertEqual(walk["hashtags"], ["NightSky", "Walks"])
        self.assertEqual(walk["author"], "alice")
        self.assertRegex(walk["published_at"], r"^\d{4}-\d\d-\d\dT[\d:.]+Z$")

    def test_the_export_never_holds_a_password_or_its_hash(self):
        export_to(self.folder)
        text = self.files_text()
        for user in get_user_model().objects.all():
            self.assertNotIn(user.password, text)
        for marker in ("password", "md5$", "pbkdf2", "argon2", "secret-erin"):
            self.assertNotIn(marker, text)

    def test_a_wiped_blog_gets_everything_back_field_by_field(self):
        export_to(self.folder)
        self.wipe()
        report = import_from(self.folder)
        self.assertIn(
            "Imported from gazette: 5 posts, 2 pages, 8 revisions, 7 comments, "
            "3 hashtags, 2 authors, 1 images, 5 old addresses.",
            report,
        )
        self.assertIn("Already here from an earlier import: 3 authors.", report)
        after = snapshot()
        for kind, rows in self.before.items():
            with self.subTest(kind=kind):
                self.assertEqual(after[kind], rows)
        # The readers' side follows: the renamed post's old addresses, the
        # comment's place in it, the scheduled post still hidden.
        walk = Post.objects.get(slug="up-the-ridge-at-dawn")
        first = Comment.objects.get(import_ref=f"gazette:comment-{self.first.pk}")
        response = self.client.get("/2019/03/up-the-ridge.html?showComment=155")
        self.assertEqual(response.status_code, 301)
        self.assertEqual(
            response["Location"], f"{walk.get_absolute_url()}#comment-{first.pk}"
        )
        page = self.client.get(walk.get_absolute_url())
        self.assertContains(page, "Lovely <strong>light</strong>")
        self.assertContains(page, 'alt="Hills at dawn"')
        self.assertFalse(Post.objects.get(slug="tomorrow").is_visible)
        frank = get_user_model().objects.get(username="frank")
        self.assertFalse(frank.has_usable_password())

    def test_importing_twice_or_into_the_blog_it_came_from_changes_nothing(self):
        export_to(self.folder)
        again = import_from(self.folder)  # into the very blog that wrote it
        self.assertIn("Imported from gazette: 0 posts, 0 pages, 0 revisions", again)
        self.assertIn(
            "Already here from an earlier import: 5 authors, 1 images, 2 pages, "
            "5 posts, 8 revisions, 7 comments, 5 old addresses.",
            again,
        )
        self.assertEqual(snapshot(), self.before)
        self.wipe()
        import_from(self.folder)
        once = snapshot()
        twice = import_from(self.folder)
        self.assertIn("0 posts, 0 pages, 0 revisions, 0 comments, 0 hashtags", twice)
        self.assertIn("The blog's settings were already the export's.", twice)
        self.assertEqual(snapshot(), once)

    def test_an_unknown_version_is_refused_and_nothing_changes(self):
        export_to(self.folder)
        manifest_path = self.folder / "manifest.json"
        manifest = json.loads(manifest_path.read_text())
        manifest["version"] = 99
        manifest_path.write_text(json.dumps(manifest))
        self.wipe()
        empty = snapshot()
        with self.assertRaisesMessage(
            CommandError, "version 99 of the Gazette export format"
        ):
            import_from(self.folder)
        self.assertEqual(snapshot(), empty)

    def test_an_export_cut_short_is_refused_and_nothing_changes(self):
        export_to(self.folder)
        comments = self.folder / "comments.jsonl"
        comments.write_text("".join(comments.read_text().splitlines(True)[:-1]))
        self.wipe()
        empty = snapshot()
        renditions = default_storage.listdir("images/renditions")[1]
        with self.assertRaisesMessage(
            CommandError, "comments.jsonl: holds 6 rows where the manifest counts 7"
        ):
            import_from(self.folder)
        self.assertEqual(snapshot(), empty)
        # The files written before the refusal are gone again.
        self.assertFalse(default_storage.exists(self.before_image_name()))
        self.assertEqual(default_storage.listdir("images/renditions")[1], renditions)

    def test_a_folder_that_is_not_an_export_is_refused(self):
        self.folder.mkdir()
        with self.assertRaisesMessage(CommandError, "has no manifest.json"):
            import_from(self.folder)
        (self.folder / "manifest.json").write_text('{"format": "wxr", "version": 1}')
        with self.assertRaisesMessage(CommandError, "not a Gazette export"):
            import_from(self.folder)

    def test_a_dry_run_reports_and_writes_nothing(self):
        export_to(self.folder)
        self.wipe()
        empty = snapshot()
        out = import_from(self.folder, "--dry-run")
        self.assertIn("Would import from gazette: 5 posts, 2 pages, 8 revisions", out)
        self.assertEqual(snapshot(), empty)
        self.assertFalse(default_storage.exists(self.before_image_name()))

    def test_a_picture_whose_name_is_taken_here_takes_another_and_posts_follow(self):
        export_to(self.folder)
        name = self.before_image_name()
        self.wipe()
        default_storage.save(name, ContentFile(b"someone else's file"))
        self.addCleanup(default_storage.delete, name)
        out = import_from(self.folder)
        self.assertIn(f"Repaired: {name}: the name is taken here", out)
        image = Image.objects.get()
        self.assertNotEqual(image.file.name, name)
        walk = Post.objects.get(slug="up-the-ridge-at-dawn")
        self.assertIn(image.file.url, walk.body)
        self.assertIn(image.file.url, walk.body_html)

    def test_the_export_refuses_a_folder_with_something_in_it(self):
        self.folder.mkdir()
        (self.folder / "notes.txt").write_text("mine")
        with self.assertRaisesMessage(CommandError, "is not an empty folder"):
            export_to(self.folder)

    def before_image_name(self) -> str:
        (image,) = self.before["images"].values()
        return image["file"]

    def tearDown(self):
        for image in Image.objects.all():
            for rendition in image.renditions:
                default_storage.delete(rendition["name"])
            default_storage.delete(str(image.file.name))
        super().tearDown()
