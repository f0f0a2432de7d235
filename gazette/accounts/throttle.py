"""Sign-in throttling: growing delays for whoever keeps failing, never a lock
that a stranger can put on someone else's account.

Two rules, each a doubling delay counted from the latest failure it concerns:

- An address that has failed `ADDRESS_FREE_FAILURES` times (for any usernames)
  waits 1 second before its next try, then 2, 4, ... up to 15 minutes.
- A username that has failed `USERNAME_FREE_FAILURES` times (from anywhere) makes
  the same growing wait, but only for the addresses that have themselves failed
  for it. A clean address, such as the owner's, is never slowed down by
  strangers guessing from elsewhere.

A refused try is not a failure: it checks no password and stores nothing, so a
flood costs a few indexed counts per request. A successful sign-in forgets that
address's failures for that username.

Concurrency: every failure is a row inserted, and each decision is a count of
rows, so no failure is ever lost to a race between workers, as an
increment-in-the-cache counter can be. Tries that arrive at the same instant may
all read the same count and all be let through, so a burst can exceed a
threshold by the number of requests in flight; the next decision sees every one
of their rows and the delay grows accordingly. For delays (not hard quotas)
that is exact enough, and it needs no locking.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from gazette.accounts.models import SignInFailure

ADDRESS_FREE_FAILURES = 3
USERNAME_FREE_FAILURES = 5
FIRST_DELAY = timedelta(seconds=1)
LONGEST_DELAY = timedelta(minutes=15)
# Failures older than this no longer count (and are deleted by a periodic job).
FAILURE_MEMORY = timedelta(days=1)


def normal_username(username: object) -> str:
    """The username as failures are filed: case and outer spaces ignored, so that
    "Admin" and "admin " count against the same account."""
    text = username if isinstance(username, str) else ""
    return text.strip().lower()[:150]


def delay_after(failures: int, free: int) -> timedelta:
    """How long to wait after the latest of `failures`, when `free` are allowed."""
    if failures < free:
        return timedelta(0)
    # Twenty doublings pass any sensible cap; the bound keeps the power small.
    doublings = min(failures - free, 20)
    return min(FIRST_DELAY * 2**doublings, LONGEST_DELAY)


@dataclass(frozen=True)
class _Tally:
    count: int
    latest: datetime | None

    def wait(self, free: int, now: datetime) -> timedelta:
        if self.latest is None:
            return timedelta(0)
        return max(timedelta(0), self.latest + delay_after(self.count, free) - now)


def _tally(failures: QuerySet[SignInFailure]) -> _Tally:
    found = failures.aggregate(count=Count("id"), latest=Max("failed_at"))
    return _Tally(found["count"], found["latest"])


def wait_before_try(
    username: str, address: str, now: datetime | None = None
) -> timedelta:
    """How long this address must still wait before trying this username (zero
    when it may try now). `username` is normalised, `address` a bucket."""
    now = now or timezone.now()
    recent = SignInFailure.objects.filter(failed_at__gt=now - FAILURE_MEMORY)
    wait = _tally(recent.filter(address=address)).wait(ADDRESS_FREE_FAILURES, now)
    if username and recent.filter(username=username, address=address).exists():
        by_username = _tally(recent.filter(username=username))
        wait = max(wait, by_username.wait(USERNAME_FREE_FAILURES, now))
    return wait


def record_failure(username: str, address: str) -> None:
    SignInFailure.objects.create(username=username, address=address)


def forget_failures(username: str, address: str) -> None:
    """After a successful sign-in: the owner's own typos stop counting."""
    SignInFailure.objects.filter(username=username, address=address).delete()


def forget_old_failures(now: datetime | None = None) -> int:
    now = now or timezone.now()
    deleted, _ = SignInFailure.objects.filter(
        failed_at__lte=now - FAILURE_MEMORY
    ).delete()
    return deleted


def whole_seconds(wait: timedelta) -> int:
    """The wait rounded up, as a Retry-After header gives it."""
    return max(1, math.ceil(wait.total_seconds()))


def describe_wait(wait: timedelta) -> str:
    """ "1 second", "40 seconds", "3 minutes": rounded up, as a person reads it."""
    seconds = whole_seconds(wait)
    if seconds < 60:
        return f"{seconds} second{'' if seconds == 1 else 's'}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'' if minutes == 1 else 's'}"
