"""Gazette's speed, measured from outside beside nginx: `python -m bench speed`.

A blog of 1,000 generated posts (hashtags, ten approved comments each, the
demo blog's posts and pictures among them) is written to a temporary folder;
Gazette's production server is started on it as `make run` starts it (Granian,
`server_command`, a worker per core, production settings), first with the page
cache on and then with it off, and nginx serves the post page's bytes as a
static file (`gzip_static`) in the same run. wrk loads each address for a few
seconds with a browser's Accept-Encoding; the table gives requests per second,
p50 and p99 latency, the server's CPU time per request (read from /proc, the
steadier figure on a machine shared with other work) and the ratio to nginx's
rate for the comparable request.

Then comments are posted as readers post them (a one-use token fetched first,
the form sent as a POST), and the blog grows to 10,000 posts (and 100,000 with
GAZETTE_BENCH_SCALES=1000,10000,100000) to show how the cold pages scale.
Memory is the resident size of each server worker after its run.

Settings: GAZETTE_BENCH_SECONDS (wrk's run per row, default 3),
GAZETTE_BENCH_SCALES (blog sizes, default 1000,10000), GAZETTE_BENCH_COMMENTS
(comments posted, default 1000).
"""

import gzip
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from bench import serving

SECONDS = int(os.environ.get("GAZETTE_BENCH_SECONDS", "3"))
SCALES = [
    int(n) for n in os.environ.get("GAZETTE_BENCH_SCALES", "1000,10000").split(",")
]
COMMENTS = int(os.environ.get("GAZETTE_BENCH_COMMENTS", "1000"))
COMMENTS_EACH = 10  # approved comments on every generated post
CONNECTIONS = 16
COMMENT_CLIENTS = 16
# A browser's request: compressed answers wanted.
BROWSER = {"Accept-Encoding": "gzip, br"}
# Production settings, with the comment limits raised: the benchmark measures
# storing comments, not refusing them.
SETTINGS = {
    "GAZETTE_DEBUG": "0",
    "GAZETTE_COMMENTS_MIN_SECONDS": "0",
    "GAZETTE_COMMENTS_PER_IP": "1000000",
    "GAZETTE_COMMENTS_PER_POST": "1000000",
}
HOME = "/"
HASHTAG = "/hashtag/Baking/"
ARCHIVE = "/2018/06/"  # a month of generated posts: more of them as the blog grows
FEED = "/feeds/posts.atom"
SEARCH = "/search/?q=bread+oven"
DEMO_POST = "ridge-walk"  # the demo's post with a picture, hashtags and comments
COMMENTED_SLUG = "bench-comments"

# wrk's own report, as one line this module reads: requests, duration (µs),
# p50 and p99 latency (µs), answers of 400 and above, socket errors.
WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %d %d %.0f %.0f %d %d\\n", summary.requests,
    summary.duration, latency:percentile(50), latency:percentile(99), e.status,
    e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass
class Row:
    label: str
    rate: float = 0.0  # requests per second
    p50: float = 0.0  # milliseconds
    p99: float = 0.0
    cpu_ms: float = 0.0  # the server's CPU milliseconds per request
    reference: float = 0.0  # the comparable rate, nginx's or the smallest blog's
    note: str = ""


@dataclass
class Target:
    """A running server: where it answers and which processes are its own."""

    base: str
    port: int
    process: subprocess.Popen

    def pids(self) -> list[int]:
        return [self.process.pid, *serving.descendants(self.process.pid)]


