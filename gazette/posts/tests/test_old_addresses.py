from datetime import UTC, datetime

from gazette.posts.models import OldAddress, Page
from gazette.posts.writing import remember_old_address, write_entry
from gazette.test import BaseTestCase


class OldAddressTest(BaseTestCase):
    def test_a_renamed_post_keeps_its_old_address(self):
        post = self.make_post(
            "First name", published_at=datetime(2020, 5, 1, tzinfo=UTC)
        )
        old = post.get_absolute_url()
        post.slug = "second-name"
        write_entry(post)
        self.assertRedirects(
            self.client.get(old), "/2020/05/second-name/", status_code=301
        )

    def test_a_redated_post_keeps_its_old_address_through_several_moves(self):
        post = self.make_post("Walk", published_at=datetime(2020, 5, 1, tzinfo=UTC))
        first = post.get_absolute_url()
        post.published_at = datetime(2021, 6, 1, tzinfo=UTC)
        write_entry(post)
        post.slug = "walk-again"
        write_entry(post)
        for old in (first, "/2021/06/walk/"):
            with self.subTest(old=old):
                self.assertRedirects(
                    self.client.get(old), "/2021/06/walk-again/", status_code=301
                )

    def test_a_draft_leaves_no_old_address(self):
        post = self.make_post("Draft", status="draft")
        post.slug = "renamed"
        write_entry(post)
        self.assertFalse(OldAddress.objects.exists())

    def test_old_addresses_of_hidden_posts_are_404(self):
        post = self.make_post(
            "Soon gone", published_at=datetime(2020, 5, 1, tzinfo=UTC)
        )
        remember_old_address("/2019/01/old.html", post)
        self.assertEqual(self.client.get("/2019/01/old.html").status_code, 301)
        post.status = "draft"
        write_entry(post)
        self.assertEqual(self.client.get("/2019/01/old.html").status_code, 404)

    def test_query_string_addresses_and_pages(self):
        page = write_entry(
            Page(title="About", slug="about", status=Page.Status.PUBLISHED)
        )
        remember_old_address("/?page_id=7", page)
        self.assertRedirects(
            self.client.get("/?page_id=7"), "/p/about/", status_code=301
        )
        self.assertEqual(self.client.get("/").status_code, 200)

    def test_a_target_address_for_things_that_are_not_posts(self):
        OldAddress.objects.create(path="/search/label/Bread", target="/hashtag/Bread/")
        self.assertRedirects(
            self.client.get("/search/label/Bread"),
            "/hashtag/Bread/",
            status_code=301,
            fetch_redirect_response=False,
        )


class UnicodeOldAddressTest(BaseTestCase):
    def test_a_renamed_unicode_slug_keeps_its_old_address(self):
        post = self.make_post(
            "Crème", slug="crème", published_at=datetime(2020, 5, 1, tzinfo=UTC)
        )
        old = post.get_absolute_url()
        post.slug = "cream"
        write_entry(post)
        self.assertRedirects(self.client.get(old), "/2020/05/cream/", status_code=301)
