from gazette.desk.tests.base import DeskTestCase, post_form
from gazette.posts.models import Post


class SessionExpiryTest(DeskTestCase):
    def sign_in(self, next_url: str):
        credentials = {"username": "alice", "password": "password", "next": next_url}
        response = self.client.post("/desk/sign-in/", credentials)
        self.assertRedirects(response, next_url, fetch_redirect_response=False)

    def test_text_sent_after_the_session_ended_is_saved_after_signing_in(self):
        post = self.make_post("Old title", status="draft")
        editor = f"/desk/posts/{post.pk}/"
        # The session expired: this POST arrives from nobody.
        data = post_form(title="New title", body="An hour of careful writing.")
        response = self.client.post(editor, data)
        self.assertRedirects(
            response, f"/desk/sign-in/?next={editor}", fetch_redirect_response=False
        )
        post.refresh_from_db()
        self.assertEqual(post.title, "Old title")

        self.sign_in(editor)
        response = self.client.get(editor)
        self.assertContains(response, "Your text was kept and is saved as a draft.")
        self.assertContains(response, "An hour of careful writing.")
        post.refresh_from_db()
        self.assertEqual(
            (post.title, post.body, post.status),
            ("New title", "An hour of careful writing.", "draft"),
        )
        # Only once: the held text is gone from the session.
        self.assertNotContains(self.client.get(editor), "Your text was kept")

    def test_a_new_post_written_while_signed_out_becomes_a_draft(self):
        data = post_form(title="Fresh", body="Never saved before.")
        self.client.post("/desk/posts/new/", data)
        self.assertFalse(Post.objects.exists())
        self.sign_in("/desk/posts/new/")
        response = self.client.get("/desk/posts/new/")
        post = Post.objects.get()
        self.assertRedirects(
            response, f"/desk/posts/{post.pk}/", fetch_redirect_response=False
        )
        self.assertEqual(
            (post.title, post.body, post.author),
            ("Fresh", "Never saved before.", self.alice),
        )

    def test_a_published_post_keeps_the_text_as_a_revision(self):
        post = self.make_post("Live", body="Published words.")
        editor = f"/desk/posts/{post.pk}/"
        self.client.post(editor, post_form(title="Live", body="Better words."))
        self.sign_in(editor)
        response = self.client.get(editor)
        self.assertContains(response, "Better words.")
        self.assertContains(response, "readers still see the published version")
        post.refresh_from_db()
        self.assertEqual(post.body, "Published words.")
        revision = post.revisions.first()
        assert revision is not None
        self.assertEqual(revision.body, "Better words.")
