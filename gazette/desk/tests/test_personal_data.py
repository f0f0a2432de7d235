import json

from gazette.comments.models import BlockRule, Comment, NotificationOptOut
from gazette.desk.tests.base import DeskTestCase
from gazette.test import add_comment

EMAIL = "ann@example.net"


class PersonalDataScreenTest(DeskTestCase):
    url = "/desk/personal-data/"

    def setUp(self):
        super().setUp()
        self.post = self.make_post("Ridge")
        self.comment = add_comment(
            self.post,
            "Ann",
            "Up the ridge.",
            author_email=EMAIL,
            ip_address="192.0.2.9",
        )
        self.kept = add_comment(self.post, "Quinn", author_email="quinn@example.net")
        NotificationOptOut.objects.create(email=EMAIL)
        BlockRule.objects.create(kind=BlockRule.Kind.EMAIL, value=EMAIL)
        self.client.force_login(self.dave)

    def test_only_admins_open_it(self):
        self.client.logout()
        response = self.client.get(self.url)
        self.assertRedirects(response, f"/desk/sign-in/?next={self.url}")
        self.client.force_login(self.alice)
        for response in (
            self.client.get(self.url),
            self.client.post(self.url, {"email": EMAIL, "action": "export"}),
            self.client.post(
                self.url, {"email": EMAIL, "action": "erase", "confirm": "on"}
            ),
        ):
            self.assertEqual(response.status_code, 403)
        self.assertTrue(Comment.objects.filter(pk=self.comment.pk).exists())
        self.assertNotContains(self.client.get("/desk/"), self.url)
        self.client.force_login(self.dave)
        self.assertContains(self.client.get("/desk/"), self.url)

    def test_an_admin_finds_what_is_held(self):
        response = self.client.post(self.url, {"email": "Ann@Example.net"})
        self.assertContains(response, "Held about ann@example.net")
        self.assertContains(response, "Comments written with it: 1 (1 still with")
        self.assertContains(response, "Asked for no more email: yes")
        self.assertContains(response, "Block rules naming it: 1")
        self.assertIn("no-store", response["Cache-Control"])

    def test_an_admin_downloads_it_as_json(self):
        response = self.client.post(self.url, {"email": EMAIL, "action": "export"})
        self.assertEqual(response["Content-Type"], "application/json; charset=utf-8")
        self.assertIn("attachment", response["Content-Disposition"])
        self.assertNotIn(EMAIL, response["Content-Disposition"])
        data = json.loads(response.content)
        self.assertEqual(data["comments"][0]["text"], "Up the ridge.")
        self.assertEqual(data["comments"][0]["ip_address"], "192.0.2.9")
        self.assertEqual(len(data["block_rules"]), 1)

    def test_erasing_asks_for_confirmation_first(self):
        response = self.client.post(self.url, {"email": EMAIL, "action": "erase"})
        self.assertContains(response, "Tick the box to confirm", status_code=400)
        self.assertTrue(Comment.objects.filter(pk=self.comment.pk).exists())

        page = self.post.get_absolute_url()
        self.assertContains(self.client_class().get(page), "Up the ridge.")
        response = self.client.post(
            self.url, {"email": EMAIL, "action": "erase", "confirm": "on"}
        )
        self.assertRedirects(response, self.url, fetch_redirect_response=False)
        self.assertFalse(Comment.objects.filter(pk=self.comment.pk).exists())
        self.assertTrue(Comment.objects.filter(pk=self.kept.pk).exists())
        self.assertFalse(NotificationOptOut.objects.exists())
        self.assertFalse(BlockRule.objects.exists())
        self.assertContains(self.client.get(self.url), "Comments erased: 1")
        # The post's cached page follows.
        self.assertNotContains(self.client_class().get(page), "Up the ridge.")

    def test_a_wrong_address_keeps_what_was_typed(self):
        response = self.client.post(
            self.url, {"email": "ann at example", "action": "erase"}
        )
        self.assertContains(response, "Give a whole email address", status_code=400)
        self.assertContains(response, 'value="ann at example"', status_code=400)
        self.assertEqual(Comment.objects.count(), 2)

    def test_an_address_with_nothing_held_says_so(self):
        response = self.client.post(self.url, {"email": "nobody@example.net"})
        self.assertContains(response, "Nothing: no comment")
        self.assertNotContains(response, 'value="erase"')
