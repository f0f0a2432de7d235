"""With REDIS_URL set and Redis gone: readers still get pages, rendered fresh;
comments are refused with a message and the reader's text kept; /healthz
says what is wrong; and no page cached before the outage outlives it.

Against a real redis-server, stopped and started (or frozen with SIGSTOP, as
a network partition would leave it) by the tests."""

import inspect
import json
import math
import os
import signal
import subprocess
import time
from collections.abc import Callable
from unittest import mock

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.test import RequestFactory, override_settings

from gazette.comments import spam
from gazette.comments.models import Comment
from gazette.comments.views import PAUSED
from gazette.lib import cache as forgiving
from gazette.limits import Unavailable
from gazette.limits.middleware import LimitsUnavailableMiddleware
from gazette.limits.tests.test_redis import start_redis
from gazette.test import BaseTestCase, CommittingClient


class RedisOutageTest(BaseTestCase):
    url: str
    server: subprocess.Popen

    @classmethod
    def setUpClass(cls) -> None:
        cls.url, cls.server = start_redis(cls, keep_process=True)
        cache = {
            "BACKEND": "gazette.lib.cache.ForgivingRedisCache",
            "LOCATION": cls.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
        cls.enterClassContext(override_settings(CACHES={"default": cache}))
        super().setUpClass()

    def setUp(self):
        super().setUp()
        # A short pause, so that the tests see Redis again soon after it returns.
        self.enterContext(mock.patch.object(forgiving, "PAUSE_SECONDS", 0.2))
        forgiving.health.paused_until = 0.0
        forgiving.health.dropped_writes = False
        self.reader = CommittingClient()

    def freeze_redis(self) -> None:
        """Redis stops answering, its connections left open: a partition."""
        os.kill(self.server.pid, signal.SIGSTOP)
        self.addCleanup(self.thaw_redis)

    def thaw_redis(self) -> None:
        os.kill(self.server.pid, signal.SIGCONT)

    def wait_out_the_pause(self) -> None:
        time.sleep(forgiving.PAUSE_SECONDS + 0.05)

    def test_readers_get_fresh_pages_while_redis_is_frozen(self):
        self.make_post("Frost on the ridge")
        self.assertEqual(self.reader.get("/")["X-Gazette-Cache"], "miss")
        self.assertEqual(self.reader.get("/")["X-Gazette-Cache"], "hit")
        self.freeze_redis()
        for path in ("/", "/hashtag/Nothing/", "/search/?q=frost"):
            response = self.reader.get(path)
            self.assertIn(response.status_code, (200, 404), path)
        home = self.reader.get("/")
        self.assertEqual(home.status_code, 200)
        self.assertContains(home, "Frost on the ridge")
        self.assertNotEqual(home["X-Gazette-Cache"], "hit")

    def test_comments_are_refused_with_the_text_kept(self):
        post = self.make_post("Frost on the ridge")
        self.freeze_redis()
        form = {
            "author_name": "Morag",
            "body": "The frost held until noon on our side.",
            "token": spam.make_form_token(post.pk, issued_at=time.time() - 60),
        }
        response = self.reader.post(f"/comments/{post.pk}/post/", form)
        self.assertEqual(response.status_code, 503)
        self.assertContains(response, PAUSED, status_code=503)
        self.assertContains(
            response, "The frost held until noon on our side.", status_code=503
        )
        self.assertEqual(Comment.objects.count(), 0)

    def test_healthz_names_the_cache(self):
        answer = self.reader.get("/healthz")
        self.assertEqual(answer.status_code, 200)
        self.assertEqual(json.loads(answer.content), {"database": "ok", "cache": "ok"})
        self.freeze_redis()
        answer = self.reader.get("/healthz")
        self.assertEqual(answer.status_code, 503)
        self.assertEqual(
            json.loads(answer.content), {"database": "ok", "cache": "unreachable"}
        )
        self.assertIn("no-cache", answer["Cache-Control"])

    def test_a_post_published_during_the_outage_shows_once_redis_is_back(self):
        self.make_post("Frost on the ridge", days_ago=2)
        self.reader.get("/")
        self.assertEqual(self.reader.get("/")["X-Gazette-Cache"], "hit")
        self.freeze_redis()
        # Its version bump cannot reach Redis, which still holds the old page.
        self.make_post("Thaw by the river", days_ago=1)
        self.thaw_redis()
        self.wait_out_the_pause()
        home = self.reader.get("/")
        self.assertContains(home, "Thaw by the river")
        self.assertEqual(home["X-Gazette-Cache"], "miss")
        # And caching resumes.
        self.assertEqual(self.reader.get("/")["X-Gazette-Cache"], "hit")

    def test_the_cache_comes_back_by_itself(self):
        cache = caches["default"]
        self.freeze_redis()
        cache.set("gazette:test:kept", "yes")
        self.assertIsNone(cache.get("gazette:test:kept"))
        self.thaw_redis()
        self.wait_out_the_pause()
        cache.set("gazette:test:kept", "yes")
        self.assertEqual(cache.get("gazette:test:kept"), "yes")


class WhileRedisIsAwayTest(BaseTestCase):
    """What each cache call answers during the pause after a failure, when
    Redis is not even asked: reads miss, writes are dropped and remembered."""

    def setUp(self):
        super().setUp()
        health = forgiving.health
        self.enterContext(mock.patch.object(health, "paused_until", math.inf))
        self.enterContext(mock.patch.object(health, "dropped_writes", False))
        # Nothing listens there; while paused, nothing connects.
        self.cache = forgiving.ForgivingRedisCache("redis://127.0.0.1:9", {})

    def test_reads_miss(self):
        cache = self.cache
        calls: list[tuple[Callable[[], object], object]] = [
            (lambda: cache.get("gazette:test:k"), None),
            (lambda: cache.get("gazette:test:k", "kept"), "kept"),
            (lambda: cache.get(key="gazette:test:k", default=0), 0),
            (lambda: cache.get_many(["gazette:test:a"]), {}),
            (lambda: cache.has_key("gazette:test:k"), False),
        ]
        for call, answer in calls:
            self.assertEqual(call(), answer)
        self.assertFalse(forgiving.health.dropped_writes)

    def test_writes_are_dropped_and_remembered(self):
        cache = self.cache
        calls: list[tuple[Callable[[], object], object]] = [
            (lambda: cache.add("gazette:test:k", 1), False),
            (lambda: cache.set("gazette:test:k", 1, timeout=60), None),
            (lambda: cache.touch("gazette:test:k"), False),
            (lambda: cache.delete("gazette:test:k"), False),
            (
                lambda: cache.set_many({"gazette:test:a": 1, "b": 2}),
                ["gazette:test:a", "b"],
            ),
            (lambda: cache.set_many(data={"gazette:test:c": 3}), ["gazette:test:c"]),
            (lambda: cache.delete_many(["gazette:test:a"]), None),
        ]
        for call, answer in calls:
            forgiving.health.dropped_writes = False
            self.assertEqual(call(), answer)
            self.assertTrue(forgiving.health.dropped_writes)

    def test_each_call_keeps_redis_caches_name_and_signature(self):
        for name in (
            "add",
            "get",
            "set",
            "touch",
            "delete",
            "get_many",
            "has_key",
            "set_many",
            "delete_many",
        ):
            with self.subTest(name=name):
                method = getattr(forgiving.ForgivingRedisCache, name)
                self.assertIsNot(method, getattr(RedisCache, name))
                self.assertEqual(method.__name__, name)
                self.assertEqual(
                    inspect.signature(method),
                    inspect.signature(getattr(RedisCache, name)),
                )


class LimitsUnavailableMiddlewareTest(BaseTestCase):
    def test_anything_a_limit_guards_is_refused_with_a_503(self):
        request = RequestFactory().post("/desk/sign-in/")
        middleware = LimitsUnavailableMiddleware(lambda request: None)
        response = middleware.process_exception(request, Unavailable("Redis down"))
        assert response is not None
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response["Retry-After"], "60")
        self.assertIn(b"Try again in a minute", response.content)
        self.assertIsNone(middleware.process_exception(request, ValueError()))