def run() -> None:
    began = time.monotonic()
    for tool in ("wrk", "nginx"):
        if not _which(tool):
            raise SystemExit(f"{tool} is missing: `make bench-packages` installs it.")
    with tempfile.TemporaryDirectory(prefix="gazette-bench-") as tmp:
        var = Path(tmp)
        env = serving.gazette_env(tmp, SETTINGS)
        blog = prepare(var, env, SCALES[0])
        rows: list[Row] = []
        scale_rows: list[Row] = []
        with _nginx(var) as nginx, _gazette(env, var, cached=True) as gazette:
            page = _get(gazette, blog["post"], {})[2]
            (var / "www" / "post.html").write_bytes(page)
            (var / "www" / "post.html.gz").write_bytes(gzip.compress(page, 9))
            rows += _nginx_rows(var, nginx)
            static, static_304 = rows[0].rate, rows[1].rate
            rows += _cached_rows(var, gazette, blog, static, static_304)
            rows.append(_post_comments(env, gazette, blog))
            memory = [serving.rss_mb(pid) for pid in _workers(gazette)]
        with _gazette(env, var, cached=False) as cold:
            pages = scale_pages(blog)
            first = [
                measure(var, cold, f"{label}, rendered (cache off)", path, static)
                for label, path in pages
            ]
            rows += first
            scale_rows += _relabel(first, SCALES[0])
            for row in scale_rows:
                row.reference = row.rate  # the smallest blog is the reference
            cold_memory = [serving.rss_mb(pid) for pid in _workers(cold)]
        for size in SCALES[1:]:
            print(f"  growing the blog to {size:,} posts...", flush=True)
            grown = time.monotonic()
            _itself(env, "grow", str(size))
            print(f"    in {time.monotonic() - grown:.0f} s", flush=True)
            with _gazette(env, var, cached=False) as cold:
                measured = [
                    measure(var, cold, label, path, static) for label, path in pages
                ]
                for row, small in zip(measured, first, strict=True):
                    row.reference = small.rate
                scale_rows += _relabel(measured, size)
                cold_memory = [serving.rss_mb(pid) for pid in _workers(cold)]
    print_table(rows, "of nginx")
    print()
    print("  Pages rendered each time (cache off) as the blog grows:")
    print_table(scale_rows, f"of {SCALES[0]:,}")
    print()
    print(
        "  memory per worker after the run: "
        + ", ".join(f"{mb:.0f} MB" for mb in memory)
        + " (page cache on); "
        + ", ".join(f"{mb:.0f} MB" for mb in cold_memory)
        + f" (cache off, {SCALES[-1]:,} posts)"
    )
    print(f"  {os.cpu_count()} cores; the whole benchmark took", end=" ")
    print(f"{time.monotonic() - began:.0f} s")


def scale_pages(blog: dict) -> list[tuple[str, str]]:
    return [
        ("home page", HOME),
        ("post page", blog["post"]),
        ("hashtag page", HASHTAG),
        ("month archive", ARCHIVE),
    ]


def _relabel(rows: list[Row], size: int) -> list[Row]:
    return [
        Row(
            f"{row.label.split(',')[0]}, {size:,} posts",
            row.rate,
            row.p50,
            row.p99,
            row.cpu_ms,
            row.reference,
            row.note,
        )
        for row in rows
    ]


def _nginx_rows(var: Path, nginx: Target) -> list[Row]:
    page = measure(var, nginx, "nginx: the post page as a static file", "/post.html")
    validator = _validator(_get(nginx, "/post.html", BROWSER)[1])
    not_modified = measure(
        var, nginx, "nginx: the same, 304", "/post.html", headers=validator, expect=304
    )
    return [page, not_modified]


def _cached_rows(
    var: Path, gazette: Target, blog: dict, static: float, static_304: float
) -> list[Row]:
    rows = [
        measure(var, gazette, "post page from the cache", blog["post"], static),
        measure(var, gazette, "home page from the cache", HOME, static),
        measure(var, gazette, "hashtag page from the cache", HASHTAG, static),
        measure(var, gazette, "month archive from the cache", ARCHIVE, static),
        measure(var, gazette, "Atom feed", FEED, static),
    ]
    validator = _validator(_get(gazette, blog["post"], BROWSER)[1])
    label = "post page, conditional GET: 304"
    if validator:
        rows.append(
            measure(var, gazette, label, blog["post"], static_304, validator, 304)
        )
    else:
        rows.append(Row(label, note="no ETag or Last-Modified on the page"))
    rows.append(measure(var, gazette, "search (two words)", SEARCH, static))
    return rows


def _validator(headers: dict[str, str]) -> dict[str, str]:
    """The headers of a browser's conditional GET for a page it holds."""
    if etag := headers.get("etag"):
        return {"If-None-Match": etag}
    if modified := headers.get("last-modified"):
        return {"If-Modified-Since": modified}
    return {}


