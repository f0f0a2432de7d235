"""Writing the blog as a WordPress export (WXR 1.2): read back by Gazette's own
WordPress reader, imported into an emptied blog, and parsed strictly."""

import re
import tempfile
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone
from lxml import etree

from gazette.comments.models import Comment
from gazette.importers.models import ImportedAuthor
from gazette.importers.wordpress.parse import parse
from gazette.posts.models import Hashtag, OldAddress, Page, Post, Revision
from gazette.posts.writing import trash, write_entry
from gazette.site.models import CommentPolicy, SiteSettings
from gazette.site.writing import write_site_settings
from gazette.test import BaseTestCase, add_comment, committed

WP = "{http://wordpress.org/export/1.2/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
ODD_BODY = (
    "Tides ]]> turn; a vertical tab \x0b, a non-character \ufffe, "
    "a line separator \u2028, waves 🌊 and <b>bold</b> & more."
)
# Closed to comments: by their own policy, or older than the blog keeps them open.
CLOSED = ("old-pier", "planned", "tides")


def export_wxr_to(path: Path, *options: str) -> str:
    out = StringIO()
    call_command("export", "--wxr", str(path), *options, stdout=out)
    return out.getvalue()


def strict(path: Path) -> etree._ElementTree:
    """The file through a parser that forgives nothing and fetches nothing."""
    parser = etree.XMLParser(recover=False, resolve_entities=False, no_network=True)
    return etree.parse(str(path), parser)


def text(element: etree._Element, path: str) -> str:
    """The text at `path` under `element`; "" when there is none."""
    return element.findtext(path) or ""


def second(when: datetime | None) -> datetime | None:
    """WordPress keeps times to the second."""
    return when.replace(microsecond=0) if when else None


def entries() -> dict[str, dict[str, Any]]:
    """Posts and pages by slug, as both formats carry them."""
    found: dict[str, dict[str, Any]] = {}
    for post in Post.objects.select_related("author"):
        found[post.slug] = {
            "kind": "post",
            "title": post.title,
            "status": post.status,
            "published_at": second(post.published_at),
            "trashed": post.trashed_at is not None,
            "hashtags": sorted(h.name for h in post.hashtags.all()),
            "excerpt": post.excerpt,
            "comments_closed": post.comment_policy == CommentPolicy.CLOSED,
            "author": (post.author.get_full_name(), post.author.email),
        }
    for page in Page.objects.all():
        found[page.slug] = {
            "kind": "page",
            "title": page.title,
            "status": page.status,
            "published_at": second(page.published_at),
            "trashed": page.trashed_at is not None,
        }
    return found


def comments(key) -> dict[int, dict[str, Any]]:
    """Comments by `key(comment)`, their parents by the same key."""
    rows = Comment.objects.select_related("post", "parent")
    return {
        key(c): {
            "post": c.post.slug,
            "parent": key(c.parent) if c.parent else None,
            "author_name": c.author_name,
            "author_email": c.author_email,
            "author_url": c.author_url,
            "ip_address": c.ip_address,
            "body": c.body,
            "status": c.status,
            "created_at": second(c.created_at),
        }
        for c in rows
    }


