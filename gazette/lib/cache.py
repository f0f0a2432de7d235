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

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
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

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        return self._try(
            lambda: super(ForgivingRedisCache, self).add(key, value, timeout, version),
            False,
            write=True,
        )

    def get(self, key, default=None, version=None) -> Any:
        return self._try(
            lambda: super(ForgivingRedisCache, self).get(key, default, version),
            default,
            write=False,
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        self._try(
            lambda: super(ForgivingRedisCache, self).set(key, value, timeout, version),
            None,
            write=True,
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        return self._try(
            lambda: super(ForgivingRedisCache, self).touch(key, timeout, version),
            False,
            write=True,
        )

    def delete(self, key, version=None) -> bool:
        return self._try(
            lambda: super(ForgivingRedisCache, self).delete(key, version),
            False,
            write=True,
        )

    def get_many(self, keys, version=None) -> dict:
        return self._try(
            lambda: super(ForgivingRedisCache, self).get_many(keys, version),
            {},
            write=False,
        )

    def has_key(self, key, version=None) -> bool:
        return self._try(
            lambda: super(ForgivingRedisCache, self).has_key(key, version),
            False,
            write=False,
        )

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None) -> list:
        return self._try(
            lambda: super(ForgivingRedisCache, self).set_many(data, timeout, version),
            list(data),
            write=True,
        )

    def delete_many(self, keys, version=None) -> None:
        self._try(
            lambda: super(ForgivingRedisCache, self).delete_many(keys, version),
            None,
            write=True,
        )
