"""Threads across the fediverse, with the fake Mastodon on loopback: replies to
comments thread under them, their authors' edits follow, the blog's own
approved comments go out as replies (edited and deleted once each), and
fetches are signed for servers that refuse unsigned ones."""

import json

from django.test import override_settings

from gazette.comments import moderation
from gazette.comments.intake import CommentDraft, Source, receive_comment
from gazette.comments.models import BlockRule, Comment
from gazette.federation.models import Delivery, Incoming, PublishedComment
from gazette.federation.tests.mastodon import FakeMastodonMixin
from gazette.posts import writing
from gazette.site.models import SiteSettings
from gazette.test import BaseTestCase, committed

ACTOR = "http://testserver/federation/actor"
KEY = ACTOR + "#main-key"
INBOX = "/federation/inbox"


@override_settings(GAZETTE_FETCH_ALLOW_LOOPBACK=True, GAZETTE_FEDERATION=True)
class RepliesTest(FakeMastodonMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.post = self.make_post("Tides", body="The sea.")

    # Helpers.

    def deliver(self, activity: dict, key_id: str = "") -> None:
        body = json.dumps(activity).encode()
        headers = self.fake.signed_headers(INBOX, body, key_id=key_id)
        answer = self.client.post(
            INBOX, body, content_type="application/activity+json", headers=headers
        )
        self.assertEqual(answer.status_code, 202)

    def follow(self) -> None:
        self.deliver(
            {
                "id": self.fake.url + "/follows/1",
                "type": "Follow",
                "actor": self.fake.actor_id,
                "object": ACTOR,
            }
        )
        self.fake.inbox.clear()  # the Accept

    def note_id(self, number: int) -> str:
        return f"{self.fake.actor_id}/statuses/{number}"

    def reply(self, number: int, in_reply_to: str, content: str = "<p>Hi</p>"):
        """Ana's Note `number`, replying to `in_reply_to`, delivered; its comment."""
        self.deliver(
            {
                "id": self.note_id(number) + "/activity",
                "type": "Create",
                "actor": self.fake.actor_id,
                "object": {
                    "id": self.note_id(number),
                    "type": "Note",
                    "attributedTo": self.fake.actor_id,
                    "inReplyTo": in_reply_to,
                    "content": content,
                },
            }
        )
        return Comment.objects.filter(federated__note_id=self.note_id(number)).first()

    def update(self, number: int, content: str, actor: str = "", key_id: str = ""):
        actor = actor or self.fake.actor_id
        self.deliver(
            {
                "id": f"{self.note_id(number)}#updates/{len(content)}",
                "type": "Update",
                "actor": actor,
                "object": {
                    "id": self.note_id(number),
                    "type": "Note",
                    "attributedTo": actor,
                    "content": content,
                },
            },
            key_id=key_id,
        )

    def approve(self, comment: Comment) -> None:
        with committed():
            moderation.moderate([comment], "approve", by=self.alice)
        comment.refresh_from_db()

    def form_comment(self, body: str = "Lovely <tides> & more", **draft) -> Comment:
        """A guest's comment from the form, held as a first comment is."""
        draft.setdefault("name", "Dana <D>")
        with committed():
            return receive_comment(
                self.post, CommentDraft(body=body, **draft), Source.FORM
            )

    def replies_on(self) -> None:
        site = SiteSettings.load()
        site.comments_as_replies = True
        site.save()

    def sent(self, kind: str) -> list:
        return [r for r in self.fake.inbox if r.activity["type"] == kind]

    @property
    def post_url(self) -> str:
        return "http://testserver" + self.post.get_absolute_url()

    # Replies coming in.

    def test_it_threads_a_reply_to_a_reply_under_it(self):
        first = self.reply(1, self.post_url)
        self.assertIsNone(first.parent_id)
        self.approve(first)
        second = self.reply(2, self.note_id(1), "<p>And again</p>")
        self.assertEqual((second.post_id, second.parent_id), (self.post.pk, first.pk))
        self.assertEqual(second.body, "And again")
        # Second is held: a reply to it stays on the post, at the top.
        third = self.reply(3, self.note_id(2))
        self.assertEqual((third.post_id, third.parent_id), (self.post.pk, None))

    def test_it_threads_a_reply_to_the_blogs_comment_as_note_or_on_its_page(self):
        with committed():
            local = receive_comment(
                self.post,
                CommentDraft(name="Alice", body="Thanks!", user=self.alice),
                Source.DESK,
            )
        self.assertEqual(local.status, Comment.Status.APPROVED)
        as_note = self.reply(1, f"http://testserver/federation/comments/{local.pk}")
        self.assertEqual(as_note.parent_id, local.pk)
        on_page = self.reply(2, f"{self.post_url}#comment-{local.pk}")
        self.assertEqual(on_page.parent_id, local.pk)
        # An anchor that names no comment of this post: on the post, at the top.
        elsewhere = self.reply(3, f"{self.post_url}#comment-{local.pk + 999}")
        self.assertEqual((elsewhere.post_id, elsewhere.parent_id), (self.post.pk, None))
        # A note of the blog's that is no comment: nothing.
        self.assertIsNone(self.reply(4, "http://testserver/federation/comments/999"))

    def test_an_update_by_its_author_changes_the_comment(self):
        comment = self.reply(1, self.post_url, "<p>Lovely tdes</p>")
        self.approve(comment)
        self.fake.serve_actor(name="Ana A. Alves")
        self.update(1, "<p>Lovely <em>tides</em></p>")
        comment.refresh_from_db()
        self.assertEqual(comment.body, "Lovely tides")
        self.assertEqual(comment.author_name, "Ana A. Alves")
        self.assertEqual(comment.status, Comment.Status.APPROVED)
        self.assertContains(
            self.client.get(self.post.get_absolute_url()), "Lovely tides"
        )
        # An edit that would be spam on arrival is spam now.
        BlockRule.objects.create(kind=BlockRule.Kind.WORD, value="casino")
        self.update(1, "<p>Lovely casino</p>")
        comment.refresh_from_db()
        self.assertEqual(comment.status, Comment.Status.SPAM)
        self.assertNotContains(self.client.get(self.post.get_absolute_url()), "casino")

    def test_an_update_by_another_actor_is_refused(self):
        comment = self.reply(1, self.post_url, "<p>Mine</p>")
        bea = self.fake.url + "/users/bea"
        self.fake.put(
            "/users/bea",
            {
                "id": bea,
                "type": "Person",
                "inbox": bea + "/inbox",
                "publicKey": {
                    "id": bea + "#main-key",
                    "owner": bea,
                    "publicKeyPem": self.fake.public_pem,
                },
            },
        )
        self.update(1, "<p>Not yours</p>", actor=bea, key_id=bea + "#main-key")
        comment.refresh_from_db()
        self.assertEqual(comment.body, "Mine")
        refused = Incoming.objects.get(kind="Update")
        self.assertEqual(
            (refused.status, refused.reason),
            ("ignored", "Nothing of the blog's to update."),
        )

    # The blog's comments going out.

    def test_an_approved_form_comment_goes_out_edited_and_deleted_once_each(self):
        self.follow()
        self.replies_on()
        comment = self.form_comment()
        self.assertEqual(comment.status, Comment.Status.HELD)
        self.assertEqual(self.fake.inbox, [])  # not while it is held
        self.approve(comment)
        (create,) = self.sent("Create")
        self.assertEqual((create.path, create.signed_by), ("/inbox", KEY))
        note = create.activity["object"]
        note_id = f"http://testserver/federation/comments/{comment.pk}"
        self.assertEqual(note["id"], note_id)
        self.assertEqual(note["type"], "Note")
        self.assertEqual(note["attributedTo"], ACTOR)
        self.assertEqual(
            note["inReplyTo"], f"http://testserver/federation/posts/{self.post.pk}"
        )
        self.assertEqual(note["url"], f"{self.post_url}#comment-{comment.pk}")
        self.assertEqual(
            note["content"],
            "<p><strong>Dana &lt;D&gt;</strong> commented:</p>"
            "<p>Lovely &lt;tides&gt; &amp; more</p>",
        )
        self.assertIn("https://www.w3.org/ns/activitystreams#Public", note["to"])
        # The note is served at its id as it was sent.
        served = self.client.get(note_id)
        self.assertEqual(served["Content-Type"], "application/activity+json")
        self.assertEqual(
            {**served.json(), "@context": None}, {**note, "@context": None}
        )

        # Approving again, or saving the same text: nothing more.
        self.approve(comment)
        with committed():
            moderation.edit_comment(comment, by=self.alice)
        self.assertEqual(len(self.fake.inbox), 1)
        comment.body = "Lovely tides, and more."
        with committed():
            moderation.edit_comment(comment, by=self.alice)
        (update,) = self.sent("Update")
        self.assertEqual(update.signed_by, KEY)
        self.assertIn("Lovely tides, and more.", update.activity["object"]["content"])

        with committed():
            moderation.moderate([comment], "trash", by=self.alice)
        (delete,) = self.sent("Delete")
        self.assertEqual(
            delete.activity["object"], {"id": note_id, "type": "Tombstone"}
        )
        self.assertEqual(self.client.get(note_id).status_code, 404)
        # Deleted for good after the trash: followers were told already.
        with committed():
            moderation.moderate([comment], "delete", by=self.alice)
        self.assertEqual(len(self.sent("Delete")), 1)
        sent = Delivery.objects.filter(activity_id__startswith=note_id)
        self.assertEqual(list(sent.values_list("status", flat=True)), ["sent"] * 3)

    def test_a_comment_deleted_for_good_is_deleted_there_once(self):
        self.follow()
        self.replies_on()
        comment = self.form_comment()
        self.approve(comment)
        with committed():
            moderation.moderate([comment], "delete", by=self.alice)
        (delete,) = self.sent("Delete")
        self.assertEqual(
            delete.activity["object"]["id"],
            f"http://testserver/federation/comments/{comment.pk}",
        )
        self.assertEqual(delete.signed_by, KEY)
        self.assertFalse(PublishedComment.objects.exists())

    def test_the_blogs_notes_go_with_their_post_and_come_back_with_it(self):
        self.follow()
        self.replies_on()
        comment = self.form_comment()
        self.approve(comment)
        note_id = f"http://testserver/federation/comments/{comment.pk}"
        self.fake.inbox.clear()
        with committed():
            writing.trash(self.post)
        deleted = {r.activity["object"]["id"] for r in self.sent("Delete")}
        article_id = f"http://testserver/federation/posts/{self.post.pk}"
        self.assertEqual(deleted, {article_id, note_id})
        self.fake.inbox.clear()
        with committed():
            writing.restore(self.post)
        created = {r.activity["object"]["id"] for r in self.sent("Create")}
        self.assertEqual(created, {article_id, note_id})

    def test_a_reply_to_a_fediverse_comment_answers_its_note_and_reaches_it(self):
        # Ana does not follow the blog: the reply reaches her all the same.
        self.replies_on()
        hers = self.reply(1, self.post_url)
        self.approve(hers)
        self.assertEqual(self.fake.inbox, [])  # hers is never sent back
        ours = self.form_comment("Thank you, Ana.", parent_id=hers.pk)
        self.approve(ours)
        (create,) = self.sent("Create")
        self.assertEqual((create.path, create.signed_by), ("/inbox", KEY))
        note = create.activity["object"]
        self.assertEqual(note["inReplyTo"], self.note_id(1))
        self.assertIn(self.fake.actor_id, note["cc"])
        self.assertIn(self.fake.actor_id, create.activity["cc"])
        self.assertEqual(note["tag"][0]["type"], "Mention")
        self.assertEqual(note["tag"][0]["href"], self.fake.actor_id)
        # A reply to our own comment answers our own note; with nobody
        # following and no fediverse author replied to, it reaches no one.
        again = self.form_comment("Me again.", parent_id=ours.pk, name="Eve")
        self.approve(again)
        self.assertEqual(len(self.fake.inbox), 1)
        served = self.client.get(f"/federation/comments/{again.pk}").json()
        self.assertEqual(
            served["inReplyTo"], f"http://testserver/federation/comments/{ours.pk}"
        )
        self.assertEqual(served["tag"], [])

    def test_nothing_goes_out_with_the_setting_off(self):
        self.follow()
        comment = self.form_comment()
        self.approve(comment)
        comment.body = "Edited."
        with committed():
            moderation.edit_comment(comment, by=self.alice)
            moderation.moderate([comment], "trash", by=self.alice)
        self.assertEqual(self.fake.inbox, [])
        self.assertFalse(PublishedComment.objects.exists())

    @override_settings(GAZETTE_FEDERATION=False)
    def test_nothing_goes_out_with_federation_off(self):
        self.replies_on()
        comment = self.form_comment()
        self.approve(comment)
        self.assertFalse(PublishedComment.objects.exists())
        self.assertFalse(Delivery.objects.exists())

    def test_comments_from_the_fediverse_or_webmentions_never_go_out(self):
        self.follow()
        self.replies_on()
        hers = self.reply(1, self.post_url)
        with committed():
            mention = receive_comment(
                self.post,
                CommentDraft(
                    name="Fay",
                    body="Replied on my site.",
                    url="https://fay.example/",
                    source_url="https://fay.example/replies/1",
                ),
                Source.WEBMENTION,
            )
        for comment in (hers, mention):
            self.approve(comment)
            self.assertEqual(comment.status, Comment.Status.APPROVED)
            note = self.client.get(f"/federation/comments/{comment.pk}")
            self.assertEqual(note.status_code, 404)
        self.assertEqual(self.fake.inbox, [])
        self.assertFalse(PublishedComment.objects.exists())

    def test_a_held_comment_has_no_note(self):
        comment = self.form_comment()
        answer = self.client.get(f"/federation/comments/{comment.pk}")
        self.assertEqual(answer.status_code, 404)

    # Signed fetches.

    def test_a_reply_comes_in_from_a_server_that_wants_signed_fetches(self):
        self.fake.require_signed_gets = True
        comment = self.reply(1, self.post_url, "<p>Secure</p>")
        self.assertIsNotNone(comment)
        self.assertEqual(comment.author_name, "Ana Alves")
        self.assertTrue(self.fake.fetched)
        self.assertEqual({signer for _, signer in self.fake.fetched}, {KEY})
