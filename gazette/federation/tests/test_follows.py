"""Following the blog with approval, and one account blocked, against a fake
Mastodon on loopback: requests wait for the desk's answer, the answer is
delivered signed, and a blocked account is refused at the inbox."""

import json

from django.test import override_settings
from django.urls import reverse

from gazette.desk.tests.base import DeskTestCase
from gazette.federation import follows, inbox
from gazette.federation.models import (
    BlockedActor,
    Delivery,
    Follower,
    FollowRequest,
    Incoming,
)
from gazette.federation.tests.mastodon import FakeMastodonMixin
from gazette.site.models import SiteSettings
from gazette.site.writing import write_site_settings
from gazette.test import committed

ACTOR = "http://testserver/federation/actor"
INBOX = "/federation/inbox"
DESK = "/desk/fediverse/"


@override_settings(GAZETTE_FETCH_ALLOW_LOOPBACK=True, GAZETTE_FEDERATION=True)
class FediverseCase(FakeMastodonMixin, DeskTestCase):
    """The blog, a fake Mastodon with ana on it, and helpers to talk between
    them; dave is the blog's admin."""

    def set_site(self, **fields) -> None:
        site = SiteSettings.load()
        for name, value in fields.items():
            setattr(site, name, value)
        with committed():
            write_site_settings(site)

    def deliver(self, activity: dict):
        """POST `activity` to the blog's shared inbox, signed by ana."""
        body = json.dumps(activity).encode()
        return self.client.post(
            INBOX,
            body,
            content_type="application/activity+json",
            headers=self.fake.signed_headers(INBOX, body),
        )

    def follow(self, whom: str = ACTOR, number: int = 1) -> dict:
        activity = {
            "id": f"{self.fake.url}/follows/{number}",
            "type": "Follow",
            "actor": self.fake.actor_id,
            "object": whom,
        }
        self.assertEqual(self.deliver(activity).status_code, 202)
        return activity

    def undo(self, follow: dict) -> None:
        activity = {
            "id": follow["id"] + "#undo",
            "type": "Undo",
            "actor": self.fake.actor_id,
            "object": follow,
        }
        self.assertEqual(self.deliver(activity).status_code, 202)

    def sent(self, kind: str) -> list:
        return [r for r in self.fake.inbox if r.activity["type"] == kind]