def measure(
    var: Path,
    target: Target,
    label: str,
    path: str,
    reference: float = 0.0,
    headers: dict[str, str] | None = None,
    expect: int = 200,
) -> Row:
    """Load `path` with wrk for SECONDS after a one-second warm-up."""
    headers = BROWSER | (headers or {})
    status, answer, body = _get(target, path, headers)
    if status != expect:
        return Row(label, note=f"answered {status}, not {expect}")
    _wrk(var, target, path, headers, 1)
    status, answer, body = _get(target, path, headers)  # after the warm-up
    pids = target.pids()
    cpu = serving.cpu_seconds(pids)
    requests, seconds, p50, p99, bad, broken = _wrk(var, target, path, headers, SECONDS)
    cpu = serving.cpu_seconds(pids) - cpu
    note = [answer.get("content-encoding", "identity"), f"{len(body) / 1024:.1f} KB"]
    if cache := answer.get("x-gazette-cache"):
        note.append(f"cache {cache}")
    if bad or broken:
        note.append(f"{bad} error answers, {broken} socket errors")
    return Row(
        label,
        requests / seconds,
        p50,
        p99,
        1000 * cpu / max(requests, 1),
        reference,
        ", ".join(note),
    )


def _wrk(
    var: Path, target: Target, path: str, headers: dict[str, str], seconds: int
) -> tuple[int, float, float, float, int, int]:
    """(requests, seconds, p50 ms, p99 ms, answers >= 400, socket errors)"""
    command = [
        "wrk",
        "-t2",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(var / "wrk.lua"),
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run(
        [*command, target.base + path], capture_output=True, text=True, check=True
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRK "))
    requests, micros, p50, p99, bad, broken = (int(float(x)) for x in line.split()[1:])
    return requests, micros / 1e6, p50 / 1000, p99 / 1000, bad, broken


def _get(
    target: Target, path: str, headers: dict[str, str]
) -> tuple[int, dict[str, str], bytes]:
    """One request: (status, headers with lower-case names, body as sent)."""
    connection = http.client.HTTPConnection("127.0.0.1", target.port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        answer = {k.lower(): v for k, v in response.getheaders()}
        return response.status, answer, body
    finally:
        connection.close()


# Comments: as a reader posts one, a one-use token first, then the form.

BODIES = [
    "Lovely walk along the river this morning, thanks for the pictures ({n}).",
    "I tried the recipe last night and my children asked for seconds ({n}).",
    "Does anyone know whether the museum opens on Sundays in winter? ({n})",
    "Great post. The part about the old bridge reminded me of my grandfather ({n}).",
]


def _post_comments(env: dict[str, str], gazette: Target, blog: dict) -> Row:
    """COMMENTS comments from COMMENT_CLIENTS readers at once over kept-alive
    connections; every 302 is an accepted comment, and the database must hold
    exactly as many new rows afterwards."""
    label = "posting a comment"
    post_id = blog["commented_id"]
    tokens, how = _tokens(gazette, post_id, blog["commented"], COMMENTS + 20)
    if len(tokens) < COMMENTS + 20:
        return Row(label, note=f"no form tokens to be had ({how})")
    # A few comments first, so that every worker has loaded the spam model.
    _send(gazette, post_id, tokens[:20], first=0)
    before = int(_itself(env, "count", str(post_id)))
    pids = gazette.pids()
    cpu = serving.cpu_seconds(pids)
    began = time.monotonic()
    latencies, failures = _send(gazette, post_id, tokens[20:], first=20)
    wall = time.monotonic() - began
    cpu = serving.cpu_seconds(pids) - cpu
    stored = int(_itself(env, "count", str(post_id))) - before
    accepted = len(latencies)
    latencies.sort()
    note = f"{accepted} of {COMMENTS} accepted, {stored} stored, token from {how}"
    if stored != accepted:
        note += f"; {accepted - stored} LOST"
    if failures:
        note += f"; refused: {failures[0]}"
    return Row(
        label,
        accepted / wall,
        statistics.median(latencies) if latencies else 0.0,
        latencies[int(len(latencies) * 0.99)] if latencies else 0.0,
        1000 * cpu / max(accepted, 1),
        note=note,
    )


def _tokens(target: Target, post_id: int, path: str, count: int):
    """`count` one-use form tokens, from the token address when the blog has
    one, else from the form on the post page, else from the form sent back
    without one (the way a browser without script gets it). (tokens, source)"""
    token_path = f"/comments/{post_id}/token/"
    status, _, body = _get(target, token_path, {})
    if status == 200:
        return _fetch_many(target, count, lambda c: _json_token(c, token_path)), (
            "the token address"
        )
    status, _, body = _get(target, path, {})
    if _form_token(body):
        return _fetch_many(target, count, lambda c: _page_token(c, path)), "the page"
    url = f"/comments/{post_id}/post/"
    return _fetch_many(target, count, lambda c: _form_again_token(c, url)), (
        "the form sent back"
    )


def _form_token(body: bytes) -> str:
    match = re.search(rb'name="token" value="([^"]+)"', body)
    return match.group(1).decode() if match else ""


def _json_token(connection: http.client.HTTPConnection, path: str) -> str:
    connection.request("GET", path)
    return json.loads(connection.getresponse().read())["token"]


def _page_token(connection: http.client.HTTPConnection, path: str) -> str:
    connection.request("GET", path, headers={"Cache-Control": "no-cache"})
    return _form_token(connection.getresponse().read())


def _form_again_token(connection: http.client.HTTPConnection, path: str) -> str:
    form = urlencode({"author_name": "Reader", "body": "Hello."})
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    connection.request("POST", path, form, headers)
    return _form_token(connection.getresponse().read())


def _fetch_many(target: Target, count: int, fetch) -> list[str]:
    tokens: list[str] = []
    lock = threading.Lock()

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", target.port, timeout=30)
        while True:
            with lock:
                if len(tokens) >= count:
                    break
            token = fetch(connection)
            if not token:
                break
            with lock:
                tokens.append(token)
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tokens[:count]


def _send(
    target: Target, post_id: int, tokens: list[str], first: int
) -> tuple[list[float], list[str]]:
    """Post one comment per token; (latency in ms of each accepted one, what
    was answered to the others)."""
    latencies: list[float] = []
    failures: list[str] = []
    path = f"/comments/{post_id}/post/"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    def client(k: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", target.port, timeout=60)
        for n in range(k, len(tokens), COMMENT_CLIENTS):
            number = first + n
            form = urlencode(
                {
                    "token": tokens[n],
                    "author_name": f"Reader {number}",
                    "author_email": f"reader{number}@example.net",
                    "body": BODIES[number % len(BODIES)].format(n=number),
                }
            )
            sent = time.perf_counter()
            try:
                connection.request("POST", path, form, headers)
                response = connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as error:
                failures.append(repr(error))
                connection.close()
                continue
            if response.status == 302:
                latencies.append(1000 * (time.perf_counter() - sent))
            else:
                reason = re.search(rb'class="[^"]*error[^"]*"[^>]*>([^<]+)', body)
                text = reason.group(1).decode().strip() if reason else body[:120]
                failures.append(f"{response.status}: {text!r}")
        connection.close()

    threads = [
        threading.Thread(target=client, args=(k,)) for k in range(COMMENT_CLIENTS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, failures


# The servers.


@contextmanager
def _gazette(env: dict[str, str], var: Path, *, cached: bool) -> Iterator[Target]:
    """Gazette's production server, as `make run` starts it, on a free port."""
    from gazette.site.management.commands.serve import server_command

    port = serving.free_port()
    command = server_command("127.0.0.1", port, access_log=False)
    settings = {"GAZETTE_PAGE_CACHE": "1" if cached else "0"}
    with serve(command, port, env | settings, var) as target:
        yield target


@contextmanager
def serve(
    command: list[str], port: int, env: dict[str, str], var: Path
) -> Iterator[Target]:
    """A server for the blog in `var`, running `command` on `port`; the cache
    emptied first, so that no page from an earlier step is served, and the
    server's log printed if it shows errors."""
    shutil.rmtree(var / "cache", ignore_errors=True)
    log = var / "server.log"
    server = serving.start(command, env, log)
    target = Target(f"http://127.0.0.1:{port}", port, server)
    try:
        try:
            serving.wait_for(target.base + "/")
        except RuntimeError as error:
            raise RuntimeError(f"{error}:\n{serving.log_tail(log)}") from None
        yield target
    finally:
        serving.stop(server)
        if "Traceback" in serving.log_tail(log):
            print(f"  the server logged errors:\n{serving.log_tail(log)}")
        log.unlink(missing_ok=True)


def prepare(var: Path, env: dict[str, str], posts: int) -> dict:
    """The blog in `var`: migrated, static files collected, the demo blog and
    `posts` generated posts; where the measured pages are."""
    serving.gazette(env, "migrate", "--noinput", "-v0")
    serving.gazette(env, "collectstatic", "--noinput", "-v0")
    serving.gazette(env, "demo")
    blog = json.loads(_itself(env, "setup"))
    if posts:
        print(f"  generating {posts:,} posts...", flush=True)
        _itself(env, "grow", str(posts))
    (var / "wrk.lua").write_text(WRK_REPORT)
    return blog


NGINX_CONF = """\
worker_processes {workers};
pid {var}/nginx.pid;
error_log {var}/nginx-error.log warn;
daemon off;
{user}
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {var}/nginx-body;
    proxy_temp_path {var}/nginx-proxy;
    fastcgi_temp_path {var}/nginx-fastcgi;
    uwsgi_temp_path {var}/nginx-uwsgi;
    scgi_temp_path {var}/nginx-scgi;
    types {{ text/html html; }}
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    server {{
        listen 127.0.0.1:{port};
        root {var}/www;
        gzip_static on;
    }}
}}
"""


@contextmanager
def _nginx(var: Path) -> Iterator[Target]:
    """nginx from Debian, as an ordinary process on a free port, with as many
    workers as Gazette's server has."""
    from gazette.site.management.commands.serve import worker_count

    (var / "www").mkdir()
    port = serving.free_port()
    # Run as root, nginx would hand its workers to "nobody", who may not read
    # the temporary folder: they stay with this user.
    user = "user root;" if os.geteuid() == 0 else ""
    conf = NGINX_CONF.format(var=var, port=port, workers=worker_count(), user=user)
    (var / "nginx.conf").write_text(conf)
    nginx = _which("nginx")
    command = [nginx, "-c", str(var / "nginx.conf"), "-p", str(var)]
    command += ["-e", str(var / "nginx-error.log")]
    server = serving.start(command, dict(os.environ), var / "nginx.log")
    (var / "www" / "index.html").write_text("nginx\n")
    target = Target(f"http://127.0.0.1:{port}", port, server)
    try:
        serving.wait_for(target.base + "/index.html")
        yield target
    finally:
        serving.stop(server)


def _workers(target: Target) -> list[int]:
    """The server's worker processes: its descendants that run Python code of
    Gazette's (Granian's workers), not helpers such as a resource tracker."""
    found = []
    for pid in serving.descendants(target.process.pid):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except FileNotFoundError:
            continue
        if b"resource_tracker" not in command:
            found.append(pid)
    return found


def _which(tool: str) -> str:
    return shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/sbin") or ""


# The table.


def print_table(rows: list[Row], reference: str) -> None:
    print(
        f"  {'request':42} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'CPU ms':>7} {reference:>9}  notes"
    )
    for row in rows:
        if not row.rate:
            print(
                f"  {row.label:42} {'-':>8} {'':>7} {'':>7} {'':>7} {'':>9}  {row.note}"
            )
            continue
        ratio = f"{row.rate / row.reference:.3f}" if row.reference else ""
        print(
            f"  {row.label:42} {row.rate:8.0f} {row.p50:7.2f} {row.p99:7.2f} "
            f"{row.cpu_ms:7.2f} {ratio:>9}  {row.note}"
        )


# What runs inside the benchmark's own database: python -m bench.speed <step>.


def _itself(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "bench.speed", *args],
        env=env | {"DJANGO_SETTINGS_MODULE": "gazette.settings"},
        cwd=serving.ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"bench.speed {args[0]} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def _setup() -> None:
    """Comments open; a post of its own to take the posted comments, so that
    the pages measured stay the same; where the measured pages are."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from gazette.posts.models import Post
    from gazette.posts.writing import write_entry
    from gazette.site.models import CommentPolicy, SiteSettings

    site = SiteSettings.load()
    site.comment_policy = CommentPolicy.OPEN
    site.save()
    author = get_user_model().objects.filter(posts__isnull=False).first()
    commented = write_entry(
        Post(
            title="Tell us about your walks",
            slug=COMMENTED_SLUG,
            body="Everyone has a favourite path. Which is yours?",
            status=Post.Status.PUBLISHED,
            published_at=timezone.now() - timedelta(days=400),
            author=author,
        ),
        ["Walking"],
    )
    demo = Post.objects.get(slug=DEMO_POST)
    print(
        json.dumps(
            {
                "post": demo.get_absolute_url(),
                "commented": commented.get_absolute_url(),
                "commented_id": commented.pk,
            }
        )
    )


def _grow(size: str) -> None:
    from bench import blog
    from gazette.posts.models import Post

    have = Post.objects.filter(slug__startswith="post-").count()
    blog.add_posts(have, int(size) - have, comments_per_post=COMMENTS_EACH)
    blog.finish()


def _count(post_id: str) -> None:
    from gazette.comments.models import Comment

    print(Comment.objects.filter(post_id=int(post_id)).count())


if __name__ == "__main__":
    import django

    django.setup()
    steps: dict[str, Callable[..., None]] = {
        "setup": _setup,
        "grow": _grow,
        "count": _count,
    }
    steps[sys.argv[1]](*sys.argv[2:])
