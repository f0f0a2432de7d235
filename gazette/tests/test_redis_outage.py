"""With REDIS_URL set and Redis gone: readers still get pages, rendered fresh;
comments are refused with a message and the reader's text kept; /healthz
says what is wrong; and no page cached before the outage outlives it.

Against a real redis-server, stopped and started (or frozen with SIGSTOP, as
a network partition would leave it) by the tests."""

import json
import os
import signal
import subprocess
import time
from unittest import mock

from django.core.cache import caches
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
