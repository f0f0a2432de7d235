"""Django's Redis cache, made to keep the site up while Redis is down.

Everything Gazette keeps in the cache can be made again from the database:
pages, fragments, the settings row, versions. So when Redis cannot be reached,
a read is a miss and a write is dropped, and readers get pages rendered fresh.
What must not degrade quietly (rate limits and one-use tokens, which keep spam
out) talks to Redis directly in gazette.limits and fails loudly instead.

After one failure the cache stops trying for `PAUSE_SECONDS` (per process), so
that a page render during an outage costs one connection timeout, not one per
cache call. And since a dropped write may have been a version bump (a post
published during the outage), the first success after a dropped write makes
every page stale, by replacing the site's version: a stale page never
outlives the outage.
"""

import functools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

PAUSE_SECONDS = 5.0
# The keys whose loss makes every cached page stale (gazette.lib.pagecache's
# SITE version and its clock); deleted on recovery from dropped writes.
FORGET_ON_RECOVERY = ("gazette:version:site", "gazette:version:clock")

T = TypeVar("T")


class _Health:
    """This process's view of Redis, shared by the cache objects of every thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.paused_until = 0.0
        self.dropped_writes = False

    def paused(self) -> bool:
        return time.monotonic() < self.paused_until

    def failed(self, error: Exception, *, write: bool) -> None:
        with self.lock:
            if not self.paused():
                logger.warning("Redis unreachable, cache bypassed: %s", error)
            self.paused_until = time.monotonic() + PAUSE_SECONDS
            self.dropped_writes |= write

    def dropped(self) -> None:
        """A write skipped while paused: the pause stays as it was."""
        with self.lock:
            self.dropped_writes = True

    def take_dropped_writes(self) -> bool:
        with self.lock:
            dropped, self.dropped_writes = self.dropped_writes, False
            return dropped


health = _Health()


def _forgiving(
    name: str, when_away: Callable[..., Any], *, write: bool
) -> Callable[..., Any]:
    """RedisCache's method `name`, answering what `when_away` returns for the
    same arguments while Redis cannot be reached (see ForgivingRedisCache._try).
    The method keeps RedisCache's name, docstring and signature."""
    redis_method = getattr(RedisCache, name)

    @functools.wraps(redis_method)
    def method(self: "ForgivingRedisCache", *args: Any, **kwargs: Any) -> Any:
        return self._try(
            lambda: redis_method(self, *args, **kwargs),
            when_away(*args, **kwargs),
            write=write,
        )

    return method


class ForgivingRedisCache(RedisCache):
    """RedisCache whose reads miss and whose writes are dropped while Redis is
    unreachable (see the module's docstring)."""

    def _try(self, call: Callable[[], T], fallback: T, *, write: bool) -> T:
        if health.paused():
            if write:
                health.dropped()
            return fallback
        try:
            # Before anything is read: the first read after an outage would
            # otherwise get the version clock the dropped writes should have moved.
            if health.dropped_writes and health.take_dropped_writes():
                self._forget_versions()
            return call()
        except (RedisError, OSError) as error:
            health.failed(error, write=write)
            return fallback

    def _forget_versions(self) -> None:
        keys = [self.make_and_validate_key(key) for key in FORGET_ON_RECOVERY]
        try:
            self._cache.delete_many(keys)
        except (RedisError, OSError):
            health.dropped()  # still owed: tried again on the next success
            raise
        logger.info("Redis is back: every cached page will be made again.")

    # RedisCache's calls to Redis, each with what it answers while Redis is
    # away (made from the call's own arguments) and whether it writes.
    add = _forgiving("add", lambda *args, **kwargs: False, write=True)
    get = _forgiving(
        "get", lambda key, default=None, version=None: default, write=False
    )
    set = _forgiving("set", lambda *args, **kwargs: None, write=True)
    touch = _forgiving("touch", lambda *args, **kwargs: False, write=True)
    delete = _forgiving("delete", lambda *args, **kwargs: False, write=True)
    get_many = _forgiving("get_many", lambda *args, **kwargs: {}, write=False)
    has_key = _forgiving("has_key", lambda *args, **kwargs: False, write=False)
    # Django's answer to set_many: the keys that were not set, here all of them.
    set_many = _forgiving(
        "set_many", lambda data, *args, **kwargs: list(data), write=True
    )
    delete_many = _forgiving("delete_many", lambda *args, **kwargs: None, write=True)
