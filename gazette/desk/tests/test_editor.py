from datetime import UTC, datetime, timedelta
from unittest import mock

from django.utils import timezone

from gazette.desk.tests.base import DeskTestCase, post_form
from gazette.posts.models import Post
from gazette.site.models import SiteSettings


class EditorTest(DeskTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.alice)

    def test_it_saves_a_draft_with_hashtags_and_a_slug_from_the_title(self):
        data = post_form(body="Cold #Morning air.", hashtags="#Walking, Hills")
        response = self.client.post("/desk/posts/new/", data)
        post = Post.objects.get()
        self.assertRedirects(
            response, f"/desk/posts/{post.pk}/", fetch_redirect_response=False
        )
        self.assertEqual((post.slug, post.status), ("a-walk-on-the-ridge", "draft"))
        names = sorted(post.hashtags.values_list("name", flat=True))
        self.assertEqual(names, ["Hills", "Morning", "Walking"])
        self.assertEqual(post.revisions.count(), 1)
        editor = self.client.get(f"/desk/posts/{post.pk}/")
        self.assertContains(editor, "Draft saved.")
        # Hashtags written in the text are not repeated in the hashtags field.
        self.assertContains(editor, 'value="Hills Walking"')
        # A second post with the same title gets a slug of its own.
        self.client.post("/desk/posts/new/", data)
        self.assertTrue(Post.objects.filter(slug="a-walk-on-the-ridge-2").exists())

    def test_refused_input_comes_back_with_the_text_and_the_reason(self):
        self.make_post("Taken", slug="taken")
        body = "Every word of this must survive."
        cases = {
            "This field is required.": post_form(title="", body=body),
            "Post with this Slug already exists.": post_form(
                slug="taken", slug_auto="False", body=body
            ),
            "Enter a valid date/time.": post_form(
                published_at="next Tuesday at noon", body=body, action="publish"
            ),
            "Not a hashtag: no-dashes": post_form(hashtags="ok no-dashes", body=body),
            "Choose a time between the years": post_form(
                published_at="0001-01-01T00:00", body=body, action="publish"
            ),
        }
        for reason, data in cases.items():
            with self.subTest(reason=reason):
                response = self.client.post("/desk/posts/new/", data)
                self.assertContains(response, reason, status_code=400)
                self.assertContains(response, body, status_code=400)
                self.assertContains(response, data["published_at"], status_code=400)
        self.assertEqual(Post.objects.count(), 1)

    def test_a_future_time_schedules_the_post_in_the_blogs_time_zone(self):
        site = SiteSettings.load()
        site.time_zone = "Europe/Paris"
        site.save()
        soon = timezone.now() + timedelta(days=2)
        local = timezone.localtime(soon, site.tzinfo).replace(second=0, microsecond=0)
        data = post_form(
            action="publish", published_at=local.strftime("%Y-%m-%dT%H:%M")
        )
        response = self.client.post("/desk/posts/new/", data, follow=True)
        post = Post.objects.get()
        self.assertEqual(post.status, Post.Status.SCHEDULED)
        self.assertEqual(post.published_at, local.astimezone(UTC))
        shown = f"Scheduled for {local:%-d %B %Y, %H:%M} {local.tzname()}"
        self.assertContains(response, shown)
        self.assertContains(self.client.get("/desk/?state=scheduled"), shown)
        self.assertNotContains(self.client.get("/desk/?state=published"), "A walk")

        self.client.logout()
        self.assertNotContains(self.client.get("/"), "A walk on the ridge")
        later = soon + timedelta(minutes=1)
        with mock.patch("django.utils.timezone.now", return_value=later):
            self.assertContains(self.client.get("/"), "A walk on the ridge")

    def test_a_published_posts_new_slug_keeps_the_old_address_working(self):
        when = datetime(2024, 3, 5, 9, 30, tzinfo=UTC)
        post = self.make_post("First name", published_at=when)
        old = post.get_absolute_url()
        data = post_form(
            title="First name",
            slug="better-name",
            slug_auto="False",
            published_at="2024-03-05T09:30",
        )
        self.client.post(f"/desk/posts/{post.pk}/", data)
        post.refresh_from_db()
        self.assertEqual((post.slug, post.published_at), ("better-name", when))
        self.client.logout()
        response = self.client.get(old)
        self.assertRedirects(response, "/2024/03/better-name/", status_code=301)

    def test_the_live_preview_is_rendered_by_the_blogs_own_code(self):
        body = "Hello #Ridge\n\n<script>alert(1)</script>\n\n**bold**"
        response = self.client.post("/desk/preview/", {"body": body})
        self.assertContains(response, 'href="/hashtag/Ridge/" class="hashtag"')
        self.assertContains(response, "<strong>bold</strong>")
        self.assertNotContains(response, "<script>")

        # Without script, the Preview button shows the same, and saves nothing.
        data = post_form(body=body, action="preview")
        response = self.client.post("/desk/posts/new/", data)
        self.assertContains(response, "<strong>bold</strong>")
        self.assertFalse(Post.objects.exists())

    def test_the_list_filters_and_searches(self):
        self.make_post("Out in the open")
        self.make_post("Coming soon", days_ago=-3)
        self.make_post("Half written", status="draft", hashtags=("Bread",))
        for query, expected in (
            ("?state=draft", {"Half written"}),
            ("?state=scheduled", {"Coming soon"}),
            ("?state=published", {"Out in the open"}),
            ("?q=SOON", {"Coming soon"}),
            ("?hashtag=bread", {"Half written"}),
            ("", {"Out in the open", "Coming soon", "Half written"}),
        ):
            with self.subTest(query=query):
                response = self.client.get("/desk/" + query)
                titles = {p.title for p in response.context["page_obj"]}
                self.assertEqual(titles, expected)

    def test_bad_page_numbers_and_ids_are_not_errors(self):
        self.assertEqual(self.client.get("/desk/?page=x").status_code, 200)
        self.assertEqual(self.client.get("/desk/posts/999/").status_code, 404)
        response = self.client.get("/desk/posts/1/revisions/?a=x&b=%00")
        self.assertIn(response.status_code, (400, 404))
