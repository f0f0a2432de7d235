"""The inbox and what fediverse servers other than Mastodon send it, with the
fake server on loopback speaking each one's way: Pleroma and Akkoma (an
"hs2019" signature over content-length too, a note with its conversation,
source and mention), Misskey (headers signed in its own order, its own fields
beside the standard ones, reactions as likes), GoToSocial (a key at an address
of its own, fetches that must be signed), and the shapes that differ from one
server to the next (an author as an object or a list, addresses as objects,
audiences as one string, text only in `contentMap`).

Every activity below is answered 202 and then either acted on or ignored with
a reason: never left waiting, which is what an error in the worker would do.
"""

import json

from django.test import override_settings

from gazette.comments.models import Comment, Reaction
from gazette.federation.models import Follower, Incoming, Reply
from gazette.federation.tests.mastodon import FakeMastodonMixin
from gazette.test import BaseTestCase

BLOG = "http://testserver/federation/actor"
BLOG_KEY = BLOG + "#main-key"
INBOX = "/federation/inbox"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
# How Pleroma and Akkoma sign a delivery.
PLEROMA_HEADERS = ("(request-target)", "content-length", "date", "digest", "host")
# How Misskey signs one: the date before the host.
MISSKEY_HEADERS = ("(request-target)", "date", "host", "digest")


@override_settings(GAZETTE_FETCH_ALLOW_LOOPBACK=True, GAZETTE_FEDERATION=True)
class OtherServerCase(FakeMastodonMixin, BaseTestCase):
    """The blog with a post, and a fake server whose account "ana" trusts the
    blog's key."""

    def setUp(self):
        super().setUp()
        self.post = self.make_post("Tides", body="The sea.")

    def deliver(self, activity: dict, **sign) -> Incoming:
        """POST `activity` to the blog's inbox signed by the fake (`sign` as
        `signed_headers` takes it); the activity as the worker left it."""
        body = json.dumps(activity).encode()
        headers = self.fake.signed_headers(INBOX, body, **sign)
        answer = self.client.post(
            INBOX, body, content_type="application/activity+json", headers=headers
        )
        self.assertEqual(answer.status_code, 202, answer.content)
        received = Incoming.objects.get(activity_id=activity["id"])
        self.assertNotEqual(received.status, Incoming.Status.PENDING)
        return received

    def assertDone(self, received: Incoming) -> None:
        self.assertEqual((received.status, received.reason), (Incoming.Status.DONE, ""))

    def assertIgnored(self, received: Incoming, reason: str) -> None:
        self.assertEqual(
            (received.status, received.reason), (Incoming.Status.IGNORED, reason)
        )

    @property
    def post_url(self) -> str:
        return "http://testserver" + self.post.get_absolute_url()

    @property
    def article_id(self) -> str:
        return f"http://testserver/federation/posts/{self.post.pk}"

    def comment_of(self, note_id: str) -> Comment:
        return Comment.objects.get(federated__note_id=note_id)


