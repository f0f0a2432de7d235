"""Two-factor sign-in: turning it on with a code, the second step it adds to the
desk and the admin, recovery codes, throttled guessing and turning it off.

Codes are computed from the device's own key with the TOTP algorithm, as an
authenticator app computes them."""

from datetime import timedelta
from urllib.parse import quote

from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from gazette.desk.tests.base import DeskTestCase, post_form
from gazette.desk.views.two_factor import make_recovery_codes
from gazette.site.models import SiteSettings

SETUP = "/desk/account/two-factor/"
CODE_PAGE = "/desk/sign-in/code/"
JSON = {"Accept": "application/json"}
# Signed in with a password, as the sign-in page does it.
PASSWORD_BACKEND = "django.contrib.auth.backends.ModelBackend"


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the person's app shows now (or `steps_ahead` periods later)."""
    device.refresh_from_db()
    value = totp(
        device.bin_key,
        step=device.step,
        t0=device.t0,
        digits=device.digits,
        drift=device.drift + steps_ahead,
    )
    return f"{value:0{device.digits}d}"


def wrong_code_for(device: TOTPDevice) -> str:
    """Six digits that no accepted time step gives."""
    accepted = {code_for(device, steps) for steps in (-1, 0, 1)}
    return next(f"{n:06d}" for n in range(1000) if f"{n:06d}" not in accepted)


def wait_out_throttle(user) -> None:
    """As if `user` waited long enough after their wrong codes (each wrong code,
    app or recovery, makes their device wait at least a second)."""
    long_ago = timezone.now() - timedelta(days=1)
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user).update(throttling_failure_timestamp=long_ago)


def code_url(next_url: str) -> str:
    return f"{CODE_PAGE}?next={quote(next_url, safe='')}"


class TurningOnTest(DeskTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.alice, PASSWORD_BACKEND)

    def test_it_shows_a_qr_code_and_the_secret_and_keeps_them_until_confirmed(self):
        site = SiteSettings.load()
        site.title = "Ridge: Notes"
        site.save()
        response = self.client.get(SETUP)
        self.assertContains(response, "<svg")
        device = TOTPDevice.objects.get(user=self.alice)
        self.assertFalse(device.confirmed)
        secret = response.context["secret"].replace(" ", "")
        self.assertIn(f"secret={secret}", response.context["otpauth_uri"])
        # The blog's title names the issuer; its colon would split the label.
        self.assertTrue(
            response.context["otpauth_uri"].startswith(
                "otpauth://totp/Ridge%20Notes%3Aalice?"
            )
        )
        self.assertIn("issuer=Ridge%20Notes", response.context["otpauth_uri"])
        # Reloading the page does not change the secret already scanned.
        again = self.client.get(SETUP)
        self.assertEqual(again.context["secret"], response.context["secret"])
        self.assertEqual(TOTPDevice.objects.filter(user=self.alice).count(), 1)
        # The page shows the secret: no cache along the way may keep it.
        self.assertIn("no-store", response["Cache-Control"])

    def test_a_wrong_code_is_refused_and_the_form_keeps_its_state(self):
        secret = self.client.get(SETUP).context["secret"]
        device = TOTPDevice.objects.get(user=self.alice)
        wrong = wrong_code_for(device)
        response = self.client.post(SETUP, {"code": wrong})
        self.assertContains(response, "That code is not right", status_code=400)
        self.assertContains(response, f'value="{wrong}"', status_code=400)
        self.assertEqual(response.context["secret"], secret)
        device.refresh_from_db()
        self.assertFalse(device.confirmed)
        self.assertFalse(StaticToken.objects.exists())
        # Nothing changed for signing in: the desk opens without a code.
        self.assertEqual(self.client.get("/desk/").status_code, 200)

    def test_the_right_code_turns_it_on_and_shows_recovery_codes_once(self):
        self.client.get(SETUP)
        device = TOTPDevice.objects.get(user=self.alice)
        response = self.client.post(SETUP, {"code": code_for(device)})
        self.assertRedirects(response, SETUP, fetch_redirect_response=False)
        device.refresh_from_db()
        self.assertTrue(device.confirmed)

        page = self.client.get(SETUP)
        shown = page.context["new_codes"]
        self.assertEqual(len(shown), 10)
        self.assertEqual(len(set(shown)), 10)
        stored = StaticToken.objects.filter(device__user=self.alice)
        self.assertEqual(sorted(stored.values_list("token", flat=True)), shown)
        for code in shown:
            self.assertContains(page, code)
        # Shown once only; afterwards just how many are left.
        later = self.client.get(SETUP)
        self.assertNotContains(later, shown[0])
        self.assertContains(later, "You have 10 unused recovery codes.")
        # This session gave the code, so it carries on into the desk.
        self.assertEqual(self.client.get("/desk/").status_code, 200)

    def test_a_new_set_of_recovery_codes_voids_the_old_set(self):
        self.client.get(SETUP)
        device = TOTPDevice.objects.get(user=self.alice)
        self.client.post(SETUP, {"code": code_for(device)})
        old = self.client.get(SETUP).context["new_codes"]
        response = self.client.post(f"{SETUP}recovery-codes/")
        self.assertRedirects(response, SETUP, fetch_redirect_response=False)
        new = self.client.get(SETUP).context["new_codes"]
        self.assertEqual(len(new), 10)
        self.assertFalse(set(old) & set(new))

        self.client.logout()
        self.client.force_login(self.alice, PASSWORD_BACKEND)
        refused = self.client.post(CODE_PAGE, {"code": old[0]})
        self.assertContains(refused, "not right", status_code=400)
        wait_out_throttle(self.alice)
        accepted = self.client.post(CODE_PAGE, {"code": new[0]})
        self.assertRedirects(accepted, "/desk/")


