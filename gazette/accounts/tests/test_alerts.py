import re
from datetime import timedelta

from django.core import mail
from django.utils import timezone

from gazette.accounts.models import GuessingWarning, KnownAddress, SignInFailure
from gazette.accounts.tests.base import AccountsTestCase


class GuessingWarningTest(AccountsTestCase):
    def guess(self, username: str, times: int, first_address: int = 0) -> None:
        """`times` wrong passwords, each from its own address (so that the
        throttle lets each one through)."""
        for n in range(first_address, first_address + times):
            response = self.sign_in(username, "guess", f"198.51.100.{n}")
            self.assertNotEqual(response.status_code, 429)

    def test_it_mails_the_owner_once_after_ten_guesses_in_an_hour(self):
        self.guess("admin", 9)
        self.assertEqual(mail.outbox, [])
        self.guess("admin", 1, first_address=9)
        [message] = mail.outbox
        self.assertEqual(message.to, ["owner@example.org"])
        self.assertIn("Someone is guessing your password", message.subject)
        self.assertIn("there were 10 wrong passwords", message.body)
        self.assertIn("198.51.100.0: 1 time", message.body)
        self.assertIn("198.51.100.9: 1 time", message.body)
        self.assertIn("http://testserver/desk/account/", message.body)
        self.assertIn("http://testserver/desk/password-reset/", message.body)
        # More guesses within the hour: no second mail.
        self.guess("admin", 5, first_address=20)
        self.assertEqual(len(mail.outbox), 1)

    def test_it_mails_again_after_an_hour_if_the_guessing_goes_on(self):
        self.guess("admin", 10)
        self.assertEqual(len(mail.outbox), 1)
        self.age_failures(timedelta(minutes=61))
        GuessingWarning.objects.update(warned_at=timezone.now() - timedelta(minutes=61))
        self.guess("admin", 10, first_address=100)
        self.assertEqual(len(mail.outbox), 2)

    def test_it_does_not_count_the_owners_own_addresses(self):
        KnownAddress.objects.create(user=self.admin, address="198.51.100.3")
        self.guess("admin", 10)
        self.assertEqual(mail.outbox, [])
        self.guess("admin", 1, first_address=10)
        [message] = mail.outbox
        self.assertNotIn("198.51.100.3:", message.body)

    def test_signing_in_makes_an_address_the_owners(self):
        self.assertEqual(
            self.sign_in("admin", "the right one", "203.0.113.5").status_code, 302
        )
        self.assertEqual(
            list(self.admin.known_addresses.values_list("address", flat=True)),
            ["203.0.113.5"],
        )

    def test_the_form_answers_alike_for_names_that_exist_and_names_that_do_not(self):
        answers: dict[str, tuple[int, str]] = {}
        for name in ("admin", "nobody-at-all"):
            for n in range(10):
                response = self.sign_in(name, "guess", f"10.{len(answers)}.0.{n}")
            page = response.content.decode()
            errors = re.search(r'<ul class="errorlist">.*?</ul>', page, re.S)
            assert errors is not None
            answers[name] = (response.status_code, errors.group())
        self.assertEqual(answers["admin"], answers["nobody-at-all"])
        self.assertEqual(len(mail.outbox), 1)  # only the real account's owner
        self.assertEqual(
            SignInFailure.objects.filter(username="nobody-at-all").count(), 10
        )

    def test_an_account_without_email_or_inactive_gets_no_mail(self):
        self.admin.email = ""
        self.admin.save()
        self.guess("admin", 10)
        self.alice.is_active = False
        self.alice.save()
        self.guess("alice", 10, first_address=50)
        self.assertEqual(mail.outbox, [])
