from datetime import timedelta

from django.test import SimpleTestCase, override_settings
from django.utils import timezone

from gazette.accounts import throttle
from gazette.accounts.addresses import address_bucket
from gazette.accounts.models import SignInFailure
from gazette.accounts.tasks import forget_old_sign_in_records
from gazette.accounts.tests.base import SIGN_IN, AccountsTestCase


class DelayTest(SimpleTestCase):
    def test_it_doubles_from_one_second_after_the_free_failures_up_to_a_cap(self):
        delays = [throttle.delay_after(n, 3).total_seconds() for n in range(0, 16)]
        self.assertEqual(delays[:3], [0, 0, 0])
        self.assertEqual(delays[3:9], [1, 2, 4, 8, 16, 32])
        self.assertEqual(delays[13:], [900, 900, 900])
        self.assertEqual(throttle.delay_after(10**6, 3), timedelta(minutes=15))

    def test_it_names_the_wait_rounded_up(self):
        self.assertEqual(throttle.describe_wait(timedelta(seconds=0.2)), "1 second")
        self.assertEqual(throttle.describe_wait(timedelta(seconds=31.5)), "32 seconds")
        self.assertEqual(throttle.describe_wait(timedelta(seconds=61)), "2 minutes")

    def test_it_counts_an_ipv6_network_as_one_address(self):
        self.assertEqual(
            address_bucket("2001:db8:1:2:aaaa::1"), address_bucket("2001:db8:1:2::ffff")
        )
        self.assertEqual(address_bucket("2001:db8:1:2::1"), "2001:db8:1:2::/64")
        self.assertEqual(address_bucket("::ffff:203.0.113.9"), "203.0.113.9")
        self.assertEqual(address_bucket("not an address"), "unknown")


class StrangersCannotLockTheOwnerOutTest(AccountsTestCase):
    """Issue 10, probe finding 7: five wrong passwords for `admin` from five
    addresses locked the owner out of every address for 15 minutes."""

    def test_it_lets_the_owner_in_from_a_clean_address_while_admin_is_guessed(self):
        for n in range(5):
            response = self.sign_in("admin", "guess", f"198.51.100.{n}")
            self.assertContains(response, "Please enter a correct username")
        response = self.sign_in("admin", "the right one", "203.0.113.50")
        self.assertRedirects(response, "/desk/", fetch_redirect_response=False)
        self.assertEqual(self.client.session["_auth_user_id"], str(self.admin.pk))

    def test_it_still_lets_the_owner_in_after_hundreds_of_guesses(self):
        SignInFailure.objects.bulk_create(
            SignInFailure(username="admin", address=f"10.0.{n // 250}.{n % 250}")
            for n in range(500)
        )
        response = self.sign_in("admin", "the right one", "203.0.113.50")
        self.assertEqual(response.status_code, 302)

    def test_it_slows_the_addresses_that_failed_for_a_username_under_attack(self):
        for n in range(5):
            self.sign_in("admin", "guess", f"198.51.100.{n}")
        # The fifth failure for admin (from anywhere): each address that failed
        # for it waits a second after the latest one, even with one failure.
        response = self.sign_in("admin", "guess", "198.51.100.0")
        self.assertContains(response, "Please wait 1 second", status_code=429)
        # ...and for other usernames the address is not slowed down.
        response = self.sign_in("alice", "password", "198.51.100.0")
        self.assertEqual(response.status_code, 302)


