from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from gazette.desk.tests.base import DeskTestCase
from gazette.posts.models import Page, Post
from gazette.posts.writing import write_entry


class TrashTest(DeskTestCase):
    def test_a_deleted_post_goes_to_the_trash_and_comes_back(self):
        post = self.make_post("Second thoughts")
        url = post.get_absolute_url()
        self.client.force_login(self.alice)
        self.client.post(f"/desk/posts/{post.pk}/trash/")
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertFalse(self.client.get("/desk/").context["page_obj"].object_list)
        trash = self.client.get("/desk/trash/")
        self.assertContains(trash, "Second thoughts")

        self.client.post(f"/desk/trash/posts/{post.pk}/restore/")
        self.assertEqual(self.client.get(url).status_code, 200)
        self.assertContains(self.client.get("/desk/trash/"), "The trash is empty.")

    def test_the_trash_forgets_after_30_days_when_opened_or_purged(self):
        long_ago = timezone.now() - timedelta(days=31)
        recently = timezone.now() - timedelta(days=29)
        self.make_post("Long gone", trashed_at=long_ago)
        self.make_post("Recently binned", trashed_at=recently)
        self.client.force_login(self.alice)
        response = self.client.get("/desk/trash/")
        self.assertNotContains(response, "Long gone")
        self.assertContains(response, "Recently binned")
        self.assertEqual(
            list(Post.objects.values_list("title", flat=True)), ["Recently binned"]
        )

        write_entry(Page(title="Old page", slug="old", trashed_at=long_ago))
        out = StringIO()
        call_command("purge_trash", stdout=out)
        self.assertIn("Deleted 0 post(s) and 1 page(s)", out.getvalue())
        self.assertFalse(Page.objects.exists())

    def test_others_cannot_restore_what_is_not_theirs(self):
        post = self.make_post("Alice's", trashed_at=timezone.now())
        self.client.force_login(self.bob)
        self.assertNotContains(self.client.get("/desk/trash/"), "Alice&#x27;s")
        response = self.client.post(f"/desk/trash/posts/{post.pk}/restore/")
        self.assertEqual(response.status_code, 404)
        post.refresh_from_db()
        self.assertIsNotNone(post.trashed_at)
