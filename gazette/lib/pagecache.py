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

import functools
import gzip
import hashlib
import os
import tempfile
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import brotli
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe

SECONDS = 600  # at most; less when a scheduled post is due sooner
_ATTRIBUTE = "_gazette_page_versions"
_EXPIRY = "_gazette_page_expires_by"


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
        # After the versions: a process that sees the new clock sees them too.
        _clock().move_on()


class _CacheClock:
    """A value in the shared cache that every bump replaces with a new random
    one, so that a hit can tell with one read whether the versions it
    remembers may have changed."""

    key = "gazette:version:clock"

    def read(self) -> str | None:
        """The present value (None: unknown, read the versions themselves)."""
        value = cache.get(self.key)
        if value is None:  # never bumped, or dropped from the cache
            cache.add(self.key, uuid.uuid4().hex, None)
        return value

    def move_on(self) -> None:
        cache.set(self.key, uuid.uuid4().hex, None)


class _FileClock:
    """The same for the file cache of one machine, as a file beside it that a
    bump replaces: reading it is one stat() call, not a file read and unpickling
    (which costs as much as the rest of a hit)."""

    def __init__(self, folder: Path):
        self.path = folder / "gazette-version-clock"

    def read(self) -> str | None:
        try:
            found = os.stat(self.path)
        except FileNotFoundError:
            self.move_on()
            return None
        # Each bump writes a new file (a new inode) at a new time.
        return f"{found.st_ino}:{found.st_mtime_ns}:{found.st_ctime_ns}"

    def move_on(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self.path.parent, prefix=".clock-")
        with os.fdopen(fd, "w") as f:
            f.write(uuid.uuid4().hex)
        os.replace(name, self.path)


@functools.cache
def _clock() -> _CacheClock | _FileClock:
    default = settings.CACHES["default"]
    if default["BACKEND"].endswith("FileBasedCache"):
        return _FileClock(Path(default["LOCATION"]))
    return _CacheClock()


class _KnownVersions:
    """The versions this process read, good while the clock keeps the value it
    had before they were read: a bump writes its versions first and moves the
    clock after, so an unchanged clock means no bump finished since."""

    def __init__(self) -> None:
        self.clock: str | None = None
        self.values: dict[str, str] = {}
        self.lock = threading.Lock()

    def current(self, names: Iterable[str]) -> dict[str, str]:
        """The present value of each version in `names` (one read of the clock,
        and of the versions only when a bump came since they were last read)."""
        clock = _clock().read()
        if clock is None:
            return current_versions([Version(name) for name in names])
        with self.lock:
            if clock != self.clock:
                self.clock, self.values = clock, {}
            known = {n: self.values[n] for n in names if n in self.values}
        missing = [name for name in names if name not in known]
        if missing:
            found = current_versions([Version(name) for name in missing])
            with self.lock:
                if self.clock == clock:  # read after `clock`: good while it lasts
                    self.values.update(found)
            known |= found
        return known


_known_versions = _KnownVersions()


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
    if is_cacheable_request(request):
        setattr(request, _ATTRIBUTE, current_versions([SITE, *versions]))
        setattr(request, _EXPIRY, expires_by)


def depends_on(request: HttpRequest, *versions: Version) -> None:
    """This page shows `versions` too; call it before reading what they cover."""
    if hasattr(request, _ATTRIBUTE):
        getattr(request, _ATTRIBUTE).update(current_versions(list(versions)))


def is_cacheable_request(request: HttpRequest) -> bool:
    """Whether `request` may be answered from, and stored in, the shared cache."""
    return is_cacheable(request.META)


def is_cacheable(environ: dict) -> bool:
    """Whether this WSGI request is an anonymous reader's GET or HEAD with no
    state of their own (no session, CSRF or messages cookie)."""
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return False
    if not settings.GAZETTE_PAGE_CACHE:
        return False
    cookie = environ.get("HTTP_COOKIE", "")
    if cookie:
        names = {part.split("=", 1)[0].strip() for part in cookie.split(";")}
        if names & _personal_cookies():
            return False
    return True


@functools.cache
def _personal_cookies() -> frozenset[str]:
    return frozenset(
        {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, "messages"}
    )


def entry_key(environ: dict) -> str:
    """The cache key of the page this WSGI request asks for: scheme, host, path
    and query string, as the client sent them."""
    where = "\n".join(
        (
            environ.get("wsgi.url_scheme", ""),
            environ.get("HTTP_X_FORWARDED_PROTO", ""),
            environ.get("HTTP_HOST", ""),
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
        )
    ).encode("utf-8", "surrogateescape")
    # Hashed: a stranger's long address must not make a key some caches refuse.
    return f"gazette:page:{hashlib.sha256(where).hexdigest()}"


