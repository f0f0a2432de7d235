import gzip
import re
from datetime import timedelta
from unittest import mock

from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gazette.comments.models import Comment
from gazette.lib import pagecache
from gazette.posts.writing import write_entry
from gazette.site.models import SiteSettings
from gazette.test import BaseTestCase


def without_form_tokens(html: bytes) -> bytes:
    return re.sub(rb'name="token" value="[^"]*"', b"", html)


def form_token(html: bytes) -> bytes:
    return re.search(rb'name="token" value="([^"]*)"', html).group(1)


@override_settings(GAZETTE_PAGE_CACHE=True)
class PageCacheTest(BaseTestCase):
    def test_a_second_visit_is_served_from_the_cache_without_queries(self):
        post = self.make_post("Cached")
        url = post.get_absolute_url()
        first = self.client.get(url)
        self.assertEqual(first["X-Gazette-Cache"], "miss")
        with CaptureQueriesContext(connection) as queries:
            second = self.client.get(url)
        self.assertEqual(second["X-Gazette-Cache"], "hit")
        self.assertEqual(len(queries), 0)
        self.assertEqual(
            without_form_tokens(second.content), without_form_tokens(first.content)
        )

    def test_each_reader_of_a_cached_post_gets_a_comment_form_token_of_their_own(self):
        post = self.make_post("Commented")
        url = post.get_absolute_url()
        tokens = {form_token(self.client.get(url).content) for _ in range(3)}
        self.assertEqual(len(tokens), 3)
        zipped = self.client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        self.assertEqual(zipped["X-Gazette-Cache"], "hit")
        self.assertNotIn(form_token(gzip.decompress(zipped.content)), tokens)
        # The page sets no CSRF cookie for readers, so it can be kept at all.
        self.assertNotIn(settings.CSRF_COOKIE_NAME, self.client.get(url).cookies)

    def test_a_comment_from_a_cached_page_is_accepted(self):
        post = self.make_post("Open for comments")
        url = post.get_absolute_url()
        self.client.get(url)
        page = self.client.get(url)
        self.assertEqual(page["X-Gazette-Cache"], "hit")
        response = self.client.post(
            f"/comments/{post.pk}/post/",
            {"token": form_token(page.content).decode(), "author_name": "Rae",
             "body": "A kind word about the walk.", "author_email": "", "author_url": ""},
        )  # fmt: skip
        self.assertEqual(response.status_code, 302, response.content[:3000])
        self.assertEqual(post.comments.count(), 1)

    def test_it_stores_compressed_bytes_and_sends_them_to_those_who_accept_them(self):
        post = self.make_post("Squeezed")
        plain = self.client.get(post.get_absolute_url()).content
        zipped = self.client.get(post.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip")
        self.assertEqual(zipped["Content-Encoding"], "gzip")
        self.assertEqual(
            without_form_tokens(gzip.decompress(zipped.content)),
            without_form_tokens(plain),
        )
        self.assertEqual(int(zipped["Content-Length"]), len(zipped.content))

    def test_saving_a_post_makes_every_page_fresh(self):
        post = self.make_post("Before")
        self.client.get("/")
        post.title = "After"
        with self.captureOnCommitCallbacks(execute=True):
            write_entry(post)
        response = self.client.get("/")
        self.assertEqual(response["X-Gazette-Cache"], "miss")
        self.assertContains(response, "After")

    def test_changing_site_settings_makes_pages_fresh(self):
        self.make_post()
        self.client.get("/")
        site = SiteSettings.load()
        site.title = "A new name"
        with self.captureOnCommitCallbacks(execute=True):
            site.save()
        self.assertContains(self.client.get("/"), "A new name")

    def test_a_comment_version_touches_only_its_post_and_the_listings(self):
        post = self.make_post("Talked about")
        other = self.make_post("Quiet")
        for url in ("/", post.get_absolute_url(), other.get_absolute_url()):
            self.client.get(url)
        Comment.objects.create(
            post=post,
            author_name="Ann",
            body="Hi",
            body_html="<p>Hi</p>",
            status="approved",
        )
        pagecache.bump("comments", f"comments:{post.pk}")
        self.assertContains(self.client.get(post.get_absolute_url()), "1 comment")
        self.assertContains(self.client.get("/"), "1 comment")
        self.assertEqual(
            self.client.get(other.get_absolute_url())["X-Gazette-Cache"], "hit"
        )

    def test_signed_in_people_and_readers_with_a_session_get_fresh_pages(self):
        post = self.make_post()
        self.client.get(post.get_absolute_url())
        self.client.force_login(self.alice)
        response = self.client.get(post.get_absolute_url())
        self.assertNotIn("X-Gazette-Cache", response)
        self.client.logout()
        self.client.cookies[settings.SESSION_COOKIE_NAME] = "some-session"
        self.assertNotIn("X-Gazette-Cache", self.client.get(post.get_absolute_url()))

    def test_errors_and_pages_that_did_not_opt_in_are_not_kept(self):
        self.client.get("/no/such/page/")
        self.assertNotIn("X-Gazette-Cache", self.client.get("/no/such/page/"))
        self.assertNotIn("X-Gazette-Cache", self.client.get("/admin/login/"))

    def test_entries_expire_by_the_next_scheduled_post(self):
        self.make_post("Later", days_ago=-1 / (24 * 60))  # a minute from now
        with mock.patch.object(
            pagecache.cache, "set", wraps=pagecache.cache.set
        ) as set_:
            self.client.get("/")
        page_sets = [
            c for c in set_.call_args_list if c.args[0].startswith("gazette:page:")
        ]
        self.assertEqual(len(page_sets), 1)
        self.assertLessEqual(page_sets[0].args[2], 61)

        later = timezone.now() + timedelta(minutes=2)
        with mock.patch("django.utils.timezone.now", return_value=later):
            self.assertEqual(pagecache.seconds_to_live(), pagecache.SECONDS)

    def test_the_sidebar_is_counted_once_per_content_version(self):
        self.make_post("One", hashtags=("Bread",))
        self.client.get("/")
        with CaptureQueriesContext(connection) as queries:
            self.client.get("/hashtag/Bread/")  # another page, the same sidebar
        self.assertFalse(
            any(
                "COUNT" in q["sql"] and "posts_hashtag" in q["sql"]
                for q in queries.captured_queries
            )
        )
        post = self.make_post("Two", hashtags=("Oven",))
        with self.captureOnCommitCallbacks(execute=True):
            write_entry(post)
        self.assertContains(self.client.get("/"), "#Oven")
