"""The shared page cache for readers: rendered pages kept compressed in the cache.

A view opts in with `cache_page_for_readers(request, *versions)`, naming the
versions of what the page shows, and may add more with `depends_on` once it
knows them (a listing adds the posts it lists). The cached entry records the
values those versions had when the page was rendered; a write bumps only the
versions it touches (`bump_on_commit`), and an entry whose versions moved on is
simply not used again.

The versions, all named here:

* `SITE`: the title, the settings and the sidebar (archive, hashtags, pages),
  so every page depends on it;
* `LISTINGS`: which posts the home, archive and hashtag pages list, in what
  order;
* `post_version(pk)`: one post's page and its comments, and its entry in any
  listing that shows it (title, excerpt, comment count);
* `page_version(pk)`: one standalone page.

Only anonymous readers without a session are served from it: signed-in people and
readers with a state of their own (a held comment, a message) have a session
cookie and always get a fresh page. A view says when its page may change by
itself (`expires_by`: the next scheduled post's time), so a scheduled post
appears on time without a cron job.
"""

import gzip
import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers

SECONDS = 600  # at most; less when a scheduled post is due sooner
_ATTRIBUTE = "_gazette_page_versions"
_EXPIRY = "_gazette_page_expires_by"
_FILLS = "_gazette_page_fills"
# Headers that belong to one copy of a page, not to the page.
_PER_COPY = {"content-length", "content-encoding", "x-gazette-cache"}


@dataclass(frozen=True)
class Version:
    """A named part of what readers see; bumping it makes pages showing it stale."""

    name: str

    @property
    def key(self) -> str:
        return f"gazette:version:{self.name}"


SITE = Version("site")
LISTINGS = Version("listings")


def post_version(pk: int) -> Version:
    return Version(f"post:{pk}")


def page_version(pk: int) -> Version:
    return Version(f"page:{pk}")


# More versions than this in one bump (an import touching thousands of posts)
# bump SITE alone: every page shows it, so every page is refreshed at once.
MANY = 200


def bump(*versions: Version) -> None:
    """Mark everything that shows `versions` as changed: pages made before are stale.

    Every page depends on SITE, so when it moves on nothing else needs to."""
    if SITE in versions or len(versions) > MANY:
        versions = (SITE,)
    if versions:
        cache.set_many({v.key: uuid.uuid4().hex for v in versions}, None)


def bump_on_commit(*versions: Version) -> None:
    """`bump` once the current transaction commits (at once outside one).

    Inside `bumps_collected()`, the versions wait for the end of that block."""
    if (collected := _collected.get()) is not None:
        collected.update(versions)
        return
    transaction.on_commit(lambda: bump(*versions))


_collected: ContextVar[set[Version] | None] = ContextVar(
    "gazette_collected_bumps", default=None
)


@contextmanager
def bumps_collected() -> Iterator[None]:
    """Collect the bumps asked for inside the block and make them once, when the
    block ends well (on commit): an import of thousands of rows bumps once."""
    if _collected.get() is not None:  # an outer block collects already
        yield
        return
    collected: set[Version] = set()
    token = _collected.set(collected)
    try:
        yield
    finally:
        _collected.reset(token)
    bump_on_commit(*collected)


def current_versions(versions: list[Version]) -> dict[str, str]:
    """The present value of each version by name, creating the ones never bumped."""
    keys = {v.key: v.name for v in versions}
    found = cache.get_many(list(keys))
    missing = {k: uuid.uuid4().hex for k in keys if k not in found}
    if missing:
        for key, value in missing.items():
            # add(): two workers racing on a new version agree on one value.
            if not cache.add(key, value, None):
                missing[key] = cache.get(key, value)
        found |= missing
    return {keys[k]: v for k, v in found.items()}


def cache_page_for_readers(
    request: HttpRequest, *versions: Version, expires_by: datetime | None = None
) -> None:
    """Let the page cache keep this response for readers; it shows `versions`
    and may change by itself at `expires_by` (None: it does not).

    Call it before the view reads what it shows: the versions are read now, so a
    write that commits while the page renders leaves this entry stale-marked.
    """
    if _is_cacheable_request(request):
        setattr(request, _ATTRIBUTE, current_versions([SITE, *versions]))
        setattr(request, _EXPIRY, expires_by)


def depends_on(request: HttpRequest, *versions: Version) -> None:
    """This page shows `versions` too; call it before reading what they cover."""
    if hasattr(request, _ATTRIBUTE):
        getattr(request, _ATTRIBUTE).update(current_versions(list(versions)))


