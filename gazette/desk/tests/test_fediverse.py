"""The desk's Fediverse screen: the blog's followers, requests to follow,
blocked accounts and instances, and likes, reposts and mentions received."""

from datetime import timedelta
from unittest import mock

from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from gazette.comments.models import Reaction
from gazette.desk.tests.base import DeskTestCase
from gazette.federation import inbox
from gazette.federation.models import (
    Actor,
    BlockedActor,
    BlockedDomain,
    Follower,
    FollowRequest,
)
from gazette.site.models import SiteSettings
from gazette.webmentions.models import Received

URL = "/desk/fediverse/"


def follower(address: str, days_ago: int = 0) -> Follower:
    return Follower.objects.create(
        actor_id=address,
        inbox=address + "/inbox",
        followed_at=timezone.now() - timedelta(days=days_ago),
    )


class FediverseScreenTest(DeskTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.dave)

    def test_an_admin_sees_the_account_followers_and_blocks(self):
        follower("https://old.example/users/ann", days_ago=30)
        follower("https://new.example/users/ben", days_ago=1)
        BlockedDomain.objects.create(domain="spam.example")
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "blog@testserver")
        self.assertContains(response, "http://testserver/federation/actor")
        self.assertEqual(
            [(f.actor_id, host) for f, host in response.context["rows"]],
            [
                ("https://new.example/users/ben", "new.example"),
                ("https://old.example/users/ann", "old.example"),
            ],
        )
        self.assertContains(response, 'href="https://new.example/users/ben"')
        self.assertContains(response, "spam.example")
        self.assertContains(response, 'href="/desk/fediverse/"')  # in the nav

    def test_followers_come_a_hundred_a_page(self):
        Follower.objects.bulk_create(
            Follower(actor_id=f"https://a.example/u/{n}", inbox="https://a.example/i")
            for n in range(101)
        )
        self.assertEqual(len(self.client.get(URL).context["rows"]), 100)
        self.assertEqual(len(self.client.get(URL + "?page=2").context["rows"]), 1)

    def test_others_are_refused(self):
        self.client.force_login(self.alice)  # an author, not an admin
        self.assertEqual(self.client.get(URL).status_code, 403)
        self.assertNotContains(self.client.get("/desk/"), 'href="/desk/fediverse/"')
        gone = follower("https://a.example/users/ann")
        answer = self.client.post(f"/desk/fediverse/followers/{gone.pk}/remove/")
        self.assertEqual(answer.status_code, 403)
        answer = self.client.post("/desk/fediverse/block/", {"domain": "a.example"})
        self.assertEqual(answer.status_code, 403)
        self.assertTrue(Follower.objects.exists())
        self.assertFalse(BlockedDomain.objects.exists())

    def test_an_admin_removes_a_follower(self):
        gone = follower("https://a.example/users/ann")
        kept = follower("https://a.example/users/ben")
        answer = self.client.post(
            f"/desk/fediverse/followers/{gone.pk}/remove/", follow=True
        )
        self.assertRedirects(answer, URL)
        self.assertContains(answer, "https://a.example/users/ann no longer follows")
        self.assertEqual(list(Follower.objects.all()), [kept])
        removing = f"/desk/fediverse/followers/{kept.pk}/remove/"
        self.assertEqual(self.client.get(removing).status_code, 405)

    def test_blocking_an_instance_removes_its_followers_and_the_inbox_refuses_it(self):
        follower("https://bad.example/users/ann")
        follower("https://eu.bad.example/users/ben")
        kept = follower("https://notbad.example/users/cid")
        answer = self.client.post(
            "/desk/fediverse/block/", {"domain": "  Bad.Example "}, follow=True
        )
        self.assertRedirects(answer, URL)
        self.assertContains(answer, "Blocked bad.example; 2 followers removed.")
        self.assertEqual(
            list(BlockedDomain.objects.values_list("domain", flat=True)),
            ["bad.example"],
        )
        self.assertEqual(list(Follower.objects.all()), [kept])
        self.assertTrue(inbox.is_blocked("https://bad.example/users/ann"))
        self.assertTrue(inbox.is_blocked("https://eu.bad.example/users/ben"))
        self.assertFalse(inbox.is_blocked("https://notbad.example/users/cid"))

    def test_what_is_not_a_host_name_is_refused_and_kept(self):
        for typed in (
            "https://bad.example",
            "bad.example/users",
            "ann@bad.example",
            "bad example",
            "localhost",
            "bad.example:443",
        ):
            with self.subTest(typed):
                answer = self.client.post("/desk/fediverse/block/", {"domain": typed})
                self.assertEqual(answer.status_code, 400)
                self.assertTrue(answer.context["form"].errors["domain"])
                self.assertContains(answer, f'value="{typed}"', status_code=400)
        self.assertFalse(BlockedDomain.objects.exists())

    def test_an_admin_unblocks_an_instance(self):
        blocked = BlockedDomain.objects.create(domain="bad.example")
        answer = self.client.post(
            f"/desk/fediverse/blocked/{blocked.pk}/unblock/", follow=True
        )
        self.assertRedirects(answer, URL)
        self.assertContains(answer, "bad.example is no longer blocked")
        self.assertFalse(BlockedDomain.objects.exists())
        self.assertFalse(inbox.is_blocked("https://bad.example/users/ann"))


