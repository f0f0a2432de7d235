from datetime import timedelta

from django.contrib.sessions.models import Session
from django.db import connection
from django.test import SimpleTestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gazette.accounts import sessions
from gazette.accounts.models import SignInSession
from gazette.accounts.tasks import forget_old_sign_in_records
from gazette.accounts.tests.base import SIGN_IN, AccountsTestCase
from gazette.test import CommittingClient

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


class UserAgentTest(SimpleTestCase):
    def test_it_keeps_only_the_browser_and_system(self):
        self.assertEqual(sessions.summarise_user_agent(FIREFOX), "Firefox on Linux")
        self.assertEqual(sessions.summarise_user_agent(IPHONE), "Safari on iOS")
        edge = (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
            "(KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0"
        )
        self.assertEqual(sessions.summarise_user_agent(edge), "Edge on Windows")
        self.assertEqual(sessions.summarise_user_agent("curl/8.5"), "curl")
        self.assertEqual(sessions.summarise_user_agent("Bot 1.0"), "Unknown browser")
        self.assertEqual(sessions.summarise_user_agent(""), "")


class SessionsTestCase(AccountsTestCase):
    def device(self, user_agent: str = FIREFOX, address: str = "203.0.113.5"):
        """Another browser, signed in as alice through the form."""
        client = CommittingClient(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address)
        data = {"username": "alice", "password": "password"}
        self.assertEqual(client.post(SIGN_IN, data).status_code, 302)
        return client

    def is_signed_in(self, client) -> bool:
        return client.get("/desk/").status_code == 200

    def record_of(self, client) -> SignInSession:
        return SignInSession.objects.get(pk=client.session[sessions.RECORD_KEY])


class SessionListTest(SessionsTestCase):
    def test_signing_in_records_the_session(self):
        laptop = self.device()
        entry = self.record_of(laptop)
        self.assertEqual(entry.user, self.alice)
        self.assertEqual(entry.session_key, laptop.session.session_key)
        self.assertEqual(entry.address, "203.0.113.5")
        self.assertEqual(entry.user_agent, "Firefox on Linux")

    def test_the_account_screen_lists_them_with_this_one_marked(self):
        laptop = self.device()
        self.device(IPHONE, "198.51.100.20")
        page = laptop.get("/desk/account/")
        self.assertContains(page, "Firefox on Linux <strong>(this session)</strong>")
        self.assertContains(page, "Safari on iOS</td>")
        self.assertContains(page, "198.51.100.20")
        self.assertContains(page, "Sign out everywhere else")

    def test_it_asks_to_sign_in_first(self):
        response = self.client.get("/desk/account/")
        self.assertRedirects(
            response,
            "/desk/sign-in/?next=/desk/account/",
            fetch_redirect_response=False,
        )

    def test_signing_out_removes_the_record(self):
        laptop = self.device()
        laptop.post("/desk/sign-out/")
        self.assertFalse(SignInSession.objects.exists())

    def test_a_session_a_password_change_elsewhere_ended_leaves_the_list(self):
        laptop, phone = self.device(), self.device(IPHONE)
        self.alice.set_password("changed by an admin")
        self.alice.save()
        # The laptop is signed out too (Django's own check); sign in again.
        self.assertFalse(self.is_signed_in(laptop))
        laptop.post(SIGN_IN, {"username": "alice", "password": "changed by an admin"})
        page = laptop.get("/desk/account/")
        self.assertNotContains(page, "Safari on iOS")
        self.assertEqual(SignInSession.objects.count(), 1)
        self.assertFalse(self.is_signed_in(phone))


class EndingSessionsTest(SessionsTestCase):
    def test_it_signs_out_one_other_session_at_once(self):
        laptop, phone = self.device(), self.device(IPHONE)
        phone_entry = self.record_of(phone)
        response = laptop.post(f"/desk/account/sessions/{phone_entry.pk}/sign-out/")
        self.assertRedirects(response, "/desk/account/", fetch_redirect_response=False)
        self.assertFalse(self.is_signed_in(phone))
        self.assertFalse(Session.objects.filter(pk=phone_entry.session_key).exists())
        self.assertTrue(self.is_signed_in(laptop))

    def test_a_copied_cookie_stops_working(self):
        laptop, phone = self.device(), self.device(IPHONE)
        thief = CommittingClient()
        thief.cookies = phone.cookies  # the same session cookie, elsewhere
        self.assertTrue(self.is_signed_in(thief))
        laptop.post(f"/desk/account/sessions/{self.record_of(phone).pk}/sign-out/")
        self.assertFalse(self.is_signed_in(thief))

    def test_ending_this_session_signs_out_here(self):
        laptop = self.device()
        response = laptop.post(
            f"/desk/account/sessions/{self.record_of(laptop).pk}/sign-out/"
        )
        self.assertRedirects(response, "/desk/sign-in/", fetch_redirect_response=False)
        self.assertFalse(self.is_signed_in(laptop))

    def test_nobody_ends_another_persons_session(self):
        laptop = self.device()
        self.client.force_login(self.bob)
        response = self.client.post(
            f"/desk/account/sessions/{self.record_of(laptop).pk}/sign-out/"
        )
        self.assertEqual(response.status_code, 404)
        self.assertTrue(self.is_signed_in(laptop))

    def test_sign_out_everywhere_else_keeps_only_this_session(self):
        laptop, phone, tablet = self.device(), self.device(IPHONE), self.device()
        response = laptop.post("/desk/account/sign-out-elsewhere/", follow=True)
        self.assertContains(response, "Signed out everywhere else (2 sessions).")
        self.assertFalse(self.is_signed_in(phone))
        self.assertFalse(self.is_signed_in(tablet))
        self.assertTrue(self.is_signed_in(laptop))
        self.assertEqual(SignInSession.objects.count(), 1)

    def test_sign_out_everywhere_ends_this_session_too(self):
        laptop, phone = self.device(), self.device(IPHONE)
        response = laptop.post("/desk/account/sign-out-everywhere/", follow=True)
        self.assertContains(response, "You are signed out everywhere.")
        self.assertFalse(self.is_signed_in(laptop))
        self.assertFalse(self.is_signed_in(phone))
        self.assertFalse(SignInSession.objects.exists())

    def test_the_forms_answer_only_post(self):
        laptop = self.device()
        self.assertEqual(
            laptop.get("/desk/account/sign-out-everywhere/").status_code, 405
        )
        self.assertTrue(self.is_signed_in(laptop))