class ApprovalTest(FediverseCase):
    def setUp(self):
        super().setUp()
        self.set_site(approve_followers=True)
        self.client.force_login(self.dave)

    def test_the_actor_says_followers_need_approval(self):
        self.assertTrue(
            self.get_json(reverse("federation:actor"))["manuallyApprovesFollowers"]
        )
        self.set_site(approve_followers=False)
        self.assertFalse(
            self.get_json(reverse("federation:actor"))["manuallyApprovesFollowers"]
        )

    def test_a_follow_waits_until_the_admin_accepts_it(self):
        follow = self.follow()
        waiting = FollowRequest.objects.get()
        self.assertEqual(waiting.name, "Ana Alves")
        self.assertEqual(waiting.activity, follow)
        self.assertIsNone(waiting.followed.user)
        self.assertFalse(Follower.objects.exists())
        self.assertEqual(self.fake.inbox, [])  # not answered yet

        screen = self.client.get(DESK)
        self.assertContains(screen, "Ana Alves")
        accept = reverse("desk:accept_follow_request", args=[waiting.pk])
        self.assertContains(screen, f'action="{accept}"')
        answer = self.client.post(accept, follow=True)
        self.assertRedirects(answer, DESK)
        self.assertContains(answer, f"Accepted {self.fake.actor_id}")

        self.assertFalse(FollowRequest.objects.exists())
        follower = Follower.objects.get()
        self.assertEqual(follower.actor_id, self.fake.actor_id)
        self.assertTrue(follower.follows_blog)
        self.assertEqual(follower.shared_inbox, self.fake.url + "/inbox")
        (accepted,) = self.sent("Accept")
        self.assertEqual(accepted.path, "/users/ana/inbox")
        self.assertEqual(accepted.signed_by, ACTOR + "#main-key")
        self.assertEqual(accepted.activity["actor"], ACTOR)
        self.assertEqual(accepted.activity["object"], follow)
        # Following already, a Follow sent again is accepted without waiting.
        self.follow(number=2)
        self.assertFalse(FollowRequest.objects.exists())
        self.assertEqual(len(self.sent("Accept")), 2)

    def test_a_declined_follow_is_rejected(self):
        follow = self.follow()
        waiting = FollowRequest.objects.get()
        decline = reverse("desk:decline_follow_request", args=[waiting.pk])
        self.assertContains(self.client.get(DESK), f'formaction="{decline}"')
        answer = self.client.post(decline, follow=True)
        self.assertContains(answer, f"Declined {self.fake.actor_id}")
        self.assertFalse(FollowRequest.objects.exists())
        self.assertFalse(Follower.objects.exists())
        (rejected,) = self.sent("Reject")
        self.assertEqual(rejected.path, "/users/ana/inbox")
        self.assertEqual(rejected.signed_by, ACTOR + "#main-key")
        self.assertEqual(rejected.activity["object"], follow)
        self.assertEqual(self.sent("Accept"), [])

    def test_an_undo_of_a_waiting_follow_removes_the_request(self):
        follow = self.follow()
        self.assertTrue(FollowRequest.objects.exists())
        self.undo(follow)
        self.assertFalse(FollowRequest.objects.exists())
        self.assertFalse(Follower.objects.exists())
        self.assertEqual(self.fake.inbox, [])

    def test_an_accepted_follower_out_of_reach_waits_again(self):
        self.follow()
        waiting = FollowRequest.objects.get()
        self.fake.put("/users/ana", {}, status=410)
        self.client.post(reverse("desk:accept_follow_request", args=[waiting.pk]))
        self.assertFalse(Follower.objects.exists())
        back = FollowRequest.objects.get()
        self.assertEqual((back.actor_id, back.name), (waiting.actor_id, "Ana Alves"))
        self.assertEqual(self.fake.inbox, [])

    def test_only_admins_answer_and_only_by_post(self):
        self.follow()
        waiting = FollowRequest.objects.get()
        accept = reverse("desk:accept_follow_request", args=[waiting.pk])
        self.assertEqual(self.client.get(accept).status_code, 405)
        self.client.force_login(self.alice)  # an author, not an admin
        self.assertEqual(self.client.post(accept).status_code, 403)
        decline = reverse("desk:decline_follow_request", args=[waiting.pk])
        self.assertEqual(self.client.post(decline).status_code, 403)
        self.assertTrue(FollowRequest.objects.exists())
        self.assertEqual(self.fake.inbox, [])


class BlockedAccountTest(FediverseCase):
    def test_a_blocked_account_is_refused_at_the_inbox(self):
        self.follow()
        follower = Follower.objects.get()
        self.client.force_login(self.dave)
        answer = self.client.post(
            reverse("desk:block_follower", args=[follower.pk]), follow=True
        )
        self.assertContains(answer, f"Blocked {self.fake.actor_id}")
        self.assertFalse(Follower.objects.exists())
        self.assertEqual(BlockedActor.objects.get().actor_id, self.fake.actor_id)

        before = Incoming.objects.count()
        refused = self.deliver(
            {
                "id": f"{self.fake.url}/follows/2",
                "type": "Follow",
                "actor": self.fake.actor_id,
                "object": ACTOR,
            }
        )
        self.assertEqual(refused.status_code, 403)
        self.assertEqual(Incoming.objects.count(), before)
        self.assertFalse(Follower.objects.exists())
        # Only that account: its neighbours on the instance are not blocked.
        self.assertTrue(inbox.is_blocked(self.fake.actor_id))
        self.assertTrue(inbox.is_blocked(self.fake.key_id))
        self.assertFalse(inbox.is_blocked(self.fake.url + "/users/bea"))

        # Unblocked, ana may follow again.
        blocked = BlockedActor.objects.get()
        self.client.post(reverse("desk:unblock_account", args=[blocked.pk]))
        self.assertFalse(BlockedActor.objects.exists())
        self.follow(number=3)
        self.assertTrue(Follower.objects.filter(actor_id=self.fake.actor_id).exists())

    def test_blocking_drops_waiting_requests_too(self):
        self.set_site(approve_followers=True)
        self.follow()
        self.assertTrue(FollowRequest.objects.exists())
        self.assertTrue(follows.block(self.fake.actor_id))
        self.assertFalse(follows.block(self.fake.actor_id))  # once
        self.assertFalse(FollowRequest.objects.exists())
        self.assertFalse(Delivery.objects.exists())