class AddressThrottleTest(AccountsTestCase):
    def test_it_makes_an_address_that_keeps_failing_wait_longer_each_time(self):
        address = "198.51.100.7"
        for name in ("ann", "ben", "cat"):
            response = self.sign_in(name, "x", address)
            self.assertEqual(response.status_code, 200)
        response = self.sign_in("dan", "x", address)
        self.assertContains(
            response,
            "Too many wrong passwords from your address or for this account. "
            "Please wait 1 second, then try again.",
            status_code=429,
        )
        self.assertEqual(response["Retry-After"], "1")
        # The form keeps the username typed.
        self.assertContains(response, 'value="dan"', status_code=429)
        # A refused try checked no password and is not a failure.
        self.assertEqual(SignInFailure.objects.filter(address=address).count(), 3)

        self.age_failures(timedelta(seconds=2))
        self.assertEqual(self.sign_in("dan", "x", address).status_code, 200)
        # Four failures now: two seconds.
        self.assertContains(
            self.sign_in("eve", "x", address), "wait 2 seconds", status_code=429
        )

    def test_it_refuses_even_the_right_password_while_the_address_waits(self):
        address = "198.51.100.8"
        for _ in range(13):  # 2**10 seconds after the 13th: the cap
            SignInFailure.objects.create(username="someone", address=address)
        response = self.sign_in("alice", "password", address)
        self.assertContains(response, "Please wait 15 minutes", status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)
        # Another address signs in as usual.
        self.assertEqual(
            self.sign_in("alice", "password", "203.0.113.1").status_code, 302
        )

    def test_it_forgets_an_addresss_failures_for_the_username_it_signs_in_as(self):
        address = "198.51.100.9"
        self.sign_in("alice", "typo", address)
        self.sign_in("alice", "tpyo", address)
        self.sign_in("someone", "x", address)
        self.age_failures(timedelta(seconds=2))  # past the third failure's second
        self.assertEqual(self.sign_in("alice", "password", address).status_code, 302)
        left = SignInFailure.objects.values_list("username", "address")
        self.assertEqual(list(left), [("someone", address)])

    def test_it_counts_usernames_whatever_their_case(self):
        for n, name in enumerate(["Admin", "ADMIN ", "admin", "aDmin", "admiN"]):
            self.sign_in(name, "x", f"198.51.100.{n}")
        self.assertEqual(SignInFailure.objects.filter(username="admin").count(), 5)
        self.assertEqual(self.sign_in("ADMIN", "x", "198.51.100.0").status_code, 429)

    def test_it_guards_the_django_admin_sign_in_too(self):
        address = "198.51.100.10"
        for _ in range(3):
            SignInFailure.objects.create(username="x", address=address)
        response = self.client.post(
            "/admin/login/?next=/admin/",
            {"username": "admin", "password": "the right one"},
            REMOTE_ADDR=address,
        )
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertEqual(SignInFailure.objects.filter(address=address).count(), 3)

    def test_a_forwarded_address_counts_only_behind_a_known_proxy(self):
        # Without GAZETTE_BEHIND_PROXY a stranger's X-Forwarded-For is ignored,
        # so it cannot be used to dodge the throttle.
        for n in range(3):
            self.client.post(
                SIGN_IN,
                {"username": "x", "password": "y"},
                REMOTE_ADDR="198.51.100.11",
                HTTP_X_FORWARDED_FOR=f"10.9.9.{n}",
            )
        self.assertEqual(
            SignInFailure.objects.filter(address="198.51.100.11").count(), 3
        )

    def test_behind_the_proxy_the_forwarded_address_counts_on_plain_http_too(self):
        # A load balancer on the inside network speaks plain HTTP to the apps:
        # the reader's address is still X-Forwarded-For's last hop.
        with override_settings(BEHIND_PROXY=True):
            self.client.post(
                SIGN_IN,
                {"username": "x", "password": "y"},
                REMOTE_ADDR="10.0.0.2",
                HTTP_X_FORWARDED_FOR="192.0.2.200, 198.51.100.12",
            )
        self.assertEqual(
            list(SignInFailure.objects.values_list("address", flat=True)),
            ["198.51.100.12"],
        )


class ForgettingTest(AccountsTestCase):
    def test_the_periodic_job_removes_failures_older_than_a_day(self):
        SignInFailure.objects.create(username="a", address="198.51.100.1")
        old = SignInFailure.objects.create(username="b", address="198.51.100.2")
        old.failed_at = timezone.now() - timedelta(days=1, minutes=1)
        old.save()
        forget_old_sign_in_records()
        self.assertEqual(
            list(SignInFailure.objects.values_list("username", flat=True)), ["a"]
        )

    def test_failures_older_than_a_day_no_longer_slow_anyone(self):
        for _ in range(10):
            SignInFailure.objects.create(username="x", address="198.51.100.3")
        self.age_failures(timedelta(days=1, seconds=1))
        self.assertEqual(
            self.sign_in("alice", "password", "198.51.100.3").status_code, 302
        )