class PleromaTest(OtherServerCase):
    """Pleroma and Akkoma: a follow, then a reply with a mention of the blog."""

    def setUp(self):
        super().setUp()
        # Pleroma's actor carries a few fields of its own beside the standard ones.
        self.fake.serve_actor(
            capabilities={"acceptsChatMessages": True},
            discoverable=False,
            endpoints={
                "sharedInbox": self.fake.url + "/inbox",
                "oauthTokenEndpoint": self.fake.url + "/oauth/token",
            },
        )

    def test_it_is_followed_then_answered_with_a_mention(self):
        follow = self.deliver(
            {
                "@context": ["https://www.w3.org/ns/activitystreams"],
                "id": self.fake.url + "/activities/5d0c-follow",
                "type": "Follow",
                "actor": self.fake.actor_id,
                "object": BLOG,
                "state": "pending",
                "to": [BLOG],
                "cc": [PUBLIC],
            },
            order=PLEROMA_HEADERS,
            algorithm="hs2019",
        )
        self.assertDone(follow)
        self.assertEqual(Follower.objects.get().actor_id, self.fake.actor_id)
        self.assertEqual(self.fake.inbox[-1].activity["type"], "Accept")

        note_id = self.fake.url + "/objects/7a51-reply"
        thread = self.fake.url + "/contexts/4b2e-thread"
        created = self.deliver(
            {
                "@context": ["https://www.w3.org/ns/activitystreams"],
                "id": self.fake.url + "/activities/7a51-create",
                "type": "Create",
                "actor": self.fake.actor_id,
                "context": thread,
                "directMessage": False,
                "to": [PUBLIC],
                "cc": [self.fake.actor_id + "/followers", BLOG],
                "object": {
                    "id": note_id,
                    "type": "Note",
                    "attributedTo": self.fake.actor_id,
                    "context": thread,
                    "conversation": thread,
                    "inReplyTo": self.article_id,
                    "content": (
                        '<span class="h-card"><a class="u-url mention" '
                        f'href="{BLOG}" rel="ugc">@<span>blog</span></a></span> '
                        "Salt &amp; spray,<br/>every morning."
                    ),
                    "source": {
                        "content": "@blog@testserver Salt & spray,\nevery morning.",
                        "mediaType": "text/plain",
                    },
                    "tag": [
                        {"type": "Mention", "href": BLOG, "name": "@blog@testserver"}
                    ],
                    "to": [PUBLIC],
                    "cc": [self.fake.actor_id + "/followers", BLOG],
                    "sensitive": False,
                    "summary": "",
                },
            },
            order=PLEROMA_HEADERS,
            algorithm="hs2019",
        )
        self.assertDone(created)
        comment = self.comment_of(note_id)
        self.assertEqual(comment.post, self.post)
        self.assertEqual(comment.author_name, "Ana Alves")
        self.assertEqual(comment.body, "@blog Salt & spray,\nevery morning.")


class MisskeyTest(OtherServerCase):
    """Misskey: its headers in its own order, `_misskey_*` fields, reactions."""

    def note(self, number: int, **fields) -> dict:
        note_id = f"{self.fake.url}/notes/9k2m{number}"
        return {
            "@context": ["https://www.w3.org/ns/activitystreams"],
            "id": note_id + "/activity",
            "type": "Create",
            "actor": self.fake.actor_id,
            "published": "2024-05-01T08:00:00.000Z",
            "to": [PUBLIC],
            "cc": [self.fake.actor_id + "/followers"],
            "object": {
                "id": note_id,
                "type": "Note",
                "attributedTo": self.fake.actor_id,
                "inReplyTo": self.article_id,
                "content": (
                    f'<p><a href="{BLOG}" class="u-url mention">@blog@testserver</a>'
                    "<span> Low tide at six.</span></p>"
                ),
                "_misskey_content": "@blog@testserver Low tide at six.",
                "source": {
                    "content": "@blog@testserver Low tide at six.",
                    "mediaType": "text/x.misskeymarkdown",
                },
                "tag": [{"type": "Mention", "href": BLOG, "name": "@blog@testserver"}],
                "summary": None,
                "sensitive": False,
                "attachment": [],
                **fields,
            },
        }

    def test_it_takes_a_reply_signed_in_misskeys_order(self):
        received = self.deliver(self.note(1), order=MISSKEY_HEADERS)
        self.assertDone(received)
        comment = self.comment_of(received.document["object"]["id"])
        self.assertEqual(comment.body, "@blog@testserver Low tide at six.")

    def test_a_reply_that_quotes_is_still_a_reply(self):
        quoted = f"{self.fake.url}/notes/8zzz"
        received = self.deliver(
            self.note(2, _misskey_quote=quoted, quoteUri=quoted),
            order=MISSKEY_HEADERS,
        )
        self.assertDone(received)
        self.assertEqual(
            self.comment_of(received.document["object"]["id"]).post, self.post
        )

    def test_a_quote_that_replies_to_nothing_is_ignored(self):
        activity = self.note(3, _misskey_quote=self.article_id)
        del activity["object"]["inReplyTo"]
        received = self.deliver(activity, order=MISSKEY_HEADERS)
        self.assertIgnored(received, "Not a reply to one of the blog's posts.")
        self.assertFalse(Comment.objects.exists())

    def test_a_reaction_counts_as_a_like(self):
        received = self.deliver(
            {
                "@context": ["https://www.w3.org/ns/activitystreams"],
                "id": f"{self.fake.url}/likes/9k2n1",
                "type": "Like",
                "actor": self.fake.actor_id,
                "object": self.article_id,
                "content": "\N{SPARKLES}",
                "_misskey_reaction": "\N{SPARKLES}",
            },
            order=MISSKEY_HEADERS,
        )
        self.assertDone(received)
        reaction = Reaction.objects.get()
        self.assertEqual((reaction.post, reaction.kind), (self.post, "like"))
        self.assertEqual(reaction.author_name, "Ana Alves")


