from django.contrib.auth import get_user_model

from gazette.desk.tests.base import DeskTestCase
from gazette.site import roles


class PeopleTest(DeskTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.dave)

    def test_an_admin_sees_everyone_and_sets_roles(self):
        response = self.client.get("/desk/people/")
        self.assertEqual(
            [(p.username, role) for p, role in response.context["rows"]],
            [
                ("alice", "author"),
                ("bob", "contributor"),
                ("carol", ""),
                ("dave", "admin"),
            ],
        )
        self.client.post(f"/desk/people/{self.bob.pk}/role/", {"role": "author"})
        self.client.post(f"/desk/people/{self.alice.pk}/role/", {"role": ""})
        User = get_user_model()
        self.assertEqual(roles.role_of(User.objects.get(pk=self.bob.pk)), "author")
        self.assertIsNone(roles.role_of(User.objects.get(pk=self.alice.pk)))

    def test_an_admin_cannot_change_their_own_role(self):
        response = self.client.post(f"/desk/people/{self.dave.pk}/role/", {"role": ""})
        self.assertEqual(response.status_code, 403)
        self.assertTrue(roles.is_admin(get_user_model().objects.get(pk=self.dave.pk)))

    def test_an_admin_creates_an_account(self):
        data = {
            "username": "erin",
            "email": "erin@example.org",
            "first_name": "Erin",
            "last_name": "",
            "password1": "a long pass phrase 42",
            "password2": "a long pass phrase 42",
            "role": "contributor",
        }
        response = self.client.post("/desk/people/new/", data)
        self.assertRedirects(response, "/desk/people/")
        erin = get_user_model().objects.get(username="erin")
        self.assertTrue(erin.check_password("a long pass phrase 42"))
        self.assertEqual(roles.role_of(erin), "contributor")

        response = self.client.post("/desk/people/new/", data | {"username": "ERIN"})
        self.assertContains(response, "already exists", status_code=400)
