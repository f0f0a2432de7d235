"""Importing Blogger backups of both generations, and every old address."""

import tempfile
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command

from gazette.comments.models import Comment
from gazette.posts.models import Hashtag, OldAddress, Page, Post
from gazette.site.models import SiteSettings
from gazette.test import BaseTestCase, committed

FIXTURES = Path(__file__).parent / "fixtures"


def import_blogger(name: str, *options: str) -> str:
    out = StringIO()
    with committed():
        call_command("import_blogger", str(FIXTURES / name), *options, stdout=out)
    return out.getvalue()


class ClassicBackupTest(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.report = import_blogger("blogger-classic.xml")
        self.pier = Post.objects.get(import_ref="blogger:post-101")

    def test_it_reports_what_it_imported(self):
        self.assertIn(
            "Imported from blogger: 3 posts, 1 pages, 3 comments, 2 hashtags, "
            "1 authors",
            self.report,
        )

    def test_posts_keep_their_html_times_labels_and_author(self):
        pier = self.pier
        self.assertEqual(pier.body_format, Post.BodyFormat.HTML)
        self.assertEqual(pier.published_at, datetime(2019, 3, 24, 8, 30, tzinfo=UTC))
        self.assertEqual(pier.updated_at, datetime(2019, 3, 25, 17, 5, tzinfo=UTC))
        self.assertEqual(
            sorted(h.name for h in pier.hashtags.all()), ["C++ & tides", "Harbour Life"]
        )
        self.assertEqual(pier.author.get_full_name(), "Morwenna Tull")
        self.assertFalse(pier.author.has_usable_password())
        html = pier.body_html
        self.assertIn('<div class="align-center">', html)
        self.assertIn('class="clear float-left"', html)
        self.assertIn("<br><br>", html)
        self.assertIn("<blockquote>Mind the third step.</blockquote>", html)
        self.assertIn("<td>5.9 m</td>", html)
        self.assertIn('<iframe src="https://www.youtube.com/embed/tide123"', html)
        self.assertNotIn("<script", html)
        self.assertNotIn("style=", html)

    def test_the_draft_stays_a_draft_and_the_page_is_a_page(self):
        draft = Post.objects.get(import_ref="blogger:post-103")
        self.assertEqual(draft.status, Post.Status.DRAFT)
        page = Page.objects.get(import_ref="blogger:page-201")
        self.assertTrue(page.is_visible)
        self.assertIn("Who writes here", page.body_html)

    def test_the_blogs_title_and_description_come_along(self):
        site = SiteSettings.load()
        self.assertEqual(site.title, "Tide Tables")
        self.assertEqual(
            site.description, "Notes from a harbour town, high water and low."
        )

    def test_comments_keep_their_thread_time_and_author_and_tell_nobody(self):
        first = Comment.objects.get(import_ref="blogger:comment-9001")
        reply = Comment.objects.get(import_ref="blogger:comment-9002")
        self.assertEqual(reply.parent, first)
        self.assertEqual(first.author_url, "https://jory.example.net/")
        self.assertEqual(first.created_at, datetime(2019, 3, 24, 9, 15, tzinfo=UTC))
        self.assertIn("<strong>1987</strong>", first.body_html)
        self.assertEqual(reply.author_url, "")  # a Blogger profile says nothing
        self.assertEqual(mail.outbox, [])
        page = self.client.get(self.pier.get_absolute_url())
        self.assertContains(page, "3 comments")
        self.assertContains(page, "Same lamp posts.")

    def test_importing_the_same_file_again_changes_nothing(self):
        counts = (
            Post.objects.count(),
            Comment.objects.count(),
            OldAddress.objects.count(),
        )
        again = import_blogger("blogger-classic.xml")
        self.assertIn("0 posts, 0 pages, 0 comments", again)
        self.assertIn(
            "Already here from an earlier import: 3 posts, 1 pages, 3 comments", again
        )
        self.assertEqual(
            (Post.objects.count(), Comment.objects.count(), OldAddress.objects.count()),
            counts,
        )
        self.assertEqual(
            get_user_model().objects.filter(first_name="Morwenna").count(), 1
        )

    def test_every_old_address_answers_301_to_the_right_place(self):
        pier = self.pier.get_absolute_url()
        first = Comment.objects.get(import_ref="blogger:comment-9001")
        quay = Post.objects.get(import_ref="blogger:post-102").get_absolute_url()
        harbour = Hashtag.objects.get(name="Harbour Life").get_absolute_url()
        expected = {
            "/2019/03/spring-tide-old-pier.html": pier,
            "/2019/03/spring-tide-old-pier.html?m=1": pier,
            "/2019/03/spring-tide-old-pier.html?showComment=1553418900000": (
                f"{pier}#comment-{first.pk}"
            ),
            "/2019/03/spring-tide-old-pier.html?showComment=1553418900000&m=1": (
                f"{pier}#comment-{first.pk}"
            ),
            "/2019/12/caf-at-quay.html": quay,
            "/p/about.html": "/p/about/",
            "/search/label/Harbour%20Life": harbour,
            "/search/label/Harbour+Life": harbour,
            "/2019_03_24_archive.html": "/2019/03/",
            "/feeds/101/comments/default": f"/feeds/posts/{self.pier.pk}/comments.atom",
            "/feeds/posts/default/-/Harbour%20Life": "/feeds/hashtag/Harbour%20Life.atom",
        }
        for old, new in expected.items():
            with self.subTest(old=old):
                response = self.client.get(old)
                self.assertEqual(response.status_code, 301)
                self.assertEqual(response["Location"], new)
        self.assertEqual(self.client.get(harbour).status_code, 200)
        search = self.client.get("/search?q=tide")
        self.assertEqual(
            (search.status_code, search["Location"]), (301, "/search/?q=tide")
        )
        for archive in ("/2019/", "/2019/03/"):  # the same addresses here
            self.assertContains(self.client.get(archive), "Spring tide at the old pier")
        self.assertEqual(self.client.get("/hashtag/C++%20&%20tides/").status_code, 200)

    def test_a_drafts_address_stays_unknown(self):
        self.assertEqual(self.client.get("/2020/01/half-written.html").status_code, 404)


class NewerBackupTest(BaseTestCase):
    def test_the_2018_export_brings_states_locations_and_search_descriptions(self):
        import_blogger("blogger-2018.xml")
        beans = Post.objects.get(import_ref="blogger:post-301")
        self.assertEqual(beans.excerpt, "The runner beans flower in week six.")
        self.assertEqual(beans.slug, "runner-beans-week-six")
        self.assertEqual(
            Post.objects.get(import_ref="blogger:post-302").status, Post.Status.DRAFT
        )
        trashed = Post.objects.get(import_ref="blogger:post-303")
        self.assertIsNotNone(trashed.trashed_at)
        self.assertFalse(trashed.is_visible)
        states = dict(Comment.objects.values_list("import_ref", "status"))
        self.assertEqual(
            states,
            {
                "blogger:comment-5001": "approved",
                "blogger:comment-5002": "approved",
                "blogger:comment-5003": "spam",
                "blogger:comment-5004": "held",
            },
        )
        reply = Comment.objects.get(import_ref="blogger:comment-5002")
        states_by_ref = dict(Comment.objects.values_list("import_ref", "pk"))
        self.assertEqual(reply.parent_id, states_by_ref["blogger:comment-5001"])
        self.assertEqual(SiteSettings.load().title, "Allotment Ledger")
        self.assertRedirects(
            self.client.get("/p/the-plot.html"), "/p/the-plot/", status_code=301
        )
        self.assertEqual(
            self.client.get("/2021/07/post-i-regretted.html").status_code, 404
        )
        page = self.client.get(beans.get_absolute_url())
        self.assertContains(page, "Same seed merchant")
        self.assertNotContains(page, "Buy watches")


class RefusedBackupTest(BaseTestCase):
    def write(self, text: str) -> Path:
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        target = Path(folder.name) / "backup.xml"
        target.write_text(text)
        return target

    def refuse(self, text: str, reason: str) -> None:
        target = self.write(text)
        with self.assertRaisesMessage(CommandError, reason):
            call_command("import_blogger", str(target), stdout=StringIO())
        self.assertFalse(Post.objects.exists())
        self.assertFalse(Comment.objects.exists())

    def test_a_truncated_file_is_refused_and_nothing_is_written(self):
        whole = (FIXTURES / "blogger-classic.xml").read_text()
        self.refuse(whole[: len(whole) * 2 // 3], "not well-formed XML")

    def test_entity_tricks_are_refused(self):
        bomb = (
            '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            '<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            '<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol2;</title></feed>'
        )
        self.refuse(bomb, "DOCTYPE")
        outside = (
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            '<feed xmlns="http://www.w3.org/2005/Atom"><title>&e;</title></feed>'
        )
        self.refuse(outside, "DOCTYPE")

    def test_a_comment_on_a_missing_post_names_the_entry(self):
        whole = (FIXTURES / "blogger-classic.xml").read_text()
        broken = whole.replace(
            "blog-7001.post-101' source", "blog-7001.post-999' source", 1
        )
        self.refuse(broken, "blogger:comment-9001")

    def test_an_undeclared_namespace_prefix_is_repaired_and_reported(self):
        whole = (FIXTURES / "blogger-classic.xml").read_text()
        sloppy = whole.replace(
            "<thr:total>3</thr:total>",
            "<thr:total>3</thr:total><georss:point>1 2</georss:point>",
        )
        target = self.write(sloppy)
        out = StringIO()
        with committed():
            call_command("import_blogger", str(target), stdout=out)
        self.assertIn("Repaired: XML repaired", out.getvalue())
        self.assertIn("georss", out.getvalue())
        self.assertEqual(Post.objects.count(), 3)

    def test_labels_with_slashes_or_past_64_characters_make_working_hashtags(self):
        whole = (FIXTURES / "blogger-classic.xml").read_text()
        odd = "term='Harbour Life'/><category scheme='http://www.blogger.com/atom/ns#' "
        odd += (
            "term='Travel/Europe'/><category scheme='http://www.blogger.com/atom/ns#' "
        )
        odd += f"term='{'Long' * 30}'/>"
        target = self.write(whole.replace("term='Harbour Life'/>", odd, 1))
        with committed():
            call_command("import_blogger", str(target), stdout=StringIO())
        names = set(Hashtag.objects.values_list("name", flat=True))
        self.assertIn("Travel-Europe", names)
        self.assertIn("Long" * 16, names)
        post = Post.objects.get(import_ref="blogger:post-101")
        for address in (post.get_absolute_url(), "/", "/search/label/Travel%2FEurope"):
            with self.subTest(address=address):
                response = self.client.get(address)
                self.assertIn(response.status_code, (200, 301))
        label = self.client.get("/search/label/Travel%2FEurope")
        self.assertEqual(label["Location"], "/hashtag/Travel-Europe/")

    def test_a_dry_run_reports_and_writes_nothing(self):
        out = import_blogger("blogger-classic.xml", "--dry-run")
        self.assertIn("Would import from blogger: 3 posts, 1 pages, 3 comments", out)
        self.assertFalse(Post.objects.exists())
        self.assertFalse(OldAddress.objects.exists())
