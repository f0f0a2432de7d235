import gzip
import re
import tempfile
from datetime import timedelta
from pathlib import Path
from unittest import mock

import brotli
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gazette.lib import pagecache
from gazette.posts.models import Post
from gazette.posts.writing import write_entry
from gazette.site.models import SiteSettings
from gazette.site.writing import write_site_settings
from gazette.test import BaseTestCase, add_comment, committed


def form_token(html: bytes) -> bytes:
    """The comment form's token in `html` (empty when the page carries none)."""
    match = re.search(rb'<input type="hidden" name="token"([^>]*)>', html)
    assert match is not None
    value = re.search(rb'value="([^"]*)"', match.group(1))
    return value.group(1) if value else b""


class PageCacheTest(BaseTestCase):
    """The page cache is on in every test; these check how it keeps pages."""

    def test_a_second_visit_is_served_from_the_cache_without_queries(self):
        post = self.make_post("Cached")
        url = post.get_absolute_url()
        first = self.client.get(url)
        self.assertEqual(first["X-Gazette-Cache"], "miss")
        with CaptureQueriesContext(connection) as queries:
            second = self.client.get(url)
        self.assertEqual(second["X-Gazette-Cache"], "hit")
        self.assertEqual(len(queries), 0)
        self.assertEqual(second.content, first.content)

    def test_a_cached_post_page_carries_no_token_and_each_reader_fetches_one(self):
        post = self.make_post("Commented")
        url = post.get_absolute_url()
        self.client.get(url)
        page = self.client.get(url)
        self.assertEqual(page["X-Gazette-Cache"], "hit")
        self.assertEqual(form_token(page.content), b"")
        token_url = f"/comments/{post.pk}/token/"
        self.assertContains(page, f'data-token-url="{token_url}"')
        answers = [self.client.get(token_url) for _ in range(3)]
        tokens = {answer.json()["token"] for answer in answers}
        self.assertEqual(len(tokens), 3)  # one of their own each, never cached
        for answer in answers:
            self.assertIn("no-store", answer["Cache-Control"])
            self.assertNotIn("X-Gazette-Cache", answer)
        # The page sets no CSRF cookie for readers, so it can be kept at all.
        self.assertNotIn(settings.CSRF_COOKIE_NAME, self.client.get(url).cookies)
        self.assertEqual(self.client.get("/comments/999999/token/").status_code, 404)

    def test_a_comment_from_a_cached_page_is_accepted(self):
        post = self.make_post("Open for comments")
        url = post.get_absolute_url()
        self.client.get(url)
        self.assertEqual(self.client.get(url)["X-Gazette-Cache"], "hit")
        token = self.client.get(f"/comments/{post.pk}/token/").json()["token"]
        response = self.client.post(
            f"/comments/{post.pk}/post/",
            {"token": token, "author_name": "Rae",
             "body": "A kind word about the walk.", "author_email": "", "author_url": ""},
        )  # fmt: skip
        self.assertEqual(response.status_code, 302, response.content[:3000])
        self.assertEqual(post.comments.count(), 1)

    def test_without_script_the_first_post_asks_to_confirm_and_keeps_the_text(self):
        post = self.make_post("No script here")
        fields = {"author_name": "Rae", "author_email": "", "author_url": "",
                  "body": "Written without any script running."}  # fmt: skip
        again = self.client.post(f"/comments/{post.pk}/post/", fields | {"token": ""})
        self.assertContains(again, "please check it and press Publish comment again")
        self.assertContains(again, "Written without any script running.")
        self.assertEqual(post.comments.count(), 0)
        token = form_token(again.content).decode()
        self.assertTrue(token)
        sent = self.client.post(f"/comments/{post.pk}/post/", fields | {"token": token})
        self.assertEqual(sent.status_code, 302)
        self.assertEqual(post.comments.count(), 1)

    def test_it_stores_compressed_bytes_and_sends_them_to_those_who_accept_them(self):
        post = self.make_post("Squeezed")
        url = post.get_absolute_url()
        for miss_or_hit in ("miss", "hit"):
            if miss_or_hit == "miss":
                cache.clear()
            plain = self.client.get(url)
            self.assertNotIn("Content-Encoding", plain)
            zipped = self.client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate")
            self.assertEqual(zipped["Content-Encoding"], "gzip")
            self.assertEqual(gzip.decompress(zipped.content), plain.content)
            squeezed = self.client.get(url, HTTP_ACCEPT_ENCODING="gzip, br")
            self.assertEqual(squeezed["Content-Encoding"], "br")
            self.assertEqual(brotli.decompress(squeezed.content), plain.content)
            for answer in (plain, zipped, squeezed):
                self.assertEqual(int(answer["Content-Length"]), len(answer.content))
                self.assertIn("Accept-Encoding", answer["Vary"])
        refused = self.client.get(url, HTTP_ACCEPT_ENCODING="br;q=0, gzip;q=0")
        self.assertNotIn("Content-Encoding", refused)

    def test_a_reader_who_has_the_page_gets_304_until_it_changes(self):
        post = self.make_post("Validated")
        url = post.get_absolute_url()
        first = self.client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        etag, modified = first["ETag"], first["Last-Modified"]
        self.assertTrue(etag.startswith('"') and etag.endswith('-gz"'))
        with CaptureQueriesContext(connection) as queries:
            again = self.client.get(url, HTTP_IF_NONE_MATCH=etag)
        self.assertEqual(again.status_code, 304)
        self.assertEqual(again.content, b"")
        self.assertEqual(len(queries), 0)
        # The same page in another encoding is the same version of it.
        self.assertEqual(
            self.client.get(
                url, HTTP_IF_NONE_MATCH=etag, HTTP_ACCEPT_ENCODING="br"
            ).status_code,
            304,
        )
        self.assertEqual(
            self.client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code, 304
        )
        self.assertEqual(
            self.client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code,
            200,
        )
        post.title = "Validated again"
        with committed():
            write_entry(post)
        changed = self.client.get(url, HTTP_IF_NONE_MATCH=etag)
        self.assertEqual(changed.status_code, 200)
        self.assertContains(changed, "Validated again")
        self.assertNotEqual(changed["ETag"].split("-")[0], etag.split("-")[0])

    def test_public_pages_may_be_kept_briefly_by_shared_caches_personal_ones_not(self):
        post = self.make_post("Shared")
        url = post.get_absolute_url()
        for answer in (self.client.get(url), self.client.get(url)):
            control = answer["Cache-Control"]
            self.assertIn("public", control)
            self.assertIn("max-age=0", control)
            self.assertIn("s-maxage=", control)
            self.assertIn("stale-while-revalidate=", control)
        self.client.force_login(self.alice)
        personal = self.client.get(url)
        self.assertIn("private", personal["Cache-Control"])
        self.assertNotIn("ETag", personal)

    def test_a_hit_on_a_listing_reads_the_shared_cache_once(self):
        for n in range(5):
            self.make_post(f"Listed {n}", hashtags=("Walks",))
        for url in ("/", "/hashtag/Walks/"):
            self.client.get(url)
            self.client.get(url)  # now this process remembers the page
            with (
                mock.patch.object(pagecache.cache, "get", wraps=cache.get) as get,
                mock.patch.object(
                    pagecache.cache, "get_many", wraps=cache.get_many
                ) as get_many,
            ):
                self.assertEqual(self.client.get(url)["X-Gazette-Cache"], "hit")
            reads = [call.args[0] for call in get.call_args_list]
            self.assertEqual(reads, [pagecache._CacheClock.key], url)
            get_many.assert_not_called()

    def test_post_feeds_are_kept_and_refreshed_comment_feeds_are_not(self):
        post = self.make_post("Fed", hashtags=("Walks",))
        for url in ("/feeds/posts.atom", "/feeds/hashtag/Walks.rss"):
            self.client.get(url)
            self.assertEqual(self.client.get(url)["X-Gazette-Cache"], "hit", url)
        post.title = "Fed again"
        with committed():
            write_entry(post)
        for url in ("/feeds/posts.atom", "/feeds/hashtag/Walks.rss"):
            fresh = self.client.get(url)
            self.assertEqual(fresh["X-Gazette-Cache"], "miss", url)
            self.assertContains(fresh, "Fed again")
        self.client.get("/feeds/comments.atom")
        self.assertNotIn("X-Gazette-Cache", self.client.get("/feeds/comments.atom"))

    def test_a_page_kept_in_a_process_is_made_again_after_ten_minutes(self):
        # Some things change with time alone (comments closing after N days).
        post = self.make_post("Timely")
        url = post.get_absolute_url()
        self.client.get(url)
        self.assertEqual(self.client.get(url)["X-Gazette-Cache"], "hit")
        later = timezone.now() + timedelta(seconds=pagecache.SECONDS + 1)
        with mock.patch("django.utils.timezone.now", return_value=later):
            self.assertEqual(self.client.get(url)["X-Gazette-Cache"], "miss")

    def test_the_file_caches_clock_moves_on_with_every_bump(self):
        with tempfile.TemporaryDirectory() as folder:
            clock = pagecache._FileClock(Path(folder) / "cache")
            self.assertIsNone(clock.read())  # unknown until it exists
            seen = {clock.read()}
            for _ in range(3):
                clock.move_on()
                seen.add(clock.read())
            self.assertEqual(len(seen), 4)
            self.assertEqual(clock.read(), clock.read())

    def test_the_wsgi_layer_answers_hits_before_django(self):
        from gazette.wsgi import application

        post = self.make_post("Straight from the cache")
        url = post.get_absolute_url()
        filled = self.client.get(url, HTTP_ACCEPT_ENCODING="br")

        def call(**environ):
            answered = {}

            def start_response(status, headers):
                answered["status"], answered["headers"] = status, dict(headers)

            environ = RequestFactory().get(url, **environ).environ
            body = b"".join(application(environ, start_response))
            return answered["status"], answered["headers"], body

        with (
            CaptureQueriesContext(connection) as queries,
            mock.patch("django.core.handlers.wsgi.WSGIHandler.__call__") as django,
        ):
            status, headers, body = call(HTTP_ACCEPT_ENCODING="br")
            not_modified, _, empty = call(HTTP_IF_NONE_MATCH=filled["ETag"])
            head_status, head_headers, head_body = call(REQUEST_METHOD="HEAD")
        django.assert_not_called()
        self.assertEqual(len(queries), 0)
        self.assertEqual((status, body), ("200 OK", filled.content))
        self.assertEqual(headers["X-Gazette-Cache"], "hit")
        # Every header the middleware gave the page, the security ones too.
        for name in ("Content-Security-Policy", "X-Content-Type-Options"):
            self.assertEqual(headers[name], filled[name])
        self.assertEqual((not_modified, empty), ("304 Not Modified", b""))
        self.assertEqual((head_status, head_body), ("200 OK", b""))
        self.assertGreater(int(head_headers["Content-Length"]), 0)

    def test_retitling_a_post_refreshes_its_page_and_the_listings_showing_it(self):
        post = self.make_post("Before", hashtags=("Walks",))
        other = self.make_post("Elsewhere", hashtags=("Bread",))
        for url in ("/", post.get_absolute_url(), "/hashtag/Bread/"):
            self.client.get(url)
        post.title = "After"
        with committed():
            write_entry(post)
        home = self.client.get("/")
        self.assertEqual(home["X-Gazette-Cache"], "miss")
        self.assertContains(home, "After")
        self.assertContains(self.client.get(post.get_absolute_url()), "After")
        # Its neighbour's page links to it by name, so renaming reaches it too.
        self.assertContains(self.client.get(other.get_absolute_url()), "After")
        # Only its text changed: a listing that does not show it stays.
        self.client.get("/hashtag/Bread/")
        post.body = "New words, same title."
        with committed():
            write_entry(post)
        self.assertEqual(self.client.get("/hashtag/Bread/")["X-Gazette-Cache"], "hit")

    def test_changing_site_settings_makes_pages_fresh(self):
        self.make_post()
        self.client.get("/")
        site = SiteSettings.load()
        site.title = "A new name"
        with committed():
            write_site_settings(site)
        self.assertContains(self.client.get("/"), "A new name")

    def test_a_comment_refreshes_its_post_and_the_listings_showing_it_only(self):
        post = self.make_post("Talked about", hashtags=("Walks",))
        other = self.make_post("Quiet", hashtags=("Bread",))
        urls = ("/", "/hashtag/Bread/", post.get_absolute_url())
        for url in (*urls, other.get_absolute_url()):
            self.client.get(url)
        add_comment(post, "Ann", "Hi")
        self.assertContains(self.client.get(post.get_absolute_url()), "1 comment")
        self.assertContains(self.client.get("/"), "1 comment")
        for url in ("/hashtag/Bread/", other.get_absolute_url()):
            self.assertEqual(self.client.get(url)["X-Gazette-Cache"], "hit", url)

    def test_a_comment_approved_in_the_desk_or_the_admin_shows_at_once(self):
        post = self.make_post("Waiting")
        url = post.get_absolute_url()
        first = add_comment(post, "Hal", "First of two.", status="held")
        second = add_comment(post, "Ida", "Second of two.", status="held")
        reader = Client()
        self.assertNotContains(reader.get(url), "First of two.")
        self.assertEqual(reader.get(url)["X-Gazette-Cache"], "hit")

        self.client.force_login(self.alice)
        self.client.post("/desk/comments/?status=held", {"only": f"approve:{first.pk}"})
        self.assertContains(reader.get(url), "First of two.")

        root = get_user_model().objects.create_superuser("root", "", "pw")
        self.client.force_login(root)
        self.client.post(
            "/admin/comments/comment/",
            {"action": "moderate_approve", "_selected_action": [second.pk]},
        )
        page = reader.get(url)
        self.assertContains(page, "Second of two.")
        self.assertContains(page, "2 comments")
        self.assertEqual(reader.get(url)["X-Gazette-Cache"], "hit")

    def test_a_draft_autosaving_leaves_readers_pages_cached_until_it_is_published(
        self,
    ):
        live = self.make_post("Already out")
        reader = Client()
        pages = ("/", live.get_absolute_url(), "/2026/")
        self.client.force_login(self.alice)
        form = {"title": "Work in progress", "slug": "", "slug_auto": "True",
                "body": "First lines.", "hashtags": "", "excerpt": "",
                "published_at": "", "comment_policy": "", "draft_key": "k1"}  # fmt: skip
        self.client.post("/desk/posts/autosave/", form)
        for url in pages:
            reader.get(url)
        for n in range(3):
            answer = self.client.post("/desk/posts/autosave/", form | {"body": f"{n}"})
            self.assertEqual(answer.status_code, 200)
            for url in pages:
                self.assertEqual(reader.get(url)["X-Gazette-Cache"], "hit", url)

        draft = Post.objects.get(title="Work in progress")
        self.client.post(f"/desk/posts/{draft.pk}/", form | {"action": "publish"})
        for url in pages[:2]:
            first = reader.get(url)
            self.assertEqual(first["X-Gazette-Cache"], "miss", url)
            self.assertEqual(reader.get(url)["X-Gazette-Cache"], "hit", url)
        self.assertContains(reader.get("/"), "Work in progress")

    def test_a_stale_entry_written_while_a_save_commits_is_not_served(self):
        post = self.make_post("Racing")
        self.client.get(post.get_absolute_url())
        post.title = "Raced"
        # The save has not committed yet: readers still get the old page...
        with self.captureOnCommitCallbacks(execute=False) as pending:
            write_entry(post)
        self.assertEqual(
            self.client.get(post.get_absolute_url())["X-Gazette-Cache"], "hit"
        )
        # ...and the bump at commit makes that page stale.
        for callback in pending:
            callback()
        self.assertContains(self.client.get(post.get_absolute_url()), "Raced")

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
            self.assertContains(self.client.get("/"), "Later")
        self.assertEqual(pagecache.seconds_to_live(None), pagecache.SECONDS)

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
        self.make_post("Two", hashtags=("Oven",))
        self.assertContains(self.client.get("/"), "#Oven")


class BumpTest(BaseTestCase):
    def test_a_bump_with_the_site_in_it_moves_the_site_alone(self):
        post = pagecache.post_version(1)
        before = pagecache.current_versions([pagecache.SITE, post])
        pagecache.bump(pagecache.SITE, post)
        after = pagecache.current_versions([pagecache.SITE, post])
        self.assertNotEqual(after["site"], before["site"])
        self.assertEqual(after["post:1"], before["post:1"])

    def test_a_bump_of_very_many_versions_moves_the_site_instead(self):
        many = [pagecache.post_version(n) for n in range(pagecache.MANY + 1)]
        before = pagecache.current_versions([pagecache.SITE, *many])
        pagecache.bump(*many)
        after = pagecache.current_versions([pagecache.SITE, *many])
        self.assertNotEqual(after["site"], before["site"])
        self.assertEqual(after["post:3"], before["post:3"])