def fill_on_each_visit(request: HttpRequest, value: str, make: str, *args) -> None:
    """`value` in this page is good for one reader only (a one-use form token).

    The cached copy keeps a gap where `value` stood, and each visit served from
    the cache fills it with a new one from `make(*args)` (`make` a dotted path).
    """
    if hasattr(request, _ATTRIBUTE):
        setattr(request, _FILLS, [*getattr(request, _FILLS, []), (value, make, args)])


def _is_cacheable_request(request: HttpRequest) -> bool:
    return (
        settings.GAZETTE_PAGE_CACHE
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and settings.CSRF_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def _entry_key(request: HttpRequest) -> str:
    # Hashed: a stranger's long address must not make a key some caches refuse.
    where = f"{request.get_host()}:{request.get_full_path()}".encode()
    return f"gazette:page:{hashlib.sha256(where).hexdigest()}"


def seconds_to_live(expires_by: datetime | None) -> int:
    """Until `expires_by` (the next scheduled post), at most SECONDS."""
    if expires_by is None:
        return SECONDS
    until = (expires_by - timezone.now()).total_seconds()
    return max(1, min(SECONDS, int(until) + 1))


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _is_cacheable_request(request):
            return self.get_response(request)
        key = _entry_key(request)
        entry = cache.get(key)
        if entry and _is_current(entry):
            return _from_entry(request, entry)

        response = self.get_response(request)
        versions = getattr(request, _ATTRIBUTE, None)
        if versions and _is_storable(response):
            expires_by = getattr(request, _EXPIRY, None)
            # Served from the cache, the page is compressed for readers who
            # accept it: this answer varies as the cached ones will.
            patch_vary_headers(response, ("Accept-Encoding", "Cookie"))
            entry = {
                "versions": versions,
                "content_type": response["Content-Type"],
                # The view's headers, given again with each copy from the cache
                # (the security headers are added around the cache, each time).
                "headers": {
                    name: value
                    for name, value in response.headers.items()
                    if name.lower() not in _PER_COPY
                },
                "until": expires_by,
            }
            fills = getattr(request, _FILLS, [])
            if fills:
                entry["parts"], entry["fills"] = _cut_gaps(response.content, fills)
            else:
                entry["body"] = gzip.compress(response.content, compresslevel=6)
            cache.set(key, entry, seconds_to_live(expires_by))
            response["X-Gazette-Cache"] = "miss"
        return response


def _is_current(entry: dict) -> bool:
    """Whether no version the entry shows moved on and its time has not come.

    The time is checked here as well as by the cache's own expiry, which counts
    whole seconds and may be rounded by the cache service."""
    if entry["until"] is not None and entry["until"] <= timezone.now():
        return False
    recorded = entry["versions"]
    return current_versions([Version(name) for name in recorded]) == recorded


def _cut_gaps(content: bytes, fills: list) -> tuple[list[bytes], list]:
    """Split `content` around each one-reader value, in the order they appear."""
    parts, gaps, rest = [], [], content
    for value, make, args in fills:
        before, found, after = rest.partition(value.encode())
        if found:
            parts.append(before)
            gaps.append((make, args))
            rest = after
    parts.append(rest)
    return parts, gaps


def _body(entry: dict) -> bytes:
    """The page with a new value in each gap."""
    from django.utils.module_loading import import_string

    parts = entry["parts"]
    body = [parts[0]]
    for (make, args), part in zip(entry["fills"], parts[1:], strict=True):
        body += [import_string(make)(*args).encode(), part]
    return b"".join(body)


def _is_storable(response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
    )


def _from_entry(request: HttpRequest, entry: dict) -> HttpResponse:
    accepts_gzip = "gzip" in request.headers.get("Accept-Encoding", "")
    if "parts" in entry:
        # Filled anew for each reader, so compressed now, quickly.
        body = _body(entry)
        body = gzip.compress(body, compresslevel=1) if accepts_gzip else body
    elif accepts_gzip:
        body = entry["body"]
    else:
        body = gzip.decompress(entry["body"])
    response = HttpResponse(body, content_type=entry["content_type"])
    for name, value in entry.get("headers", {}).items():
        response[name] = value
    response["Content-Length"] = str(len(body))
    if accepts_gzip:
        response["Content-Encoding"] = "gzip"
    # Signed-in people get other pages: shared caches downstream must not mix them.
    patch_vary_headers(response, ("Accept-Encoding", "Cookie"))
    response["X-Gazette-Cache"] = "hit"
    return response
