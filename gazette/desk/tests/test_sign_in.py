import tempfile

from django.test import override_settings

from gazette.desk.tests.base import DeskTestCase
from gazette.tests.test_settings import run_gazette


class SignInTest(DeskTestCase):
    def test_the_desk_asks_to_sign_in_and_then_opens(self):
        response = self.client.get("/desk/", follow=True)
        self.assertContains(response, "Sign in to the desk")
        wrong = {"username": "alice", "password": "nope", "next": "/desk/"}
        response = self.client.post("/desk/sign-in/", wrong)
        self.assertContains(response, "Please enter a correct username and password")
        right = wrong | {"password": "password"}
        response = self.client.post("/desk/sign-in/", right)
        self.assertRedirects(response, "/desk/")
        # The blog's pages lead signed-in people back to the desk.
        self.assertContains(self.client.get("/"), '<a href="/desk/">Desk</a>')

    def test_a_reader_who_signs_in_is_told_they_have_no_desk_role(self):
        credentials = {"username": "carol", "password": "password", "next": "/desk/"}
        response = self.client.post("/desk/sign-in/", credentials, follow=True)
        self.assertContains(response, "who has no role at the desk")

    @override_settings(AXES_ENABLED=True)
    def test_repeated_failures_for_one_account_are_refused_for_a_while(self):
        wrong = {"username": "alice", "password": "guess"}
        for n in range(4):
            address = f"10.0.0.{n}"
            response = self.client.post("/desk/sign-in/", wrong, REMOTE_ADDR=address)
            self.assertEqual(response.status_code, 200)
        response = self.client.post("/desk/sign-in/", wrong, REMOTE_ADDR="10.0.0.9")
        self.assertContains(response, "Signing in is paused", status_code=429)
        self.assertContains(response, "15 minutes", status_code=429)
        # Even the right password waits, from any address.
        right = {"username": "alice", "password": "password"}
        response = self.client.post("/desk/sign-in/", right, REMOTE_ADDR="10.1.1.1")
        self.assertEqual(response.status_code, 429)
        self.assertNotIn("_auth_user_id", self.client.session)
        # Another account from another address is not affected.
        other = {"username": "bob", "password": "password"}
        response = self.client.post("/desk/sign-in/", other, REMOTE_ADDR="10.2.2.2")
        self.assertEqual(response.status_code, 302)

    @override_settings(AXES_ENABLED=True)
    def test_repeated_failures_from_one_address_are_refused_for_a_while(self):
        for name in ("ann", "ben", "cat", "dan", "eve"):
            self.client.post("/desk/sign-in/", {"username": name, "password": "x"})
        right = {"username": "alice", "password": "password"}
        response = self.client.post("/desk/sign-in/", right)
        self.assertContains(response, "Signing in is paused", status_code=429)

    def test_passwords_are_hashed_with_argon2_and_sign_ins_watched_by_axes(self):
        script = (
            "from django.conf import settings as s; "
            "print(s.PASSWORD_HASHERS[0], s.AUTHENTICATION_BACKENDS[0], "
            "s.MIDDLEWARE[-1], s.LOGIN_URL, s.AXES_ENABLED)"
        )
        with tempfile.TemporaryDirectory() as tmp:
            result = run_gazette("shell", "--no-imports", "-c", script, env={}, tmp=tmp)
        self.assertEqual(
            result.stdout.split(),
            [
                "django.contrib.auth.hashers.Argon2PasswordHasher",
                "axes.backends.AxesStandaloneBackend",
                "axes.middleware.AxesMiddleware",
                "desk:sign_in",
                "True",
            ],
            result.stderr,
        )