class AdminSignsSomeoneOutTest(SessionsTestCase):
    def test_an_admin_signs_a_person_out_everywhere(self):
        laptop, phone = self.device(), self.device(IPHONE)
        self.client.force_login(self.admin)
        people = self.client.get("/desk/people/")
        self.assertContains(people, f'action="/desk/people/{self.alice.pk}/sign-out/"')
        response = self.client.post(
            f"/desk/people/{self.alice.pk}/sign-out/", follow=True
        )
        self.assertContains(response, "alice is signed out everywhere (2 sessions).")
        self.assertFalse(self.is_signed_in(laptop))
        self.assertFalse(self.is_signed_in(phone))

    def test_others_may_not(self):
        laptop = self.device()
        self.client.force_login(self.bob)
        response = self.client.post(f"/desk/people/{self.alice.pk}/sign-out/")
        self.assertEqual(response.status_code, 403)
        self.assertTrue(self.is_signed_in(laptop))

    def test_an_admin_signs_out_themselves_from_their_account(self):
        self.client.force_login(self.admin)
        response = self.client.post(f"/desk/people/{self.admin.pk}/sign-out/")
        self.assertContains(
            response, "Sign yourself out under Account.", status_code=403
        )


class PasswordChangeTest(SessionsTestCase):
    def test_changing_the_password_signs_out_the_other_sessions(self):
        laptop, phone = self.device(), self.device(IPHONE)
        old_key = laptop.session.session_key
        form = {
            "old_password": "password",
            "new_password1": "a much longer passphrase",
            "new_password2": "a much longer passphrase",
        }
        response = laptop.post("/desk/account/password/", form, follow=True)
        self.assertContains(response, "Your password is changed")
        self.assertFalse(self.is_signed_in(phone))
        self.assertTrue(self.is_signed_in(laptop))
        # The screen agrees: only this session, under its new, rotated key.
        [entry] = SignInSession.objects.all()
        self.assertNotEqual(laptop.session.session_key, old_key)
        self.assertEqual(entry.session_key, laptop.session.session_key)
        self.assertEqual(entry.pk, laptop.session[sessions.RECORD_KEY])
        self.assertContains(laptop.get("/desk/account/"), "(this session)")

    def test_a_wrong_old_password_changes_nothing(self):
        laptop, phone = self.device(), self.device(IPHONE)
        form = {
            "old_password": "nope",
            "new_password1": "x" * 20,
            "new_password2": "x" * 20,
        }
        response = laptop.post("/desk/account/password/", form)
        self.assertContains(response, "Your old password was entered incorrectly")
        self.assertTrue(self.is_signed_in(phone))


class MiddlewareTest(SessionsTestCase):
    def age_seen(self, client) -> None:
        session = client.session
        session[sessions.SEEN_KEY] -= 6 * 60
        session.save()

    def test_it_updates_last_seen_every_few_minutes_only(self):
        laptop = self.device()
        entry = self.record_of(laptop)
        SignInSession.objects.filter(pk=entry.pk).update(
            last_seen_at=timezone.now() - timedelta(hours=1)
        )
        with CaptureQueriesContext(connection) as queries:
            laptop.get("/desk/")
        touched = [q["sql"] for q in queries if "accounts_signinsession" in q["sql"]]
        self.assertEqual(touched, [])
        self.age_seen(laptop)
        laptop.get("/desk/")
        entry.refresh_from_db()
        self.assertGreater(entry.last_seen_at, timezone.now() - timedelta(minutes=1))

    def test_a_session_whose_record_was_removed_is_signed_out(self):
        # As with a session engine that cannot delete a session: the record is
        # gone, the session lives on, and the next check signs it out.
        laptop = self.device()
        SignInSession.objects.all().delete()
        self.age_seen(laptop)
        self.assertFalse(self.is_signed_in(laptop))

    def test_a_session_from_before_records_is_recorded_on_its_next_visit(self):
        laptop = self.device()
        SignInSession.objects.all().delete()
        session = laptop.session
        del session[sessions.RECORD_KEY]
        session.save()
        self.assertTrue(self.is_signed_in(laptop))
        self.assertEqual(self.record_of(laptop).user, self.alice)

    def test_old_records_are_forgotten_by_the_periodic_job(self):
        self.device()
        SignInSession.objects.update(last_seen_at=timezone.now() - timedelta(days=30))
        forget_old_sign_in_records()
        self.assertFalse(SignInSession.objects.exists())
