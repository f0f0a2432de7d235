import tempfile

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

    def test_repeated_failures_for_one_account_slow_only_the_guessing_addresses(self):
        wrong = {"username": "alice", "password": "guess"}
        for n in range(5):
            address = f"10.0.0.{n}"
            response = self.client.post("/desk/sign-in/", wrong, REMOTE_ADDR=address)
            self.assertEqual(response.status_code, 200)
        # An address that guessed waits, even with the right password...
        right = {"username": "alice", "password": "password"}
        response = self.client.post("/desk/sign-in/", right, REMOTE_ADDR="10.0.0.1")
        self.assertContains(response, "Please wait 1 second", status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)
        # ...while the owner, from an address that did not, signs in at once.
        response = self.client.post("/desk/sign-in/", right, REMOTE_ADDR="10.1.1.1")
        self.assertEqual(response.status_code, 302)

    def test_repeated_failures_from_one_address_make_it_wait(self):
        for name in ("ann", "ben", "cat"):
            self.client.post("/desk/sign-in/", {"username": name, "password": "x"})
        right = {"username": "alice", "password": "password"}
        response = self.client.post("/desk/sign-in/", right)
        self.assertContains(response, "Please wait 1 second", status_code=429)
        self.assertContains(response, 'value="alice"', status_code=429)

    def test_the_sign_in_page_offers_a_new_password(self):
        response = self.client.get("/desk/sign-in/")
        self.assertContains(
            response, '<a href="/desk/password-reset/">Forgot your password?</a>'
        )

    def test_passwords_are_hashed_with_argon2_and_sign_ins_throttled(self):
        script = (
            "from django.conf import settings as s; "
            "print(s.PASSWORD_HASHERS[0], s.AUTHENTICATION_BACKENDS[0], "
            "s.LOGIN_URL, s.PASSWORD_RESET_TIMEOUT, "
            "'axes' in s.INSTALLED_APPS)"
        )
        with tempfile.TemporaryDirectory() as tmp:
            result = run_gazette("shell", "--no-imports", "-c", script, env={}, tmp=tmp)
        self.assertEqual(
            result.stdout.split(),
            [
                "django.contrib.auth.hashers.Argon2PasswordHasher",
                "gazette.accounts.backends.SignInThrottleBackend",
                "desk:sign_in",
                "3600",
                "False",
            ],
            result.stderr,
        )
