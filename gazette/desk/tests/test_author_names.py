"""The desk calls authors by the name the blog shows, not by their username."""

from django.urls import reverse

from gazette.desk.tests.base import DeskTestCase


class AuthorNameTest(DeskTestCase):
    def test_the_posts_list_and_the_trash_show_full_names(self):
        self.client.force_login(self.dave)  # an admin sees every author
        post = self.make_post("On the moor")  # by alice, "Alice Ames"
        listing = self.client.get(reverse("desk:posts"))
        self.assertContains(listing, "<td>Alice Ames</td>", html=True)
        self.assertNotContains(listing, "<td>alice</td>", html=True)
        post.trashed_at = post.published_at
        post.save(update_fields=["trashed_at"])
        self.assertContains(self.client.get(reverse("desk:trash")), "by Alice Ames")