class GoToSocialTest(OtherServerCase):
    """GoToSocial: a key document of its own, and signed fetches only."""

    def test_a_reply_lands_with_the_key_read_from_its_own_document(self):
        key_id = self.fake.serve_key_document()
        self.fake.require_signed_gets = True
        note_id = self.fake.actor_id + "/statuses/01HX7Q4N2B"
        received = self.deliver(
            {
                "@context": ["https://www.w3.org/ns/activitystreams"],
                "id": note_id + "/activity",
                "type": "Create",
                "actor": self.fake.actor_id,
                "to": [PUBLIC],
                "cc": [self.fake.actor_id + "/followers", BLOG],
                "object": {
                    "id": note_id,
                    "type": "Note",
                    "attributedTo": self.fake.actor_id,
                    "inReplyTo": self.post_url,
                    "url": self.fake.url + "/@ana/statuses/01HX7Q4N2B",
                    "content": "<p>Tide tables are kept here too.</p>",
                },
            },
            key_id=key_id,
            algorithm="hs2019",
        )
        self.assertDone(received)
        comment = self.comment_of(note_id)
        self.assertEqual(comment.author_name, "Ana Alves")
        self.assertEqual(comment.body, "Tide tables are kept here too.")
        # The key came from its own document, and every fetch was signed.
        self.assertIn(("/users/ana/main-key", BLOG_KEY), self.fake.fetched)
        self.assertEqual({by for _, by in self.fake.fetched}, {BLOG_KEY})


