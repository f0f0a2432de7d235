import re
from datetime import timedelta
from unittest import mock

from django.core import mail
from django.test import override_settings
from django.utils import timezone

from gazette.accounts.models import PasswordResetRequest, SignInFailure
from gazette.accounts.tests.base import SIGN_IN, AccountsTestCase
from gazette.test import CommittingClient

RESET = "/desk/password-reset/"


class PasswordResetTest(AccountsTestCase):
    def ask(self, email: str, address: str = "203.0.113.9", client=None):
        client = client or self.client
        return client.post(RESET, {"email": email}, REMOTE_ADDR=address)

    def link(self) -> str:
        [message] = mail.outbox
        found = re.search(
            r"http://testserver(/desk/password-reset/\S+/)", str(message.body)
        )
        assert found is not None, message.body
        return found.group(1)

    def choose(self, link: str, password: str, address: str = "203.0.113.9"):
        # Django swaps the token in the link for one kept in the session.
        page = self.client.get(link, follow=True, REMOTE_ADDR=address)
        form = {"new_password1": password, "new_password2": password}
        return self.client.post(
            page.redirect_chain[-1][0], form, follow=True, REMOTE_ADDR=address
        )

    def test_it_mails_a_link_that_sets_a_new_password(self):
        page = self.client.get(RESET)
        self.assertContains(page, "the link works once, for 1 hour")
        response = self.ask("Alice@Example.org")
        self.assertRedirects(response, "/desk/password-reset/sent/")
        [message] = mail.outbox
        self.assertEqual(message.to, ["alice@example.org"])
        self.assertIn('for the account "alice"', message.body)
        self.assertIn("The link works once, for 1 hour.", message.body)
        response = self.choose(self.link(), "a brand new passphrase")
        self.assertContains(response, "Your new password is set")
        self.alice.refresh_from_db()
        self.assertTrue(self.alice.check_password("a brand new passphrase"))

    def test_the_link_works_once(self):
        self.ask("alice@example.org")
        link = self.link()
        self.choose(link, "a brand new passphrase")
        response = self.client.get(link, follow=True)
        self.assertContains(response, "This link does not work")

    def test_the_link_expires_after_an_hour(self):
        self.ask("alice@example.org")
        later = timezone.now() + timedelta(hours=1, minutes=1)
        with mock.patch(
            "django.contrib.auth.tokens.PasswordResetTokenGenerator._now"
        ) as now:
            now.return_value = later.replace(tzinfo=None)
            response = self.client.get(self.link(), follow=True)
        self.assertContains(response, "This link does not work")

    def test_an_unknown_address_gets_the_same_answer_and_no_mail(self):
        known = self.ask("alice@example.org", "203.0.113.1")
        unknown = self.ask("nobody@example.org", "203.0.113.2")
        self.assertEqual(
            (known.status_code, known["Location"]),
            (unknown.status_code, unknown["Location"]),
        )
        self.assertEqual([m.to for m in mail.outbox], [["alice@example.org"]])

    def test_it_limits_requests_per_address_and_keeps_what_was_typed(self):
        for n in range(5):
            self.assertEqual(self.ask(f"x{n}@example.org").status_code, 302)
        response = self.ask("alice@example.org")
        self.assertContains(
            response,
            "Too many requests from your address. Please wait",
            status_code=429,
        )
        self.assertContains(response, 'value="alice@example.org"', status_code=429)
        self.assertEqual(mail.outbox, [])
        # Another address is not limited.
        self.assertEqual(self.ask("alice@example.org", "203.0.113.77").status_code, 302)
        self.assertEqual(len(mail.outbox), 1)

    def test_it_limits_mail_to_one_mailbox_without_saying_so(self):
        for n in range(5):
            response = self.ask("alice@example.org", f"198.51.100.{n}")
            self.assertRedirects(response, "/desk/password-reset/sent/")
        self.assertEqual(len(mail.outbox), 3)

    def test_a_new_password_forgets_the_owners_typos_from_that_address(self):
        for _ in range(4):
            self.sign_in("alice", "what was it", "203.0.113.9")
        self.sign_in("alice", "what was it", "198.51.100.1")
        self.ask("alice@example.org", "203.0.113.9")
        self.choose(self.link(), "a brand new passphrase", address="203.0.113.9")
        left = SignInFailure.objects.values_list("address", flat=True)
        self.assertEqual(list(left), ["198.51.100.1"])

    def test_a_new_password_signs_the_account_out_everywhere(self):
        laptop = CommittingClient()
        laptop.post(SIGN_IN, {"username": "alice", "password": "password"})
        self.assertEqual(laptop.get("/desk/").status_code, 200)
        self.ask("alice@example.org")
        self.choose(self.link(), "a brand new passphrase")
        self.assertEqual(laptop.get("/desk/").status_code, 302)
        self.assertFalse(self.alice.sign_in_sessions.exists())

    @override_settings(PASSWORD_RESET_TIMEOUT=15 * 60)
    def test_the_screens_name_the_timeout_set(self):
        self.assertContains(self.client.get(RESET), "for 15 minutes")

    def test_old_requests_are_forgotten(self):
        from gazette.accounts.tasks import forget_old_sign_in_records

        self.ask("alice@example.org")
        PasswordResetRequest.objects.update(
            requested_at=timezone.now() - timedelta(hours=2)
        )
        forget_old_sign_in_records()
        self.assertFalse(PasswordResetRequest.objects.exists())