class FollowRequestsAndBlocksTest(DeskTestCase):
    """The screen's lists of waiting requests and blocked accounts; the
    round trip with a remote server is in gazette.federation's tests."""

    def setUp(self):
        super().setUp()
        self.client.force_login(self.dave)
        self.blog = Actor.objects.create(
            origin="http://testserver", private_key_pem="-", public_key_pem="-"
        )

    def request_from(self, address: str, name: str = "") -> FollowRequest:
        follow = {"id": address + "#follow", "type": "Follow", "actor": address}
        return FollowRequest.objects.create(
            actor_id=address, followed=self.blog, activity=follow, name=name
        )

    def test_waiting_requests_are_listed_escaped_with_their_answers(self):
        site = SiteSettings.load()
        site.approve_followers = True
        site.save()
        cache.clear()
        self.assertContains(self.client.get(URL), "Nobody is waiting.")
        waiting = self.request_from("https://a.example/users/ann", "<b>Ann</b>")
        response = self.client.get(URL)
        self.assertContains(response, "&lt;b&gt;Ann&lt;/b&gt;")
        self.assertNotContains(response, "<b>Ann</b>")
        self.assertContains(
            response, f'action="/desk/fediverse/requests/{waiting.pk}/accept/"'
        )
        self.assertContains(
            response, f'formaction="/desk/fediverse/requests/{waiting.pk}/decline/"'
        )

    def test_requests_show_while_any_wait_even_with_approval_off(self):
        self.assertNotContains(self.client.get(URL), "Follow requests")
        self.request_from("https://a.example/users/ann")
        self.assertContains(self.client.get(URL), "Approval is off now")

    def test_answering_needs_the_csrf_token(self):
        waiting = self.request_from("https://a.example/users/ann")
        strict = Client(enforce_csrf_checks=True)
        strict.force_login(self.dave)
        for answer in ("accept", "decline"):
            with self.subTest(answer):
                url = f"/desk/fediverse/requests/{waiting.pk}/{answer}/"
                self.assertEqual(strict.post(url).status_code, 403)
        self.assertTrue(FollowRequest.objects.exists())

    def test_declining_queues_the_answer_and_clears_the_list(self):
        waiting = self.request_from("https://a.example/users/ann")
        with mock.patch("gazette.federation.tasks.answer_follow") as task:
            answer = self.client.post(
                f"/desk/fediverse/requests/{waiting.pk}/decline/", follow=True
            )
        self.assertRedirects(answer, URL)
        task.enqueue.assert_called_once_with(
            self.blog.pk, waiting.activity, waiting.name, False
        )
        self.assertFalse(FollowRequest.objects.exists())
        self.assertContains(answer, "Declined https://a.example/users/ann")

    def test_an_admin_blocks_a_follower_and_unblocks_the_account(self):
        gone = follower("https://a.example/users/ann")
        kept = follower("https://a.example/users/ben")
        self.request_from("https://a.example/users/ann")
        self.assertContains(
            self.client.get(URL),
            f'formaction="/desk/fediverse/followers/{gone.pk}/block/"',
        )
        answer = self.client.post(
            f"/desk/fediverse/followers/{gone.pk}/block/", follow=True
        )
        self.assertRedirects(answer, URL)
        self.assertContains(answer, "Blocked https://a.example/users/ann")
        self.assertEqual(list(Follower.objects.all()), [kept])
        self.assertFalse(FollowRequest.objects.exists())
        self.assertTrue(inbox.is_blocked("https://a.example/users/ann"))
        self.assertFalse(inbox.is_blocked("https://a.example/users/ben"))
        blocked = BlockedActor.objects.get()
        self.assertContains(answer, "https://a.example/users/ann")
        self.client.post(f"/desk/fediverse/blocked-accounts/{blocked.pk}/unblock/")
        self.assertFalse(inbox.is_blocked("https://a.example/users/ann"))
        self.assertContains(self.client.get(URL), "No account is blocked here.")

    def test_only_admins_block_and_answer(self):
        gone = follower("https://a.example/users/ann")
        waiting = self.request_from("https://a.example/users/ben")
        blocked = BlockedActor.objects.create(actor_id="https://a.example/users/cid")
        self.client.force_login(self.alice)
        for url in (
            f"/desk/fediverse/followers/{gone.pk}/block/",
            f"/desk/fediverse/requests/{waiting.pk}/accept/",
            f"/desk/fediverse/requests/{waiting.pk}/decline/",
            f"/desk/fediverse/blocked-accounts/{blocked.pk}/unblock/",
        ):
            with self.subTest(url):
                self.assertEqual(self.client.post(url).status_code, 403)
        self.assertEqual(Follower.objects.count(), 1)
        self.assertEqual(FollowRequest.objects.count(), 1)
        self.assertEqual(BlockedActor.objects.count(), 1)

    def test_the_authors_handles_show_when_they_have_accounts(self):
        Actor.objects.create(
            origin="http://testserver",
            private_key_pem="-",
            public_key_pem="-",
            user=self.alice,
        )
        self.assertNotContains(self.client.get(URL), "alice@testserver")
        site = SiteSettings.load()
        site.author_accounts = True
        site.save()
        cache.clear()
        self.assertContains(self.client.get(URL), "<code>alice@testserver</code>")