class TwoFactorTestCase(DeskTestCase):
    """alice has two-factor sign-in on, and ten recovery codes."""

    def setUp(self):
        super().setUp()
        self.device = TOTPDevice.objects.create(
            user=self.alice, name="Authenticator app", confirmed=True
        )
        self.recovery_codes = make_recovery_codes(self.alice)

    def sign_in_with_password(self, user=None) -> None:
        self.client.logout()
        self.client.force_login(user or self.alice, PASSWORD_BACKEND)


class SecondStepTest(TwoFactorTestCase):
    def test_the_password_alone_leads_to_the_code_page_and_a_code_opens_the_desk(self):
        credentials = {"username": "alice", "password": "password", "next": "/desk/"}
        response = self.client.post("/desk/sign-in/", credentials, follow=True)
        self.assertRedirects(response, code_url("/desk/"))
        self.assertContains(response, "Finish signing in")
        key_before = self.client.session.session_key

        response = self.client.post(
            CODE_PAGE, {"code": code_for(self.device), "next": "/desk/"}
        )
        self.assertRedirects(response, "/desk/")
        self.assertEqual(self.client.get("/desk/").status_code, 200)
        # A new session key for the session that now has every right.
        self.assertNotEqual(self.client.session.session_key, key_before)

    def test_every_desk_screen_waits_for_the_code(self):
        self.sign_in_with_password()
        post = self.make_post()
        for url in (
            "/desk/",  # desk_view
            "/desk/posts/new/",  # the editor checks roles itself
            f"/desk/posts/{post.pk}/",
            "/desk/comments/",
            SETUP,  # nobody turns it off without the code
        ):
            with self.subTest(url):
                self.assertRedirects(
                    self.client.get(url), code_url(url), fetch_redirect_response=False
                )
        # A screen for admins, for an admin.
        self.sign_in_with_password(self.dave)
        TOTPDevice.objects.create(user=self.dave, name="App", confirmed=True)
        response = self.client.get("/desk/people/")
        self.assertRedirects(
            response, code_url("/desk/people/"), fetch_redirect_response=False
        )
        # A form sent without the code is not carried out.
        response = self.client.post(f"/desk/posts/{post.pk}/trash/")
        self.assertRedirects(
            response, code_url("/desk/"), fetch_redirect_response=False
        )
        post.refresh_from_db()
        self.assertIsNone(post.trashed_at)

    def test_autosave_and_preview_answer_json_that_asks_for_the_code(self):
        self.sign_in_with_password()
        for url, data in (
            ("/desk/posts/autosave/", post_form(title="Kept?")),
            ("/desk/preview/", {"body": "Hello"}),
        ):
            with self.subTest(url):
                response = self.client.post(url, data, headers=JSON)
                self.assertEqual(response.status_code, 403)
                answer = response.json()
                self.assertIn("code from your authenticator app", answer["error"])
                self.assertTrue(answer["signed_out"])
                self.assertTrue(answer["sign_in_url"].startswith(CODE_PAGE))
        self.assertFalse(self.alice.posts.exists())

    def test_the_admin_waits_for_the_code_too(self):
        self.alice.is_staff = self.alice.is_superuser = True
        self.alice.save()
        self.sign_in_with_password()
        response = self.client.get("/admin/", follow=True)
        self.assertRedirects(response, code_url("/admin/"))
        response = self.client.get("/admin/auth/user/", follow=True)
        self.assertEqual(response.redirect_chain[-1][0], code_url("/admin/auth/user/"))

        response = self.client.post(
            CODE_PAGE, {"code": code_for(self.device), "next": "/admin/auth/user/"}
        )
        self.assertRedirects(response, "/admin/auth/user/")
        self.assertEqual(self.client.get("/admin/").status_code, 200)

    def test_people_without_two_factor_are_not_asked_for_a_code(self):
        self.dave.is_staff = self.dave.is_superuser = True
        self.dave.save()
        self.sign_in_with_password(self.dave)
        self.assertEqual(self.client.get("/desk/").status_code, 200)
        self.assertEqual(self.client.get("/desk/people/").status_code, 200)
        self.assertEqual(self.client.get("/admin/").status_code, 200)
        # The code page has nothing to ask them: it sends them on.
        self.assertRedirects(self.client.get(CODE_PAGE), "/desk/")

    def test_the_code_page_wants_a_password_first_and_stays_on_this_site(self):
        response = self.client.get(CODE_PAGE)
        self.assertRedirects(
            response,
            "/desk/sign-in/?next=/desk/",
            fetch_redirect_response=False,
        )
        self.sign_in_with_password()
        response = self.client.post(
            CODE_PAGE,
            {"code": code_for(self.device), "next": "https://elsewhere.example/"},
        )
        self.assertRedirects(response, "/desk/")

    def test_a_recovery_code_works_once(self):
        code = self.recovery_codes[0]
        self.sign_in_with_password()
        # As people copy it: in capitals, with a space.
        typed = f"{code[:4].upper()} {code[4:].upper()}"
        self.assertRedirects(self.client.post(CODE_PAGE, {"code": typed}), "/desk/")
        self.assertEqual(self.client.get("/desk/").status_code, 200)
        self.assertFalse(StaticToken.objects.filter(token=code).exists())

        self.sign_in_with_password()
        response = self.client.post(CODE_PAGE, {"code": code})
        self.assertContains(response, "used already", status_code=400)
        self.assertRedirects(
            self.client.get("/desk/"), code_url("/desk/"), fetch_redirect_response=False
        )
        self.assertContains(self.client.get(SETUP, follow=True), "Finish signing in")
        wait_out_throttle(self.alice)
        # Another code of the set still works, and the page counts what is left.
        self.assertRedirects(
            self.client.post(CODE_PAGE, {"code": self.recovery_codes[1]}), "/desk/"
        )
        self.assertContains(self.client.get(SETUP), "You have 8 unused recovery codes.")

    def test_an_app_code_cannot_be_replayed(self):
        code = code_for(self.device)
        self.sign_in_with_password()
        self.assertRedirects(self.client.post(CODE_PAGE, {"code": code}), "/desk/")

        # Someone who saw the code and has the password tries it in its window.
        self.sign_in_with_password()
        response = self.client.post(CODE_PAGE, {"code": code})
        self.assertContains(response, "used already", status_code=400)
        self.assertRedirects(
            self.client.get("/desk/"), code_url("/desk/"), fetch_redirect_response=False
        )
        # The next code from the app is fine, once the wrong try is waited out.
        wait_out_throttle(self.alice)
        response = self.client.post(CODE_PAGE, {"code": code_for(self.device, 1)})
        self.assertRedirects(response, "/desk/")

    def test_guessing_is_throttled_for_longer_after_each_wrong_code(self):
        self.sign_in_with_password()
        wrong = wrong_code_for(self.device)
        for tries in range(1, 5):
            wait_out_throttle(self.alice)
            response = self.client.post(CODE_PAGE, {"code": wrong})
            self.assertContains(response, "not right", status_code=400)
            self.device.refresh_from_db()
            self.assertEqual(self.device.throttling_failure_count, tries)
        # Right after four wrong codes even the right one waits, and the wait is
        # said; trying again meanwhile does not count as another wrong code.
        response = self.client.post(CODE_PAGE, {"code": code_for(self.device)})
        self.assertContains(
            response, "Too many wrong codes. Wait 8 seconds", status_code=400
        )
        self.assertRedirects(
            self.client.get("/desk/"), code_url("/desk/"), fetch_redirect_response=False
        )
        self.device.refresh_from_db()
        self.assertEqual(self.device.throttling_failure_count, 4)
        # Recovery codes are counted on their own device, and waited out alike.
        for _ in range(2):
            self.client.post(CODE_PAGE, {"code": "notacode"})
        response = self.client.post(CODE_PAGE, {"code": self.recovery_codes[0]})
        self.assertContains(response, "Too many wrong codes", status_code=400)

        wait_out_throttle(self.alice)
        response = self.client.post(CODE_PAGE, {"code": code_for(self.device)})
        self.assertRedirects(response, "/desk/")
        self.device.refresh_from_db()
        self.assertEqual(self.device.throttling_failure_count, 0)

    def test_turning_it_on_is_throttled_too(self):
        self.sign_in_with_password(self.bob)
        self.client.get(SETUP)
        device = TOTPDevice.objects.get(user=self.bob)
        self.client.post(SETUP, {"code": wrong_code_for(device)})
        response = self.client.post(SETUP, {"code": code_for(device)})
        self.assertContains(response, "Too many wrong codes", status_code=400)
        device.refresh_from_db()
        self.assertFalse(device.confirmed)