class WxrExportTest(BaseTestCase):
    def setUp(self):
        super().setUp()
        temp = tempfile.TemporaryDirectory()
        self.addCleanup(temp.cleanup)
        self.path = Path(temp.name) / "blog.xml"
        with committed():
            self.build_blog()

    def build_blog(self) -> None:
        """A small blog written through the desk's own functions."""
        now = timezone.now()
        self.walked = (now - timedelta(days=3)).replace(hour=6, minute=30, second=15)
        site = SiteSettings.load()
        site.title, site.description = "Ridge & Notes", "Walks <and> weather."
        site.time_zone, site.language = "Asia/Kolkata", "pt"
        site.comment_policy = CommentPolicy.OPEN
        site.close_comments_after_days = 300
        write_site_settings(site)
        erin = get_user_model().objects.create_user(
            "erin", "erin@example.org", first_name="Erin", last_name="Ek"
        )

        def post(title, slug, hashtags=(), **fields) -> Post:
            fields.setdefault("author", self.alice)
            fields.setdefault("body", f"About {title}.")
            entry = Post(title=title, slug=slug, **fields)
            return write_entry(entry, list(hashtags), author=fields["author"])

        self.walk = post(
            "Up the ridge",
            "up-the-ridge",
            ["Walks", "Ça va?"],
            body="Cold start. #NightSky\n\nA warm descent.",
            status=Post.Status.PUBLISHED,
            published_at=self.walked,
            excerpt="A cold walk.",
        )
        self.pier = post(  # older than 300 days: closed by the blog's rule
            "The old pier",
            "old-pier",
            ["C++ & knots"],
            status=Post.Status.PUBLISHED,
            published_at=now - timedelta(days=400),
        )
        post("Half written", "half", author=erin)  # a draft with no time
        post(
            "Planned draft",
            "planned",
            published_at=datetime(2024, 1, 10, 8, 0, tzinfo=UTC),
        )
        post(
            "Tomorrow's walk",
            "tomorrow",
            ["Walks"],
            status=Post.Status.PUBLISHED,
            published_at=now + timedelta(days=2),
        )
        gone = post(
            "Regretted",
            "regretted",
            status=Post.Status.PUBLISHED,
            published_at=now - timedelta(days=10),
        )
        trash(gone)
        self.odd = post(
            "Tides & <Times>",
            "tides",
            status=Post.Status.PUBLISHED,
            published_at=now - timedelta(days=1),
            comment_policy=CommentPolicy.CLOSED,
            body=ODD_BODY,
            body_format=Post.BodyFormat.HTML,
        )
        about = Page(
            title="About",
            slug="about",
            body="Who writes here.",
            status=Page.Status.PUBLISHED,
            published_at=datetime(2020, 2, 2, 12, 0, tzinfo=UTC),
            position=1,
        )
        write_entry(about, author=self.dave)
        write_entry(Page(title="Colophon", slug="colophon", body="Tools."))

        walk = self.walk
        first = add_comment(
            walk,
            "Dana",
            "Lovely **light**.",
            author_email="dana@example.net",
            author_url="https://dana.example.net/",
            ip_address="203.0.113.9",
            created_at=now - timedelta(days=2),
        )
        reply = add_comment(
            walk,
            "Carol",
            "Agreed.",
            parent=first,
            user=self.carol,
            created_at=now - timedelta(days=2, hours=-1),
        )
        add_comment(walk, "Dana", "Thanks!", parent=reply, status="held")
        add_comment(walk, "Buy watches", "Cheap watches.", status="spam")
        add_comment(walk, "Eve", "Off topic.", status="trash")
        add_comment(self.pier, "Jory & Sons", "Same lamp posts.", ip_address="::1")

    def wipe(self) -> None:
        """Back to an empty blog (the cast's accounts stay)."""
        for model in (Comment, Revision, OldAddress, Post, Page, Hashtag):
            model.objects.all().delete()
        ImportedAuthor.objects.all().delete()
        get_user_model().objects.filter(username="erin").delete()
        with committed():
            write_site_settings(SiteSettings(pk=1))

    def test_the_command_reports_what_the_file_holds(self):
        report = export_wxr_to(self.path, "--site-url", "https://ridge.example.org/")
        self.assertIn(
            f"Exported to {self.path} (WordPress WXR 1.2): 3 authors, 4 hashtags, "
            "7 posts, 2 pages, 6 comments.",
            report,
        )
        channel = strict(self.path).getroot().find("channel")
        assert channel is not None
        self.assertEqual(text(channel, f"{WP}wxr_version"), "1.2")
        self.assertEqual(text(channel, "title"), "Ridge &amp; Notes")
        self.assertEqual(text(channel, "link"), "https://ridge.example.org")
        self.assertEqual(text(channel, "language"), "pt")
        logins = [text(a, f"{WP}author_login") for a in channel.iter(f"{WP}author")]
        # Who wrote posts, and who wrote a page; not bob, nor carol who commented.
        self.assertEqual(sorted(logins), ["alice", "dave", "erin"])
        items = {text(i, f"{WP}post_name"): i for i in channel.iter("item")}
        walk = items["up-the-ridge"]
        self.assertEqual(
            text(walk, "link"),
            "https://ridge.example.org" + self.walk.get_absolute_url(),
        )
        # The blog's time (Kolkata: UTC+05:30), UTC, and RSS's time.
        day = f"{self.walked:%Y-%m-%d}"
        self.assertEqual(text(walk, f"{WP}post_date"), f"{day} 12:00:15")
        self.assertEqual(text(walk, f"{WP}post_date_gmt"), f"{day} 06:30:15")
        self.assertEqual(
            text(walk, "pubDate"), f"{self.walked:%a, %d %b %Y} 06:30:15 +0000"
        )
        self.assertIn(
            '<a href="https://ridge.example.org/hashtag/NightSky/"',
            text(walk, CONTENT),
        )
        self.assertEqual(
            {
                c.get("nicename"): c.text
                for c in walk.iter("category")
                if c.get("domain") == "post_tag"
            },
            {"walks": "Walks", "ca-va": "Ça va?", "nightsky": "NightSky"},
        )
        self.assertEqual(
            {name: text(i, f"{WP}status") for name, i in items.items()},
            {
                "up-the-ridge": "publish",
                "old-pier": "publish",
                "half": "draft",
                "planned": "draft",
                "tomorrow": "future",
                "regretted": "trash",
                "tides": "publish",
                "about": "publish",
                "colophon": "draft",
            },
        )
        self.assertEqual(
            {name: text(i, f"{WP}comment_status") for name, i in items.items()},
            {
                "up-the-ridge": "open",
                "old-pier": "closed",  # older than the blog keeps comments open
                "half": "open",
                "planned": "closed",
                "tomorrow": "open",
                "regretted": "open",
                "tides": "closed",  # its own policy
                "about": "closed",  # pages take no comments
                "colophon": "closed",
            },
        )
        meta = {
            text(m, f"{WP}meta_key"): text(m, f"{WP}meta_value")
            for m in items["regretted"].iter(f"{WP}postmeta")
        }
        self.assertEqual(meta["_wp_trash_meta_status"], "publish")
        # Posts and pages share WordPress's ids: no page takes a post's.
        post_ids = {
            int(text(i, f"{WP}post_id"))
            for i in items.values()
            if text(i, f"{WP}post_type") == "post"
        }
        page_ids = {
            int(text(i, f"{WP}post_id"))
            for i in items.values()
            if text(i, f"{WP}post_type") == "page"
        }
        self.assertEqual(len(post_ids | page_ids), 9)
        self.assertGreater(min(page_ids), max(post_ids))

    def test_the_wordpress_reader_reads_back_what_was_written(self):
        export_wxr_to(self.path, "--site-url", "https://ridge.example.org")
        backup = parse(self.path)
        self.assertEqual(backup.title, "Ridge & Notes")
        self.assertEqual(backup.description, "Walks <and> weather.")
        self.assertEqual(backup.repaired, [])
        self.assertEqual(backup.skipped, [])
        self.assertEqual(
            {a.ref: (a.name, a.email) for a in backup.authors.values()},
            {
                "wordpress:author-alice": ("Alice Ames", "alice@example.org"),
                "wordpress:author-dave": ("dave", "dave@example.org"),
                "wordpress:author-erin": ("Erin Ek", "erin@example.org"),
            },
        )
        status = {"draft": "draft", "scheduled": "published", "published": "published"}
        expected = {
            slug: {
                "kind": row["kind"],
                "title": row["title"],
                "status": "trashed" if row["trashed"] else status[row["status"]],
                "published_at": row["published_at"],
            }
            | (
                {
                    "hashtags": row["hashtags"],
                    "excerpt": row["excerpt"],
                    "comments_closed": slug in CLOSED,
                    "author_ref": "wordpress:author-"
                    + ("erin" if slug == "half" else "alice"),
                }
                if row["kind"] == "post"
                else {}
            )
            for slug, row in entries().items()
        }
        read = {
            record.slug: {
                "kind": record.kind,
                "title": record.title,
                "status": record.status,
                "published_at": record.published_at,
            }
            | (
                {
                    "hashtags": sorted(record.hashtags),
                    "excerpt": record.excerpt,
                    "comments_closed": record.comments_closed,
                    "author_ref": record.author_ref,
                }
                if record.kind == "post"
                else {}
            )
            for record in backup.entries
        }
        self.assertEqual(read, expected)
        refs = {r.slug: r.ref for r in backup.entries}
        self.assertEqual(refs["up-the-ridge"], f"wordpress:post-{self.walk.pk}")

        by_ref = {f"wordpress:post-{p.pk}": p.slug for p in Post.objects.all()}
        read_comments = {
            int(c.ref.removeprefix("wordpress:comment-")): {
                "post": by_ref[c.entry_ref],
                "parent": (
                    int(c.parent_ref.removeprefix("wordpress:comment-"))
                    if c.parent_ref
                    else None
                ),
                "author_name": c.name,
                "author_email": c.email,
                "author_url": c.url,
                "ip_address": c.ip,
                "body": c.body,
                "status": c.status,
                "created_at": c.created_at,
            }
            for c in backup.comments
        }
        self.assertEqual(read_comments, comments(lambda c: c.pk))

    def test_an_emptied_blog_gets_its_posts_pages_and_comments_back(self):
        export_wxr_to(self.path, "--site-url", "https://ridge.example.org")
        before_entries = entries()
        before_comments = comments(lambda c: c.pk)
        before_bodies = {p.slug: p.body_html for p in Post.objects.all()}
        self.wipe()
        out = StringIO()
        with committed():
            call_command("import_wordpress", str(self.path), stdout=out)
        self.assertIn(
            "Imported from wordpress: 7 posts, 2 pages, 6 comments, 4 hashtags, "
            "3 authors",
            out.getvalue(),
        )
        site = SiteSettings.load()
        self.assertEqual(
            (site.title, site.description), ("Ridge & Notes", "Walks <and> weather.")
        )
        after = entries()
        for slug, row in before_entries.items():
            with self.subTest(slug=slug):
                # The file says "open" or "closed", and closed is what comes back.
                if row["kind"] == "post":
                    row["comments_closed"] = slug in CLOSED
                self.assertEqual(after[slug], row)
        self.assertEqual(after.keys(), before_entries.keys())
        by_old_id = lambda c: int(c.import_ref.removeprefix("wordpress:comment-"))  # noqa: E731
        self.assertEqual(comments(by_old_id), before_comments)
        # Bodies come back as readers saw them, addresses made absolute (an
        # imported body keeps no classes).
        walk = Post.objects.get(slug="up-the-ridge")
        self.assertEqual(
            re.sub(r' class="[^"]*"', "", walk.body_html),
            re.sub(r' class="[^"]*"', "", before_bodies["up-the-ridge"])
            .replace('href="/hashtag/', 'href="https://ridge.example.org/hashtag/')
            .strip(),
        )
        # Bare text gets its paragraph, as WordPress would show it.
        tides = before_bodies["tides"].replace("\x0b", "").replace("\ufffe", "")
        self.assertEqual(Post.objects.get(slug="tides").body_html, f"<p>{tides}</p>")

    def test_the_file_is_well_formed_whatever_the_bodies_hold(self):
        export_wxr_to(self.path)
        items = {text(i, f"{WP}post_name"): i for i in strict(self.path).iter("item")}
        tides = items["tides"]
        self.assertEqual(text(tides, "title"), "Tides &amp; &lt;Times&gt;")
        body = text(tides, CONTENT)
        self.assertIn("Tides ]]&gt; turn", body)
        self.assertIn("\u2028", body)
        self.assertIn("🌊", body)
        self.assertNotIn("\x0b", body)
        self.assertNotIn("\ufffe", body)
        self.assertEqual(
            body, self.odd.body_html.replace("\x0b", "").replace("\ufffe", "")
        )

    def test_a_stored_body_holding_the_end_of_cdata_is_split_and_read_whole(self):
        # The sanitiser writes ">" as "&gt;", but a body stored by an older
        # version, or an import, may hold "]]>" as it is.
        raw = "<p>a ]]> b ]]]]> c]]></p><pre>]]>]]></pre>"
        Post.objects.filter(pk=self.odd.pk).update(body_html=raw)
        export_wxr_to(self.path)
        written = self.path.read_text(encoding="utf-8")
        self.assertIn("<![CDATA[<p>a ]]]]><![CDATA[> b ]]]]]]><![CDATA[>", written)
        items = {text(i, f"{WP}post_name"): i for i in strict(self.path).iter("item")}
        self.assertEqual(text(items["tides"], CONTENT), raw)
        (record,) = [e for e in parse(self.path).entries if e.slug == "tides"]
        self.assertIn("a ]]> b ]]]]> c]]>", record.body)

    def test_an_existing_file_or_a_bad_address_is_refused(self):
        self.path.write_text("mine")
        with self.assertRaisesMessage(CommandError, "already exists"):
            export_wxr_to(self.path)
        self.assertEqual(self.path.read_text(), "mine")
        with self.assertRaisesMessage(CommandError, "is not the blog's address"):
            export_wxr_to(self.path.with_name("new.xml"), "--site-url", "ridge")
        self.assertFalse(self.path.with_name("new.xml").exists())
        self.assertFalse(self.path.with_name("new.xml.partial").exists())

    def test_an_empty_blog_makes_a_file_the_reader_takes(self):
        self.wipe()
        export_wxr_to(self.path)
        backup = parse(self.path)
        self.assertEqual((backup.entries, backup.comments), ([], []))
        self.assertEqual(backup.title, "Gazette")
