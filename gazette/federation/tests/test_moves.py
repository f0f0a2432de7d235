"""Moving the blog's fediverse account with `gazette fediverse_move`: the new
blog names the old one (--alias), then the old one checks that and sends Move
to its followers' servers (--to). The fake Mastodon serves the new blog's actor
and receives the Move."""

from io import StringIO

from django.core.management import CommandError, call_command
from django.test import override_settings

from gazette.federation.models import Actor, Delivery, Follower
from gazette.federation.tests.mastodon import FakeMastodonMixin
from gazette.test import BaseTestCase, committed

ACTOR = "http://testserver/federation/actor"
OLD = "https://old.example/federation/actor"
NEW_PATH = "/new-blog/federation/actor"


def move(**options) -> str:
    out = StringIO()
    with committed():
        call_command("fediverse_move", stdout=out, **options)
    return out.getvalue()


@override_settings(GAZETTE_FETCH_ALLOW_LOOPBACK=True, GAZETTE_FEDERATION=True)
class MoveTest(FakeMastodonMixin, BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        Follower.objects.create(
            actor_id=self.fake.actor_id,
            inbox=self.fake.actor_id + "/inbox",
            shared_inbox=self.fake.url + "/inbox",
        )
        self.new = self.fake.url + NEW_PATH
        # The fake keeps what it serves from one test to the next.
        self.fake.documents.pop(NEW_PATH, None)

    def serve_new_blog(self, also_known_as, path: str = NEW_PATH) -> None:
        self.fake.put(
            path,
            {
                "@context": ["https://www.w3.org/ns/activitystreams"],
                "id": self.new,
                "type": "Service",
                "preferredUsername": "blog",
                "inbox": self.fake.url + "/new-blog/federation/inbox",
                "alsoKnownAs": also_known_as,
            },
        )

    def test_it_names_the_old_actor_once(self):
        self.assertNotIn("alsoKnownAs", self.get_json(ACTOR))
        self.assertIn("alsoKnownAs", move(alias=OLD))
        self.assertIn("already names", move(alias=OLD))
        actor = self.get_json(ACTOR)
        self.assertEqual(actor["alsoKnownAs"], [OLD])
        self.assertIn("alsoKnownAs", actor["@context"][-1])
        self.assertEqual(Actor.objects.get(user=None).also_known_as, [OLD])

    def test_it_refuses_its_own_address_and_what_is_no_address(self):
        for address in (ACTOR, "old.example/federation/actor"):
            with self.assertRaises(CommandError):
                move(alias=address)
        self.assertEqual(Actor.objects.get(user=None).also_known_as, [])

    def test_it_refuses_a_new_actor_that_does_not_name_the_blog(self):
        self.serve_new_blog(["https://elsewhere.example/federation/actor"])
        with self.assertRaisesMessage(CommandError, "does not name " + ACTOR):
            move(to=self.new)
        self.assert_not_moved()

    def test_it_refuses_a_new_actor_it_cannot_fetch(self):
        with self.assertRaisesMessage(CommandError, "answered 404"):
            move(to=self.new)
        self.assert_not_moved()

    def test_it_refuses_a_document_that_is_another_actor(self):
        # Its profile page, say, answering with the actor it belongs to.
        self.serve_new_blog([ACTOR], path="/new-blog/profile")
        with self.assertRaisesMessage(CommandError, "not itself"):
            move(to=self.fake.url + "/new-blog/profile")
        self.assert_not_moved()

    def test_it_sends_a_signed_move_once_and_says_moved_to(self):
        self.serve_new_blog(ACTOR)  # one address, not a list: JSON-LD allows it
        said = move(to=self.new)
        self.assertIn("queued for 1 of 1", said)
        self.assertEqual(len(self.fake.inbox), 1)
        received = self.fake.inbox[0]
        self.assertEqual(received.path, "/inbox")
        self.assertEqual(received.signed_by, ACTOR + "#main-key")
        activity = received.activity
        self.assertEqual(activity["type"], "Move")
        self.assertEqual(activity["actor"], ACTOR)
        self.assertEqual(activity["object"], ACTOR)
        self.assertEqual(activity["target"], self.new)
        self.assertTrue(activity["id"].startswith(ACTOR + "#move-"))
        actor = self.get_json(ACTOR)
        self.assertEqual(actor["movedTo"], self.new)
        self.assertIn("movedTo", actor["@context"][-1])
        self.assertEqual(Delivery.objects.get().status, Delivery.Status.SENT)

        self.assertIn("queued for 0 of 1", move(to=self.new))
        self.assertEqual(len(self.fake.inbox), 1)
        self.assertEqual(Delivery.objects.count(), 1)

    def assert_not_moved(self) -> None:
        self.assertEqual(self.fake.inbox, [])
        self.assertFalse(Delivery.objects.exists())
        self.assertEqual(Actor.objects.get(user=None).moved_to, "")
        self.assertNotIn("movedTo", self.get_json(ACTOR))
