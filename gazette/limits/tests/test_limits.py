from datetime import UTC, datetime, timedelta
from unittest import mock

from django.db import transaction

from gazette import limits
from gazette.limits.models import Tally
from gazette.limits.tasks import delete_expired_tallies
from gazette.site import periodic
from gazette.test import BaseTestCase

TEN_MINUTES = timedelta(minutes=10)
# A moment long past, at the start of a ten-minute window.
WINDOW_START = datetime(2020, 1, 1, 12, 0, tzinfo=UTC)
# A moment no test run reaches: tallies made then have not expired yet.
LATER = datetime(2100, 1, 1, tzinfo=UTC)


def at(moment: datetime):
    return mock.patch("gazette.limits.timezone.now", return_value=moment)


class CountTest(BaseTestCase):
    def test_it_counts_up_within_a_window_and_per_name(self):
        self.assertEqual([limits.count("a", TEN_MINUTES) for _ in range(3)], [1, 2, 3])
        self.assertEqual(limits.count("b", TEN_MINUTES), 1)

    def test_it_starts_again_from_one_in_the_next_window(self):
        with at(WINDOW_START):
            self.assertEqual(limits.count("a", TEN_MINUTES), 1)
        with at(WINDOW_START + timedelta(minutes=9, seconds=59)):
            self.assertEqual(limits.count("a", TEN_MINUTES), 2)
        with at(WINDOW_START + TEN_MINUTES):
            self.assertEqual(limits.count("a", TEN_MINUTES), 1)

    def test_windows_of_different_lengths_count_apart(self):
        limits.count("a", TEN_MINUTES)
        self.assertEqual(limits.count("a", timedelta(minutes=1)), 1)

    def test_a_window_expires_when_it_ends(self):
        with at(WINDOW_START + timedelta(minutes=3)):
            limits.count("a", TEN_MINUTES)
        self.assertEqual(Tally.objects.get().expires_at, WINDOW_START + TEN_MINUTES)

    def test_a_window_under_a_second_is_refused(self):
        with self.assertRaises(ValueError):
            limits.count("a", timedelta(milliseconds=500))

    def test_long_names_are_shortened_and_kept_apart(self):
        first, second = "x" * 300 + "1", "x" * 300 + "2"
        self.assertEqual(limits.count(first, TEN_MINUTES), 1)
        self.assertEqual(limits.count(second, TEN_MINUTES), 1)
        self.assertEqual(limits.count(first, TEN_MINUTES), 2)
        self.assertTrue(
            all(
                len(key) <= limits.MAX_KEY_LENGTH
                for key in Tally.objects.values_list("key", flat=True)
            )
        )


class UseOnceTest(BaseTestCase):
    def test_a_name_is_used_once(self):
        self.assertEqual(
            [limits.use_once("token", timedelta(days=2)) for _ in range(3)],
            [True, False, False],
        )
        self.assertTrue(limits.use_once("another", timedelta(days=2)))

    def test_a_name_may_be_used_again_once_its_keep_has_passed(self):
        keep = timedelta(days=2)
        with at(WINDOW_START):
            self.assertTrue(limits.use_once("token", keep))
        with at(WINDOW_START + keep - timedelta(seconds=1)):
            self.assertFalse(limits.use_once("token", keep))
        # The expired row is still there (the clean-up has not run): it is
        # taken over rather than refused.
        with at(WINDOW_START + keep):
            self.assertTrue(limits.use_once("token", keep))
            self.assertFalse(limits.use_once("token", keep))

    def test_it_leaves_an_outer_transaction_usable(self):
        # A unique-key error would break a PostgreSQL transaction; the upsert
        # raises none.
        with transaction.atomic():
            self.assertTrue(limits.use_once("token", timedelta(hours=1)))
            self.assertFalse(limits.use_once("token", timedelta(hours=1)))
            self.assertEqual(Tally.objects.count(), 1)

    def test_tokens_and_counters_do_not_share_keys(self):
        limits.count("same", TEN_MINUTES)
        self.assertTrue(limits.use_once("same", TEN_MINUTES))


class CleanUpTest(BaseTestCase):
    def test_it_deletes_expired_tallies_only(self):
        with at(WINDOW_START):
            limits.count("old window", TEN_MINUTES)
            limits.use_once("old token", timedelta(hours=1))
        with at(LATER):
            limits.count("current window", TEN_MINUTES)
            limits.use_once("current token", timedelta(hours=1))

        self.assertEqual(delete_expired_tallies(), 2)
        self.assertEqual(
            sorted(Tally.objects.values_list("key", flat=True)),
            [
                f"count:current window@600:{int(LATER.timestamp()) // 600}",
                "once:current token",
            ],
        )

    def test_it_runs_periodically(self):
        periodic.discover()
        self.assertIn("gazette.limits.tasks.delete_expired_tallies", periodic.JOBS)
