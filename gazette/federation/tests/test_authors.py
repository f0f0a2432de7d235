"""An account per author, against a fake Mastodon on loopback: each author
who publishes can be found and followed as name@blog, and their posts come
from their own actor, signed with their own key, and boosted by the blog's."""

from unittest import mock

from django.urls import reverse
from django.utils.datastructures import CaseInsensitiveMapping

from gazette.federation import signatures
from gazette.federation.models import Actor, Delivery, Follower
from gazette.federation.tests.test_follows import ACTOR, INBOX, FediverseCase
from gazette.posts.writing import write_entry
from gazette.test import committed

ALICE = "http://testserver/federation/authors/alice"


def webfinger(resource: str) -> str:
    return "/.well-known/webfinger?resource=" + resource


class AuthorAccountsTest(FediverseCase):
    def setUp(self):
        super().setUp()
        self.set_site(author_accounts=True)
        self.post = self.make_post("Tides", body="The sea.")  # by alice

    def alice_actor(self) -> dict:
        """alice's actor document, made on this first request; the fake
        trusts her key from then on."""
        document = self.get_json(ALICE)
        self.fake.trust(document)
        return document

    def test_webfinger_finds_authors_who_publish(self):
        answer = self.client.get(webfinger("acct:alice@testserver"))
        self.assertEqual(answer.status_code, 200)
        self.assertEqual(answer["Content-Type"], "application/jrd+json")
        found = answer.json()
        self.assertEqual(found["subject"], "acct:alice@testserver")
        self.assertEqual(found["links"][0]["href"], ALICE)
        by_address = self.client.get(webfinger(ALICE)).json()
        self.assertEqual(by_address["subject"], "acct:alice@testserver")
        # The blog's own account is unchanged.
        blog = self.client.get(webfinger("acct:blog@testserver")).json()
        self.assertEqual(blog["links"][0]["href"], ACTOR)
        # NodeInfo counts the blog and the author looked up.
        nodeinfo = self.client.get("/federation/nodeinfo/2.1").json()
        self.assertEqual(nodeinfo["usage"]["users"]["total"], 2)

    def test_nobody_else_has_an_account(self):
        self.make_post("Bob's walk", author=self.bob)  # a contributor's
        for resource in (
            "acct:bob@testserver",  # may not publish
            "acct:carol@testserver",  # a reader
            "acct:dave@testserver",  # an admin with no post
            "acct:nobody@testserver",
            "acct:alice@elsewhere.example",
        ):
            with self.subTest(resource):
                answer = self.client.get(webfinger(resource))
                self.assertEqual(answer.status_code, 404)
        self.assertEqual(
            self.client.get(reverse("federation:author", args=["bob"])).status_code, 404
        )
        self.assertFalse(Actor.objects.filter(user__isnull=False).exists())

    def test_with_the_setting_off_there_are_no_author_accounts(self):
        self.alice_actor()
        self.set_site(author_accounts=False)
        self.assertEqual(
            self.client.get(webfinger("acct:alice@testserver")).status_code, 404
        )
        self.assertEqual(self.client.get(ALICE).status_code, 404)

    def test_the_author_actor_document(self):
        document = self.alice_actor()
        blog = self.blog
        self.assertEqual(document["id"], ALICE)
        self.assertEqual(document["type"], "Person")
        self.assertEqual(document["preferredUsername"], "alice")
        self.assertEqual(document["name"], "Alice Ames")
        self.assertEqual(document["url"], "http://testserver/")
        self.assertEqual(document["inbox"], "http://testserver" + INBOX)
        self.assertEqual(document["endpoints"]["sharedInbox"], blog["inbox"])
        self.assertEqual(document["followers"], ALICE + "/followers")
        self.assertEqual(document["publicKey"]["owner"], ALICE)
        self.assertEqual(document["publicKey"]["id"], ALICE + "#main-key")
        self.assertNotEqual(
            document["publicKey"]["publicKeyPem"], blog["publicKey"]["publicKeyPem"]
        )
        actor = Actor.objects.get(user=self.alice)
        self.assertEqual(actor.origin, Actor.objects.get(user=None).origin)
        self.assertEqual(self.get_json(ALICE)["publicKey"], document["publicKey"])
        outbox = self.get_json(document["outbox"])
        self.assertEqual(outbox["totalItems"], 1)
        create = outbox["orderedItems"][0]
        self.assertEqual(create["actor"], ALICE)
        self.assertEqual(create["object"]["attributedTo"], ALICE)
        self.assertEqual(self.get_json(document["followers"])["totalItems"], 0)

    def test_following_an_author_and_unfollowing(self):
        self.alice_actor()
        follow = self.follow(ALICE)
        follower = Follower.objects.get()
        self.assertFalse(follower.follows_blog)
        self.assertEqual(
            list(follower.authors.all()), [Actor.objects.get(user__isnull=False)]
        )
        (accepted,) = self.sent("Accept")
        self.assertEqual(accepted.activity["actor"], ALICE)
        self.assertEqual(accepted.signed_by, ALICE + "#main-key")
        self.assertEqual(self.get_json(ALICE + "/followers")["totalItems"], 1)
        self.assertEqual(
            self.get_json(reverse("federation:followers"))["totalItems"], 0
        )
        # Following the blog too is one row following both; undoing one keeps the other.
        blog_follow = self.follow(ACTOR, number=2)
        self.assertTrue(Follower.objects.get().follows_blog)
        self.undo(follow)
        follower = Follower.objects.get()
        self.assertEqual((follower.follows_blog, follower.authors.count()), (True, 0))
        self.undo(blog_follow)
        self.assertFalse(Follower.objects.exists())

    def test_a_post_comes_from_its_author_and_the_blog_boosts_it(self):
        self.alice_actor()
        self.follow(ALICE)  # ana follows alice
        # bea, on the same server, follows the blog.
        Follower.objects.create(
            actor_id=self.fake.url + "/users/bea",
            inbox=self.fake.url + "/users/bea/inbox",
            shared_inbox=self.fake.url + "/inbox",
        )
        self.fake.inbox.clear()
        post = self.make_post("Ebb", body="The sea again.")

        create, announce = self.fake.inbox  # one of each to the server
        self.assertEqual((create.path, announce.path), ("/inbox", "/inbox"))
        self.assertEqual(create.activity["type"], "Create")
        self.assertEqual(create.activity["actor"], ALICE)
        self.assertEqual(create.signed_by, ALICE + "#main-key")
        article = create.activity["object"]
        self.assertEqual(article["attributedTo"], ALICE)
        self.assertEqual(article["id"], f"http://testserver/federation/posts/{post.pk}")
        self.assertEqual(create.activity["id"], article["id"] + "#create")
        self.assertEqual(article["cc"], [ALICE + "/followers"])

        self.assertEqual(announce.activity["type"], "Announce")
        self.assertEqual(announce.activity["actor"], ACTOR)
        self.assertEqual(announce.activity["object"], article["id"])
        self.assertEqual(announce.signed_by, ACTOR + "#main-key")
        # What the boost points to says the same, fetched by its id.
        self.assertEqual(self.get_json(article["id"])["attributedTo"], ALICE)

        # The blog's own verifier agrees with the fake: alice's key signed it.
        with mock.patch.object(
            signatures,
            "fetch_document",
            side_effect=lambda url: self.get_json(
                url.removeprefix("http://testserver")
            ),
        ):
            key = signatures.verify(
                "POST", "/inbox", CaseInsensitiveMapping(create.headers), create.body
            )
        self.assertEqual((key.key_id, key.owner), (ALICE + "#main-key", ALICE))
        self.assertEqual(
            Delivery.objects.filter(activity_id=create.activity["id"]).count(), 1
        )

        # An edit is an Update from alice; no second boost.
        post.title = "Ebb and flow"
        with committed():
            write_entry(post, [], keep_revision=False)
        self.assertEqual(
            [(r.activity["type"], r.activity["actor"]) for r in self.fake.inbox[2:]],
            [("Update", ALICE)],
        )

    def test_with_the_setting_off_posts_come_from_the_blog_as_before(self):
        self.alice_actor()
        self.follow(ACTOR)
        self.set_site(author_accounts=False)
        self.fake.inbox.clear()
        post = self.make_post("Ebb")
        (create,) = self.fake.inbox
        self.assertEqual(create.activity["actor"], ACTOR)
        self.assertEqual(create.signed_by, ACTOR + "#main-key")
        self.assertEqual(create.activity["object"]["attributedTo"], ACTOR)
        self.assertEqual(
            create.activity["id"],
            f"http://testserver/federation/posts/{post.pk}#create",
        )
