"""Counters and one-use tokens in Redis, when the default cache is Redis.

INCR and SET NX are atomic in Redis itself, so every worker on every machine
sees one sequence of totals. Each key carries its own expiry, set in the same
MULTI/EXEC transaction as the INCR, so a counter never outlives its window even
if the worker dies between the two commands. Redis must run with
`maxmemory-policy noeviction`: any other policy may drop a live counter or a
used token when memory runs short.
"""

from redis import Redis


def count(client: Redis, key: str, window_seconds: int) -> int:
    """Add one to the counter `key` (named after its window) and return the
    total; the key expires a window after its last hit."""
    with client.pipeline(transaction=True) as pipe:
        pipe.incr(key)
        pipe.expire(key, window_seconds)
        total, _ = pipe.execute()
    return int(total)


def use_once(client: Redis, key: str, keep_seconds: int) -> bool:
    """True only for the first caller to set `key` within `keep_seconds`."""
    return bool(client.set(key, 1, nx=True, ex=keep_seconds))
