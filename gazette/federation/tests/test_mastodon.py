"""The blog and a fake Mastodon on loopback: discovery, following, publishing,
a reply that becomes a comment after moderation, and hostile input refused."""

import json
from unittest import mock

from django.test import override_settings
from django.urls import reverse

from gazette.comments.models import Comment, Reaction
from gazette.federation import delivery, views
from gazette.federation.models import (
    BlockedDomain,
    Delivery,
    Follower,
    Incoming,
    Published,
)
from gazette.federation.tests.mastodon import FakeMastodonMixin
from gazette.posts.effects import bulk_writes
from gazette.posts.models import Post
from gazette.posts.writing import write_entry
from gazette.test import BaseTestCase, committed

ACTOR = "http://testserver/federation/actor"
INBOX = "/federation/inbox"


@override_settings(GAZETTE_FETCH_ALLOW_LOOPBACK=True, GAZETTE_FEDERATION=True)
class MastodonTest(FakeMastodonMixin, BaseTestCase):
    def deliver(self, activity: dict, *, body: bytes | None = None, **sign):
        """POST `activity` to the blog's inbox as the fake signs it."""
        body = body if body is not None else json.dumps(activity).encode()
        headers = self.fake.signed_headers(INBOX, body, **sign)
        return self.client.post(
            INBOX,
            body,
            content_type="application/activity+json",
            headers=headers,
        )

    def follow(self) -> None:
        answer = self.deliver(
            {
                "id": self.fake.url + "/follows/1",
                "type": "Follow",
                "actor": self.fake.actor_id,
                "object": ACTOR,
            }
        )
        self.assertEqual(answer.status_code, 202)

    def note(self, post: Post, number: int = 1) -> dict:
        note_id = f"{self.fake.actor_id}/statuses/{number}"
        return {
            "id": note_id + "/activity",
            "type": "Create",
            "actor": self.fake.actor_id,
            "object": {
                "id": note_id,
                "type": "Note",
                "attributedTo": self.fake.actor_id,
                "url": f"{self.fake.url}/@ana/{number}",
                "inReplyTo": "http://testserver" + post.get_absolute_url(),
                "content": "<p>Lovely <b>tides</b> &amp; more</p><p>Ana</p>",
            },
        }

    def test_discovery(self):
        answer = self.client.get("/.well-known/webfinger?resource=acct:blog@testserver")
        self.assertEqual(answer["Content-Type"], "application/jrd+json")
        self.assertEqual(answer.json()["links"][0]["href"], ACTOR)
        self.assertEqual(
            self.client.get(
                "/.well-known/webfinger?resource=acct:someone@testserver"
            ).status_code,
            404,
        )
        actor = self.get_json(ACTOR)
        self.assertEqual(actor["preferredUsername"], "blog")
        self.assertEqual(actor["endpoints"]["sharedInbox"], "http://testserver" + INBOX)
        self.assertIn("BEGIN PUBLIC KEY", actor["publicKey"]["publicKeyPem"])
        links = self.client.get("/.well-known/nodeinfo").json()
        nodeinfo = self.get_json(links["links"][0]["href"])
        self.assertEqual(nodeinfo["protocols"], ["activitypub"])

    def test_the_outbox_has_posts_as_articles(self):
        post = self.make_post(
            "Tides",
            body="The sea. #Coast\n\n![A pier](/media/pier.jpg)",
            hashtags=("Coast",),
        )
        outbox = self.get_json(reverse("federation:outbox"))
        article = outbox["orderedItems"][0]["object"]
        self.assertEqual(outbox["orderedItems"][0]["type"], "Create")
        self.assertEqual(article["type"], "Article")
        self.assertEqual(article["name"], "Tides")
        self.assertEqual(article["url"], "http://testserver" + post.get_absolute_url())
        self.assertEqual(article["tag"][0]["type"], "Hashtag")
        self.assertEqual(article["tag"][0]["name"], "#Coast")
        self.assertEqual(article["attachment"][0]["name"], "A pier")
        self.assertTrue(article["attachment"][0]["url"].startswith("http://testserver"))
        self.assertIn("The sea.", article["summary"])

    def test_a_mastodon_follows_gets_posts_and_replies(self):
        self.follow()
        follower = Follower.objects.get()
        self.assertEqual(follower.shared_inbox, self.fake.url + "/inbox")
        # The Accept went to ana's own inbox, signed by the blog.
        accept = self.fake.inbox[-1]
        self.assertEqual(accept.path, "/users/ana/inbox")
        self.assertEqual(accept.signed_by, ACTOR + "#main-key")
        self.assertEqual(accept.activity["type"], "Accept")
        self.assertEqual(accept.activity["object"]["type"], "Follow")

        # The author publishes: the fake's shared inbox gets a signed Create.
        post = self.make_post("Tides", body="The sea.")
        create = self.fake.inbox[-1]
        self.assertEqual(create.path, "/inbox")
        self.assertEqual(create.signed_by, ACTOR + "#main-key")
        self.assertEqual(create.activity["type"], "Create")
        self.assertEqual(create.activity["object"]["name"], "Tides")
        # Saving it again unchanged sends nothing; an edit sends an Update.
        count = len(self.fake.inbox)
        with committed():
            write_entry(post, [], keep_revision=False)
        self.assertEqual(len(self.fake.inbox), count)
        post.title = "Tides, again"
        with committed():
            write_entry(post, [], keep_revision=False)
        self.assertEqual(self.fake.inbox[-1].activity["type"], "Update")

        # Ana replies: held for moderation, then approved at the desk.
        self.assertEqual(self.deliver(self.note(post)).status_code, 202)
        comment = Comment.objects.get()
        self.assertEqual(comment.status, Comment.Status.HELD)
        self.assertEqual(comment.author_name, "Ana Alves")
        self.assertEqual(comment.author_url, self.fake.url + "/@ana")
        self.assertEqual(comment.source_url, self.fake.url + "/@ana/1")
        self.assertEqual(comment.body, "Lovely tides & more\n\nAna")
        page = self.client.get(post.get_absolute_url())
        self.assertNotContains(page, "Lovely tides")
        self.client.force_login(self.alice)
        self.client.post(
            reverse("desk:comments") + "?status=held", {"only": f"approve:{comment.pk}"}
        )
        self.client.logout()
        comment.refresh_from_db()
        self.assertEqual(comment.status, Comment.Status.APPROVED)
        self.assertContains(self.client.get(post.get_absolute_url()), "Lovely tides")

        # Ana deletes her note: the comment goes.
        gone = {
            "id": self.fake.actor_id + "/statuses/1#delete",
            "type": "Delete",
            "actor": self.fake.actor_id,
            "object": {"id": self.fake.actor_id + "/statuses/1", "type": "Tombstone"},
        }
        self.assertEqual(self.deliver(gone).status_code, 202)
        self.assertFalse(Comment.objects.exists())

        # Trashing the post sends a Delete; ana unfollows.
        post.trashed_at = post.published_at
        with committed():
            write_entry(post, [], keep_revision=False)
        self.assertEqual(self.fake.inbox[-1].activity["type"], "Delete")
        undo = {
            "id": self.fake.url + "/follows/1#undo",
            "type": "Undo",
            "actor": self.fake.actor_id,
            "object": {
                "id": self.fake.url + "/follows/1",
                "type": "Follow",
                "actor": self.fake.actor_id,
                "object": ACTOR,
            },
        }
        self.assertEqual(self.deliver(undo).status_code, 202)
        self.assertFalse(Follower.objects.exists())

    def test_likes_and_boosts_are_counted_under_the_post_until_undone(self):
        post = self.make_post("Tides", body="The sea.")
        target = "http://testserver" + post.get_absolute_url()
        like = {
            "id": self.fake.actor_id + "#likes/1",
            "type": "Like",
            "actor": self.fake.actor_id,
            "object": target,
        }
        boost = {
            "id": self.fake.actor_id + "/statuses/9/activity",
            "type": "Announce",
            "actor": self.fake.actor_id,
            "object": target,
        }
        for activity in (like, boost, like | {"id": like["id"] + "-again"}):
            self.assertEqual(self.deliver(activity).status_code, 202)
        page = self.client.get(post.get_absolute_url()).content.decode()
        self.assertIn("1 like · 1 repost", page)
        self.assertIn(
            f'<a href="{self.fake.url}/@ana" rel="nofollow ugc">Ana Alves</a>', page
        )
        undo = {
            "id": self.fake.actor_id + "#likes/1/undo",
            "type": "Undo",
            "actor": self.fake.actor_id,
            "object": like,
        }
        self.assertEqual(self.deliver(undo).status_code, 202)
        page = self.client.get(post.get_absolute_url()).content.decode()
        self.assertIn("1 repost", page)
        self.assertNotIn("like", page.split('class="reactions"')[1].split("</p>")[0])
        # Someone else's like cannot be undone by this actor.
        self.assertEqual(Reaction.objects.count(), 1)

    def test_each_activity_goes_once_to_each_server(self):
        self.follow()
        Follower.objects.create(
            actor_id=self.fake.url + "/users/bea",
            inbox=self.fake.url + "/users/bea/inbox",
            shared_inbox=self.fake.url + "/inbox",
        )
        self.fake.inbox.clear()
        post = self.make_post("Tides")
        self.assertEqual([r.path for r in self.fake.inbox], ["/inbox"])
        # Queued again (a task run twice, a record lost): nothing more is sent.
        create = self.fake.inbox[0].activity
        self.assertEqual(delivery.send(create, [self.fake.url + "/inbox"]), [])
        Published.objects.filter(post=post).delete()
        delivery.federate_post(post.pk)
        self.assertEqual(len(self.fake.inbox), 1)
        sent = Delivery.objects.filter(status="sent", activity_id=create["id"])
        self.assertEqual(sent.count(), 1)

    def test_a_failed_delivery_is_tried_again_later_then_given_up(self):
        self.follow()
        self.fake.down.add("/inbox")
        self.addCleanup(self.fake.down.clear)
        with mock.patch("gazette.federation.tasks.retry_later") as retry:
            self.make_post("Tides")
        row = Delivery.objects.get(inbox=self.fake.url + "/inbox")
        self.assertEqual((row.status, row.attempts), ("pending", 1))
        self.assertIn("503", row.last_error)
        (_, when), _ = retry.call_args
        self.assertGreater(when, row.created_at)
        # Back up before the last attempt: delivered, once.
        for _ in range(delivery.MAX_ATTEMPTS - 2):
            delivery.attempt(row)
        self.assertEqual((row.status, row.attempts), ("pending", 4))
        self.fake.down.clear()
        delivery.attempt(row)
        delivery.attempt(row)
        self.assertEqual((row.status, row.attempts), ("sent", 5))
        self.assertEqual(self.fake.inbox[-1].activity["type"], "Create")

    def test_a_delivery_is_given_up_after_the_last_attempt(self):
        self.follow()
        self.fake.down.add("/inbox")
        self.addCleanup(self.fake.down.clear)
        with mock.patch("gazette.federation.tasks.retry_later") as retry:
            self.make_post("Tides")
            row = Delivery.objects.get(inbox=self.fake.url + "/inbox")
            for _ in range(delivery.MAX_ATTEMPTS):
                delivery.attempt(row)
        self.assertEqual((row.status, row.attempts), ("failed", 5))
        self.assertEqual(retry.call_count, delivery.MAX_ATTEMPTS - 1)

    def test_imports_and_drafts_are_not_sent(self):
        self.follow()
        self.fake.inbox.clear()
        self.make_post("Old", import_ref="blogger:post-1")
        self.make_post("Draft", status=Post.Status.DRAFT)
        with bulk_writes():
            self.make_post("Imported in bulk")
        self.assertEqual(self.fake.inbox, [])
        self.make_post("New")
        self.assertEqual(self.fake.inbox[-1].activity["object"]["name"], "New")

    # Hostile input.

    def test_it_refuses_unsigned_badly_signed_and_stale(self):
        follow = {
            "id": self.fake.url + "/follows/9",
            "type": "Follow",
            "actor": self.fake.actor_id,
            "object": ACTOR,
        }
        body = json.dumps(follow).encode()
        unsigned = self.client.post(
            INBOX, body, content_type="application/activity+json"
        )
        self.assertEqual(unsigned.status_code, 401)
        headers = self.fake.signed_headers(INBOX, body)
        headers["Signature"] = headers["Signature"].replace(
            'signature="', 'signature="AA'
        )
        bad = self.client.post(
            INBOX, body, content_type="application/activity+json", headers=headers
        )
        self.assertEqual(bad.status_code, 401)
        from datetime import UTC, datetime, timedelta

        stale = self.deliver(follow, date=datetime.now(UTC) - timedelta(hours=1))
        self.assertEqual(stale.status_code, 401)
        self.assertFalse(Incoming.objects.exists())
        self.assertFalse(Follower.objects.exists())

    def test_it_refuses_huge_bodies_and_deep_nesting(self):
        huge = {"id": self.fake.url + "/x", "type": "Note", "actor": "x"}
        body = json.dumps({**huge, "content": "a" * 1024 * 1024}).encode()
        self.assertEqual(self.deliver({}, body=body).status_code, 413)
        nested: dict = {"id": self.fake.url + "/n", "type": "Create"}
        deep: dict = nested
        for _ in range(100):
            deep["object"] = {"type": "Note"}
            deep = deep["object"]
        nested["actor"] = self.fake.actor_id
        self.assertEqual(self.deliver(nested).status_code, 400)

    def test_one_address_is_slowed_after_very_many_activities(self):
        with mock.patch.object(views, "INBOX_PER_IP", 2):
            answers = [self.deliver({}).status_code for _ in range(3)]
        self.assertEqual(answers[:2], [400, 400])  # counted, then refused as empty
        self.assertEqual(answers[2], 429)

    def test_it_refuses_an_actor_other_than_the_signer(self):
        activity = {
            "id": self.fake.url + "/follows/2",
            "type": "Follow",
            "actor": self.fake.url + "/users/someone-else",
            "object": ACTOR,
        }
        self.assertEqual(self.deliver(activity).status_code, 401)
        self.assertFalse(Follower.objects.exists())

    def test_it_refuses_keys_and_inboxes_on_private_addresses(self):
        # A key named on a private address is never fetched.
        follow = {
            "id": self.fake.url + "/follows/5",
            "type": "Follow",
            "actor": self.fake.actor_id,
            "object": ACTOR,
        }
        body = json.dumps(follow).encode()
        headers = self.fake.signed_headers(INBOX, body)
        for private in ("http://10.1.2.3/users/ana", "http://192.168.0.9/users/ana"):
            with self.subTest(private):
                forged = headers["Signature"].replace(self.fake.actor_id, private)
                answer = self.client.post(
                    INBOX,
                    body,
                    content_type="application/activity+json",
                    headers={**headers, "Signature": forged},
                )
                self.assertEqual(answer.status_code, 401)
                self.assertIn(b"not a public address", answer.content)
        # A follower whose inbox is on a private network is not delivered to.
        self.fake.serve_actor(
            inbox="http://192.168.0.9/inbox", endpoints={"sharedInbox": ""}
        )
        self.follow()
        row = Delivery.objects.get()
        self.assertEqual(row.status, "failed")
        self.assertIn("not a public address", row.last_error)

    def test_the_same_activity_twice_is_handled_once(self):
        self.follow()
        self.follow()  # a retry, or a loop between servers
        self.assertEqual(Incoming.objects.count(), 1)
        accepts = [r for r in self.fake.inbox if r.activity["type"] == "Accept"]
        self.assertEqual(len(accepts), 1)

    def test_it_refuses_blocked_instances(self):
        BlockedDomain.objects.create(domain="127.0.0.1")
        answer = self.deliver(
            {
                "id": self.fake.url + "/follows/3",
                "type": "Follow",
                "actor": self.fake.actor_id,
                "object": ACTOR,
            }
        )
        self.assertEqual(answer.status_code, 403)
        self.assertFalse(Follower.objects.exists())

    def test_a_reply_to_something_else_makes_no_comment(self):
        post = self.make_post("Tides")
        activity = self.note(post)
        activity["object"]["inReplyTo"] = "http://elsewhere.example/posts/1"
        self.assertEqual(self.deliver(activity).status_code, 202)
        self.assertFalse(Comment.objects.exists())
        self.assertEqual(Incoming.objects.get().status, "ignored")