def seconds_to_live(expires_by: datetime | None) -> int:
    """Until `expires_by` (the next scheduled post), at most SECONDS."""
    if expires_by is None:
        return SECONDS
    until = (expires_by - timezone.now()).total_seconds()
    return max(1, min(SECONDS, int(until) + 1))


# Serving


@dataclass(frozen=True)
class Entry:
    """A page as the cache keeps it: everything a hit needs, made once on the
    miss that stored it, so that a hit only picks the body for the reader's
    encoding and compares validators."""

    versions: dict[str, str]
    # A Unix time: the next scheduled post's, or the end of SECONDS. Processes
    # keep entries in memory, so this holds even where the cache's own expiry
    # does not reach.
    until: float
    headers: tuple[tuple[str, str], ...]  # all of them, security headers too
    etag: str  # without quotes; each encoding adds its own suffix
    last_modified: str
    modified_at: float
    bodies: dict[str, bytes]  # by content coding: "br", "gzip", "identity"


# Content codings a hit can be served in, the better first.
ENCODINGS = ("br", "gzip")
_SUFFIX = {"br": "-br", "gzip": "-gz", "identity": ""}
# Headers that belong to one copy of a page, not to the page.
_PER_COPY = {
    "content-length",
    "content-encoding",
    "etag",
    "last-modified",
    "x-gazette-cache",
    "cache-control",
    "vary",
}
_MEMO_SIZE = 256  # pages each process keeps in memory besides the shared cache


class _Memo:
    """The entries this process read last, so that a hit on a popular page
    costs no read of the shared cache for the page itself (its versions are
    still checked there on every hit)."""

    def __init__(self, size: int):
        self.size = size
        self.entries: OrderedDict[str, Entry] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> Entry | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: Entry) -> None:
        with self.lock:
            self.entries[key] = entry
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def drop(self, key: str) -> None:
        with self.lock:
            self.entries.pop(key, None)


_memo = _Memo(_MEMO_SIZE)


def cached_answer(environ: dict) -> tuple[str, list[tuple[str, str]], bytes] | None:
    """The answer to this WSGI request from the cache, as (status line, headers,
    body), or None when it must go to Django. Used before Django sees the
    request (gazette.wsgi) and by PageCacheMiddleware (the test client)."""
    if not is_cacheable(environ):
        return None
    key = entry_key(environ)
    entry = _memo.get(key)
    if entry is None:
        entry = cache.get(key)
        if not isinstance(entry, Entry):
            return None
        _memo.put(key, entry)
    if not _is_current(entry):
        _memo.drop(key)
        return None
    return _answer(entry, environ)


def _is_current(entry: Entry) -> bool:
    """Whether no version the entry shows moved on and its time has not come.

    The time is checked here as well as by the cache's own expiry, which counts
    whole seconds and may be rounded by the cache service."""
    if entry.until <= timezone.now().timestamp():
        return False
    return _known_versions.current(entry.versions) == entry.versions


def _answer(entry: Entry, environ: dict) -> tuple[str, list[tuple[str, str]], bytes]:
    coding = _coding(environ.get("HTTP_ACCEPT_ENCODING", ""))
    etag = f'"{entry.etag}{_SUFFIX[coding]}"'
    headers = [*entry.headers, ("ETag", etag), ("Last-Modified", entry.last_modified)]
    headers.append(("X-Gazette-Cache", "hit"))
    if _not_modified(entry, environ):
        return "304 Not Modified", headers, b""
    body = entry.bodies[coding]
    if coding != "identity":
        headers.append(("Content-Encoding", coding))
    headers.append(("Content-Length", str(len(body))))
    return "200 OK", headers, body


@functools.lru_cache(maxsize=256)  # browsers send a handful of distinct values
def _coding(accept_encoding: str) -> str:
    """The best content coding the reader accepts ("identity": none)."""
    if not accept_encoding:
        return "identity"
    accepted = {}
    for part in accept_encoding.lower().split(","):
        name, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        accepted[name.strip()] = quality
    for coding in ENCODINGS:
        if accepted.get(coding, accepted.get("*", 0.0)) > 0:
            return coding
    return "identity"


