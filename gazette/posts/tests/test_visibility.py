from datetime import timedelta
from unittest import mock

from django.utils import timezone

from gazette.posts.models import Post
from gazette.test import BaseTestCase


class VisibilityTest(BaseTestCase):
    def test_it_shows_published_posts_whose_time_has_come(self):
        post = self.make_post("Out now")
        self.assertEqual(list(Post.objects.visible()), [post])
        self.assertEqual(self.client.get(post.get_absolute_url()).status_code, 200)

    def test_it_hides_drafts(self):
        post = self.make_post("Not yet", status=Post.Status.DRAFT)
        self.assertFalse(Post.objects.visible().exists())
        self.assertEqual(self.client.get(post.get_absolute_url()).status_code, 404)

    def test_it_hides_trashed_posts(self):
        post = self.make_post("Gone", trashed_at=timezone.now())
        self.assertEqual(self.client.get(post.get_absolute_url()).status_code, 404)

    def test_a_future_post_is_scheduled_and_appears_on_time_without_cron(self):
        post = self.make_post("Tomorrow", days_ago=-1)
        self.assertEqual(post.status, Post.Status.SCHEDULED)
        self.assertEqual(self.client.get(post.get_absolute_url()).status_code, 404)
        self.assertNotContains(self.client.get("/"), "Tomorrow")
        self.assertEqual(Post.objects.next_scheduled_at(), post.published_at)

        later = timezone.now() + timedelta(days=1, minutes=1)
        with mock.patch("django.utils.timezone.now", return_value=later):
            self.assertContains(self.client.get("/"), "Tomorrow")
            self.assertEqual(self.client.get(post.get_absolute_url()).status_code, 200)


class HashtagModelTest(BaseTestCase):
    def test_it_keeps_the_first_spelling_and_matches_any_case(self):
        first = self.make_post("One", hashtags=("NightSkyPhotography",))
        second = self.make_post("Two", hashtags=("nightskyphotography",))
        self.assertEqual(
            list(first.hashtags.values_list("name", flat=True)), ["NightSkyPhotography"]
        )
        self.assertEqual(list(first.hashtags.all()), list(second.hashtags.all()))

    def test_inline_hashtags_join_the_chosen_ones(self):
        post = self.make_post("Walk", body="Up the #Ridge today.", hashtags=("Hills",))
        names = sorted(post.hashtags.values_list("name", flat=True))
        self.assertEqual(names, ["Hills", "Ridge"])
        self.assertIn('href="/hashtag/Ridge/"', post.body_html)

    def test_counts_only_count_visible_posts(self):
        from gazette.posts.models import Hashtag

        self.make_post("Seen", hashtags=("Bread",))
        self.make_post("Draft", hashtags=("Bread",), status=Post.Status.DRAFT)
        self.make_post("Later", hashtags=("Bread",), days_ago=-2)
        self.make_post("Draft only", hashtags=("Secret",), status=Post.Status.DRAFT)
        counts = {h.name: h.post_count for h in Hashtag.objects.with_visible_counts()}
        self.assertEqual(counts, {"Bread": 1})
