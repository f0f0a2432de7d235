"""One intake for every source: the form, the desk, an import, federation."""

from datetime import UTC, datetime

from django.core import mail

from gazette.comments.intake import CommentDraft, Source, receive_comment
from gazette.comments.models import BlockRule, Comment
from gazette.comments.spam import Refused
from gazette.comments.tests.base import CommentsTestCase
from gazette.site.models import CommentPolicy
from gazette.test import committed


class IntakeTest(CommentsTestCase):
    def receive(self, post, source, **fields):
        fields.setdefault("name", "Rae")
        fields.setdefault("body", "The path past the mill is flooded this week.")
        with committed():
            return receive_comment(post, CommentDraft(**fields), source)

    def test_an_imported_comment_keeps_its_state_and_date_and_tells_nobody(self):
        post = self.make_post("Old post")
        self.set_policy(CommentPolicy.CLOSED)  # old comments arrive all the same
        when = datetime(2014, 6, 1, 9, 30, tzinfo=UTC)
        comment = self.receive(
            post,
            Source.IMPORT,
            status=Comment.Status.APPROVED,
            created_at=when,
            import_ref="blogger:comment-1",
            email="rae@example.net",
        )
        self.assertEqual((comment.status, comment.created_at), ("approved", when))
        self.assertEqual(comment.import_ref, "blogger:comment-1")
        self.assertIsNone(comment.spam_score)
        self.assertEqual(mail.outbox, [])
        self.assertContains(self.client.get(post.get_absolute_url()), "mill")

    def test_a_remote_reply_passes_the_same_limits_and_spam_layers_as_the_form(self):
        post = self.make_post()
        BlockRule.objects.create(kind=BlockRule.Kind.DOMAIN, value="pills.example")
        comment = self.receive(
            post,
            Source.FEDERATION,
            url="https://pills.example/",
            body="Cheap pills at https://pills.example/ today.",
        )
        self.assertEqual(comment.status, Comment.Status.SPAM)
        self.assertTrue(any("pills.example" in r for r in comment.spam_reasons))
        self.set_policy(CommentPolicy.CLOSED)
        with self.assertRaisesMessage(Refused, "closed"):
            self.receive(post, Source.FEDERATION)

    def test_the_blogs_own_people_are_approved_only_through_the_desk_source(self):
        post = self.make_post()
        self.set_policy(CommentPolicy.HOLD_ALL)
        own = self.receive(post, Source.DESK, user=self.alice)
        self.assertEqual(own.status, Comment.Status.APPROVED)
        # The same account arriving from elsewhere is checked like anyone.
        remote = self.receive(
            post, Source.FEDERATION, user=self.alice, body="A reply from afar."
        )
        self.assertEqual(remote.status, Comment.Status.HELD)

    def test_a_source_check_that_refuses_at_the_last_moment_stores_nothing(self):
        post = self.make_post()

        def used_already():
            raise Refused("This form was already sent once.")

        with self.assertRaises(Refused):
            self.receive(post, Source.FORM, claim=used_already)
        self.assertFalse(Comment.objects.exists())

    def test_signs_found_by_the_source_decide_the_state(self):
        post = self.make_post()
        spam = self.receive(post, Source.FORM, spam_signs=["Honeypot filled in"])
        held = self.receive(
            post, Source.FORM, hold_signs=["Sent too fast"], body="Other words here."
        )
        self.assertEqual(spam.status, Comment.Status.SPAM)
        self.assertEqual(held.status, Comment.Status.HELD)
        self.assertIn("Sent too fast", held.spam_reasons)

    def test_each_comment_remembers_where_it_came_from_and_the_desk_says_so(self):
        post = self.make_post()
        self.set_policy(CommentPolicy.OPEN)
        sources = [Source.FORM, Source.FEDERATION, Source.WEBMENTION, Source.IMPORT]
        for number, source in enumerate(sources):
            self.receive(
                post,
                source,
                body=f"Note number {number} about the weir and its eels.",
                source_url=(
                    f"https://far.example/{source}"
                    if source in (Source.FEDERATION, Source.WEBMENTION)
                    else ""
                ),
                status=Comment.Status.HELD if source == Source.IMPORT else None,
            )
        stored = dict(Comment.objects.values_list("body", "source"))
        self.assertEqual(
            [stored[f"Note number {n} about the weir and its eels."] for n in range(4)],
            ["form", "federation", "webmention", "import"],
        )
        self.client.force_login(self.alice)
        desk = "".join(
            self.client.get(f"/desk/comments/?status={tab}").content.decode()
            for tab in ("held", "approved", "spam")
        )
        self.assertIn(
            'href="https://far.example/federation" rel="nofollow noopener">Fediverse</a>',
            desk,
        )
        self.assertIn(
            'href="https://far.example/webmention" rel="nofollow noopener">Webmention</a>',
            desk,
        )
        # The queue can show one source's comments only, and stays on it.
        for tab in ("held", "approved", "spam"):
            page = self.client.get(f"/desk/comments/?status={tab}&source=federation")
            bodies = [c.body for c in page.context["page_obj"]]
            self.assertTrue(all("Note number 1" in b for b in bodies), bodies)
        found = Comment.objects.get(source="federation")
        tab = found.status  # the tabs are named after the states
        answer = self.client.post(
            f"/desk/comments/?status={tab}&source=federation",
            {"only": f"trash:{found.pk}"},
        )
        self.assertEqual(
            answer["Location"], f"/desk/comments/?status={tab}&source=federation"
        )
        self.assertEqual(
            self.client.get("/desk/comments/?source=nowhere").status_code, 404
        )

    def test_comments_from_before_sources_were_kept_are_named_by_their_marks(self):
        from importlib import import_module

        from django.apps import apps

        migration = import_module("gazette.comments.migrations.0007_comment_source")
        post = self.make_post()
        marks: dict[str, dict] = {
            "import": {"import_ref": "blogger:1"},
            "federation": {"user_agent": "ActivityPub"},
            "webmention": {"source_url": "https://far.example/a"},
            "desk": {"user": self.alice},
            "form": {},
        }
        for name, fields in marks.items():
            Comment.objects.create(post=post, author_name=name, body=name, **fields)
        migration.name_old_sources(apps, None)
        self.assertEqual(
            dict(Comment.objects.values_list("author_name", "source")),
            {name: name for name in marks},
        )