class MentionsTest(DeskTestCase):
    """Likes, reposts and mentions from webmentions and the fediverse."""

    def setUp(self):
        super().setUp()
        self.client.force_login(self.dave)
        self.post = self.make_post("Tides")

    def received(self, source: str, kind: str, hours_ago: int, **fields) -> Received:
        return Received.objects.create(
            source=source,
            target="http://testserver" + self.post.get_absolute_url(),
            post=self.post,
            kind=kind,
            status=fields.pop("status", Received.Status.VERIFIED),
            received_at=timezone.now() - timedelta(hours=hours_ago),
            **fields,
        )

    def reaction(self, key: str, hours_ago: int, source="federation", **fields):
        return Reaction.objects.create(
            post=self.post,
            kind=fields.pop("kind", Reaction.Kind.LIKE),
            source=source,
            key=key,
            created_at=timezone.now() - timedelta(hours=hours_ago),
            **fields,
        )

    def test_they_are_listed_newest_first_with_their_sources(self):
        self.received(
            "https://eve.example/notes/1",
            Received.Kind.MENTION,
            3,
            author_name="Eve",
            author_url="https://eve.example/",
        )
        self.reaction(
            "federation:like:1:https://social.example/users/ana",
            1,
            author_name="Ana",
            author_url="https://social.example/@ana",
        )
        self.received("https://fay.example/reply", Received.Kind.REPLY, 2)
        self.received(
            "https://gil.example/gone", Received.Kind.MENTION, 2, status="rejected"
        )
        # A webmention's like is a Received row and a Reaction: listed once.
        self.received("https://hal.example/like", Received.Kind.LIKE, 4)
        self.reaction("webmention:1:https://hal.example/like", 4, source="webmention")
        response = self.client.get(URL)
        self.assertEqual(
            [(m.kind, m.name, m.via) for m in response.context["mentions"]],
            [
                ("Like", "Ana", "Fediverse"),
                ("Mention", "Eve", "Webmention"),
                ("Like", "", "Webmention"),
            ],
        )
        self.assertEqual(response.context["mention_count"], 3)
        self.assertContains(
            response,
            '<a href="https://eve.example/notes/1" rel="nofollow ugc noopener">'
            "Webmention</a>",
        )
        self.assertContains(
            response,
            '<a href="https://social.example/@ana" rel="nofollow ugc noopener">Ana</a>',
        )
        self.assertContains(response, f'href="{self.post.get_absolute_url()}"')
        self.assertContains(response, "3 in all.")

    def test_what_strangers_sent_is_escaped_and_only_web_addresses_link(self):
        self.received(
            "https://eve.example/notes/1",
            Received.Kind.MENTION,
            1,
            author_name='<script>alert("x")</script>',
            author_url="javascript:alert(1)",
        )
        response = self.client.get(URL)
        self.assertNotContains(response, '<script>alert("x")</script>')
        self.assertContains(response, "&lt;script&gt;")
        self.assertNotContains(response, "javascript:alert")

    def test_at_most_fifty_are_shown_with_the_count(self):
        Reaction.objects.bulk_create(
            Reaction(
                post=self.post,
                kind=Reaction.Kind.REPOST,
                source="federation",
                key=f"federation:repost:{n}",
            )
            for n in range(55)
        )
        response = self.client.get(URL)
        self.assertEqual(len(response.context["mentions"]), 50)
        self.assertContains(response, "The latest 50 of 55.")
        self.assertNotContains(response, "No likes")
