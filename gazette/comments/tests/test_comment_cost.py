"""What posting a comment costs the server, beyond storing it: no work that
grows with the post's comments or the blog's, and no mail written inside the
reader's request (bench/comment_view.py measures the speed itself)."""

from django.core import mail
from django.db import connection
from django.tasks.backends.dummy import DummyBackend
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gazette.comments.models import Comment
from gazette.comments.moderation import moderate
from gazette.comments.tests.base import CommentsTestCase
from gazette.site.models import CommentPolicy

DUMMY_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


class CommentCostTest(CommentsTestCase):
    def test_it_does_not_count_the_posts_comments_to_store_one(self):
        post = self.make_post(hashtags=("walks",))
        for n in range(3):
            self.add_comment(post, f"Reader {n}", f"Comment number {n}.")
        with CaptureQueriesContext(connection) as queries:
            response = self.send(post, body="One more about the walk.")
        self.assertEqual(response.status_code, 302)
        sql = [q["sql"] for q in queries.captured_queries]
        self.assertFalse([s for s in sql if "COUNT(" in s.upper()], sql)
        self.assertFalse([s for s in sql if "posts_hashtag" in s], sql)

    def test_it_still_shows_the_whole_page_when_the_form_comes_back(self):
        post = self.make_post("Ridge walk", hashtags=("walks",))
        self.add_comment(post, "Ann", "Already here.")
        response = self.send(post, body="")  # no text: the form again
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "#walks", status_code=400)
        self.assertContains(response, "Already here.", status_code=400)
        self.assertEqual(response.context["post"].comment_count, 1)

    @override_settings(TASKS=DUMMY_TASKS)
    def test_it_leaves_the_mail_to_the_task_worker(self):
        from gazette.comments import tasks

        post = self.make_post()
        asked = self.add_comment(
            post, "Ann", author_email="ann@example.net", wants_reply_notifications=True
        )
        with self.captureOnCommitCallbacks(execute=True):
            self.send(post, parent=str(asked.pk), body="Answering Ann.")
        reply = Comment.objects.get(parent=asked)
        self.assertEqual(mail.outbox, [])  # nothing written in the request
        backend = tasks.tell_author_of_comment.get_backend()
        assert isinstance(backend, DummyBackend)
        queued = {(r.task.name, tuple(r.args)) for r in backend.results}
        site_url = "http://testserver"
        self.assertEqual(
            queued,
            {
                ("tell_author_of_comment", (reply.pk, site_url)),
                ("tell_commenter_of_reply", (reply.pk, site_url)),
            },
        )

    def test_it_knows_a_guest_by_email_in_any_case_through_an_index(self):
        self.set_policy(CommentPolicy.HOLD_FIRST)
        post = self.make_post()
        self.send(post, author_email="Dana@Example.NET", body="My first one here.")
        moderate([Comment.objects.get()], "approve", by=self.alice)
        self.send(post, client=Client(), body="And a second one, later on.")
        self.assertEqual(
            Comment.objects.latest("id").status, Comment.Status.APPROVED
        )  # same address, other case, other browser: known
        self.send(
            post, client=Client(), author_email="eve@example.net", body="Who am I?"
        )
        self.assertEqual(Comment.objects.latest("id").status, Comment.Status.HELD)

        # The lookup reads the comment_email_lower index, not every comment.
        from gazette.comments.intake import _known

        with CaptureQueriesContext(connection) as queries:
            _known(Comment(author_email="DANA@example.net", created_at=timezone.now()))
        email_query = next(
            q["sql"] for q in queries.captured_queries if "LOWER(" in q["sql"]
        )
        explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # A table this small would be read whole; ask for the index.
                cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(explain + email_query)
            plan = " ".join(str(row) for row in cursor.fetchall())
        self.assertIn("comment_email_lower", plan)
