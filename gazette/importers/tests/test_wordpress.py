"""Importing WordPress exports (WXR 1.0 to 1.2), their bodies, and every old
address."""

import tempfile
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import SimpleTestCase

from gazette.comments.models import Comment
from gazette.importers.records import Image
from gazette.importers.wordpress.bodies import autop, convert_body, video_player
from gazette.importers.wordpress.parse import parse
from gazette.posts.models import Hashtag, OldAddress, Page, Post
from gazette.site.models import CommentPolicy, SiteSettings
from gazette.test import BaseTestCase, committed

FIXTURES = Path(__file__).parent / "fixtures"


def import_wordpress(name: str | Path, *options: str) -> str:
    out = StringIO()
    with committed():
        call_command("import_wordpress", str(FIXTURES / name), *options, stdout=out)
    return out.getvalue()


class WordPressExportTest(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.report = import_wordpress("wordpress-1.2.xml")
        self.fog = Post.objects.get(import_ref="wordpress:post-10")
        self.spring = Post.objects.get(import_ref="wordpress:post-11")

    def test_it_reports_what_it_imported_and_what_it_changed(self):
        self.assertIn(
            "Imported from wordpress: 7 posts, 1 pages, 8 comments, 5 hashtags, "
            "2 authors, 0 images, 8 old addresses.",
            self.report,
        )
        for line in (
            "Repaired: wordpress:post-15: private on WordPress; imported as a draft",
            "Repaired: wordpress:post-16: pending review on WordPress; imported as a "
            "draft",
            "Repaired: 1 item without a UTC time on WordPress (drafts, usually): "
            "local time read as UTC: wordpress:post-12",
            "Repaired: wordpress:comment-106: replies to a comment not on its post; "
            "kept at the top",
            "Repaired: pingbacks and trackbacks kept as comments in the name of the "
            "site that linked: 1",
            "Skipped: wordpress:post-10: shortcode [tide_table] left as text",
            'Skipped: the default category "Uncategorized", not made a hashtag',
            "Skipped: 2 items of type nav_menu_item (not posts or pages)",
            "Skipped: 1 item of type ferry_route (not posts or pages)",
            "Skipped: 1 item of type wp_block (not posts or pages)",
            "Skipped: 1 comment on attachments and other items that are not posts "
            "or pages",
            "Skipped: 3 pictures keep their old addresses",
        ):
            with self.subTest(line=line):
                self.assertIn(line, self.report)
        self.assertNotIn("[sic]", self.report)

    def test_posts_keep_their_times_author_excerpt_and_comment_setting(self):
        fog = self.fog
        self.assertEqual(fog.body_format, Post.BodyFormat.HTML)
        self.assertEqual(fog.title, "Morning crossing in fog")
        self.assertEqual(fog.slug, "morning-crossing-fog")
        self.assertEqual(fog.published_at, datetime(2019, 3, 24, 8, 30, tzinfo=UTC))
        self.assertEqual(fog.updated_at, datetime(2019, 3, 25, 17, 5, tzinfo=UTC))
        self.assertEqual(fog.excerpt, "A crossing where nobody could see the bow.")
        self.assertEqual(fog.author.get_full_name(), "Inês Marlow")
        self.assertEqual(fog.author.email, "ines@slowferry.example.org")
        self.assertFalse(fog.author.has_usable_password())
        self.assertEqual(fog.comment_policy, "")
        spring = self.spring
        self.assertEqual(spring.title, "Spring timetable & the new gangway")
        self.assertEqual(spring.author.get_full_name(), "Tobek Arran")
        self.assertEqual(spring.comment_policy, CommentPolicy.CLOSED)
        site = SiteSettings.load()
        self.assertEqual(site.title, "The Slow Ferry")
        self.assertEqual(
            site.description, "Crossings, timetables & the people on deck."
        )

    def test_categories_and_tags_become_hashtags_by_their_names(self):
        self.assertEqual(
            sorted(h.name for h in self.fog.hashtags.all()),
            ["C++ & knots", "Deck Life", "Fog Horns", "Ça va?"],
        )
        # One hashtag for both posts' tag; the post format is no hashtag.
        self.assertEqual(
            sorted(h.name for h in self.spring.hashtags.all()),
            ["Fog Horns", "Timetables"],
        )
        self.assertFalse(Hashtag.objects.filter(name__in=["Aside", "Uncategorized"]))
        for name in ("C++ & knots", "Ça va?", "Fog Horns"):
            with self.subTest(name=name):
                page = self.client.get(
                    Hashtag.objects.get(name=name).get_absolute_url()
                )
                self.assertContains(page, "Morning crossing in fog")

    def test_every_wordpress_state_has_its_gazette_one(self):
        draft = Post.objects.get(import_ref="wordpress:post-12")
        self.assertEqual(draft.status, Post.Status.DRAFT)
        self.assertEqual(draft.published_at, datetime(2020, 1, 10, 8, 0, tzinfo=UTC))
        self.assertEqual(draft.slug, "notes-on-the-gangway-unfinished")
        future = Post.objects.get(import_ref="wordpress:post-13")
        self.assertEqual(future.status, Post.Status.SCHEDULED)
        self.assertEqual(future.published_at, datetime(2099, 6, 1, 7, 0, tzinfo=UTC))
        self.assertFalse(future.is_visible)
        trashed = Post.objects.get(import_ref="wordpress:post-14")
        self.assertIsNotNone(trashed.trashed_at)
        self.assertFalse(trashed.is_visible)
        self.assertEqual(trashed.slug, "post-i-took-back")
        for ref in ("wordpress:post-15", "wordpress:post-16"):  # private, pending
            with self.subTest(ref=ref):
                self.assertEqual(
                    Post.objects.get(import_ref=ref).status, Post.Status.DRAFT
                )
        page = Page.objects.get(import_ref="wordpress:page-20")
        self.assertTrue(page.is_visible)
        self.assertEqual(
            page.body_html, "<p>Who writes here.</p>\n<p>And why the ferry is slow.</p>"
        )
        self.assertEqual(Post.objects.count(), 7)  # no menu items, no ferry routes
        self.assertFalse(Post.objects.filter(title="North route").exists())

    def test_classic_bodies_get_paragraphs_figures_and_players(self):
        body = self.fog.body_html
        self.assertTrue(
            body.startswith(
                "<p>The horn went at six, twice, which means the pilot is aboard.<br>\n"
                "Nobody on the car deck could see the bow.</p>\n"
                "<p>We sat by the window with the tea urn and counted buoys instead.</p>"
            ),
            body,
        )
        # Blocks are left alone, blank lines and all.
        self.assertIn("<ul>\n<li>North buoy: 6.40</li>\n\n<li>Wreck", body)
        self.assertIn(
            "<blockquote>Keep to the left of the yellow line.</blockquote>", body
        )
        self.assertIn("<pre>06:00  horn\n06:12  second horn\n\n06:40  buoy</pre>", body)
        self.assertNotIn("<p><ul>", body)
        self.assertNotIn("<p><figure", body)
        # [caption]
        self.assertIn('<figure class="float-right"><a href="https://slowferry', body)
        self.assertIn(
            'alt="A wet rail" width="300" height="200"></a>'
            "<figcaption>Rail, fog, nothing else</figcaption></figure>",
            body,
        )
        # [gallery ids="30,31"]: the attachments, by id
        self.assertIn(
            '<figure><img src="https://slowferry.example.org/wp-content/uploads/2019/03/'
            'rail.jpg" alt="A wet rail"><img src="https://slowferry.example.org/'
            'wp-content/uploads/2019/03/gulls.jpg" alt="Three gulls on a rope"></figure>',
            body,
        )
        # a YouTube address alone on its line
        self.assertIn('<iframe src="https://www.youtube.com/embed/fogHorn0001"', body)
        # an unknown shortcode stays visible
        self.assertIn('<p>[tide_table station="north"]</p>', body)
        self.assertNotIn("[caption", body)
        self.assertNotIn("[gallery", body)

    def test_block_editor_bodies_lose_their_marks_and_keep_their_paragraphs(self):
        source, body = self.spring.body, self.spring.body_html
        self.assertNotIn("<!--", source)
        self.assertNotIn("wp:", source)
        self.assertIn(
            "<p>From April the first boat leaves at <strong>05:50</strong>.</p>", body
        )
        # WordPress gives such bodies no paragraphs of its own
        self.assertNotIn("<p><p>", body)
        self.assertNotIn("<br>", body)
        self.assertIn("\n<span>Gale warnings:\nring the office first</span>\n", body)
        # the reusable block's text, where the post showed it
        self.assertIn("<p>Sailings may be cancelled in a gale;", body)
        # [embed]: the player for Vimeo, a link for anything else
        self.assertIn('<iframe src="https://player.vimeo.com/video/76979871"', body)
        self.assertIn(
            '<a href="https://harbour-office.example.org/gangway" rel="noopener '
            'noreferrer">https://harbour-office.example.org/gangway</a>',
            body,
        )
        self.assertNotIn("[embed", body)

    def test_comments_keep_their_state_thread_and_author_and_tell_nobody(self):
        states = dict(Comment.objects.values_list("import_ref", "status"))
        self.assertEqual(
            states,
            {
                "wordpress:comment-100": "approved",
                "wordpress:comment-101": "approved",
                "wordpress:comment-102": "held",
                "wordpress:comment-103": "spam",
                "wordpress:comment-104": "trash",
                "wordpress:comment-105": "approved",
                "wordpress:comment-106": "approved",
                "wordpress:comment-107": "trash",  # on a trashed post
            },
        )
        first = Comment.objects.get(import_ref="wordpress:comment-100")
        reply = Comment.objects.get(import_ref="wordpress:comment-101")
        self.assertEqual(reply.parent, first)
        self.assertIsNone(
            Comment.objects.get(import_ref="wordpress:comment-106").parent
        )
        self.assertEqual(first.author_name, "Jory Pen")
        self.assertEqual(first.author_email, "jory@pen.example.net")
        self.assertEqual(first.author_url, "https://jory.example.net/")
        self.assertEqual(first.ip_address, "203.0.113.7")
        self.assertEqual(first.created_at, datetime(2019, 3, 24, 9, 15, tzinfo=UTC))
        self.assertIn("<strong>1998</strong>", first.body_html)
        self.assertEqual(reply.author_url, "")  # WordPress's empty "http://"
        self.assertIsNone(reply.ip_address)
        ping = Comment.objects.get(import_ref="wordpress:comment-105")
        self.assertEqual(ping.author_name, "Harbour Notes » A week of fog")
        self.assertEqual(
            ping.author_url, "https://harbournotes.example.net/week-of-fog/"
        )
        self.assertEqual(mail.outbox, [])
        page = self.client.get(self.fog.get_absolute_url())
        self.assertContains(page, "Same tea urn, I think.")
        self.assertContains(page, "Harbour Notes » A week of fog")
        self.assertNotContains(page, "best price")

    def test_importing_the_same_file_again_changes_nothing(self):
        def counts():
            return (
                Post.objects.count(),
                Page.objects.count(),
                Comment.objects.count(),
                Hashtag.objects.count(),
                OldAddress.objects.count(),
                get_user_model().objects.count(),
            )

        before = counts()
        again = import_wordpress("wordpress-1.2.xml")
        self.assertIn(
            "Imported from wordpress: 0 posts, 0 pages, 0 comments, 0 hashtags, "
            "0 authors, 0 images, 0 old addresses.",
            again,
        )
        self.assertIn(
            "Already here from an earlier import: 7 posts, 1 pages, 8 comments", again
        )
        self.assertEqual(counts(), before)

    def test_every_old_address_answers_301_to_the_right_place(self):
        fog = self.fog.get_absolute_url()
        spring = self.spring.get_absolute_url()
        about = Page.objects.get(import_ref="wordpress:page-20").get_absolute_url()
        expected = {
            "/?p=10": fog,
            "/2019/03/24/morning-crossing-fog/": fog,
            "/2019/03/24/fog-crossing-morning/": fog,  # its _wp_old_slug
            "/?p=11": spring,
            "/2019/04/02/spring-timetable/": spring,
            "/?page_id=20": about,
            "/about/": about,
        }
        for old, new in expected.items():
            with self.subTest(old=old):
                response = self.client.get(old)
                self.assertEqual(response.status_code, 301)
                self.assertEqual(response["Location"], new)
        self.assertEqual(self.client.get(fog).status_code, 200)
        self.assertEqual(self.client.get(about).status_code, 200)

    def test_what_readers_could_not_see_has_no_old_address(self):
        for old in ("/?p=12", "/?p=14", "/?p=15", "/?p=16", "/?p=13"):
            with self.subTest(old=old):
                self.assertNotEqual(self.client.get(old).status_code, 301)
        self.assertEqual(self.client.get("/2019/06/01/crew-rota/").status_code, 404)
        self.assertFalse(OldAddress.objects.filter(path__in=["/?p=12", "/?p=15"]))


class OlderExportTest(BaseTestCase):
    def test_a_wxr_1_0_export_imports_too(self):
        report = import_wordpress("wordpress-1.0.xml")
        self.assertIn(
            "Imported from wordpress: 2 posts, 1 pages, 2 comments, 2 hashtags, "
            "1 authors, 0 images, 6 old addresses.",
            report,
        )
        blackthorn = Post.objects.get(import_ref="wordpress:post-5")
        self.assertEqual(
            sorted(h.name for h in blackthorn.hashtags.all()),
            ["Flowers", "first of the year"],
        )
        self.assertEqual(blackthorn.author.username, "maud")
        self.assertEqual(
            blackthorn.body_html,
            "<p>White along the whole east side of the lane.<br>\nNo leaves yet, "
            "just the flowers.</p>\n<p>Cold snap due next week.</p>",
        )
        trackback = Comment.objects.get(import_ref="wordpress:comment-8")
        self.assertEqual(trackback.author_name, "Lane Diaries")
        self.assertEqual(trackback.status, "approved")
        self.assertIn("pingbacks and trackbacks kept as comments", report)
        self.assertEqual(SiteSettings.load().title, "Hedgerow Almanac")
        lane = Page.objects.get(import_ref="wordpress:page-2").get_absolute_url()
        expected = {
            "/blackthorn-before-leaves/": blackthorn.get_absolute_url(),
            "/?p=5": blackthorn.get_absolute_url(),
            "/the-lane/": lane,
            "/?page_id=2": lane,
        }
        for old, new in expected.items():
            with self.subTest(old=old):
                self.assertRedirects(
                    self.client.get(old),
                    new,
                    status_code=301,
                    fetch_redirect_response=False,
                )

    def test_the_version_is_read_from_the_namespace_the_file_uses(self):
        whole = (FIXTURES / "wordpress-1.0.xml").read_text()
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        # WXR 1.1, with the blog in a folder of its site and a stray declaration
        # of another version that nothing uses.
        newer = (
            whole.replace("export/1.0/", "export/1.1/")
            .replace("http://hedgerow.example.com", "https://example.com/almanac")
            .replace("<rss ", '<rss xmlns:old="http://wordpress.org/export/1.0/" ', 1)
        )
        target = Path(folder.name) / "export.xml"
        target.write_text(newer)
        backup = parse(target)
        self.assertEqual(len(backup.entries), 3)
        self.assertEqual(
            backup.entries[0].old_paths,
            ["/almanac/?p=5", "/almanac/blackthorn-before-leaves/"],
        )
        self.assertEqual(len(backup.comments), 2)


class RefusedExportTest(BaseTestCase):
    def write(self, text: str) -> Path:
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        target = Path(folder.name) / "export.xml"
        target.write_text(text)
        return target

    def refuse(self, text: str, reason: str) -> None:
        def counts():
            return (
                Post.objects.count(),
                Page.objects.count(),
                Comment.objects.count(),
                Hashtag.objects.count(),
                OldAddress.objects.count(),
                get_user_model().objects.count(),
                SiteSettings.load().title,
            )

        before = counts()
        target = self.write(text)
        with self.assertRaisesMessage(CommandError, reason):
            with committed():
                call_command("import_wordpress", str(target), stdout=StringIO())
        self.assertEqual(counts(), before)

    def test_a_truncated_file_is_refused_and_nothing_is_written(self):
        whole = (FIXTURES / "wordpress-1.2.xml").read_text()
        self.refuse(whole[: len(whole) * 2 // 3], "not well-formed XML")

    def test_a_file_that_is_not_a_wordpress_export_is_refused(self):
        feed = (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>A feed</title>'
            "<item><title>Hello</title><link>https://x.example/</link></item>"
            "</channel></rss>"
        )
        self.refuse(feed, "not a WordPress export (WXR) file")
        blogger = (FIXTURES / "blogger-classic.xml").read_text()
        self.refuse(blogger, "not a WordPress export (WXR) file")

    def test_an_item_without_an_id_is_refused_by_its_title(self):
        whole = (FIXTURES / "wordpress-1.2.xml").read_text()
        broken = whole.replace("<wp:post_id>11</wp:post_id>", "", 1)
        self.refuse(broken, "Spring timetable &amp; the new gangway: an item without")

    def test_a_dry_run_reports_and_writes_nothing(self):
        out = import_wordpress("wordpress-1.2.xml", "--dry-run")
        self.assertIn("Would import from wordpress: 7 posts, 1 pages, 8 comments", out)
        self.assertFalse(Post.objects.exists())
        self.assertFalse(Page.objects.exists())
        self.assertFalse(Comment.objects.exists())
        self.assertFalse(OldAddress.objects.exists())
        self.assertEqual(SiteSettings.load().title, "Gazette")


class BodiesTest(SimpleTestCase):
    def convert(self, source: str, images=()) -> tuple[str, list[str]]:
        notes: list[str] = []
        by_id = {i.ref.rpartition("-")[2]: i for i in images}
        body = convert_body(
            source,
            ref="post",
            gallery=lambda ids: [by_id.get(i, i) for i in ids or list(by_id)],
            reusable={},
            notes=notes,
        )
        return body, notes

    def test_autop_splits_paragraphs_and_breaks_lines_around_blocks(self):
        self.assertEqual(
            autop(
                "One\ntwo<br />\nthree\n\n\nFour\n<table>\n<tr><td>a\n\nb</td></tr>"
                "\n</table>\nFive"
            ),
            "<p>One<br>\ntwo<br>\nthree</p>\n<p>Four</p>\n"
            "<table>\n<tr><td>a\n\nb</td></tr>\n</table>\n<p>Five</p>",
        )
        self.assertEqual(
            autop("<div>a\n\n<div>b</div>\n\nc</div>\n\nd"),
            "<div>a\n\n<div>b</div>\n\nc</div>\n<p>d</p>",
        )
        self.assertEqual(
            autop("<p>Already</p>\n\n<hr />\nAfter"),
            "<p>Already</p>\n<hr />\n<p>After</p>",
        )

    def test_shortcodes_in_prose_and_code_are_text(self):
        body, notes = self.convert(
            "Write [[gallery]] to show one. [see below] and [Note: later].\n\n"
            "<code>[gallery]</code>"
        )
        self.assertEqual(
            body,
            "<p>Write [gallery] to show one. [see below] and [Note: later].</p>\n"
            "<p><code>[gallery]</code></p>",
        )
        self.assertEqual(notes, [])

    def test_a_gallery_without_ids_shows_the_posts_attachments(self):
        images = [Image(ref="wordpress:attachment-4", url="https://x.example/4.jpg")]
        body, notes = self.convert(
            '[gallery columns="2"]\n\n[gallery ids="4,9"]', images
        )
        self.assertEqual(body.count('<img src="https://x.example/4.jpg" alt="">'), 2)
        self.assertEqual(notes, ["post: gallery image 9 not in the file, left out"])
        body, notes = self.convert("[gallery]")
        self.assertEqual(body, "<p>[gallery]</p>")
        self.assertEqual(notes, ["post: shortcode [gallery] left as text"])

    def test_old_style_captions_and_video_shortcodes(self):
        body, _ = self.convert(
            '[caption id="" align="aligncenter" caption="Low tide"]'
            '<img src="https://x.example/t.jpg" alt="" />[/caption]\n'
            "[youtube https://youtu.be/abc-DEF_123]\n[vimeo 4242]"
        )
        self.assertIn(
            '<figure class="align-center"><img src="https://x.example/t.jpg" alt="" />'
            "<figcaption>Low tide</figcaption></figure>",
            body,
        )
        self.assertIn('src="https://www.youtube.com/embed/abc-DEF_123"', body)
        self.assertIn('src="https://player.vimeo.com/video/4242"', body)

    def test_video_addresses(self):
        cases = {
            "https://www.youtube.com/watch?v=abc123&t=10": (
                "https://www.youtube.com/embed/abc123"
            ),
            "https://m.youtube.com/watch?v=abc123": "https://www.youtube.com/embed/abc123",
            "https://youtu.be/abc123?t=4": "https://www.youtube.com/embed/abc123",
            "https://www.youtube.com/shorts/abc123": "https://www.youtube.com/embed/abc123",
            "https://vimeo.com/channels/staff/76979871": (
                "https://player.vimeo.com/video/76979871"
            ),
            "https://player.vimeo.com/video/76979871": (
                "https://player.vimeo.com/video/76979871"
            ),
            "https://www.youtube.com/channel/someone": None,
            "https://example.org/watch?v=abc123": None,
            "https://vimeo.com/about": None,
        }
        for address, player in cases.items():
            with self.subTest(address=address):
                self.assertEqual(video_player(address), player)
