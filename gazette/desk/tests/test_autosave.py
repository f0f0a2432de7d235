from datetime import timedelta
from unittest import mock

from django.utils import timezone

from gazette.desk.tests.base import DeskTestCase, post_form
from gazette.posts.models import Post


class AutosaveTest(DeskTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.alice)

    def test_a_new_post_is_autosaved_as_one_draft_with_a_revision_a_minute(self):
        data = post_form(draft_key="k1", body="First words")
        answer = self.client.post("/desk/posts/autosave/", data).json()
        post = Post.objects.get()
        self.assertEqual(answer["edit_url"], f"/desk/posts/{post.pk}/")
        self.assertEqual((post.status, post.body), ("draft", "First words"))
        self.assertEqual(post.revisions.count(), 1)

        # A second autosave from the same new editor changes the same post.
        data["body"] = "First words, and more"
        self.client.post("/desk/posts/autosave/", data)
        self.assertEqual(Post.objects.get().body, "First words, and more")
        self.assertEqual(post.revisions.count(), 1)

        later = timezone.now() + timedelta(seconds=61)
        with mock.patch("django.utils.timezone.now", return_value=later):
            data["body"] = "A minute later"
            self.client.post(f"/desk/posts/{post.pk}/autosave/", data)
        self.assertEqual(post.revisions.count(), 2)

        # Saving the new editor's form does not make a second post either.
        self.client.post("/desk/posts/new/", data | {"body": "Saved"})
        self.assertEqual(Post.objects.get().body, "Saved")

    def test_an_autosave_leaves_a_published_post_alone_and_keeps_a_revision(self):
        post = self.make_post("Live", body="What readers see.")
        data = post_form(title="Live", slug=post.slug, body="Half-way through")
        answer = self.client.post(f"/desk/posts/{post.pk}/autosave/", data).json()
        self.assertFalse(answer["is_draft"])
        data["body"] = "Half-way through a change"
        self.client.post(f"/desk/posts/{post.pk}/autosave/", data)
        post.refresh_from_db()
        self.assertEqual(post.body, "What readers see.")
        self.assertEqual(
            list(post.revisions.values_list("body", flat=True)),
            ["Half-way through a change"],
        )
        editor = self.client.get(f"/desk/posts/{post.pk}/")
        self.assertContains(editor, "has text readers do not see yet")

    def test_an_autosave_that_cannot_validate_keeps_what_it_can(self):
        self.client.post(
            "/desk/posts/autosave/",
            post_form(title="", published_at="soon", body="Text\x00 kept"),
        )
        post = Post.objects.get()
        self.assertEqual((post.title, post.body), ("", "Text kept"))
        self.assertIsNone(post.published_at)

    def test_a_signed_out_autosave_asks_to_sign_in(self):
        post = self.make_post("Draft", status="draft")
        self.client.logout()
        response = self.client.post(f"/desk/posts/{post.pk}/autosave/", post_form())
        self.assertEqual(response.status_code, 403)
        self.assertTrue(response.json()["signed_out"])
        self.assertEqual(
            response.json()["sign_in_url"],
            f"/desk/sign-in/?next=%2Fdesk%2Fposts%2F{post.pk}%2F",
        )


class EmptyEditorsTest(DeskTestCase):
    def test_an_editor_opened_and_left_empty_makes_no_draft(self):
        self.client.force_login(self.alice)
        empty = post_form(title="", body="", draft_key="left-empty")
        answer = self.client.post("/desk/posts/autosave/", empty)
        self.assertEqual(answer.status_code, 200)
        self.assertEqual(answer.json(), {"nothing_to_save": True})
        self.assertFalse(Post.objects.exists())
        typed = self.client.post("/desk/posts/autosave/", empty | {"body": "A line."})
        self.assertEqual(typed.json()["is_draft"], True)
        self.assertEqual(Post.objects.get().body, "A line.")
