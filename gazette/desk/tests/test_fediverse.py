"""The desk's Fediverse screen: the blog's followers and blocked instances."""

from datetime import timedelta

from django.utils import timezone

from gazette.desk.tests.base import DeskTestCase
from gazette.federation import inbox
from gazette.federation.models import BlockedDomain, Follower

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