def _not_modified(entry: Entry, environ: dict) -> bool:
    """Whether the reader's copy is still good (RFC 9110 section 13.2.2: when
    If-None-Match is given, If-Modified-Since is ignored)."""
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        if if_none_match.strip() == "*":
            return True
        # Any encoding's copy of this version of the page is the same page.
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return any(f'"{entry.etag}{suffix}"' in tags for suffix in _SUFFIX.values())
    if_modified_since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if if_modified_since:
        since = parse_http_date_safe(if_modified_since)
        return since is not None and int(entry.modified_at) <= since
    return False


# Storing


def store(request: HttpRequest, response: HttpResponse) -> None:
    """Keep `response` for other readers when its view asked for it
    (`cache_page_for_readers`) and it is fit to share, and answer this request
    as a hit would: compressed, with validators."""
    versions = getattr(request, _ATTRIBUTE, None)
    if not versions or not _is_storable(response):
        return
    until_time = getattr(request, _EXPIRY, None)
    ttl = seconds_to_live(until_time)
    # A shared cache in front (a CDN) may keep the page a short while and
    # revalidate; browsers always revalidate, which the hit path answers with
    # a 304.
    response["Cache-Control"] = (
        f"public, max-age=0, s-maxage={min(ttl, SHARED_SECONDS)}, "
        f"stale-while-revalidate={SHARED_SECONDS}"
    )
    # Signed-in people get other pages: shared caches downstream must not mix them.
    patch_vary_headers(response, ("Accept-Encoding", "Cookie"))
    content = response.content
    # A response that knows when its content last changed (a feed: its newest
    # post) keeps saying so; any other was last modified now, as it was made.
    now = time.time()
    modified_at = parse_http_date_safe(response.get("Last-Modified", "")) or now
    entry = Entry(
        versions=versions,
        until=min(
            timezone.now().timestamp() + SECONDS,
            until_time.timestamp() if until_time else float("inf"),
        ),
        headers=tuple(
            (name, value)
            for name, value in response.items()
            if name.lower() not in _PER_COPY
        )
        + (
            ("Cache-Control", response["Cache-Control"]),
            ("Vary", response["Vary"]),
        ),
        etag=_etag(versions, request.META),
        last_modified=http_date(modified_at),
        modified_at=modified_at,
        bodies={
            "br": brotli.compress(content, quality=BROTLI_QUALITY),
            "gzip": gzip.compress(content, compresslevel=6, mtime=0),
            "identity": content,
        },
    )
    cache.set(entry_key(request.META), entry, ttl)
    status, headers, body = _answer(entry, request.META)
    response.status_code = int(status.split()[0])
    for name, value in headers:
        if name.lower() in ("etag", "last-modified", "content-encoding"):
            response[name] = value
    response.content = body
    if response.status_code == 304:
        del response["Content-Length"]
    else:
        response["Content-Length"] = str(len(body))
    response["X-Gazette-Cache"] = "miss"


SHARED_SECONDS = 60  # how long a CDN may keep a public page before revalidating
BROTLI_QUALITY = 6  # quick enough for a miss; 11 would take tens of milliseconds


def _etag(versions: dict[str, str], environ: dict) -> str:
    """A strong validator: the page's address and the versions it was made from."""
    text = entry_key(environ) + "".join(
        f"{k}={v};" for k, v in sorted(versions.items())
    )
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def _is_storable(response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
    )


class PageCacheMiddleware:
    """The first middleware: stores pages that views marked for readers, with
    every header the middleware below added, and answers from the cache for
    requests that did not come through gazette.wsgi's layer (the test client)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_cacheable_request(request):
            response = self.get_response(request)
            if request.method in ("GET", "HEAD") and "Cache-Control" not in response:
                # A page made for one person (signed in, or with a held
                # comment of their own) is theirs alone.
                response["Cache-Control"] = "private, no-cache"
            return response
        answer = cached_answer(request.META)
        if answer is not None:
            return _as_response(answer)
        response = self.get_response(request)
        store(request, response)
        return response


def _as_response(answer: tuple[str, list[tuple[str, str]], bytes]) -> HttpResponse:
    status, headers, body = answer
    response = HttpResponse(body, status=int(status.split()[0]))
    del response["Content-Type"]
    for name, value in headers:
        response[name] = value
    return response


class CachedPagesFirst:
    """WSGI layer in front of Django: a page in the shared cache is answered
    here, before Django builds a request or runs any middleware."""

    def __init__(self, application):
        self.application = application
        self.skipped = tuple(
            prefix for prefix in (settings.STATIC_URL, settings.MEDIA_URL) if prefix
        )

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.startswith(self.skipped):
            answer = cached_answer(environ)
            if answer is not None:
                status, headers, body = answer
                start_response(status, headers)
                return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else body]
        return self.application(environ, start_response)
