"""Rate limits and one-use tokens that hold when many workers count at once.

`count(name, window)` adds one to the counter of the current fixed window and
returns the new total; `use_once(name, keep)` is True only the first time a name
is used within `keep`. Each is one atomic operation on state every process
shares: when N requests race on one counter they get the totals 1..N, each
exactly once, and exactly one of them wins a token.

The state lives in the database (`Tally`, one row per counter or token), or in
Redis when the default cache is Redis (REDIS_URL), whose INCR and SET NX are
atomic. Never in the file or memory cache: their add/incr are not atomic across
processes, and a full file cache deletes a random third of its entries, counters
and used tokens included. Redis must not evict these keys either: run it with
`maxmemory-policy noeviction` (or without maxmemory).
"""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.utils import timezone

if TYPE_CHECKING:
    from redis import Redis

# The stores are imported inside the functions: Django imports this package
# while it loads the apps, before the model in gazette.limits.in_database can be.

# The longest key stored as it is (Tally.key's max_length); longer names are
# shortened with a hash so that a long name never fails to count.
MAX_KEY_LENGTH = 200


class Unavailable(Exception):
    """The shared store of counters could not be reached (Redis is down).

    Raised rather than guessed around: a limit that cannot count would let a
    flood through, so what it guards is refused until the store is back."""


def count(name: str, window: timedelta) -> int:
    """Add one to `name`'s counter for the current fixed window (windows start
    at multiples of `window` since the epoch) and return the new total."""
    seconds = _whole_seconds(window)
    now = timezone.now()
    index = int(now.timestamp()) // seconds
    key = _key(f"count:{name}@{seconds}:{index}")
    if (client := _redis_client(key)) is not None:
        from gazette.limits import in_redis

        with _redis_errors_as_unavailable():
            return in_redis.count(client, _redis_key(key), seconds)
    from gazette.limits import in_database

    window_ends_at = datetime.fromtimestamp((index + 1) * seconds, UTC)
    return in_database.bump(key, expires_at=window_ends_at, now=now)


def use_once(name: str, keep: timedelta) -> bool:
    """True the first time `name` is used, False every other time within `keep`."""
    seconds = _whole_seconds(keep)
    key = _key(f"once:{name}")
    if (client := _redis_client(key)) is not None:
        from gazette.limits import in_redis

        with _redis_errors_as_unavailable():
            return in_redis.use_once(client, _redis_key(key), seconds)
    from gazette.limits import in_database

    now = timezone.now()
    return (
        in_database.bump(key, expires_at=now + timedelta(seconds=seconds), now=now) == 1
    )


@contextmanager
def _redis_errors_as_unavailable() -> Iterator[None]:
    from redis.exceptions import RedisError

    try:
        yield
    except (RedisError, OSError) as error:
        raise Unavailable(f"Redis cannot be reached: {error}") from error


def _whole_seconds(span: timedelta) -> int:
    seconds = int(span.total_seconds())
    if seconds < 1:
        raise ValueError(f"A limit's window must be a second or longer, not {span}")
    return seconds


def _key(key: str) -> str:
    if len(key) <= MAX_KEY_LENGTH:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{key[: MAX_KEY_LENGTH - len(digest) - 1]}#{digest}"


def _redis_client(key: str) -> "Redis | None":
    """The client Django's Redis cache holds, when the default cache is Redis."""
    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        return None
    return cache._cache.get_client(_redis_key(key), write=True)


def _redis_key(key: str) -> str:
    # The cache's own prefix and version, so that limits share its namespace.
    return caches["default"].make_key(f"gazette:limits:{key}")