class TurningOffTest(TwoFactorTestCase):
    def setUp(self):
        super().setUp()
        self.sign_in_with_password()
        self.client.post(CODE_PAGE, {"code": self.recovery_codes[-1]})

    def test_it_wants_the_password_again(self):
        response = self.client.post(f"{SETUP}off/", {"proof": "not my password"})
        self.assertContains(response, "neither your password", status_code=400)
        self.assertTrue(TOTPDevice.objects.filter(user=self.alice).exists())

        response = self.client.post(f"{SETUP}off/", {"proof": "password"})
        self.assertRedirects(response, SETUP, fetch_redirect_response=False)
        self.assertFalse(TOTPDevice.objects.filter(user=self.alice).exists())
        self.assertFalse(StaticToken.objects.filter(device__user=self.alice).exists())
        self.assertContains(self.client.get(SETUP), "Two-factor sign-in is off")
        # Signing in is one step again.
        self.sign_in_with_password()
        self.assertEqual(self.client.get("/desk/").status_code, 200)

    def test_a_current_code_will_do_instead_of_the_password(self):
        response = self.client.post(f"{SETUP}off/", {"proof": code_for(self.device)})
        self.assertRedirects(response, SETUP, fetch_redirect_response=False)
        self.assertFalse(TOTPDevice.objects.filter(user=self.alice).exists())

    def test_a_session_that_owes_the_code_cannot_turn_it_off(self):
        self.sign_in_with_password()
        response = self.client.post(f"{SETUP}off/", {"proof": "password"})
        self.assertRedirects(
            response, code_url("/desk/"), fetch_redirect_response=False
        )
        self.assertTrue(TOTPDevice.objects.filter(user=self.alice).exists())