class VaryingShapesTest(OtherServerCase):
    """Fields that servers fill in differently: each one is read, or the
    activity is ignored with a reason."""

    def create(self, number: int, **fields) -> Incoming:
        """A reply `number` to the post, its Note changed by `fields`."""
        note_id = f"{self.fake.actor_id}/statuses/{number}"
        note = {
            "id": note_id,
            "type": "Note",
            "attributedTo": self.fake.actor_id,
            "inReplyTo": self.post_url,
            "content": "<p>Hello</p>",
            "to": [PUBLIC],
            **fields,
        }
        return self.deliver(
            {
                "id": note_id + "/activity",
                "type": "Create",
                "actor": self.fake.actor_id,
                "to": note["to"],
                "object": {k: v for k, v in note.items() if v is not None},
            }
        )

    def test_an_author_given_as_an_object(self):
        author = {"id": self.fake.actor_id, "type": "Person"}
        self.assertDone(self.create(1, attributedTo=author))
        self.assertTrue(Reply.objects.filter(actor=self.fake.actor_id).exists())

    def test_authors_given_as_a_list(self):
        # PeerTube names the account and its channel.
        channel = {"id": self.fake.url + "/video-channels/ana_tides", "type": "Group"}
        authors = [{"id": self.fake.actor_id, "type": "Person"}, channel]
        self.assertDone(self.create(1, attributedTo=authors))
        self.assertEqual(
            self.comment_of(f"{self.fake.actor_id}/statuses/1").body, "Hello"
        )

    def test_a_note_by_someone_else_is_ignored_in_any_shape(self):
        other = self.fake.url + "/users/bea"
        for number, shape in enumerate(
            [other, {"id": other, "type": "Person"}, [other], [], 7], 1
        ):
            with self.subTest(shape=shape):
                received = self.create(number, attributedTo=shape)
                self.assertIgnored(received, "The note is someone else's.")
        self.assertFalse(Comment.objects.exists())

    def test_a_reply_to_an_object(self):
        replied_to = {"id": self.article_id, "type": "Article"}
        self.assertDone(self.create(1, inReplyTo=replied_to))
        self.assertEqual(
            self.comment_of(f"{self.fake.actor_id}/statuses/1").post, self.post
        )

    def test_audiences_as_one_string(self):
        self.assertDone(self.create(1, to=PUBLIC, cc=self.fake.actor_id + "/followers"))

    def test_text_only_in_content_map(self):
        received = self.create(1, content=None, contentMap={"en": "<p>Spring tide</p>"})
        self.assertDone(received)
        self.assertEqual(
            self.comment_of(f"{self.fake.actor_id}/statuses/1").body, "Spring tide"
        )

    def test_an_update_in_those_shapes(self):
        self.assertDone(self.create(1))
        note_id = f"{self.fake.actor_id}/statuses/1"
        received = self.deliver(
            {
                "id": note_id + "#updates/1",
                "type": "Update",
                "actor": self.fake.actor_id,
                "to": PUBLIC,
                "object": {
                    "id": note_id,
                    "type": "Note",
                    "attributedTo": [{"id": self.fake.actor_id, "type": "Person"}],
                    "inReplyTo": {"id": self.post_url},
                    "contentMap": {"en": "<p>Hello again</p>"},
                    "to": PUBLIC,
                },
            }
        )
        self.assertDone(received)
        self.assertEqual(self.comment_of(note_id).body, "Hello again")

    def test_likes_and_boosts_of_an_object(self):
        for kind, number in (("Like", 1), ("Announce", 2)):
            received = self.deliver(
                {
                    "id": f"{self.fake.actor_id}/reactions/{number}",
                    "type": kind,
                    "actor": self.fake.actor_id,
                    "object": {"id": self.article_id, "type": "Article"},
                    "to": PUBLIC,
                }
            )
            self.assertDone(received)
        kinds = Reaction.objects.filter(post=self.post).values_list("kind", flat=True)
        self.assertEqual(sorted(kinds), ["like", "repost"])
        undone = self.deliver(
            {
                "id": f"{self.fake.actor_id}/reactions/1/undo",
                "type": "Undo",
                "actor": self.fake.actor_id,
                "object": {
                    "id": f"{self.fake.actor_id}/reactions/1",
                    "type": "Like",
                    "actor": self.fake.actor_id,
                    "object": {"id": self.article_id},
                },
            }
        )
        self.assertDone(undone)
        self.assertEqual(Reaction.objects.get().kind, "repost")

    def test_an_undo_naming_the_undone_activity_by_its_id_alone(self):
        like_id = f"{self.fake.actor_id}/likes/3"
        like = {
            "id": like_id,
            "type": "Like",
            "actor": self.fake.actor_id,
            "object": self.article_id,
        }
        self.assertDone(self.deliver(like))
        self.assertEqual(Reaction.objects.count(), 1)
        undo = {"type": "Undo", "actor": self.fake.actor_id, "object": like_id}
        self.assertDone(self.deliver({**undo, "id": like_id + "/undo"}))
        self.assertFalse(Reaction.objects.exists())
        # An id the inbox never received from this actor undoes nothing.
        stranger = self.deliver(
            {**undo, "id": like_id + "/undo-2", "object": like_id + "-unknown"}
        )
        self.assertIgnored(stranger, "Not an undo the blog acts on.")
