"""The limits in Redis, when the cache is Redis (REDIS_URL): against a real,
throwaway redis-server started on a free port for these tests."""

import shutil
import signal
import socket
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from unittest import mock

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.test import override_settings

from gazette import limits
from gazette.comments import spam
from gazette.limits.models import Tally
from gazette.limits.tests.test_concurrency import THREADS, race
from gazette.test import BaseTestCase

TEN_MINUTES = timedelta(minutes=10)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis(test_class, *, keep_process: bool = False):
    """A redis-server of its own for `test_class`, stopped when the class ends;
    its URL (and its process, with `keep_process`, for tests that stop it)."""
    folder = tempfile.mkdtemp(prefix="gazette-redis-")
    port = _free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1"]
        + ["--save", "", "--appendonly", "no", "--dir", folder]
        + ["--maxmemory-policy", "noeviction"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def stop() -> None:
        server.send_signal(signal.SIGCONT)  # in case a test left it frozen
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(folder)

    test_class.addClassCleanup(stop)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            url = f"redis://127.0.0.1:{port}/0"
            return (url, server) if keep_process else url
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("redis-server did not start") from None
            time.sleep(0.05)


class RedisLimitsTest(BaseTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        url = start_redis(cls)
        redis_cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache"}
        cls.enterClassContext(
            override_settings(CACHES={"default": redis_cache | {"LOCATION": url}})
        )
        super().setUpClass()

    def redis(self):
        cache = caches["default"]
        assert isinstance(cache, RedisCache)
        return cache._cache.get_client(write=True)

    def test_it_counts_in_redis_and_not_in_the_database(self):
        self.assertEqual([limits.count("a", TEN_MINUTES) for _ in range(3)], [1, 2, 3])
        self.assertEqual(limits.count("b", TEN_MINUTES), 1)
        self.assertEqual(Tally.objects.count(), 0)

    def test_a_counter_expires_within_a_window_of_its_last_hit(self):
        limits.count("a", TEN_MINUTES)
        [key] = self.redis().keys("*gazette:limits:count:a@600:*")
        self.assertTrue(0 < self.redis().ttl(key) <= 600)

    def test_it_starts_again_from_one_in_the_next_window(self):
        start = datetime(2020, 1, 1, 12, 0, tzinfo=UTC)
        with mock.patch("gazette.limits.timezone.now", return_value=start):
            self.assertEqual([limits.count("a", TEN_MINUTES) for _ in range(2)], [1, 2])
        with mock.patch(
            "gazette.limits.timezone.now", return_value=start + TEN_MINUTES
        ):
            self.assertEqual(limits.count("a", TEN_MINUTES), 1)

    def test_a_name_is_used_once_and_kept_for_its_keep(self):
        self.assertEqual(
            [limits.use_once("token", timedelta(days=2)) for _ in range(2)],
            [True, False],
        )
        [key] = self.redis().keys("*gazette:limits:once:token")
        self.assertTrue(2 * 86400 - 5 < self.redis().ttl(key) <= 2 * 86400)
        self.assertEqual(Tally.objects.count(), 0)

    def test_a_name_may_be_used_again_once_its_keep_has_passed(self):
        self.assertTrue(limits.use_once("token", timedelta(seconds=1)))
        self.assertFalse(limits.use_once("token", timedelta(seconds=1)))
        time.sleep(1.1)
        self.assertTrue(limits.use_once("token", timedelta(seconds=1)))

    def test_each_racing_hit_is_counted_once(self):
        totals = race(lambda: limits.count("flood", TEN_MINUTES))
        self.assertEqual(sorted(totals), list(range(1, THREADS + 1)))

    def test_exactly_one_racing_use_of_a_token_wins(self):
        self.assertEqual(
            race(lambda: limits.use_once("token", TEN_MINUTES)).count(True), 1
        )

    @override_settings(COMMENTS_PER_IP=5, COMMENTS_PER_POST=1000)
    def test_the_comment_limits_use_it(self):
        for _ in range(5):
            spam.check_rate("203.0.113.7", post_id=1)
        with self.assertRaises(spam.Refused):
            spam.check_rate("203.0.113.7", post_id=1)
        token = spam.read_form_token(spam.make_form_token(1), 1)
        spam.use_form_token(token)
        with self.assertRaises(spam.Refused):
            spam.use_form_token(token)
        self.assertEqual(Tally.objects.count(), 0)
